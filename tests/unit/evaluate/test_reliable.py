"""The reliable rule (pure): verdicts over the window and test results -> Reliability."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cecap.evaluate.reliable import judge, results_summary
from cecap.model.results import GlexecResult, ResultStatus
from cecap.policy.reliable import ReliableRule

NOW = datetime(2010, 4, 8, 12, tzinfo=UTC)
RULE = ReliableRule(timedelta(days=7), min_results=4, min_ok_ratio=0.75, failing_streak=2)


def results(*statuses: str) -> list[GlexecResult]:
    """Oldest first, an hour apart, the last one an hour before NOW."""
    n = len(statuses)
    return [
        GlexecResult(NOW - timedelta(hours=n - i), "ce.example.org", "cms", "m", ResultStatus(s))
        for i, s in enumerate(statuses)
    ]


def test_untested_is_none_not_false() -> None:
    r = judge(RULE, "ready", [], [])
    assert (r.reliable, r.total, results_summary(r, NOW)) == (None, 0, None)
    # Whether the verdict held ready is known without results too (explain shows it).
    assert r.held_ready is True
    assert judge(RULE, "ready", ["conditional"], []).held_ready is False


def test_reliable_needs_ready_throughout_enough_results_and_the_ratio() -> None:
    ok = results("CRITICAL", "OK", "OK", "OK")
    r = judge(RULE, "ready", [], ok)  # a new history: the verdict now is all there is
    assert (r.reliable, r.ok, r.total, r.ratio, r.last_status) == (True, 3, 4, 0.75, "OK")
    assert results_summary(r, NOW) == "3/4 OK, last OK 1h ago"
    assert (r.held_ready, r.missed) == (True, ())
    held = judge(RULE, "ready", ["ready", "conditional"], ok)
    assert (held.reliable, held.held_ready) == (False, False)
    assert held.missed == ("the verdict was not ready throughout the window",)
    few = judge(RULE, "ready", [], results("OK", "CRITICAL", "OK"))
    assert few.missed == ("3 results, fewer than 4", "66.7% OK, under 75%")
    assert judge(RULE, "conditional", ["ready"], ok).reliable is False
    assert judge(RULE, "ready", ["ready"], ok[1:]).reliable is False  # 3 < min_results
    assert judge(RULE, "ready", [], results("CRITICAL", "CRITICAL", "OK", "OK")).reliable is False


def test_last_result_and_failing_streak() -> None:
    last_bad = results("OK", "OK", "OK", "OK", "OK", "OK", "OK", "CRITICAL")
    r = judge(RULE, "ready", [], last_bad)
    assert (r.reliable, r.failing, r.missed) == (False, False, ("the last CRITICAL",))
    lenient = ReliableRule(min_results=4, min_ok_ratio=0.75, last_must_be_ok=False)
    assert judge(lenient, "ready", [], last_bad).reliable is True
    streak = results("OK", "OK", "OK", "WARNING", "CRITICAL")
    assert judge(RULE, "ready", [], streak).failing is True
    # Not ready: the site advertises nothing the experiment uses, so nothing to tell it.
    assert judge(RULE, "site-refuses", [], streak).failing is False
