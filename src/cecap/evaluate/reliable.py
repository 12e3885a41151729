"""Reliable (pure): an experiment's rule, a CE's verdicts over the window and its glexec
test results in it -> whether the experiment may switch its pilots there."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ..model.results import GlexecResult, ResultStatus
from ..policy.reliable import ReliableRule
from ..policy.stances import Experiment
from .observed import UNSEEN, Observation, observe
from .verdicts import Verdict

READY = Verdict.READY.value


@dataclass(frozen=True, slots=True)
class Reliability:
    """What the results in the window say of one (experiment, CE).

    ``reliable`` is None when there is no result in the window: untested, not unreliable.
    ``failing``: ready now, and its last ``failing_streak`` results all failed, in a
    mode the experiment accepts (a refused mode explains the failures: that is named).
    ``held_ready``: the verdict was ready now and in every recorded run in the window.
    ``missed``: with results, the parts of the rule they do not meet (none: reliable).
    ``observed``: the glexec mode the results show; ``mode_refused``: it is one the
    experiment does not accept (log-only for ATLAS and CMS), so the CE is not reliable.
    """

    reliable: bool | None
    ok: int
    total: int
    ratio: float | None
    last_status: str | None
    last_time: datetime | None
    failing: bool = False
    held_ready: bool = False
    missed: tuple[str, ...] = ()
    observed: Observation = UNSEEN
    mode_refused: bool = False


def judge(
    rule: ReliableRule,
    verdict_now: str,
    verdicts_in_window: Iterable[str],
    results: Sequence[GlexecResult],
    *,
    experiment: Experiment | None = None,
) -> Reliability:
    """``verdicts_in_window``: the CE's verdict in each recorded run within the window
    (none: a new history, where the verdict now is all there is); ``results``: its
    glexec results in the window, in any order; ``experiment``: whose strings show the
    mode the results saw, and which modes it accepts (None: the mode is not judged)."""
    ready = verdict_now == READY and all(v == READY for v in verdicts_in_window)
    if not results:
        return Reliability(None, 0, 0, None, None, None, held_ready=ready)
    ordered = sorted(results, key=lambda r: r.time)
    ok = sum(r.status is ResultStatus.OK for r in ordered)
    total = len(ordered)
    last = ordered[-1]
    missed = []
    if not ready:
        missed.append("the verdict was not ready throughout the window")
    if total < rule.min_results:
        missed.append(f"{total} results, fewer than {rule.min_results}")
    if ok / total < rule.min_ok_ratio:
        missed.append(f"{percent(ok / total)} OK, under {percent(rule.min_ok_ratio)}")
    if rule.last_must_be_ok and last.status is not ResultStatus.OK:
        missed.append(f"the last {last.status.value}")
    observed, refused = UNSEEN, False
    if experiment is not None:
        observed = observe(experiment.mode_evidence, ordered)
        mode = observed.mode.mode
        refused = mode is not None and mode not in experiment.modes
        if refused:
            said = f": \u201c{observed.quote}\u201d" if observed.quote else ""
            missed.append(
                f"tests see glexec in {observed.mode.value} mode, which {experiment.name}"
                f" does not accept{said}"
            )
    tail = ordered[-rule.failing_streak :]
    failing = (
        not refused
        and verdict_now == READY
        and len(tail) == rule.failing_streak
        and all(r.status is not ResultStatus.OK for r in tail)
    )
    return Reliability(
        not missed,
        ok,
        total,
        ok / total,
        last.status.value,
        last.time,
        failing,
        held_ready=ready,
        missed=tuple(missed),
        observed=observed,
        mode_refused=refused,
    )


def percent(ratio: float) -> str:
    """0.95 -> ``95%``, 0.9355 -> ``93.5%``."""
    return f"{round(ratio * 100, 1):g}%"


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
