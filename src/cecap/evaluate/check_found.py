"""What the check finds for each experiment (pure): the findings' types, the counts said."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..policy.stances import Experiment
from .held import Held, Problem
from .nagios import State
from .thresholds import Thresholds
from .verdicts import GLEXEC_VERDICTS, Verdict

PLUGIN = "CECAP"
READY = Verdict.READY.value
COUNTED = frozenset({Verdict.READY})  # what the ranges count unless --verdict says otherwise
# Counted per experiment in the performance data, best first.
PERF_VERDICTS = GLEXEC_VERDICTS
# How many CEs the status line names before "and N more"; detail lines name them all.
NAMED_IN_SUMMARY = 3
# Between the experiments of the status line. Nagios 4 turns every ";" of a plugin's
# first line into ":" (NagiosEnterprises/nagioscore, tag nagios-4.4.6, base/checks.c
# line 37, replace_semicolons, applied at line 806), and strips the characters of
# illegal_macro_output_chars, `~$&|'"<> by default (sample-config/nagios.cfg.in line
# 1146), from $SERVICEOUTPUT$ in notifications (common/macros.c lines 2514-2521, set
# for the output macros at line 2660): ". " passes both unchanged.
EXPERIMENTS_APART = ". "


@dataclass(frozen=True, slots=True)
class Transition:
    """A CE whose readiness changed since the previous run."""

    ce: str
    site: str
    before: str
    after: str
    reason: str


@dataclass(frozen=True, slots=True)
class ExperimentCheck:
    """The probe's findings for one experiment."""

    experiment: Experiment
    counts: Mapping[Verdict, int]
    thresholds: Thresholds
    state: State
    problems: tuple[str, ...]
    lost: tuple[Transition, ...]
    gained: tuple[Transition, ...]
    previous_ready: int | None  # None: no earlier run to compare with
    # Reliable with glexec (None: no history to judge by), its ranges, the CEs reliable at
    # the previous check and not now, and the ready CEs whose last results all failed.
    reliable: int | None = None
    reliable_thresholds: Thresholds = field(default_factory=Thresholds)
    lost_reliable: tuple[str, ...] = ()
    failing: tuple[str, ...] = ()
    # The CEs tests see in a glexec mode the experiment does not accept, each with the
    # mode and the line of output that shows it.
    mode_refused: tuple[tuple[str, str, str], ...] = ()
    # The problems the answer holds from earlier runs (with when each was first seen); empty
    # when the run holds none.
    held: tuple[Held, ...] = ()
    counted: frozenset[Verdict] = COUNTED  # the verdicts the ranges count (--verdict)

    def since(self, problem: Problem, ce: str) -> Held | None:
        """When the answer's ``problem`` of ``ce`` was first seen, if it is held."""
        return next((h for h in self.held if h.problem is problem and h.ce == ce), None)

    @property
    def ready(self) -> int:
        """The CEs the ranges count: ready ones, or those of ``counted``."""
        return sum(self.counts.get(v, 0) for v in self.counted)

    @property
    def serving(self) -> int:
        return sum(self.counts.values())

    @property
    def said(self) -> str:
        return said_count(self.experiment, self.ready, self.serving, self.counted)


def counted_name(counted: frozenset[Verdict]) -> str:
    """The verdicts counted, as the output names them: ``ready``, ``ready or conditional``."""
    return " or ".join(v.value for v in reversed(Verdict) if v in counted)


def said_count(
    experiment: Experiment, ready: int, serving: int, counted: frozenset[Verdict]
) -> str:
    """The count as the output says it; no CE serving the VO is said as such."""
    return f"{ready} {counted_name(counted)}" if serving else f"no CE serves VO {experiment.vo}"
