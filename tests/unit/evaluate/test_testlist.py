"""The test list's selection (pure); each CE's flavour is its reading's (test_reading)."""

from __future__ import annotations

from cecap.evaluate.testlist import Target, select_targets
from cecap.evaluate.verdicts import Assessment, Verdict
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
    assert targets[0] == Target(listed[0])
