"""LDIF source with ``vos``: VOViews that cannot matter for those VOs are skipped, as live;
and the prefix-factored name patterns match exactly the names they are made of."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from cecap.sources.ldif import LdifReader
from cecap.sources.ldif_entry import alternation

SITE = "Mds-Vo-name=SITE-A,Mds-Vo-name=local,o=grid"
CE_ID = "ce.example.org:2119/jobmanager-pbs-grid"
CE_DN = f"GlueCEUniqueID={CE_ID},{SITE}"


def view(local_id: str, *lines: str) -> str:
    return (
        f"dn: GlueVOViewLocalID={local_id},{CE_DN}\n"
        "objectClass: GlueCETop\nobjectClass: GlueVOView\n"
        f"GlueVOViewLocalID: {local_id}\nGlueChunkKey: GlueCEUniqueID={CE_ID}\n"
        + "".join(f"{line}\n" for line in lines)
    )


CE = (
    f"dn: {CE_DN}\nobjectClass: GlueCETop\nobjectClass: GlueCE\nGlueCEUniqueID: {CE_ID}\n"
    "GlueCEAccessControlBaseRule: VO:dteam\nGlueCEAccessControlBaseRule: VO:atlas\n"
)
RULE_B64 = base64.b64encode(b"VOMS:/atlas/Role=pilot").decode()
VIEWS = [
    view("dteam", "GlueCEAccessControlBaseRule: VO:dteam"),
    view("pilots", "GlueCEAccessControlBaseRule: VOMS:/ATLAS/Role=pilot"),
    view("lcgadmin", f"GlueCEAccessControlBaseRule:: {RULE_B64}"),
    view("atlas"),  # no rules: the view is for the VO its local ID names
    view("ops", "GlueCEAccessControlBaseRule: VO:ops", "GlueCECapability: glexec"),
]


def local_ids(tmp_path: Path, vos: list[str] | None) -> list[str]:
    path = tmp_path / "dump.ldif"
    path.write_text("\n".join([CE, *VIEWS]))
    found = LdifReader(path, vos=vos).entries()
    return [e.first("gluevoviewlocalid") or e.kind for e in found]


def test_without_vos_every_voview_is_read(tmp_path: Path) -> None:
    assert local_ids(tmp_path, None) == ["gluece", "dteam", "pilots", "lcgadmin", "atlas", "ops"]


def test_voviews_naming_none_of_the_vos_are_skipped(tmp_path: Path) -> None:
    # The CE is always read; a view is kept when a VO appears in its rules or its local ID
    # in any case, or when a base64 rule could hide one.
    assert local_ids(tmp_path, ["atlas"]) == ["gluece", "pilots", "lcgadmin", "atlas"]
    assert local_ids(tmp_path, ["Ops", "dteam"]) == ["gluece", "dteam", "lcgadmin", "ops"]


def test_a_blank_vo_name_turns_the_narrowing_off(tmp_path: Path) -> None:
    assert len(local_ids(tmp_path, ["atlas", " "])) == 6


@pytest.mark.parametrize(
    "words",
    [
        ["gluece", "gluecluster", "gluesite", "gluevoview", "glue2computingshare"],
        ["ab", "abc", "abd", "b"],
        ["a.b", "a*c", "x"],
        ["only"],
    ],
)
def test_alternation_matches_its_words_and_nothing_else(words: list[str]) -> None:
    pattern = re.compile(f"(?:{alternation(words)})\\Z")
    assert all(pattern.match(word) for word in words)
    others = {w[:cut] for w in words for cut in range(len(w))} | {w + "x" for w in words}
    assert [w for w in sorted(others - set(words)) if pattern.match(w)] == []
