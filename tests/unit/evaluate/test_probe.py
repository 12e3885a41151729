"""The probe's pure core: thresholds per experiment, lost and newly ready CEs, the output."""

from __future__ import annotations

from cecap.evaluate.check import Prior, Thresholds, run_check
from cecap.evaluate.nagios import Range, State
from cecap.evaluate.verdicts import ABSENT, Assessment, Verdict
from cecap.model.glue import CE
from cecap.policy.stances import Experiment, GlexecMode

ATLAS = Experiment("atlas", "ATLAS", "atlas", (GlexecMode.SETUID,))
CMS = Experiment("cms", "CMS", "cms", (GlexecMode.SETUID,))


def ce(name: str, site: str = "SITE-A") -> CE:
    return CE(
        unique_id=f"{name}:8443/cream-pbs-q",
        dn=f"GlueCEUniqueID={name}:8443/cream-pbs-q,Mds-Vo-name={site},Mds-Vo-name=local,o=grid",
        name="q",
        state="Production",
        implementation="CREAM",
        lrms="pbs",
        host=name,
        rules=("VO:atlas", "VO:cms"),
        capabilities=("glexec",),
        voviews=(),
        cluster_id=None,
        site=site,
    )


def a(exp: Experiment, name: str, verdict: Verdict, site: str = "SITE-A") -> Assessment:
    return Assessment(exp, ce(name, site), "R", verdict, None, True, f"because {name}")


def every(thresholds: Thresholds) -> dict[str, Thresholds]:
    return {"atlas": thresholds, "cms": thresholds}


def cid(name: str) -> str:
    return f"{name}:8443/cream-pbs-q"


PERF_ZERO = (
    "{e}_conditional=0;;;0 {e}_no_stance=0;;;0 {e}_mode_mismatch=0;;;0"
    " {e}_site_refuses=0;;;0 {e}_not_in_production=0;;;0 {e}_not_advertised={na};;;0"
)


def test_ok_first_run_counts_every_verdict() -> None:
    found = [
        a(ATLAS, "a1", Verdict.READY),
        a(ATLAS, "a2", Verdict.READY),
        a(ATLAS, "a3", Verdict.CONDITIONAL),
        a(ATLAS, "a4", Verdict.SITE_REFUSES),
        a(CMS, "c1", Verdict.NOT_ADVERTISED),
    ]
    result = run_check(
        found,
        [ATLAS, CMS],
        {"atlas": None, "cms": None},
        every(Thresholds(Range.parse("2:"), Range.parse("1:"))),
    )
    assert result.state is State.CRITICAL  # cms has 0 ready
    assert result.output().splitlines() == [
        "CECAP CRITICAL - cms: 0 ready (critical: outside 1:) |"
        " atlas_ready=2;2:;1:;0 atlas_conditional=1;;;0 atlas_no_stance=0;;;0"
        " atlas_mode_mismatch=0;;;0 atlas_site_refuses=1;;;0 atlas_not_in_production=0;;;0"
        " atlas_not_advertised=0;;;0 cms_ready=0;2:;1:;0 cms_conditional=0;;;0"
        " cms_no_stance=0;;;0 cms_mode_mismatch=0;;;0 cms_site_refuses=0;;;0"
        " cms_not_in_production=0;;;0 cms_not_advertised=1;;;0",
        "atlas OK: 2 ready of 4 CEs serving VO atlas (first recorded run)",
        "cms CRITICAL: 0 ready of 1 CE serving VO cms (first recorded run)",
    ]


def test_ok_summary_lists_ready_counts() -> None:
    result = run_check(
        [a(ATLAS, "a1", Verdict.READY)],
        [ATLAS, CMS],
        {"atlas": None, "cms": None},
        every(Thresholds()),
    )
    assert result.state is State.OK
    assert result.output().splitlines()[0] == (
        "CECAP OK - ready CEs: atlas 1, cms 0 | atlas_ready=1;;;0 "
        + PERF_ZERO.format(e="atlas", na=0)
        + " cms_ready=0;;;0 "
        + PERF_ZERO.format(e="cms", na=0)
    )


def test_warning_threshold_and_inverted_range() -> None:
    found = [a(ATLAS, f"a{i}", Verdict.READY) for i in range(15)]
    warn = run_check(found, [ATLAS], {"atlas": None}, every(Thresholds(Range.parse("20:"))))
    assert warn.state is State.WARNING
    assert warn.summary == "atlas: 15 ready (warning: outside 20:)"
    inside = run_check(
        found, [ATLAS], {"atlas": None}, every(Thresholds(None, Range.parse("@10:20")))
    )
    assert inside.state is State.CRITICAL
    assert inside.summary == "atlas: 15 ready (critical: inside 10:20)"
    # Critical is checked first: a value in both ranges is CRITICAL, said once.
    both = run_check(
        found, [ATLAS], {"atlas": None}, every(Thresholds(Range.parse("20:"), Range.parse("16:")))
    )
    assert both.state is State.CRITICAL
    assert both.summary == "atlas: 15 ready (critical: outside 16:)"


def test_lost_ce_is_a_warning_naming_it_and_newly_ready_are_listed() -> None:
    priors = {
        "atlas": {
            cid("a1"): Prior("SITE-A", "ready"),
            cid("a2"): Prior("SITE-B", "ready"),
            cid("a3"): Prior("SITE-A", "not-advertised"),
            cid("a5"): Prior("SITE-A", ABSENT),
        }
    }
    found = [
        a(ATLAS, "a1", Verdict.NOT_ADVERTISED),
        a(ATLAS, "a3", Verdict.READY),
        a(ATLAS, "a4", Verdict.READY, site="SITE-C"),
        a(ATLAS, "a5", Verdict.READY),
    ]
    # 3 ready is fine for the threshold: the WARNING comes from the lost CEs alone.
    result = run_check(found, [ATLAS], priors, every(Thresholds(Range.parse("3:"))))
    assert result.state is State.WARNING
    lines = result.output().splitlines()
    assert lines[0].split(" | ")[0] == (
        "CECAP WARNING - atlas: 2 no longer ready: a1:8443/cream-pbs-q, a2:8443/cream-pbs-q"
    )
    assert lines[1:] == [
        "atlas WARNING: 3 ready of 4 CEs serving VO atlas (2 at the previous run)",
        "  no longer ready: a1:8443/cream-pbs-q at SITE-A: ready → not-advertised: because a1",
        "  no longer ready: a2:8443/cream-pbs-q at SITE-B: ready → absent: no longer among"
        " the CEs serving VO atlas",
        "  newly ready: a3:8443/cream-pbs-q at SITE-A: not-advertised → ready",
        "  newly ready: a5:8443/cream-pbs-q at SITE-A: absent → ready",
        "  newly ready: a4:8443/cream-pbs-q at SITE-C: absent → ready",
    ]


def test_lost_ce_with_critical_threshold_stays_critical_and_says_both() -> None:
    priors = {"atlas": {cid("a1"): Prior("SITE-A", "ready")}, "cms": {}}
    result = run_check(
        [a(ATLAS, "a1", Verdict.CONDITIONAL), a(CMS, "c1", Verdict.READY)],
        [ATLAS, CMS],
        priors,
        every(Thresholds(critical=Range.parse("1:"))),
    )
    assert result.state is State.CRITICAL
    assert result.summary == (
        "atlas: 0 ready (critical: outside 1:), 1 no longer ready: a1:8443/cream-pbs-q"
    )
    assert result.details[-2:] == (
        "cms OK: 1 ready of 1 CE serving VO cms (0 at the previous run)",
        "  newly ready: c1:8443/cream-pbs-q at SITE-A: absent → ready",
    )


def test_summary_names_three_lost_ces_then_counts() -> None:
    priors = {"atlas": {cid(f"a{i}"): Prior("SITE-A", "ready") for i in range(5)}}
    result = run_check([], [ATLAS], priors, every(Thresholds()))
    assert result.summary == (
        "atlas: 5 no longer ready: a0:8443/cream-pbs-q, a1:8443/cream-pbs-q,"
        " a2:8443/cream-pbs-q and 2 more"
    )
    assert len([d for d in result.details if "no longer ready" in d]) == 5


def test_worst_experiment_comes_first_in_the_summary() -> None:
    priors = {"atlas": {cid("a1"): Prior("SITE-A", "ready")}, "cms": {}}
    result = run_check(
        [a(ATLAS, "a2", Verdict.READY), a(ATLAS, "a3", Verdict.READY)],
        [ATLAS, CMS],
        priors,
        every(Thresholds(critical=Range.parse("1:"))),
    )
    assert result.summary == (
        "cms: no CE serves VO cms (critical: outside 1:). atlas: 1 no longer ready:"
        " a1:8443/cream-pbs-q"
    )


def test_each_experiment_has_its_own_ranges_in_state_and_perfdata() -> None:
    found = [a(ATLAS, f"a{i}", Verdict.READY) for i in range(15)] + [a(CMS, "c1", Verdict.READY)]
    thresholds = {
        "atlas": Thresholds(Range.parse("20:"), Range.parse("10:")),
        "cms": Thresholds(None, Range.parse("~:0")),
    }
    result = run_check(found, [ATLAS, CMS], {"atlas": None, "cms": None}, thresholds)
    assert result.state is State.CRITICAL
    assert result.summary == (
        "cms: 1 ready (critical: above 0). atlas: 15 ready (warning: outside 20:)"
    )
    ready = [str(p) for p in result.perfdata if p.label.endswith("_ready")]
    assert ready == ["atlas_ready=15;20:;10:;0", "cms_ready=1;;~:0;0"]
    # An experiment left out of the mapping has no ranges.
    alone = run_check(found, [ATLAS, CMS], {"atlas": None, "cms": None}, {"cms": thresholds["cms"]})
    assert [str(p) for p in alone.perfdata if p.label.endswith("_ready")] == [
        "atlas_ready=15;;;0",
        "cms_ready=1;;~:0;0",
    ]


def test_no_ce_serving_the_vo_is_said_as_such_and_ranges_apply_to_it() -> None:
    result = run_check(
        [a(ATLAS, "a1", Verdict.READY)],
        [ATLAS, CMS],
        {"atlas": None, "cms": None},
        {"cms": Thresholds(Range.parse("1:"))},
    )
    assert result.state is State.WARNING
    assert result.summary == "cms: no CE serves VO cms (warning: outside 1:)"
    assert result.details == (
        "atlas OK: 1 ready of 1 CE serving VO atlas (first recorded run)",
        "cms WARNING: no CE serves VO cms (first recorded run)",
    )
    # Compared with a previous run that had ready CEs: they are no longer ready.
    priors = {"atlas": {}, "cms": {cid("c1"): Prior("SITE-A", "ready")}}
    later = run_check([a(ATLAS, "a1", Verdict.READY)], [ATLAS, CMS], priors, {})
    assert later.details[2:] == (
        "cms WARNING: no CE serves VO cms (1 ready at the previous run)",
        "  no longer ready: c1:8443/cream-pbs-q at SITE-A: ready → absent: no longer among the"
        " CEs serving VO cms",
    )
