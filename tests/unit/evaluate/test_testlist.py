"""The test list's selection and flavours (pure)."""

from __future__ import annotations

import pytest

from cecap.evaluate.testlist import Target, flavour, select_targets
from cecap.evaluate.verdicts import Assessment, Verdict
from cecap.model.ce_id import CEAddress, parse_ce_id
from cecap.policy.stances import GlexecMode
from unit.evaluate.test_evaluate import ATLAS, make_ce


def _assessment(verdict: Verdict, **ce: object) -> Assessment:
    return Assessment(ATLAS, make_ce(**ce), "SITE", verdict, GlexecMode.SETUID, True, "why")


def test_only_tested_verdicts_on_advertising_ces_are_listed() -> None:
    listed = [_assessment(v) for v in (Verdict.READY, Verdict.CONDITIONAL)]
    left_out = [_assessment(v) for v in Verdict if v not in (Verdict.READY, Verdict.CONDITIONAL)]
    # A ready verdict on a CE that does not advertise glexec (for this VO) is never listed.
    silent = _assessment(Verdict.READY, capabilities=())
    targets = select_targets([left_out[0], listed[0], silent, *left_out[1:], listed[1]])
    assert [t.assessment for t in targets] == listed
    assert targets[0] == Target(
        listed[0], CEAddress("ce.example.org", 8443, "cream", "pbs", "q"), "CREAM-CE"
    )


@pytest.mark.parametrize(
    ("ce_id", "implementation", "expected"),
    [
        ("ce.example.org:8443/cream-pbs-q", "CREAM", "CREAM-CE"),
        ("ce.example.org:8443/cream-pbs-q", "", "CREAM-CE"),
        ("ce.example.org_org.glite.ce.CREAM", "org.glite.ce.CREAM", "CREAM-CE"),
        ("ce.example.org:2119/jobmanager-lcgpbs-atlas", "LCG-CE", "CE"),
        ("ce.example.org:2119/jobmanager-lcgpbs-atlas", "", "CE"),
        ("red.unl.edu:2119/jobmanager-pbs-cms", "UNDEFINED", "OSG-CE"),
        ("red.unl.edu:2119/jobmanager-pbs-cms", "Globus", "OSG-CE"),
        ("grid.example.se:2811/nordugrid-torque-short", "", "ARC-CE"),
        ("grid.example.se:2811/arc-torque-short", "nordugrid-arc", "ARC-CE"),
        ("ce.example.org:9619/condor-condor-q", "", "HTCONDOR-CE"),
        ("ce.example.org:1234/other-x-y", "UNDEFINED", "UNDEFINED"),
    ],
)
def test_flavours_as_the_vo_feeds_spell_them(
    ce_id: str, implementation: str, expected: str
) -> None:
    ce = make_ce(unique_id=ce_id, implementation=implementation)
    assert flavour(ce, parse_ce_id(ce_id, ce.host)) == expected
