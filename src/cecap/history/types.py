"""What the history holds: observations, runs, changes, and what recording a run did."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..evaluate.held import Holding
from .paths import parse_stamp


@dataclass(frozen=True, slots=True)
class Observation:
    """One CE's verdict for one experiment in one run."""

    experiment: str
    ce: str
    site: str
    verdict: str
    mode: str | None


@dataclass(frozen=True, slots=True)
class Run:
    """One recorded run."""

    id: int
    time: datetime
    command: str
    source: str
    experiments: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Change:
    """A CE's state from one run on, and the state it replaced (None: first seen)."""

    experiment: str
    ce: str
    site: str
    verdict: str
    mode: str | None
    run: int
    time: datetime
    before_site: str | None
    before_verdict: str | None
    before_mode: str | None


@dataclass(frozen=True, slots=True)
class PreviousRun:
    """The last earlier run that covered an experiment (it may have been pruned since)."""

    id: int
    time: datetime


@dataclass(frozen=True)
class Recorded:
    """What recording a run did."""

    run: Run
    # Per experiment of the run: the last earlier run covering it, None if there was none.
    previous: Mapping[str, PreviousRun | None]
    # The states current before this run, for the run's experiments, by (experiment, CE).
    before: Mapping[tuple[str, str], Change]
    changes: tuple[Change, ...]
    pruned_runs: int
    # What the run did to the problems check holds (None: the run holds none).
    holding: Holding | None = None


def change_from_row(row: Sequence[Any]) -> Change:
    exp, ce, site, verdict, mode, run, when, b_site, b_verdict, b_mode = row
    return Change(exp, ce, site, verdict, mode, run, parse_stamp(when), b_site, b_verdict, b_mode)


def run_from_row(row: Sequence[Any]) -> Run:
    run_id, when, command, source, experiments = row
    return Run(run_id, parse_stamp(when), command, source, tuple(json.loads(experiments)))
