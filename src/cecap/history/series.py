"""Counts per recorded run: how many CEs each experiment had in each verdict, run by run,
and how many of them each check found reliable with glexec."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..evaluate.verdicts import ABSENT
from .schema import has_results
from .store import History


@dataclass(frozen=True, slots=True)
class RunCounts:
    """One recorded run of one experiment: how many of its CEs had each verdict, and how
    many that run found reliable (None: not a check of every CE, or no glexec test result
    of the experiment recorded)."""

    run: int
    time: datetime
    counts: Mapping[str, int]
    reliable: int | None = None


@dataclass(frozen=True)
class Series:
    """Per experiment, every recorded run that covered it (oldest first), and the CEs'
    verdicts as the last of them recorded (absent CEs left out)."""

    runs: Mapping[str, list[RunCounts]] = field(default_factory=dict)
    last: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def run_counts(path: Path) -> Series:
    """The history's counts run by run; empty when there is no history at ``path``.

    The history stores changes only: replaying them run by run gives each run's state.
    """
    if not path.exists():
        return Series()
    with History.open(path) as history:
        runs = history.runs()
        changes = history.timeline()
        reliable, tested = _reliable_counts(history)
    current: dict[str, dict[str, str]] = {}
    counts: dict[str, Counter[str]] = {}
    out: dict[str, list[RunCounts]] = {}
    pending = iter(changes)
    change = next(pending, None)
    for run in runs:
        # Changes of runs pruned since (ids below the first kept run) are the kept
        # runs' starting state.
        while change is not None and change.run <= run.id:
            states = current.setdefault(change.experiment, {})
            tally = counts.setdefault(change.experiment, Counter())
            was = states.pop(change.ce, None)
            if was is not None:
                tally[was] -= 1
            if change.verdict != ABSENT:
                states[change.ce] = change.verdict
                tally[change.verdict] += 1
            change = next(pending, None)
        for experiment in run.experiments:
            tally = counts.get(experiment, Counter())
            # Only a check stores its reliable CEs, and one with --site or --ce only the
            # selected ones: no count of every CE.
            whole = run.command == "check" and experiment in tested
            out.setdefault(experiment, []).append(
                RunCounts(
                    run.id,
                    run.time,
                    {v: n for v, n in tally.items() if n},
                    reliable.get((run.id, experiment), 0) if whole else None,
                )
            )
    return Series(out, current)


def _reliable_counts(history: History) -> tuple[dict[tuple[int, str], int], set[str]]:
    """Per (run, experiment): the CEs the run stored as reliable; and the experiments with
    any glexec test result recorded. Nothing from a history of schema 1 (no such tables)."""
    with history.reading() as db:
        if not has_results(db):
            return {}, set()
        counts = db.execute(
            "SELECT run, experiment, count(*) FROM reliable WHERE reliable = 1"
            " GROUP BY run, experiment"
        ).fetchall()
        tested = db.execute("SELECT DISTINCT experiment FROM results").fetchall()
    return {(run, e): n for run, e, n in counts}, {e for (e,) in tested}
