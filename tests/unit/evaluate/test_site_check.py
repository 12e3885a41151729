"""check --site-bdiis's part of the answer (pure): ranges on the silent site BDIIs, the
verdicts that differ, and how they join the probe's state, summary and perfdata."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cecap.evaluate.check import CheckResult
from cecap.evaluate.nagios import Perfdata, Range, State
from cecap.evaluate.site_check import SiteBdiiCheck, VerdictChange, verdict_changes, with_site_bdiis
from cecap.evaluate.verdicts import Assessment, Verdict
from cecap.model.glue import CE
from cecap.policy.stances import Experiment, GlexecMode

ATLAS = Experiment("atlas", "ATLAS", "atlas", (GlexecMode.SETUID,))


def ce(name: str, site: str) -> CE:
    return CE(
        name,
        f"GlueCEUniqueID={name}",
        "q",
        "Production",
        "CREAM",
        "pbs",
        "h",
        (),
        (),
        (),
        None,
        site,
    )


def judged(name: str, site: str, verdict: Verdict) -> Assessment:
    return Assessment(ATLAS, ce(name, site), None, verdict, None, None, "")


def test_only_the_sites_that_answered_are_compared() -> None:
    top = [
        judged("a", "S1", Verdict.READY),
        judged("b", "S1", Verdict.READY),
        judged("gone", "S1", Verdict.READY),
        judged("x", "SILENT", Verdict.READY),
    ]
    own = [
        judged("a", "S1", Verdict.READY),
        judged("b", "S1", Verdict.NOT_IN_PRODUCTION),
        judged("new", "S1", Verdict.READY),
        judged("x", "SILENT", Verdict.NOT_IN_PRODUCTION),
    ]
    assert verdict_changes(top, own, ["s1"]) == [
        VerdictChange("atlas", "S1", "b", "ready", "not-in-production"),
        VerdictChange("atlas", "S1", "gone", "ready", None),
        VerdictChange("atlas", "S1", "new", None, "ready"),
    ]


RESULT = CheckResult(State.OK, (), (Perfdata("atlas_ready", 3),), "ready CEs: atlas 3", ())


@pytest.mark.parametrize(
    ("silent", "changes", "warning", "critical", "state"),
    [
        (0, 0, None, None, State.OK),
        (5, 0, None, None, State.OK),  # no range: counted, not judged
        (1, 1, None, None, State.WARNING),  # a verdict that differs
        (3, 0, "2", "5", State.WARNING),
        (6, 0, "2", "5", State.CRITICAL),
        (2, 0, "2", "5", State.OK),
    ],
)
def test_the_state(
    silent: int, changes: int, warning: str | None, critical: str | None, state: State
) -> None:
    found = SiteBdiiCheck(
        10,
        tuple(f"S{i} (refused)" for i in range(silent)),
        tuple(VerdictChange("atlas", "S", f"c{i}", "ready", None) for i in range(changes)),
        None if warning is None else Range.parse(warning),
        None if critical is None else Range.parse(critical),
    )
    assert found.state is state
    joined = with_site_bdiis(RESULT, found)
    assert joined.state is state
    # The worst of both wins.
    assert with_site_bdiis(replace(RESULT, state=State.CRITICAL), found).state is State.CRITICAL


def test_summary_perfdata_and_details() -> None:
    found = SiteBdiiCheck(
        4,
        ("S9 (timeout)",),
        (VerdictChange("atlas", "S1", "ce1", "ready", "not-in-production"),),
        Range.parse("1"),
        None,
    )
    joined = with_site_bdiis(RESULT, found)
    assert joined.output().splitlines() == [
        "CECAP WARNING - ready CEs: atlas 3; 1 of 4 site BDIIs silent, 1 verdicts differ from"
        " them | atlas_ready=3 site_bdiis_silent=1;1;;0;4 verdicts_differ=1;;;0",
        "site BDII silent: S9 (timeout)",
        "atlas: ce1 (S1): ready in the top level, not-in-production from its site BDII",
    ]
