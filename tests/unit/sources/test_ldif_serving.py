"""LDIF source with ``serving_only``: CEs whose rules name none of the VOs are left
undecoded, and read a second time when a VOView names one; only a regular file that did
not change in between is read so."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cecap.errors import InputError
from cecap.model.glue13 import GLUE13_WANTED
from cecap.sources.base import read_model
from cecap.sources.ldif import LdifReader

SITE = "Mds-Vo-name=SITE-A,Mds-Vo-name=local,o=grid"
VIEW_ONLY = "ce1.example.org:8443/cream-pbs-long"  # its rules: atlas; a VOView: cms
NEITHER = "ce2.example.org:8443/cream-pbs-short"  # dteam only
OWN = "ce3.example.org:8443/cream-pbs-cmsq"  # its rules name cms


def folded(line: str) -> str:
    """A line as ldapsearch writes it: 76 characters, then continuations of 75."""
    parts = [line[:76]] + [" " + line[i : i + 75] for i in range(76, len(line), 75)]
    return "\n".join(parts)


def ce(ce_id: str, *rules: str) -> str:
    lines = [
        f"dn: GlueCEUniqueID={ce_id},{SITE}",
        "objectClass: GlueCETop",
        "objectClass: GlueCE",
        f"GlueCEUniqueID: {ce_id}",
        "GlueCEStateStatus: Production",
        "GlueCECapability: glexec",
        *(f"GlueCEAccessControlBaseRule: {r}" for r in rules),
    ]
    return "\n".join(folded(line) for line in lines) + "\n"


def view(ce_id: str, vo: str) -> str:
    lines = [
        f"dn: GlueVOViewLocalID={vo},GlueCEUniqueID={ce_id},{SITE}",
        "objectClass: GlueCETop",
        "objectClass: GlueVOView",
        f"GlueVOViewLocalID: {vo}",
        f"GlueCEAccessControlBaseRule: VO:{vo}",
        f"GlueChunkKey: GlueCEUniqueID={ce_id}",
    ]
    return "\n".join(folded(line) for line in lines) + "\n"


ENTRIES = [
    ce(VIEW_ONLY, "VO:atlas"),
    view(VIEW_ONLY, "cms"),
    ce(NEITHER, "VO:dteam"),
    view(NEITHER, "dteam"),
    ce(OWN, "VO:cms"),
    view(OWN, "cms"),
]


def write(path: Path, entries: list[str], comments: bool = False) -> Path:
    blocks = [f"# entry {n}\n{e}" if comments else e for n, e in enumerate(entries)]
    path.write_text("\n".join(blocks))
    return path


def ce_ids(path: Path | str, serving_only: bool, vos: list[str] | None = None) -> list[str]:
    reader = LdifReader(path, GLUE13_WANTED, vos or ["cms"], serving_only=serving_only)
    return sorted(ce.unique_id for ce in read_model(reader).ces)


@pytest.mark.parametrize("order", ["as published", "views first"])
@pytest.mark.parametrize("comments", [False, True])
def test_a_ce_a_voview_alone_makes_serve_is_read_again(
    tmp_path: Path, order: str, comments: bool
) -> None:
    entries = ENTRIES if order == "as published" else ENTRIES[1::2] + ENTRIES[0::2]
    path = write(tmp_path / "bdii.ldif", entries, comments)
    assert ce_ids(path, serving_only=True) == sorted([VIEW_ONLY, OWN])
    assert ce_ids(path, serving_only=False) == sorted([VIEW_ONLY, NEITHER, OWN])
    # The serving CEs are the same, with their views.
    narrowed = read_model(LdifReader(path, GLUE13_WANTED, ["cms"], serving_only=True))
    every = read_model(LdifReader(path, GLUE13_WANTED, ["cms"]))
    assert [c for c in every.ces if c.unique_id != NEITHER] == list(narrowed.ces)


def test_without_a_voview_naming_it_a_ce_left_out_is_not_read_again(tmp_path: Path) -> None:
    path = write(tmp_path / "bdii.ldif", [e for e in ENTRIES if "cms" not in e or OWN in e])
    reader = LdifReader(path, GLUE13_WANTED, ["cms"], serving_only=True)
    given = [e.first("glueceuniqueid") for e in reader.entries() if e.kind == "gluece"]
    assert given == [OWN]


def test_a_pipe_is_read_once_with_every_ce(tmp_path: Path) -> None:
    path = write(tmp_path / "bdii.ldif", ENTRIES)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    # The text waits in the pipe, held by a reader of our own, for the reader under test.
    held = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        writer = os.open(fifo, os.O_WRONLY)
        os.write(writer, path.read_bytes())
        os.close(writer)
        assert ce_ids(fifo, serving_only=True) == sorted([VIEW_ONLY, NEITHER, OWN])
    finally:
        os.close(held)


def test_a_file_changed_before_the_second_reading_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "bdii.ldif", ENTRIES)
    reader = LdifReader(path, GLUE13_WANTED, ["cms"], serving_only=True)
    entries = reader.entries()
    first_pass = [next(entries) for _ in range(3)]  # the cms views and OWN
    assert [e.kind for e in first_pass] == ["gluevoview", "gluece", "gluevoview"]
    with path.open("a") as more:
        more.write("\n" + ce("ce9.example.org:8443/cream-pbs-new", "VO:ops"))
    with pytest.raises(InputError, match="changed while cecap read it"):
        next(entries)


def test_a_dn_that_does_not_start_with_the_ce_id_is_read_again_too(tmp_path: Path) -> None:
    odd = ce(VIEW_ONLY, "VO:atlas").replace(
        f"dn: GlueCEUniqueID={VIEW_ONLY},", f"dn: GlueCEName=long,GlueCEUniqueID={VIEW_ONLY},"
    )
    path = write(tmp_path / "bdii.ldif", [odd, *ENTRIES[1:]])
    assert ce_ids(path, serving_only=True) == sorted([VIEW_ONLY, OWN])


def test_a_vo_name_split_by_a_folded_line_is_still_seen(tmp_path: Path) -> None:
    # The rule's line folded inside the VO name, as a writer folding at a fixed width may
    # do: the CE still serves cms, and nothing else in its text names cms.
    folded_rule = ce(VIEW_ONLY, "VO:cms").replace("VO:cms", "VO:c\n ms")
    path = write(tmp_path / "bdii.ldif", [folded_rule])
    assert ce_ids(path, serving_only=True) == [VIEW_ONLY]
