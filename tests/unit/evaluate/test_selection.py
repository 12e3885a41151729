"""--site and --ce matching (pure): shell patterns, any case, and errors that name the
closest names when a pattern matches nothing."""

from __future__ import annotations

import pytest

from cecap.errors import UsageError
from cecap.evaluate.selection import Selection, closest, would_match

PAIRS = [
    ("RAL-LCG2", "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M"),
    ("RAL-LCG2", "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-gridTest"),
    ("CERN-PROD", "ce201.cern.ch:8443/cream-pbs-grid_atlas"),
    ("UKI-LT2-IC-HEP", "ceprod03.grid.hep.ph.ic.ac.uk:8443/cream-pbs-sge"),
]


def kept(selection: Selection) -> list[str]:
    return [ce for site, ce in PAIRS if selection.keeps(site, ce)]


def test_patterns_ignore_case_and_kinds_combine() -> None:
    assert kept(Selection()) == [ce for _, ce in PAIRS]
    assert kept(Selection(sites=("ral-*",))) == [ce for _, ce in PAIRS[:2]]
    assert kept(Selection(sites=("cern-prod", "UKI-*"))) == [PAIRS[2][1], PAIRS[3][1]]
    assert kept(Selection(ces=("*:8443/CREAM-PBS-GRID*",))) == [ce for _, ce in PAIRS[:3]]
    # Both kinds: a CE must match a site pattern and a CE pattern.
    assert kept(Selection(sites=("RAL-LCG2",), ces=("*test",))) == [PAIRS[1][1]]
    # A pattern is the whole name, not a part of it.
    assert kept(Selection(sites=("RAL",))) == []


def test_a_pattern_matching_nothing_names_the_closest() -> None:
    with pytest.raises(UsageError) as found:
        Selection(sites=("RAL-LCG3",)).require(PAIRS, "ldap://top:2170")
    assert str(found.value) == (
        "--site 'RAL-LCG3': no site in ldap://top:2170 matches; closest: RAL-LCG2"
    )


def test_each_pattern_is_checked_on_its_own() -> None:
    with pytest.raises(UsageError) as found:
        Selection(sites=("RAL-*", "CERN-PRO")).require(PAIRS, "top")
    assert str(found.value) == "--site 'CERN-PRO': no site in top matches; closest: CERN-PROD"
    with pytest.raises(UsageError) as found:
        Selection(ces=("ce201.cern.ch:*", "zz*")).require(PAIRS, "top")
    assert str(found.value) == "--ce 'zz*': no CE in top matches; none of the 4 CEs there is close"


def test_patterns_that_match_but_select_no_ce_together() -> None:
    selection = Selection(sites=("CERN-PROD",), ces=("lcgce01.*",))
    with pytest.raises(UsageError) as found:
        selection.require(PAIRS, "top")
    assert str(found.value) == "no CE in top matches --site 'CERN-PROD' --ce 'lcgce01.*'"
    # A site without CEs is a site, but selects no CE.
    with pytest.raises(UsageError) as found:
        Selection(sites=("EMPTY",)).require(PAIRS, "top", sites=["EMPTY"])
    assert str(found.value) == "no CE in top matches --site 'EMPTY'"


def test_nothing_there_at_all() -> None:
    with pytest.raises(UsageError) as found:
        Selection(ces=("ce*",)).require([], "the history h.sqlite")
    assert str(found.value) == (
        "--ce 'ce*': no CE in the history h.sqlite matches; there is no CE there"
    )
    Selection().require([], "anywhere")  # no patterns: nothing to match


def test_names_stay_on_one_line() -> None:
    # The CLI escapes the rest of what it prints (\x1b and the like), once.
    pairs = [("RAL-LCG2\n\x1b[2J", "ce")]
    with pytest.raises(UsageError) as found:
        Selection(sites=("RAL-LCG2\n",)).require(pairs, "top")
    assert str(found.value) == (
        "--site 'RAL-LCG2\\n': no site in top matches; closest: RAL-LCG2\\n\x1b[2J"
    )


def test_closest_ignores_case_and_offers_each_name_once() -> None:
    assert closest("cms", ["CMS", "cms", "atlas"]) == ["CMS"]
    assert closest("cmss", ["atlas", "cms", "lhcb", "alice"]) == ["cms"]
    assert closest("babar", ["atlas", "cms", "lhcb", "alice"]) == []


def test_options_as_an_operator_types_them() -> None:
    assert Selection().options() == ""
    assert Selection(sites=("UKI-*",), ces=("ce01:*",)).options() == "--site 'UKI-*' --ce 'ce01:*'"


@pytest.mark.parametrize(
    ("pattern", "wider"),
    [
        ("RAL", "RAL-*"),
        ("ral", "ral-*"),
        ("UKI", "UKI-*"),
        ("lcgce01.gridpp.rl.ac.uk", "lcgce01.gridpp.rl.ac.uk:*"),
        ("CERN-PRO", "CERN-PRO*"),
        ("C", "C*"),
        ("LCG2", "*LCG2*"),
        ("HEP", "*HEP*"),
        ("nowhere", None),
        ("RAL*", None),
        ("RAL-LCG2", None),
    ],
)
def test_a_part_of_names_suggests_the_pattern_that_would_match(
    pattern: str, wider: str | None
) -> None:
    names = {name for pair in PAIRS for name in pair} | {"CNAF-T1"}
    assert would_match(pattern, names) == wider


def test_a_partial_site_name_is_answered_with_a_pattern() -> None:
    with pytest.raises(UsageError) as found:
        Selection(sites=("RAL",)).require(PAIRS, "top")
    assert (
        str(found.value)
        == "--site 'RAL': no site in top matches; --site 'RAL-*' would match RAL-LCG2"
    )
    with pytest.raises(UsageError) as found:
        Selection(ces=("lcgce01.gridpp.rl.ac.uk",)).require(PAIRS, "top")
    assert str(found.value) == (
        "--ce 'lcgce01.gridpp.rl.ac.uk': no CE in top matches; --ce 'lcgce01.gridpp.rl.ac.uk:*'"
        " would match lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M,"
        " lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-gridTest"
    )
    many = [(f"UKI-SITE-{n}", f"ce{n}.example.org:2119/jobmanager-pbs") for n in range(5)]
    with pytest.raises(UsageError) as found:
        Selection(sites=("uki",)).require(many, "top")
    assert str(found.value) == (
        "--site 'uki': no site in top matches; --site 'uki-*' would match UKI-SITE-0, UKI-SITE-1,"
        " UKI-SITE-2 and 2 more"
    )
