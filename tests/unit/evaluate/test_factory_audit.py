"""The factory audit's checks, and where glexec test results (reliability) plug in."""

from __future__ import annotations

from cecap.evaluate.factory import FactoryKind, audit_factory
from cecap.evaluate.verdicts import Assessment, Verdict
from cecap.model.glue import GlueModel
from cecap.sources.factory import FactoryEntry

from .test_evaluate import ATLAS, make_ce

CE_ID = "ce.example.org:8443/cream-pbs-q"


def run(glexec: str, verdict: Verdict, reliability: dict[tuple[str, str], bool] | None):  # type: ignore[no-untyped-def]
    ce = make_ce()
    entry = FactoryEntry("E", "cream", CE_ID, None, True, (("GLEXEC_BIN", glexec),))
    a = Assessment(ATLAS, ce, "SITE", verdict, None, None, "why")
    return [
        f.kind for f in audit_factory([entry], GlueModel("t", (ce,)), [a], [ATLAS], reliability)
    ]


def test_refused_verdicts_are_errors() -> None:
    for verdict in (Verdict.SITE_REFUSES, Verdict.NOT_ADVERTISED, Verdict.NO_STANCE):
        assert run("OSG", verdict, None) == [FactoryKind.GLEXEC_WHERE_REFUSED]
    assert run("OSG", Verdict.CONDITIONAL, None) == []
    assert run("NONE", Verdict.SITE_REFUSES, None) == []


def test_not_reliable_only_with_results() -> None:
    assert run("/usr/sbin/glexec", Verdict.READY, None) == []
    assert run("/usr/sbin/glexec", Verdict.READY, {}) == []
    assert run("/usr/sbin/glexec", Verdict.READY, {("atlas", CE_ID): True}) == []
    assert run("/usr/sbin/glexec", Verdict.READY, {("atlas", CE_ID): False}) == [
        FactoryKind.GLEXEC_NOT_RELIABLE
    ]


def test_available_when_ready_or_reliable() -> None:
    assert run("NONE", Verdict.READY, None) == [FactoryKind.GLEXEC_AVAILABLE]
    assert run("NONE", Verdict.CONDITIONAL, {("atlas", CE_ID): True}) == [
        FactoryKind.GLEXEC_AVAILABLE
    ]
    assert run("NONE", Verdict.CONDITIONAL, None) == []
