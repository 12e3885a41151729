"""The pure verdict rules: each rule, and cases that fail if the rule order changes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cecap.evaluate.assess import assess, assess_ce, summarize_sites
from cecap.evaluate.stance import resolve
from cecap.evaluate.verdicts import Verdict
from cecap.model.glue import CE, GlueModel, VOView
from cecap.model.questions import advertises, serves, vo_matches
from cecap.policy.stances import (
    Answer,
    BypassAnswer,
    Experiment,
    GlexecMode,
    ModeAnswer,
    MupjSupport,
    Policy,
    Scope,
    SiteMapping,
    Stance,
)

ATLAS = Experiment("atlas", "ATLAS", "atlas", (GlexecMode.SETUID,))
LHCB = Experiment("lhcb", "LHCb", "lhcb", (GlexecMode.SETUID, GlexecMode.LOG_ONLY))


def make_ce(**kw: object) -> CE:
    base = CE(
        unique_id="ce.example.org:8443/cream-pbs-q",
        dn="GlueCEUniqueID=ce.example.org:8443/cream-pbs-q,Mds-Vo-name=SITE,Mds-Vo-name=local,o=grid",
        name="q",
        state="Production",
        implementation="CREAM",
        lrms="pbs",
        host="ce.example.org",
        rules=("VO:atlas", "VO:lhcb"),
        capabilities=("glexec",),
        voviews=(),
        cluster_id="ce.example.org",
        site="SITE",
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def make_stance(
    mupj: MupjSupport = MupjSupport.YES,
    setuid: ModeAnswer = ModeAnswer.ALLOW,
    log_only: ModeAnswer = ModeAnswer.ALLOW,
    bypass: BypassAnswer = BypassAnswer.NO,
    mupj_text: str = "yes",
) -> Stance:
    return Stance(
        "SITE",
        Answer(mupj_text, mupj),
        Answer(setuid.value, setuid),
        Answer(log_only.value, log_only),
        Answer(bypass.value, bypass),
    )


def choose_mode(exp: Experiment, setuid: ModeAnswer, log_only: ModeAnswer) -> GlexecMode | None:
    resolved = resolve(make_stance(setuid=setuid, log_only=log_only), None, make_ce(), None)
    return resolved.choose_mode(exp.modes)


def verdict(ce: CE, stance: Stance | None, exp: Experiment = ATLAS) -> Verdict:
    return assess_ce(ce, exp, stance, SiteMapping("SITE") if stance else None).verdict


# --- matching -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("VO:atlas", True),
        ("VO:ATLAS", True),
        ("VOMS:/atlas", True),
        ("VOMS:/atlas/Role=pilot", True),
        ("VOMS:/atlasx", False),
        ("VO:atlas-test", False),
        ("atlas", False),
        ("DENY:atlas", False),
    ],
)
def test_vo_rules(rule: str, expected: bool) -> None:
    assert vo_matches(rule, "atlas") is expected


def test_serves_through_a_voview() -> None:
    ce = make_ce(rules=(), voviews=(VOView("cms", ("VOMS:/cms/Role=pilot",), ()),))
    assert serves(ce, "cms")
    assert not serves(ce, "atlas")


@pytest.mark.parametrize("value", ["glexec", "GLEXEC", " gLExec "])
def test_capability_match_ignores_case_and_blanks(value: str) -> None:
    assert advertises(make_ce(capabilities=(value,)), "atlas")


@pytest.mark.parametrize("value", ["glexec=yes", "glexec-enabled", "UNDEFINED"])
def test_near_misses_do_not_count(value: str) -> None:
    assert not advertises(make_ce(capabilities=(value,)), "atlas")


def test_voview_capability_counts_only_for_its_vo() -> None:
    ce = make_ce(
        capabilities=(),
        voviews=(
            VOView("atlas", ("VO:atlas",), ("glexec",)),
            VOView("lhcb", ("VO:lhcb",), ()),
        ),
    )
    assert advertises(ce, "atlas")
    assert not advertises(ce, "lhcb")


# --- each rule, and its precedence over the next ones -----------------------------------


def test_rule1_not_advertised_beats_everything() -> None:
    # Not advertised, not in production, no stance: rule 1 wins.
    ce = make_ce(capabilities=("UNDEFINED",), state="Draining")
    assert verdict(ce, None) is Verdict.NOT_ADVERTISED


def test_rule2_not_in_production_beats_no_stance() -> None:
    assert verdict(make_ce(state="Draining"), None) is Verdict.NOT_IN_PRODUCTION


def test_rule2_state_comparison_ignores_case() -> None:
    assert verdict(make_ce(state="production"), make_stance()) is Verdict.READY


def test_rule3_no_stance() -> None:
    assert verdict(make_ce(), None) is Verdict.NO_STANCE


def test_rule4_site_refuses_beats_mode_mismatch() -> None:
    stance = make_stance(MupjSupport.NO, ModeAnswer.NO, ModeAnswer.NO)
    assert verdict(make_ce(), stance) is Verdict.SITE_REFUSES


def test_rule5_mode_mismatch_beats_conditional() -> None:
    # MUPJ conditional, but the only mode ATLAS accepts is refused: mode-mismatch.
    stance = make_stance(MupjSupport.CONDITIONAL, ModeAnswer.NO, ModeAnswer.ALLOW)
    assert verdict(make_ce(), stance) is Verdict.MODE_MISMATCH


def test_rule5_needs_every_accepted_mode_refused() -> None:
    stance = make_stance(setuid=ModeAnswer.NO, log_only=ModeAnswer.ALLOW)
    assert verdict(make_ce(), stance, ATLAS) is Verdict.MODE_MISMATCH
    result = assess_ce(make_ce(), LHCB, stance, SiteMapping("SITE"))
    assert (result.verdict, result.mode) == (Verdict.READY, GlexecMode.LOG_ONLY)


@pytest.mark.parametrize("mupj", [MupjSupport.CONDITIONAL, MupjSupport.DEPENDS])
def test_rule6_conditional_mupj(mupj: MupjSupport) -> None:
    assert verdict(make_ce(), make_stance(mupj)) is Verdict.CONDITIONAL


@pytest.mark.parametrize("setuid", [ModeAnswer.DEPENDS, ModeAnswer.UNKNOWN])
def test_rule6_no_accepted_mode_allowed(setuid: ModeAnswer) -> None:
    assert verdict(make_ce(), make_stance(setuid=setuid)) is Verdict.CONDITIONAL


def test_rule7_ready() -> None:
    result = assess_ce(make_ce(), ATLAS, make_stance(setuid=ModeAnswer.REQUIRE), SiteMapping("S"))
    assert result.verdict is Verdict.READY
    assert result.mode is GlexecMode.SETUID
    assert result.fail_closed is True
    assert result.reason.startswith("site requires glexec setuid")


# --- mode and fail_closed ---------------------------------------------------------------


def test_mode_prefers_setuid_then_falls_back() -> None:
    assert choose_mode(LHCB, ModeAnswer.ALLOW, ModeAnswer.REQUIRE) is GlexecMode.SETUID
    assert choose_mode(LHCB, ModeAnswer.NO, ModeAnswer.ALLOW) is GlexecMode.LOG_ONLY
    assert choose_mode(LHCB, ModeAnswer.DEPENDS, ModeAnswer.ALLOW) is GlexecMode.LOG_ONLY
    assert choose_mode(LHCB, ModeAnswer.DEPENDS, ModeAnswer.NO) is GlexecMode.SETUID
    assert choose_mode(ATLAS, ModeAnswer.UNKNOWN, ModeAnswer.ALLOW) is None


@pytest.mark.parametrize(
    ("bypass", "closed"),
    [
        (BypassAnswer.YES, False),
        (BypassAnswer.NO, True),
        (BypassAnswer.DEPENDS, True),
        (BypassAnswer.UNKNOWN, True),
    ],
)
def test_fail_closed_unless_bypass_yes(bypass: BypassAnswer, closed: bool) -> None:
    result = assess_ce(make_ce(), ATLAS, make_stance(bypass=bypass), SiteMapping("SITE"))
    assert result.fail_closed is closed


def test_reason_quotes_the_site() -> None:
    stance = make_stance(
        MupjSupport.CONDITIONAL,
        mupj_text="yes, provided framework compliance with relevant JSPG policies",
    )
    result = assess_ce(make_ce(), ATLAS, stance, SiteMapping("SITE"))
    assert result.reason == (
        "site: \u201cyes, provided framework compliance with relevant JSPG policies\u201d"
    )


def test_cluster_scope_applies_only_to_listed_clusters() -> None:
    stance = replace(
        make_stance(),
        mupj=Answer(
            "local: yes; central: possibly no",
            MupjSupport.YES,
            (Scope("cluster", "central", MupjSupport.NO),),
        ),
    )
    mapping = SiteMapping("SITE", cluster_scopes={"central": ("central-*.example.org",)})
    local = assess_ce(make_ce(), ATLAS, stance, mapping)
    central = assess_ce(make_ce(cluster_id="central-1.example.org"), ATLAS, stance, mapping)
    assert (local.verdict, central.verdict) == (Verdict.READY, Verdict.SITE_REFUSES)


def test_vo_scope() -> None:
    stance = replace(
        make_stance(),
        glexec_log_only=Answer(
            "yes for ALICE; others pending",
            ModeAnswer.DEPENDS,
            (Scope("vo", "lhcb", ModeAnswer.ALLOW),),
        ),
        glexec_setuid=Answer("-", ModeAnswer.UNKNOWN),
    )
    lhcb = assess_ce(make_ce(), LHCB, stance, SiteMapping("SITE"))
    assert (lhcb.verdict, lhcb.mode) == (Verdict.READY, GlexecMode.LOG_ONLY)


def test_other_capability_has_no_stance_rules() -> None:
    ce = make_ce(capabilities=("htpc",))
    assert assess_ce(ce, ATLAS, None, None, "htpc").verdict is Verdict.ADVERTISED
    assert assess_ce(ce, ATLAS, None, None).verdict is Verdict.NOT_ADVERTISED


def test_assess_and_site_summary() -> None:
    ces = (
        make_ce(),
        make_ce(unique_id="ce.example.org:8443/cream-pbs-r", capabilities=()),
        make_ce(unique_id="other:8443/x", site="ELSEWHERE", rules=("VO:cms",)),
    )
    policy = Policy({"SITE": make_stance()}, (SiteMapping("SITE"),), {"atlas": ATLAS})
    results = assess(GlueModel("test", ces), policy, [ATLAS])
    # The CMS-only CE does not serve ATLAS and gets no row.
    assert [r.verdict for r in results] == [Verdict.READY, Verdict.NOT_ADVERTISED]
    (summary,) = summarize_sites(results, policy)
    assert (summary.serving, summary.advertising, summary.ready, summary.readiness) == (
        2,
        1,
        1,
        Verdict.READY,
    )
