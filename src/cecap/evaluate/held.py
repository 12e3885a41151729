"""Holding the check's problems (pure): a change stays in the answer while it lasts, for a
window counted from the run that first saw it, so that a retry gives the same answer."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from .reliable import Reliability
from .verdicts import Assessment, Verdict

__all__ = [
    "DEFAULT_HOLD",
    "HOLD_FORMS",
    "Held",
    "Holding",
    "Prior",
    "Problem",
    "Seen",
    "hold",
    "parse_hold",
    "seen",
]


class Problem(Enum):
    """A problem the check holds; the value is how the history and JSON name it."""

    NO_LONGER_READY = "no-longer-ready"
    NO_LONGER_RELIABLE = "no-longer-reliable"
    FAILING_TESTS = "failing-tests"
    # Tests see glexec in a mode the experiment does not accept (log-only for CMS).
    MODE_REFUSED = "mode-refused"

    @property
    def is_change(self) -> bool:
        """Found by comparing with an earlier run: found again while held, the CE came
        back in between (a run saw it ready, or reliable), so it is a new problem."""
        return self not in (Problem.FAILING_TESTS, Problem.MODE_REFUSED)


@dataclass(frozen=True, slots=True)
class Prior:
    """A CE's state as the previous run recorded it."""

    site: str
    verdict: str


@dataclass(frozen=True, slots=True)
class Held:
    """A problem of one CE for one experiment, from the run that first saw it."""

    experiment: str
    problem: Problem
    ce: str
    site: str
    run: int
    since: datetime

    @property
    def key(self) -> tuple[str, Problem, str]:
        return (self.experiment, self.problem, self.ce)


@dataclass(frozen=True)
class Seen:
    """What one run saw of each (experiment, problem): the CEs it found with the problem
    now (a change since the run compared with, or a condition), with their sites; the
    CEs whose problem, held from earlier, it saw cleared; the CEs it covers."""

    found: Mapping[tuple[str, Problem], Mapping[str, str]]
    cleared: Mapping[tuple[str, Problem], frozenset[str]]
    covered: Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class Holding:
    """What a run does to the held problems: those its answer names (first seen within
    the window), and those it opens (first seen now) and closes (cleared now)."""

    shown: tuple[Held, ...]
    opened: tuple[Held, ...]
    closed: tuple[Held, ...]

    def of(self, experiment: str, problem: Problem) -> list[Held]:
        return [h for h in self.shown if h.experiment == experiment and h.problem is problem]


# What --hold is when not given.
DEFAULT_HOLD = "24h"
HOLD_FORMS = "0, 90s, 30m, 24h, 7d"
_HOLD_RE = re.compile(r"^(?P<count>\d{1,9})\s*(?P<unit>[smhd]?)$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
# A window longer than this is a typo; and timedelta must hold it.
_MAX_HOLD = timedelta(days=3650)


def parse_hold(text: str) -> timedelta:
    """``24h`` -> 24 hours; a bare number is seconds. ValueError naming the forms."""
    found = _HOLD_RE.match(text.strip().lower())
    if not found:
        raise ValueError(f"{text!r} is not a duration (forms: {HOLD_FORMS})")
    window = timedelta(**{_UNITS[found["unit"] or "s"]: int(found["count"])})
    if window > _MAX_HOLD:
        raise ValueError(f"{text!r} is longer than {_MAX_HOLD.days} days")
    return window


def seen(
    assessments: Iterable[Assessment],
    priors: Mapping[str, Mapping[str, Prior] | None],
    judged: Mapping[tuple[str, str], Reliability] | None = None,
    previous_reliable: Mapping[str, set[str]] | None = None,
) -> Seen:
    """What a run saw. ``priors``: per experiment the state of each CE the run covers at
    the run compared with (None: no earlier run); ``judged``: the reliability of each
    (experiment, CE) assessed, when results are imported; ``previous_reliable``: per
    experiment, the CEs reliable at the last check that judged them."""
    now: dict[str, dict[str, Assessment]] = {key: {} for key in priors}
    for a in assessments:
        now.setdefault(a.experiment.key, {})[a.ce.unique_id] = a
    found: dict[tuple[str, Problem], dict[str, str]] = {}
    cleared: dict[tuple[str, Problem], frozenset[str]] = {}
    covered: dict[str, frozenset[str]] = {}
    for key, mine in now.items():
        before = priors.get(key) or {}
        covered[key] = frozenset(mine) | frozenset(before)
        ready = {ce for ce, a in mine.items() if a.verdict is Verdict.READY}
        lost = found.setdefault((key, Problem.NO_LONGER_READY), {})
        for ce, prior in before.items():
            if prior.verdict == Verdict.READY.value and ce not in ready:
                lost[ce] = mine[ce].ce.site if ce in mine else prior.site
        cleared[(key, Problem.NO_LONGER_READY)] = frozenset(ready)
        if judged is None:
            continue
        reliable = {ce for ce in mine if (r := judged.get((key, ce))) is not None and r.reliable}
        failing = {ce for ce in mine if (r := judged.get((key, ce))) is not None and r.failing}
        was = (previous_reliable or {}).get(key, set())
        found[(key, Problem.NO_LONGER_RELIABLE)] = {
            ce: mine[ce].ce.site if ce in mine else before[ce].site if ce in before else ""
            for ce in sorted(was - reliable)
        }
        cleared[(key, Problem.NO_LONGER_RELIABLE)] = frozenset(reliable)
        found[(key, Problem.FAILING_TESTS)] = {ce: mine[ce].ce.site for ce in sorted(failing)}
        cleared[(key, Problem.FAILING_TESTS)] = covered[key] - failing
        refused = {
            ce
            for ce, a in mine.items()
            if a.verdict is Verdict.READY
            and (r := judged.get((key, ce))) is not None
            and r.mode_refused
        }
        found[(key, Problem.MODE_REFUSED)] = {ce: mine[ce].ce.site for ce in sorted(refused)}
        cleared[(key, Problem.MODE_REFUSED)] = covered[key] - refused
        # A CE judged reliable before is covered, wherever it is now.
        covered[key] |= was
    return Seen(found, cleared, covered)


def hold(
    held: Iterable[Held],
    saw: Seen,
    *,
    run: int,
    now: datetime,
    window: timedelta,
) -> Holding:
    """Reconcile the problems held before a run (``held``: those not yet cleared) with what
    the run saw (``saw``): a held problem the run saw cleared is closed; one found and not
    held is opened, first seen at ``now``; a change found again while held is a new one
    (the CE came back in between). The answer names every problem still held that the run
    covers and that was first seen less than ``window`` before ``now``, or by this run
    (a window of 0 names a change at the run that saw it only)."""
    current = {h.key: h for h in held}
    opened: list[Held] = []
    closed: list[Held] = []
    for (experiment, problem), ces in saw.cleared.items():
        for ce in sorted(ces):
            old = current.get((experiment, problem, ce))
            if old is not None:
                closed.append(old)
                del current[old.key]
    for (experiment, problem), found in saw.found.items():
        for ce, site in found.items():
            old = current.get((experiment, problem, ce))
            if old is not None and not problem.is_change:
                continue
            if old is not None:
                closed.append(old)
            new = Held(experiment, problem, ce, site or (old.site if old else ""), run, now)
            current[new.key] = new
            opened.append(new)
    shown = [
        h
        for h in current.values()
        if h.ce in saw.covered.get(h.experiment, frozenset())
        and (h.run == run or now - h.since < window)
    ]
    return Holding(_ordered(shown), _ordered(opened), _ordered(closed))


def _ordered(items: Sequence[Held]) -> tuple[Held, ...]:
    return tuple(sorted(items, key=lambda h: (h.experiment, h.problem.value, h.site.lower(), h.ce)))
