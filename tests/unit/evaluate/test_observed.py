"""The glexec mode results show, and what it does to an experiment's reliable rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cecap.evaluate.observed import ObservedMode, observe, shows
from cecap.evaluate.reliable import judge
from cecap.model.results import GlexecResult, ResultStatus
from cecap.policy.load import default_config_dir, load_policy
from cecap.policy.reliable import ModeEvidence, ReliableRule

EXPERIMENTS = load_policy(default_config_dir()).experiments
NOW = datetime(2010, 4, 8, 12, tzinfo=UTC)
LOG_ONLY = "Warning: Same /usr/bin/id for payload and pilot"
CMS = ModeEvidence()


def result(hours: int, status: str, output: str = "", summary: str = "") -> GlexecResult:
    return GlexecResult(
        NOW - timedelta(hours=hours),
        "ce.example.org",
        "cms",
        "org.cms.glexec.WN-gLExec",
        ResultStatus(status),
        summary,
        output,
    )


def test_what_one_result_shows() -> None:
    seen = shows(CMS, result(1, "WARNING", f"uid=501\n  {LOG_ONLY}  \nPayload id: 501"))
    assert seen is not None and (seen.mode, seen.line) == (ObservedMode.LOG_ONLY, LOG_ONLY)
    # In the summary as well as the output.
    seen = shows(CMS, result(1, "WARNING", summary=f"x {LOG_ONLY}"))
    assert seen is not None and seen.mode is ObservedMode.LOG_ONLY
    ok = shows(CMS, result(1, "OK", "Payload id: 502"))
    assert ok is not None and (ok.mode, ok.line) == (ObservedMode.SETUID, "")
    # A failure without the string shows no mode; nor an OK where OK proves nothing.
    assert shows(CMS, result(1, "CRITICAL", "Error: glexec failed")) is None
    assert shows(ModeEvidence(ok_is_setuid=False), result(1, "OK")) is None
    strings = ModeEvidence(log_only=("LOGONLY",), setuid=("switched to uid",), ok_is_setuid=False)
    seen = shows(strings, result(1, "WARNING", "glexec: switched to uid 502"))
    assert seen is not None and (seen.mode, seen.line) == (
        ObservedMode.SETUID,
        "glexec: switched to uid 502",
    )
    # The CMS string is not one of these strings.
    assert shows(strings, result(1, "WARNING", LOG_ONLY)) is None


def test_the_newest_result_showing_a_mode_decides() -> None:
    results = [
        result(30, "WARNING", LOG_ONLY),
        result(20, "OK"),
        result(10, "CRITICAL", "Error: X509_USER_PROXY is not defined"),
        result(5, "WARNING", LOG_ONLY),
        result(3, "WARNING", LOG_ONLY),
        result(2, "CRITICAL"),
    ]
    seen = observe(CMS, reversed(results))
    assert seen.mode is ObservedMode.LOG_ONLY
    # The latest results that show it, newest first: not the failures, not the setuid one.
    assert [s.result.time for s in seen.evidence] == [NOW - timedelta(hours=h) for h in (3, 5, 30)]
    assert seen.quote == LOG_ONLY
    assert observe(CMS, results[:2]).mode is ObservedMode.SETUID
    assert observe(CMS, [results[2], results[5]]).mode is ObservedMode.UNKNOWN
    assert observe(CMS, []).evidence == ()


def test_log_only_makes_a_ce_unreliable_where_the_experiment_accepts_setuid_only() -> None:
    rule = ReliableRule(min_results=2, min_ok_ratio=0.0, last_must_be_ok=False)
    results = [result(3, "OK"), result(1, "WARNING", f"x\n{LOG_ONLY}\ny")]
    cms = judge(rule, "ready", [], results, experiment=EXPERIMENTS["cms"])
    assert (cms.reliable, cms.mode_refused, cms.observed.mode) == (
        False,
        True,
        ObservedMode.LOG_ONLY,
    )
    assert cms.missed == (
        f"tests see glexec in log-only mode, which CMS does not accept: \u201c{LOG_ONLY}\u201d",
    )
    lhcb = judge(rule, "ready", [], results, experiment=EXPERIMENTS["lhcb"])
    assert (lhcb.reliable, lhcb.mode_refused, lhcb.missed) == (True, False, ())
    # Setuid seen last: reliable for CMS.
    back = judge(rule, "ready", [], [*results, result(0, "OK")], experiment=EXPERIMENTS["cms"])
    assert (back.reliable, back.observed.mode) == (True, ObservedMode.SETUID)
    # Without an experiment the mode is not judged.
    assert judge(rule, "ready", [], results).observed.mode is ObservedMode.UNKNOWN


def test_failures_a_refused_mode_explains_are_named_once_as_that_mode() -> None:
    """A CE whose last tests all failed in log-only mode is failing for an experiment that
    accepts log-only, and, for one that does not, held to the mode alone: one cause, one
    name in the check (the site's fix is the mode, not the tests)."""
    rule = ReliableRule(min_results=1, failing_streak=2)
    logged = [result(3, "OK"), result(2, "CRITICAL", LOG_ONLY), result(1, "CRITICAL", LOG_ONLY)]
    cms = judge(rule, "ready", [], logged, experiment=EXPERIMENTS["cms"])
    assert (cms.mode_refused, cms.failing) == (True, False)
    lhcb = judge(rule, "ready", [], logged, experiment=EXPERIMENTS["lhcb"])
    assert (lhcb.mode_refused, lhcb.failing) == (False, True)
    # Failures that show no mode are failing tests, whatever the experiment accepts.
    plain = [result(3, "OK"), result(2, "CRITICAL"), result(1, "CRITICAL")]
    cms_plain = judge(rule, "ready", [], plain, experiment=EXPERIMENTS["cms"])
    assert (cms_plain.mode_refused, cms_plain.failing) == (False, True)
    # Not ready now: neither.
    assert not judge(rule, "conditional", [], plain, experiment=EXPERIMENTS["cms"]).failing


def test_standing_by_the_failing_rule() -> None:
    from dataclasses import replace

    from cecap.evaluate.summary import Standing, standing
    from cecap.policy.reliable import FailingRule

    cms = EXPERIMENTS["cms"]
    two_two = [result(1, "CRITICAL"), result(2, "OK"), result(3, "UNKNOWN"), result(4, "OK")]
    state, errors, oks, log_only, shown = standing(cms, two_two)
    assert (state, errors, oks, log_only) == (Standing.FAILING, 2, 2, 0)
    assert shown is two_two[0]  # the newest error
    # One error fewer than OKs: OK, showing the newest result.
    state, *_, shown = standing(cms, two_two[1:])
    assert (state, shown) == (Standing.OK, two_two[1])
    # Log-only warnings are no errors, unless the rule says so.
    warned = [result(1, "WARNING", LOG_ONLY), result(2, "WARNING", LOG_ONLY), result(3, "OK")]
    assert standing(cms, warned)[:4] == (Standing.OK, 0, 1, 2)
    strict = replace(cms, failing=FailingRule(log_only_is_error=True))
    assert standing(strict, warned)[:4] == (Standing.FAILING, 2, 1, 0)
    # A stricter ratio: 2 errors of 4 are not 0.75 of them.
    assert standing(replace(cms, failing=FailingRule(0.75)), two_two)[0] is Standing.OK
    # Log-only alone: neither error nor OK, so not failing.
    assert standing(cms, warned[:1])[0] is Standing.OK
    assert standing(cms, []) == (Standing.UNTESTED, 0, 0, 0, None)
