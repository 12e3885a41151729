"""Reliable (pure): an experiment's rule, a CE's verdicts over the window and its glexec
test results in it -> whether the experiment may switch its pilots there."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ..model.results import GlexecResult, ResultStatus
from ..policy.reliable import ReliableRule
from .verdicts import Verdict

READY = Verdict.READY.value


@dataclass(frozen=True, slots=True)
class Reliability:
    """What the results in the window say of one (experiment, CE).

    ``reliable`` is None when there is no result in the window: untested, not unreliable.
    ``failing``: ready now, and its last ``failing_streak`` results all failed.
    """

    reliable: bool | None
    ok: int
    total: int
    ratio: float | None
    last_status: str | None
    last_time: datetime | None
    failing: bool = False


UNTESTED = Reliability(None, 0, 0, None, None, None)


def judge(
    rule: ReliableRule,
    verdict_now: str,
    verdicts_in_window: Iterable[str],
    results: Sequence[GlexecResult],
) -> Reliability:
    """``verdicts_in_window``: the CE's verdict in each recorded run within the window
    (none: a new history, where the verdict now is all there is); ``results``: its
    glexec results in the window, in any order."""
    if not results:
        return UNTESTED
    ordered = sorted(results, key=lambda r: r.time)
    ok = sum(r.status is ResultStatus.OK for r in ordered)
    total = len(ordered)
    last = ordered[-1]
    ready = verdict_now == READY and all(v == READY for v in verdicts_in_window)
    reliable = (
        ready
        and total >= rule.min_results
        and ok / total >= rule.min_ok_ratio
        and (last.status is ResultStatus.OK or not rule.last_must_be_ok)
    )
    tail = ordered[-rule.failing_streak :]
    failing = (
        verdict_now == READY
        and len(tail) == rule.failing_streak
        and all(r.status is not ResultStatus.OK for r in tail)
    )
    return Reliability(reliable, ok, total, ok / total, last.status.value, last.time, failing)


def results_summary(r: Reliability, now: datetime) -> str | None:
    """``23/24 OK, last OK 2h ago`` for a table; None when untested."""
    if r.last_time is None:
        return None
    return f"{r.ok}/{r.total} OK, last {r.last_status} {ago(now, r.last_time)}"


def ago(now: datetime, then: datetime) -> str:
    seconds = int((now - then).total_seconds())
    if seconds < 0:
        return "in the future"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return "just now"
