"""Audit and verdicts read one resolved stance: the same cases give agreeing answers."""

from __future__ import annotations

import itertools

import pytest

from cecap.evaluate.assess import assess
from cecap.evaluate.audit import Kind, audit
from cecap.evaluate.verdicts import Verdict
from cecap.model.glue import CE, GlueModel
from cecap.policy.stances import (
    Answer,
    BypassAnswer,
    Experiment,
    GlexecMode,
    ModeAnswer,
    MupjSupport,
    Policy,
    SiteMapping,
    Stance,
)

ATLAS = Experiment("atlas", "ATLAS", "atlas", (GlexecMode.SETUID,))
LHCB = Experiment("lhcb", "LHCb", "lhcb", (GlexecMode.SETUID, GlexecMode.LOG_ONLY))
CASES = list(itertools.product(MupjSupport, ModeAnswer, ModeAnswer, (ATLAS, LHCB)))


def _ce(capabilities: tuple[str, ...], vo: str) -> CE:
    return CE(
        unique_id=f"ce.s.org:8443/cream-pbs-{vo}",
        dn=f"GlueCEUniqueID=ce.s.org:8443/cream-pbs-{vo},Mds-Vo-name=S,o=grid",
        name=vo,
        state="Production",
        implementation="CREAM",
        lrms="pbs",
        host="ce.s.org",
        rules=(f"VO:{vo}",),
        capabilities=capabilities,
        voviews=(),
        cluster_id=None,
        site="S",
    )


def _policy(mupj: MupjSupport, setuid: ModeAnswer, log_only: ModeAnswer) -> Policy:
    stance = Stance(
        "S",
        Answer(mupj.value, mupj),
        Answer(setuid.value, setuid),
        Answer(log_only.value, log_only),
        Answer("no", BypassAnswer.NO),
    )
    return Policy({"S": stance}, (SiteMapping("S"),), {"atlas": ATLAS, "lhcb": LHCB})


@pytest.mark.parametrize(("mupj", "setuid", "log_only", "experiment"), CASES)
def test_the_audit_says_refused_exactly_when_the_verdict_does(
    mupj: MupjSupport,
    setuid: ModeAnswer,
    log_only: ModeAnswer,
    experiment: Experiment,
) -> None:
    policy = _policy(mupj, setuid, log_only)
    advertised = GlueModel("test", (_ce(("glexec",), experiment.vo),))
    (found,) = assess(advertised, policy, [experiment])
    kinds = {f.kind for f in audit(advertised, policy)}
    refused = found.verdict in (Verdict.SITE_REFUSES, Verdict.MODE_MISMATCH)
    assert (Kind.CONTRADICTS_STANCE in kinds) is refused
    # "depends" is a proviso for both: never a refusal.
    if mupj is MupjSupport.DEPENDS:
        assert found.verdict is not Verdict.SITE_REFUSES


@pytest.mark.parametrize(("mupj", "setuid", "log_only", "experiment"), CASES)
def test_glexec_is_expected_exactly_where_advertising_would_make_it_usable(
    mupj: MupjSupport, setuid: ModeAnswer, log_only: ModeAnswer, experiment: Experiment
) -> None:
    policy = _policy(mupj, setuid, log_only)
    silent = GlueModel("test", (_ce((), experiment.vo),))
    would_be = assess(GlueModel("test", (_ce(("glexec",), experiment.vo),)), policy, [experiment])
    (verdict,) = would_be
    answers = {GlexecMode.SETUID: setuid, GlexecMode.LOG_ONLY: log_only}
    expected = verdict.verdict in (Verdict.READY, Verdict.CONDITIONAL) and (
        verdict.mode is not None and answers[verdict.mode].accepts
    )
    kinds = {f.kind for f in audit(silent, policy)}
    assert (Kind.MISSING_ADVERTISEMENT in kinds) is expected
