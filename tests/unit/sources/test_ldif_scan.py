"""The LDIF reader's scan of plain runs (sources/ldif_scan.py): it finds what reading entry by
entry finds, and any run it is not sure of is read entry by entry; whether an entry's
rules can name a VO."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cecap.errors import InputError
from cecap.model.glue13 import GLUE13_WANTED
from cecap.sources.ldif import LdifReader
from cecap.sources.ldif_scan import PlainScan, VoRules

SITE = "Mds-Vo-name=SITE-A,Mds-Vo-name=local,o=grid"
B64_CE = base64.b64encode(b"GlueCE").decode()
B64_RULE = base64.b64encode(b"VO:cms").decode()


class _NeverPlain(PlainScan):
    """A scan that finds no run plain: the reader then reads every entry block by block."""

    def hits(self, run: str, lowered: str) -> None:
        return None


def outcome(path: Path, by_blocks: bool, **kw: object) -> object:
    """What the reader gives for a file (entries and warnings), or the error it raises."""
    reader = LdifReader(path, on_warning=None, **kw)  # type: ignore[arg-type]
    if by_blocks:
        reader._scan = _NeverPlain(GLUE13_WANTED)
    try:
        entries = [(e.dn, e.kind, dict(e.attrs)) for e in reader.entries()]
    except InputError as exc:
        return str(exc)
    return entries, reader.warnings, reader.partial


# Lines of every kind the reader meets: plain attribute lines, class lines (in other
# spellings, continued, base64), rules naming a VO or not (folded, base64, with options),
# and lines that make a run not plain (comments, change records, "version:", garbage,
# blank lines, non-ASCII text).
LINES = st.sampled_from(
    [
        "objectClass: GlueCE",
        "objectClass: GlueCETop",
        "objectclass:  gluece ",
        "objectClass: GlueVOView",
        "objectClass: GlueSite",
        "objectClass: GlueSE",
        "objectClass: GlueCE\n Top",
        f"objectClass:: {B64_CE}",
        "GlueCEUniqueID: ce.example.org:8443/cream-pbs-q",
        "GlueCEAccessControlBaseRule: VO:cms",
        "GlueCEAccessControlBaseRule: VOMS:/ATLAS/Role=pilot",
        "GlueCEAccessControlBaseRule: VO:dteam",
        "GlueCEAccessControlBaseRule: VO:c\n ms",
        f"GlueCEAccessControlBaseRule:: {B64_RULE}",
        "GlueCEAccessControlBaseRule;x-lang: VO:cms",
        "GlueVOViewLocalID: cms",
        "GlueChunkKey: GlueCEUniqueID=ce.example.org:8443/cream-pbs-q",
        "GlueCEInfoContactString: https://cms-ce.example.org:8443",
        "GlueCECapability: glexec",
        "GlueSiteUniqueID: SITE-A",
        "GlueSiteName: SITE-A",
        "GlueSiteDescription: Zürich",
        "GlueSiteDescription: a value with # and : in it",
        "# a comment",
        "changetype: add",
        "ChangeType: modify",
        "control: 1.2.3",
        "version: 1",
        "this line is garbage",
        "%%% garbage %%%",
        "",
        " continued",
    ]
)
DNS = st.sampled_from(
    [
        f"dn: GlueCEUniqueID=ce.example.org:8443/cream-pbs-q,{SITE}",
        f"dn: GlueVOViewLocalID=cms,GlueCEUniqueID=ce.example.org:8443/cream-pbs-q,{SITE}",
        f"dn: GlueSiteUniqueID=SITE-A,{SITE}",
        f"dn:: {base64.b64encode(f'GlueSiteUniqueID=SITE-B,{SITE}'.encode()).decode()}",
        f"DN: GlueSiteUniqueID=SITE-C,{SITE}",
        "dn: o=grid",
    ]
)
ENTRIES = st.lists(
    st.tuples(DNS, st.lists(LINES, max_size=6), st.sampled_from(["\n\n", "\n\n\n", "\n"])),
    min_size=1,
    max_size=6,
)


def text_of(entries: list[tuple[str, list[str], str]]) -> str:
    return "".join(dn + "".join("\n" + line for line in lines) + sep for dn, lines, sep in entries)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entries=ENTRIES, narrowed=st.booleans())
@example(
    entries=[
        (
            f"dn: GlueCEUniqueID=ce.example.org:8443/cream-pbs-q,{SITE}",
            ["objectClass: GlueCE"],
            "\n\n",
        )
    ],
    narrowed=True,
)
def test_a_scanned_run_reads_as_entry_by_entry(
    tmp_path: Path, entries: list[tuple[str, list[str], str]], narrowed: bool
) -> None:
    path = tmp_path / "dump.ldif"
    path.write_text(text_of(entries), encoding="utf-8")
    kw: dict[str, object] = {"vos": ["cms", "atlas"], "serving_only": True} if narrowed else {}
    assert outcome(path, False, **kw) == outcome(path, True, **kw)


PLAIN = (
    f"dn: GlueCEUniqueID=ce1,{SITE}\nobjectClass: GlueCETop\nobjectClass: GlueCE\n"
    "GlueCEUniqueID: ce1\n\n"
    f"dn: GlueSEUniqueID=se1,{SITE}\nobjectClass: GlueSE\nGlueSEUniqueID: se1\n\n"
    f"dn: GlueVOViewLocalID=cms,GlueCEUniqueID=ce1,{SITE}\nobjectClass: GlueVOView\n"
    "objectClass: GlueCE\nGlueVOViewLocalID: cms"
)


def test_a_plain_run_gives_its_entries_of_the_wanted_classes() -> None:
    scan = PlainScan(GLUE13_WANTED)
    found = scan.hits(PLAIN, PLAIN.lower())
    assert found is not None
    count, hits = found
    assert count == 3
    # Each entry of a wanted class once, by the first wanted class it names.
    assert [(PLAIN[s:e].split(",")[0], kind) for s, e, kind in hits] == [
        ("dn: GlueCEUniqueID=ce1", "gluece"),
        ("dn: GlueVOViewLocalID=cms", "gluevoview"),
    ]
    assert PLAIN[hits[0][0] : hits[0][1]].endswith("GlueCEUniqueID: ce1")


@pytest.mark.parametrize(
    "change",
    [
        ("\nGlueSEUniqueID: se1", "\n# a comment\nGlueSEUniqueID: se1"),
        ("\n\ndn: GlueSE", "\n\n\ndn: GlueSE"),
        ("\n\ndn: GlueSE", "\n\nDN: GlueSE"),
        ("\nGlueSEUniqueID: se1", "\nchangetype: add"),
        ("objectClass: GlueSE", f"objectClass:: {B64_CE}"),
        ("GlueSEUniqueID: se1", "GlueSEUniqueID se1"),
        ("GlueSEUniqueID: se1", "Glue SE: se1"),
        ("dn: GlueCEUniqueID=ce1", "version: 1\ndn: GlueCEUniqueID=ce1"),
    ],
    ids=[
        "comment",
        "two-blank-lines",
        "DN",
        "changetype",
        "base64-class",
        "no-colon",
        "blank-in-name",
        "version",
    ],
)
def test_a_run_that_is_not_plain_is_left_to_the_entry_by_entry_reading(
    change: tuple[str, str],
) -> None:
    run = PLAIN.replace(*change, 1)
    assert run != PLAIN
    assert PlainScan(GLUE13_WANTED).hits(run, run.lower()) is None


def test_a_class_line_continued_on_the_next_names_another_class(tmp_path: Path) -> None:
    # "objectClass: GlueCE" folded into "GlueCETop" is not a GlueCE.
    path = tmp_path / "dump.ldif"
    path.write_text(
        f"dn: GlueCEUniqueID=ce1,{SITE}\nobjectClass: GlueCE\n Top\nGlueCEUniqueID: ce1\n\n"
        f"dn: GlueSiteUniqueID=SITE-A,{SITE}\nobjectClass: GlueSite\nGlueSiteName: A\n"
    )
    for by_blocks in (False, True):
        found = outcome(path, by_blocks)
        assert isinstance(found, tuple)
        assert [kind for _, kind, _ in found[0]] == ["gluesite"]


@pytest.mark.parametrize(
    ("lines", "may"),
    [
        (["GlueCEAccessControlBaseRule: VO:cms"], True),
        (["GlueCEAccessControlBaseRule: VOMS:/CMS/Role=pilot"], True),
        (["GlueCEAccessControlBaseRule;x-lang: VO:cms"], True),
        (["GlueVOViewLocalID: cms"], True),
        ([f"GlueCEAccessControlBaseRule:: {B64_RULE}"], True),  # base64 could hide one
        (["GlueCEAccessControlBaseRule: VO:c", " ms"], True),  # a continued line
        (["GlueCEAccessControlBaseRule: VO:dteam"], False),
        # A VO's name elsewhere in the entry is no rule for it.
        (["GlueCEAccessControlBaseRule: VO:dteam", "GlueCEInfoContactString: cms-ce:8443"], False),
        (["GlueCEName: cms"], False),
    ],
)
def test_only_rules_and_local_ids_can_name_a_vo(lines: list[str], may: bool) -> None:
    text = "\n".join([f"dn: GlueCEUniqueID=ce1,{SITE}", "objectClass: GlueCE", *lines]).lower()
    assert VoRules(["cms", "atlas"]).may_name_one(text, 0, len(text)) is may


def test_lines_are_named_right_past_many_scanned_runs(tmp_path: Path) -> None:
    # Over 2 MiB of plain entries (several runs), then an entry repeating a CE's DN with
    # other values, then a garbage line: each message names the line it is on.
    filler = "".join(
        f"dn: GlueSEUniqueID=se{i},{SITE}\nobjectClass: GlueSE\nGlueSEUniqueID: se{i}\n"
        f"GlueSEName: {'x' * 60}\n\n"
        for i in range(20000)
    )
    ce = f"dn: GlueCEUniqueID=ce1,{SITE}\nobjectClass: GlueCE\nGlueCEUniqueID: ce1\n"
    text = ce + "\n" + filler + ce + "GlueCEName: other\n"
    assert len(text) > 2 * (1 << 20)
    lines = text.split("\n")
    second = len(lines) - 4  # the repeated dn line
    assert lines[second - 1].startswith("dn: GlueCEUniqueID=ce1")
    path = tmp_path / "dump.ldif"
    path.write_text(text)
    found = outcome(path, False)
    assert found == outcome(path, True)
    assert isinstance(found, tuple)
    (warning,) = found[1]
    assert f"line {second}: entry" in warning and "the entry at line 1 " in warning
    before = text + "\n" + filler.rstrip("\n")
    path.write_text(before + "\ngarbage\n")
    garbage = len(before.split("\n")) + 1
    assert outcome(path, False) == f"{path}: line {garbage}: not an LDIF line: 'garbage'"
