"""The explanation (pure) is made by the code that makes verdicts: the same verdict for
every answer combination, and the matches policy exposes rather than re-derives."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from cecap.evaluate.assess import assess
from cecap.evaluate.explain import explain
from cecap.evaluate.rules import RULES
from cecap.model.glue import CE, GlueModel, VOView
from cecap.model.questions import advertises, capability_values
from cecap.policy.stances import (
    Answer,
    BypassAnswer,
    ClusterMatch,
    Experiment,
    GlexecMode,
    ModeAnswer,
    MupjSupport,
    Policy,
    Scope,
    SiteMapping,
    SiteMatch,
    Stance,
)

ATLAS = Experiment("atlas", "ATLAS", "atlas", (GlexecMode.SETUID,))
LHCB = Experiment("lhcb", "LHCb", "lhcb", (GlexecMode.SETUID, GlexecMode.LOG_ONLY))


def _ce(capabilities: tuple[str, ...], state: str = "Production", site: str = "S") -> CE:
    return CE(
        unique_id=f"ce.{site.lower()}.org:8443/cream-pbs-q",
        dn=f"GlueCEUniqueID=ce.{site.lower()}.org:8443/cream-pbs-q,Mds-Vo-name={site},o=grid",
        name="q",
        state=state,
        implementation="CREAM",
        lrms="pbs",
        host=f"ce.{site.lower()}.org",
        rules=("VO:atlas", "VO:lhcb"),
        capabilities=capabilities,
        voviews=(),
        cluster_id=None,
        site=site,
    )


def _policy(mupj: MupjSupport, setuid: ModeAnswer, log_only: ModeAnswer) -> Policy:
    stance = Stance(
        "S",
        Answer(mupj.value, mupj),
        Answer(setuid.value, setuid),
        Answer(log_only.value, log_only),
        Answer("yes", BypassAnswer.YES),
    )
    return Policy({"S": stance}, (SiteMapping("S"),), {"atlas": ATLAS, "lhcb": LHCB})


@pytest.mark.parametrize(
    ("mupj", "setuid", "log_only"), list(itertools.product(MupjSupport, ModeAnswer, ModeAnswer))
)
def test_the_explanation_ends_in_the_assessment(
    mupj: MupjSupport, setuid: ModeAnswer, log_only: ModeAnswer
) -> None:
    policy = _policy(mupj, setuid, log_only)
    model = GlueModel(
        "test",
        (_ce(("glexec",)), _ce(()), _ce(("glexec",), "Draining"), _ce(("glexec",), site="T")),
    )
    found = explain(model, policy, [ATLAS, LHCB])
    assert [e.assessment for e in found] == sorted(
        assess(model, policy, [ATLAS, LHCB]), key=lambda a: model.ces.index(a.ce)
    )
    for e in found:
        assert e.assessment is not None
        names = [s.rule for s in e.steps] + list(e.untried)
        assert names == [name for name, _ in RULES]
        assert [s.outcome is not None for s in e.steps] == [False] * (len(e.steps) - 1) + [True]
        last = e.steps[-1].outcome
        assert last is not None and last.verdict is e.assessment.verdict


def test_how_a_site_came_to_its_respondent() -> None:
    mapping = SiteMapping("UKI-LT2-IC", ("UKI-LT2-IC-HEP", "UKI-LT2-IC-*", "IC-?"))
    assert mapping.match("uki-lt2-ic") == SiteMatch("UKI-LT2-IC", "uki-lt2-ic", None)
    assert mapping.match("UKI-LT2-IC-HEP") == SiteMatch(
        "UKI-LT2-IC", "UKI-LT2-IC-HEP", "UKI-LT2-IC-HEP"
    )
    assert mapping.match("UKI-LT2-IC-LeSC") == SiteMatch(
        "UKI-LT2-IC", "UKI-LT2-IC-LeSC", "UKI-LT2-IC-*"
    )
    assert mapping.match("ic-2") == SiteMatch("UKI-LT2-IC", "ic-2", "IC-?")
    assert mapping.match("UKI-LT2-QMUL") is None
    assert not mapping.matches("UKI-LT2-QMUL") and mapping.matches("IC-2")


def test_which_cluster_scope_and_which_answer_applied() -> None:
    mapping = SiteMapping("S", cluster_scopes={"central": ("c-*",), "shared": ("ce.s.org",)})
    assert mapping.cluster_match("c-1", "ce.s.org") == ClusterMatch("central", "c-1", "c-*")
    assert mapping.cluster_match(None, "CE.S.ORG") == ClusterMatch("shared", "CE.S.ORG", "ce.s.org")
    assert mapping.cluster_scope("other") is None
    answer = Answer(
        "yes; central: no; not for alice",
        MupjSupport.YES,
        (Scope("vo", "alice", MupjSupport.NO), Scope("cluster", "central", MupjSupport.DEPENDS)),
    )
    assert answer.scope_for("ALICE", "central") == Scope("vo", "alice", MupjSupport.NO)
    assert answer.scope_for("atlas", "central") == Scope("cluster", "central", MupjSupport.DEPENDS)
    assert answer.scope_for("atlas", None) is None
    assert answer.resolve("atlas", None) is MupjSupport.YES


def test_which_capability_values_count() -> None:
    views = (
        VOView("atlas", ("VO:atlas",), ("GLEXEC ",)),
        VOView("cms", ("VO:cms",), ("glexec",)),
        VOView("lhcb", (), ("glexec-enabled",)),
    )
    ce = dataclasses.replace(_ce(("htpc",)), voviews=views)
    values = capability_values(ce, "atlas")
    assert [(v.voview, v.value, v.names_capability, v.for_vo) for v in values] == [
        (None, "htpc", False, True),
        ("atlas", "GLEXEC ", True, True),
        ("cms", "glexec", True, False),
        ("lhcb", "glexec-enabled", False, False),
    ]
    assert [v.counts for v in values] == [False, True, False, False]
    assert advertises(ce, "atlas") and advertises(ce, "cms")
    assert not advertises(ce, "lhcb")
    assert advertises(ce, "lhcb", "htpc")
