"""The promise that matters most: a false `ready` cannot happen (Hypothesis).

A false `ready` sends multi-user pilots where a site refused them. Stances (every
vocabulary value, scopes by cluster and VO), experiments (accepted modes, target
states) and CEs (states, capability values on the CE and its VOViews with case and
blanks, access rules) are generated; the verdict rules must never say `ready` when any
reason against it holds.
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from cecap.evaluate.assess import assess_ce
from cecap.evaluate.stance import resolve
from cecap.evaluate.verdicts import Verdict
from cecap.model.glue import CE, VOView
from cecap.model.questions import advertises
from cecap.policy.stances import (
    Answer,
    BypassAnswer,
    Experiment,
    GlexecMode,
    ModeAnswer,
    MupjSupport,
    Scope,
    SiteMapping,
    Stance,
)

VOS = ("atlas", "cms", "lhcb", "dteam")
CLUSTERS = ("central", "shared")
STATES = ("Production", "production ", "Draining", "Closed", "Queueing", "")


def answers(enum: type) -> st.SearchStrategy[Answer]:  # type: ignore[type-arg]
    scope = st.builds(
        Scope,
        kind=st.sampled_from(("cluster", "vo")),
        name=st.sampled_from(VOS + CLUSTERS),
        value=st.sampled_from(list(enum)),
    )
    return st.builds(
        Answer,
        text=st.text(min_size=1, max_size=8),
        value=st.sampled_from(list(enum)),
        scopes=st.lists(scope, max_size=3).map(tuple),
    )


stances = st.builds(
    Stance,
    respondent=st.just("SITE"),
    mupj=answers(MupjSupport),
    glexec_setuid=answers(ModeAnswer),
    glexec_log_only=answers(ModeAnswer),
    bypass_on_error=answers(BypassAnswer),
)
experiments = st.builds(
    Experiment,
    key=st.just("exp"),
    name=st.just("EXP"),
    vo=st.sampled_from(VOS),
    modes=st.sampled_from(
        [(GlexecMode.SETUID,), (GlexecMode.LOG_ONLY,), (GlexecMode.SETUID, GlexecMode.LOG_ONLY)]
    ),
    states=st.lists(st.sampled_from(("Production", "Draining")), min_size=1, max_size=2).map(tuple),
)
capability_values = st.lists(
    st.sampled_from(("glexec", " GLEXEC ", "gLExec", "glexec=yes", "htpc", "UNDEFINED", "")),
    max_size=3,
).map(tuple)
rules = st.lists(
    st.sampled_from([f"VO:{v}" for v in VOS] + [f"VOMS:/{v}/Role=pilot" for v in VOS]),
    min_size=1,
    max_size=3,
).map(tuple)
voviews = st.builds(
    VOView,
    local_id=st.sampled_from(VOS),
    rules=st.lists(st.sampled_from([f"VO:{v}" for v in VOS]), max_size=2).map(tuple),
    capabilities=capability_values,
)
ces = st.builds(
    CE,
    unique_id=st.just("ce.example.org:8443/cream-pbs-q"),
    dn=st.just("GlueCEUniqueID=ce.example.org:8443/cream-pbs-q,Mds-Vo-name=SITE,o=grid"),
    name=st.just("q"),
    state=st.sampled_from(STATES),
    implementation=st.just("CREAM"),
    lrms=st.just("pbs"),
    host=st.just("ce.example.org"),
    rules=rules,
    capabilities=capability_values,
    voviews=st.lists(voviews, max_size=3).map(tuple),
    cluster_id=st.sampled_from(("ce.example.org", "central-cluster", None)),
    site=st.just("SITE"),
)
mappings = st.builds(
    SiteMapping,
    respondent=st.just("SITE"),
    cluster_scopes=st.sampled_from([{}, {"central": ("central-*",)}, {"shared": ("ce.*",)}]),
)


@settings(max_examples=400, deadline=None)
@given(ce=ces, experiment=experiments, stance=st.none() | stances, mapping=mappings)
@example(  # shrunk counter-example kept: MUPJ "depends" with setuid allowed is not ready
    ce=CE(
        "ce.example.org:8443/cream-pbs-q",
        "dn",
        "q",
        "Production",
        "CREAM",
        "pbs",
        "ce.example.org",
        ("VO:atlas",),
        ("glexec",),
        (),
        None,
        "SITE",
    ),
    experiment=Experiment("exp", "EXP", "atlas", (GlexecMode.SETUID,)),
    stance=Stance(
        "SITE",
        Answer("depends", MupjSupport.DEPENDS),
        Answer("allow", ModeAnswer.ALLOW),
        Answer("no", ModeAnswer.NO),
        Answer("yes", BypassAnswer.YES),
    ),
    mapping=SiteMapping("SITE"),
)
def test_never_a_false_ready(
    ce: CE, experiment: Experiment, stance: Stance | None, mapping: SiteMapping
) -> None:
    found = assess_ce(ce, experiment, stance, mapping if stance else None)
    if found.verdict is not Verdict.READY:
        return
    assert advertises(ce, experiment.vo), "ready without advertising glexec for the VO"
    assert experiment.targets_state(ce.state), "ready in a state the experiment does not target"
    assert stance is not None, "ready without a stance"
    resolved = resolve(stance, mapping, ce, experiment.vo)
    assert resolved.mupj is MupjSupport.YES, f"ready with MUPJ {resolved.mupj.value}"
    accepting = [m for m in experiment.modes if resolved.modes[m].accepts]
    assert accepting, "ready though no accepted mode is allowed or required"
    assert found.mode in experiment.modes
    assert found.mode is not None and resolved.modes[found.mode].accepts
    assert found.fail_closed is (resolved.bypass is not BypassAnswer.YES)


@settings(max_examples=200, deadline=None)
@given(ce=ces, experiment=experiments, stance=stances, mapping=mappings)
def test_mode_and_fail_closed_always_follow_the_answers(
    ce: CE, experiment: Experiment, stance: Stance, mapping: SiteMapping
) -> None:
    found = assess_ce(ce, experiment, stance, mapping)
    assert found.mode is None or found.mode in experiment.modes
    if found.fail_closed is False:
        assert resolve(stance, mapping, ce, experiment.vo).bypass is BypassAnswer.YES
