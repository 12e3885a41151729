"""Published values cannot drive the operator's terminal: every format shows control and
bidi characters escaped, JSON keeps them raw (JSON-escaped), html escapes markup."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime

import pytest
import tabulate

from cecap.evaluate.nagios import State, plugin_output
from cecap.formats import format_names, render
from cecap.formats.timeline import history_lines, runs_lines
from cecap.history.types import Change, Run
from cecap.rows.history import history_table, runs_table
from cecap.rows.table import Column, Lines, Table
from cecap.text import HIDDEN, visible

# One of each class, with the escaped form every human-facing output must show.
HOSTILE = {
    "\x00": "\\x00",  # C0: NUL
    "\x07": "\\x07",  # BEL, ends an OSC title
    "\t": "\\x09",  # TAB would shift tsv columns
    "\n": "\\x0a",  # a newline would start a fake row or line
    "\r": "\\x0d",
    "\x1b": "\\x1b",  # ESC: clear screen, set the title, OSC 8 links
    "\x1f": "\\x1f",
    "\x7f": "\\x7f",  # DEL
    "\x85": "\\x85",  # C1: NEL
    "\x9b": "\\x9b",  # C1: CSI
    "\x9d": "\\x9d",  # C1: OSC
    "\u061c": "\\u061c",  # ARABIC LETTER MARK
    "\u200e": "\\u200e",
    "\u200f": "\\u200f",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
    **{chr(c): f"\\u{c:04x}" for c in range(0x202A, 0x202F)},  # LRE..RLO
    **{chr(c): f"\\u{c:04x}" for c in range(0x2066, 0x206A)},  # LRI..PDI
}
EVERY_HIDDEN = "".join(HOSTILE)
SCRIPT = "<script>alert('x')</script>"

_DECODE = re.compile(r"\\(\\|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})")


def decode(text: str) -> str:
    """The inverse of visible(): proves its output is unambiguous."""
    return _DECODE.sub(lambda m: "\\" if m[1] == "\\" else chr(int(m[1][1:], 16)), text)


def hostile_table() -> Table:
    rows = [
        {"site": f"a{char}b", "ce": f"c{char}d", "n": number, "extra": f"e{char}f", "ok": True}
        for number, char in enumerate(HOSTILE)
    ]
    rows.append({"site": SCRIPT, "ce": "ce-script", "n": 99, "extra": None, "ok": False})
    return Table(
        kind="test",
        fields=("site", "ce", "n", "extra", "ok"),
        rows=rows,
        compact=(Column("site", "site"), Column("n", "n", spill=1), Column("ok", "ok")),
        note_fields=("ce",),
        meta={"title": f"title{EVERY_HIDDEN}end", "partial": f"partial{EVERY_HIDDEN}end"},
        key=("site", "ce"),
    )


def benign_table() -> Table:
    """hostile_table's shape with harmless values: the same number of lines and tabs."""
    table = hostile_table()
    rows = [
        {k: (v.replace(c, "_") if isinstance(v, str) else v) for k, v in row.items()}
        for row, c in zip(table.rows, [*HOSTILE, "<"], strict=True)
    ]
    return dataclasses.replace(
        table, rows=rows, meta={"title": "title_end", "partial": "partial_end"}
    )


def shown_as(fmt: str, text: str) -> str:
    """How ``text`` (already visible) looks in format ``fmt``'s own syntax: LaTeX's and
    Markdown's escapes (a backslash is a character either escapes)."""
    if fmt in ("latex", "latex_booktabs", "latex_longtable"):
        return text.replace("\\", r"\textbackslash{}")
    if fmt in ("github", "pipe", "colon_grid"):
        return re.sub(r"([\\`*_\[\]|~])", r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;"))
    return text


def layout(fmt: str) -> set[str]:
    """The hidden characters a format uses itself: line ends, and the tabs of tsv and of
    lines (between the fields of a key)."""
    return {"\n", "\t"} if fmt in ("tsv", "lines") else {"\n"}


def test_every_registered_format_is_covered() -> None:
    assert {"table", "json", "csv", "tsv", "plain", "github", "html"} <= set(format_names())


def test_tabulates_unsafe_formats_are_not_offered() -> None:
    # tabulate's unsafehtml passes markup through by design; published values must not.
    assert "unsafehtml" in tabulate.tabulate_formats
    assert not {f for f in format_names() if f.startswith("unsafe")}


@pytest.mark.parametrize("fmt", sorted(set(format_names()) - {"json"}))
def test_format_shows_hidden_characters_escaped(fmt: str) -> None:
    out = render(fmt, hostile_table())
    raw = {c for c in out if HIDDEN.match(c)} - layout(fmt)
    assert not raw, f"{fmt} lets raw {sorted(map(hex, map(ord, raw)))} through"
    for char, escape in HOSTILE.items():
        for text in (f"a{escape}b", f"c{escape}d"):
            assert shown_as(fmt, text) in out, (fmt, repr(char))
    benign = render(fmt, benign_table())
    # No value broke a line (or, in tsv, a column).
    assert out.count("\n") == benign.count("\n")
    assert out.count("\t") == benign.count("\t")


# lines prints keys alone: a partial answer is said on stderr and in the exit code.
@pytest.mark.parametrize("fmt", sorted(set(format_names()) - {"json", "lines"}))
def test_format_shows_title_and_partial_note_escaped(fmt: str) -> None:
    out = render(fmt, hostile_table())
    # The footer is cecap's own line after the table, escaped as the table's markup is.
    assert shown_as(fmt, "PARTIAL: partial" + visible(EVERY_HIDDEN) + "end") in out
    if fmt == "table":
        assert out.startswith("title" + visible(EVERY_HIDDEN) + "end\n")


def test_a_title_of_several_lines_shows_each_line_escaped() -> None:
    # summary's headline, one line per experiment: each on a line of its own in the
    # terminal table, a hidden character in one escaped; one line elsewhere.
    hidden = EVERY_HIDDEN.replace("\n", "")
    title = Lines(f"one{hidden}end\ntwo")
    table = dataclasses.replace(hostile_table(), meta={"title": title})
    out = render("table", table).splitlines()
    assert out[:2] == ["one" + visible(hidden) + "end", "two"]


def test_empty_table_message_is_escaped() -> None:
    table = Table("test", ("a",), [], (Column("a", "a"),), meta={"empty": "x\x1b]0;t\x07"})
    assert render("table", table) == "no x\\x1b]0;t\\x07"


def test_json_keeps_raw_values_and_escapes_them_the_json_way() -> None:
    table = hostile_table()
    out = render("json", table)
    raw = {c for c in out if HIDDEN.match(c)} - {"\n"}
    assert not raw, sorted(map(hex, map(ord, raw)))
    assert "\\u202e" in out and "\\u0085" in out and "\\u007f" in out and "\\u001b" in out
    doc = json.loads(out)
    assert [r["site"] for r in doc["rows"]] == [r["site"] for r in table.rows]
    assert [r["ce"] for r in doc["rows"]] == [r["ce"] for r in table.rows]
    assert doc["partial_reason"] == table.meta["partial"]
    assert doc["rows"][-1]["site"] == SCRIPT


def test_html_escapes_markup() -> None:
    out = render("html", hostile_table())
    assert "<script>" not in out
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in out


def test_html_footer_escapes_markup() -> None:
    table = Table("test", ("a",), [{"a": 1}], (Column("a", "a"),), meta={"partial": SCRIPT})
    out = render("html", table)
    assert "<script>" not in out
    assert "PARTIAL: &lt;script&gt;" in out


@pytest.mark.parametrize(
    "text",
    [
        "RAL-LCG2",
        "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M",
        "GlueCEUniqueID=a\\,b,o=grid",  # an escaped DN comma
        "C:\\path",
        "unicode: café, 東京, ü",
    ],
)
def test_ordinary_values_are_unchanged(text: str) -> None:
    assert visible(text) == text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),
        ("\x1b]8;;http://evil/\x1b\\link\x1b]8;;\x1b\\", None),
        ("abc\u202edef", "abc\\u202edef"),
        ("literal \\x1b", "literal \\\\x1b"),  # not an escape: the backslash is doubled
        ("literal \\u202e", "literal \\\\u202e"),
        ("two \\\\", "two \\\\\\"),  # the first backslash is before another one
        ("\\\x1b", "\\\\\\x1b"),
        ("tail \\", "tail \\"),
    ],
)
def test_visible_is_unambiguous(text: str, shown: str | None) -> None:
    out = visible(text)
    if shown is not None:
        assert out == shown
    assert not HIDDEN.search(out)
    assert decode(out) == text


def test_visible_round_trips_every_hidden_character_next_to_backslashes() -> None:
    for char in HOSTILE:
        for text in (char, f"\\{char}", f"{char}\\", f"\\\\{char}x1b", f"\\x{ord(char):02x}"):
            out = visible(text)
            assert not HIDDEN.search(out)
            assert decode(out) == text, repr(text)


def _change(site: str, ce: str, before_site: str | None) -> Change:
    return Change(
        experiment="atlas",
        ce=ce,
        site=site,
        verdict="no-glexec",
        mode=None,
        run=2,
        time=datetime(2010, 3, 24, tzinfo=UTC),
        before_site=before_site,
        before_verdict="ready",
        before_mode="setuid",
    )


def test_history_lines_show_hidden_characters_escaped() -> None:
    site, ce = "Evil\x1b[2J\u202eSite", "ce\n2010-01-01 run 9 fake\x9b31m"
    table = history_table([_change(site, ce, "Old\x07")], {})
    out = history_lines(table)
    assert "\n" not in out and not HIDDEN.search(out)
    assert "Evil\\x1b[2J\\u202eSite" in out
    assert "ce\\x0a2010-01-01 run 9 fake\\x9b31m" in out
    assert "(site Old\\x07 → Evil\\x1b[2J\\u202eSite)" in out
    # The table keeps the raw values: JSON and the store see them as published.
    assert table.rows[0]["site"] == site
    assert json.loads(render("json", table))["rows"][0]["ce"] == ce


def test_runs_lines_show_hidden_characters_escaped() -> None:
    run = Run(1, datetime(2010, 3, 24, tzinfo=UTC), "check", "evil\x1b]0;t\x07.ldif", ("atlas",))
    out = runs_lines(runs_table([run], {}))
    assert not HIDDEN.search(out)
    assert "evil\\x1b]0;t\\x07.ldif" in out


def test_empty_history_lines_are_escaped() -> None:
    assert history_lines(history_table([], {"empty": "x\x1b"})) == "no x\\x1b"
    assert runs_lines(runs_table([], {"empty": "x\x1b"})) == "no x\\x1b"


def test_nagios_output_shows_hidden_characters_escaped() -> None:
    out = plugin_output(
        "CECAP",
        State.WARNING,
        "atlas: 1 no longer ready: ce\x1b[2J\u202e",
        details=["  no longer ready: ce\x1b]0;t\x07 (Evil\x9bSite\u2028x)", "a\tb\nc"],
    )
    assert out.splitlines() == [
        "CECAP WARNING - atlas: 1 no longer ready: ce\\x1b[2J\\u202e",
        "  no longer ready: ce\\x1b]0;t\\x07 (Evil\\x9bSite\\u2028x)",
        # Tabs and newlines fold into spaces, as Nagios output always did.
        "a b c",
    ]
    assert not HIDDEN.search(out.replace("\n", ""))


def test_xml_visible_escapes_what_xml_1_0_cannot_carry() -> None:
    from xml.etree import ElementTree as ET

    from cecap.text import xml_visible

    hostile = "a\ufffeb\uffffc\ud800d\x1be\\ufffe"
    shown = xml_visible(hostile)
    assert shown == "a\\ufffeb\\uffffc\\ud800d\\x1be\\\\ufffe"
    # Well-formed once written: expat parses the document back to the same text.
    element = ET.Element("e", {"v": shown})
    assert ET.fromstring(ET.tostring(element, encoding="unicode")).get("v") == shown
    assert xml_visible("plain ce.example.org:8443/cream-pbs-q") == (
        "plain ce.example.org:8443/cream-pbs-q"
    )
