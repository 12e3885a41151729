"""The formats registry: formats for every Table, and formats only one kind of Table has."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cecap.formats import find, pieces, render
from cecap.formats.registry import FIELDS, FORMATS, NO_HEADER, OWN, own_formats, register
from cecap.rows.table import Column, Table


def table(kind: str, value: str = "x") -> Table:
    return Table(kind, ("ce",), [{"ce": value}], (Column("ce", "CE"),))


@pytest.fixture
def registered() -> Iterator[None]:
    """Formats registered by a test are gone after it."""
    own = {kind: dict(found) for kind, found in OWN.items()}
    every = dict(FORMATS)
    yield
    OWN.clear()
    OWN.update(own)
    FORMATS.clear()
    FORMATS.update(every)


@pytest.mark.usefixtures("registered")
def test_a_kinds_own_format_is_found_for_that_kind_only() -> None:
    @register("shout", kinds=("alpha",), about="loud")
    def shout(t: Table) -> str:
        return t.rows[0]["ce"].upper()

    assert render("shout", table("alpha")) == "X"
    assert find("shout", "alpha").about == "loud"
    with pytest.raises(KeyError):
        find("shout", "beta")
    assert "shout" not in FORMATS


@pytest.mark.usefixtures("registered")
def test_a_kinds_own_format_stands_for_a_common_one_of_its_name() -> None:
    @register("table", kinds=("alpha",), raw=True)
    def block(t: Table) -> str:
        return f"block {t.rows[0]['ce']}"

    assert render("table", table("alpha")) == "block x"
    assert render("table", table("beta")) != "block x"


@pytest.mark.usefixtures("registered")
def test_own_formats_are_listed_once_in_the_order_registered() -> None:
    for kind, name in (("alpha", "one"), ("beta", "two"), ("beta", "one"), ("alpha", "three")):
        register(name, kinds=(kind,))(lambda t: "")
    assert list(own_formats(("alpha", "beta"))) == ["one", "three", "two"]
    assert list(own_formats(("gamma",))) == []


@pytest.mark.usefixtures("registered")
def test_escaped_unless_raw() -> None:
    register("plain", kinds=("alpha",))(lambda t: t.rows[0]["ce"])
    register("own-way", kinds=("alpha",), raw=True)(lambda t: t.rows[0]["ce"])
    hostile = table("alpha", "a\x1b[2Jb")
    assert render("plain", hostile) == "a\\x1b[2Jb"
    assert render("own-way", hostile) == "a\x1b[2Jb"


@pytest.mark.usefixtures("registered")
def test_refusals_and_warnings_are_the_formats_own() -> None:
    def said(t: Table) -> list[str]:
        return [f"left out {t.rows[0]['ce']}"]

    register("doc", kinds=("alpha",), refuses=(FIELDS, NO_HEADER), warnings=said)(lambda t: "")
    found = find("doc", "alpha")
    assert found.refuses == ("--fields", "--no-header")
    assert found.warnings is not None and list(found.warnings(table("alpha"))) == ["left out x"]
    assert find("csv", "alpha").refuses == ()


def test_a_stream_and_its_whole_text_agree() -> None:
    shown = table("report")
    assert "".join(pieces("csv", shown)) == render("csv", shown) == "ce\nx"
    assert list(find("table", "report").pieces(shown)) == [render("table", shown)]
