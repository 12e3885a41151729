"""The check core (pure): a run's verdicts, thresholds and the last run -> a Nagios result."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from ..policy.stances import Experiment
from ..text import stamp
from .held import Held, Holding, Prior, Problem
from .nagios import Perfdata, State, plugin_output, worst
from .reliable import Reliability
from .thresholds import Thresholds
from .verdicts import ABSENT, Assessment, Verdict

__all__ = [
    "PERF_VERDICTS",
    "PLUGIN",
    "CheckResult",
    "ExperimentCheck",
    "Prior",
    "Thresholds",
    "Transition",
    "run_check",
]

from .check_found import (
    COUNTED,
    EXPERIMENTS_APART,
    NAMED_IN_SUMMARY,
    PERF_VERDICTS,
    PLUGIN,
    READY,
    ExperimentCheck,
    Transition,
    counted_name,
    said_count,
)


@dataclass(frozen=True)
class CheckResult:
    """The whole probe result."""

    state: State
    experiments: tuple[ExperimentCheck, ...]
    perfdata: tuple[Perfdata, ...]
    summary: str
    details: tuple[str, ...]

    def output(self) -> str:
        return plugin_output(PLUGIN, self.state, self.summary, self.perfdata, self.details)


def _names(items: Sequence[Transition] | Sequence[str]) -> str:
    ces = [t if isinstance(t, str) else t.ce for t in items]
    shown = ", ".join(ces[:NAMED_IN_SUMMARY])
    more = len(ces) - NAMED_IN_SUMMARY
    return f"{shown} and {more} more" if more > 0 else shown


def _lost(
    experiment: Experiment, assessments: Sequence[Assessment], priors: Mapping[str, Prior]
) -> list[Transition]:
    """CEs ready at the previous run and not now (gone from the source included)."""
    now = {a.ce.unique_id: a for a in assessments}
    lost = []
    for ce, prior in priors.items():
        if prior.verdict != READY:
            continue
        found = now.get(ce)
        if found is None:
            reason = f"no longer among the CEs serving VO {experiment.vo}"
            lost.append(Transition(ce, prior.site, READY, ABSENT, reason))
        elif found.verdict is not Verdict.READY:
            lost.append(Transition(ce, found.ce.site, READY, found.verdict.value, found.reason))
    return sorted(lost, key=lambda t: (t.site.lower(), t.ce))


def _held_lost(
    experiment: Experiment, assessments: Sequence[Assessment], held: Sequence[Held]
) -> list[Transition]:
    """The CEs held as no longer ready, as they are now."""
    now = {a.ce.unique_id: a for a in assessments}
    lost = []
    for h in held:
        found = now.get(h.ce)
        if found is None:
            reason = f"no longer among the CEs serving VO {experiment.vo}"
            lost.append(Transition(h.ce, h.site, READY, ABSENT, reason))
        else:
            lost.append(Transition(h.ce, found.ce.site, READY, found.verdict.value, found.reason))
    return sorted(lost, key=lambda t: (t.site.lower(), t.ce))


def _gained(assessments: Sequence[Assessment], priors: Mapping[str, Prior]) -> list[Transition]:
    """CEs ready now and not at the previous run."""
    gained = []
    for a in assessments:
        prior = priors.get(a.ce.unique_id)
        if a.verdict is Verdict.READY and (prior is None or prior.verdict != READY):
            before = prior.verdict if prior else ABSENT
            gained.append(Transition(a.ce.unique_id, a.ce.site, before, READY, a.reason))
    return sorted(gained, key=lambda t: (t.site.lower(), t.ce))


def check_experiment(
    experiment: Experiment,
    assessments: Sequence[Assessment],
    priors: Mapping[str, Prior] | None,
    thresholds: Thresholds,
    held: Sequence[Held] | None = None,
    counted: frozenset[Verdict] = frozenset(),
) -> ExperimentCheck:
    """``assessments`` for this experiment; ``priors`` by CE, None when never checked;
    ``held``: the CEs held as no longer ready (None: only those lost since the previous
    run); ``counted``: the verdicts the ranges count (ready when empty)."""
    counted = counted or COUNTED
    counts: dict[Verdict, int] = {v: 0 for v in PERF_VERDICTS}
    for a in assessments:
        counts[a.verdict] = counts.get(a.verdict, 0) + 1
    ready = sum(counts.get(v, 0) for v in counted)
    said = said_count(experiment, ready, len(assessments), counted)
    state = State.OK
    problems: list[str] = []
    # A range applies to 0 as to any count (plugin guidelines), no CE serving included.
    if thresholds.critical is not None and thresholds.critical.alerts(ready):
        state = State.CRITICAL
        problems.append(f"{said} (critical: {thresholds.critical.violation()})")
    elif thresholds.warning is not None and thresholds.warning.alerts(ready):
        state = State.WARNING
        problems.append(f"{said} (warning: {thresholds.warning.violation()})")
    lost: list[Transition] = []
    gained: list[Transition] = []
    previous_ready = None
    if priors is not None:
        previous_ready = sum(p.verdict == READY for p in priors.values())
        lost = _lost(experiment, assessments, priors)
        gained = _gained(assessments, priors)
    if held is not None:
        lost = _held_lost(experiment, assessments, held)
    if lost:
        state = max(state, State.WARNING)
        problems.append(f"{len(lost)} no longer ready: {_names(lost)}")
    return ExperimentCheck(
        experiment,
        counts,
        thresholds,
        state,
        tuple(problems),
        tuple(lost),
        tuple(gained),
        previous_ready,
        counted=counted,
    )


def check_reliable(
    check: ExperimentCheck,
    assessments: Sequence[Assessment],
    judged: Mapping[tuple[str, str], Reliability],
    previous: set[str] | None,
    thresholds: Thresholds,
    held: Holding | None = None,
) -> ExperimentCheck:
    """The check of one experiment with what its glexec test results say: ranges on its
    reliable CEs, a WARNING naming those reliable at the previous check and not now, and
    one naming the ready CEs whose last results all failed (the site's to fix), and one
    naming the ready CEs tests see in a glexec mode the experiment does not accept. With
    ``held``, those three name the CEs it holds instead."""
    key = check.experiment.key
    mine = {a.ce.unique_id: judged.get((key, a.ce.unique_id)) for a in assessments}
    reliable = sorted(ce for ce, r in mine.items() if r is not None and r.reliable)
    failing = sorted(ce for ce, r in mine.items() if r is not None and r.failing)
    ready = {a.ce.unique_id for a in assessments if a.verdict is Verdict.READY}
    refused = sorted(
        ce for ce, r in mine.items() if r is not None and r.mode_refused and ce in ready
    )
    lost = sorted((previous or set()) - set(reliable))
    if held is not None:
        lost = sorted(h.ce for h in held.of(key, Problem.NO_LONGER_RELIABLE))
        failing = sorted(h.ce for h in held.of(key, Problem.FAILING_TESTS))
        refused = sorted(h.ce for h in held.of(key, Problem.MODE_REFUSED))
    state, problems = check.state, list(check.problems)
    count = len(reliable)
    if thresholds.critical is not None and thresholds.critical.alerts(count):
        state = max(state, State.CRITICAL)
        problems.append(f"{count} reliable (critical: {thresholds.critical.violation()})")
    elif thresholds.warning is not None and thresholds.warning.alerts(count):
        state = max(state, State.WARNING)
        problems.append(f"{count} reliable (warning: {thresholds.warning.violation()})")
    if lost:
        state = max(state, State.WARNING)
        problems.append(f"{len(lost)} no longer reliable: {_names(lost)}")
    if failing:
        state = max(state, State.WARNING)
        streak = check.experiment.reliable.failing_streak
        problems.append(
            f"{len(failing)} ready with the last {streak} glexec tests failed: {_names(failing)}"
        )
    seen = []
    for ce in refused:
        r = mine.get(ce)
        # Held from an earlier run and cleared since: the mode it was held for.
        mode = r.observed.mode.value if r is not None and r.mode_refused else "log-only"
        seen.append((ce, mode, r.observed.quote if r is not None and r.mode_refused else ""))
    if seen:
        state = max(state, State.WARNING)
        modes = " or ".join(sorted({m for _, m, _ in seen}))
        problems.append(f"{len(seen)} seen in {modes} mode by glexec tests: {_names(refused)}")
    return replace(
        check,
        state=state,
        problems=tuple(problems),
        reliable=count,
        reliable_thresholds=thresholds,
        lost_reliable=tuple(lost),
        failing=tuple(failing),
        mode_refused=tuple(seen),
    )


def perfdata(checks: Iterable[ExperimentCheck]) -> list[Perfdata]:
    """Per experiment, its count of each verdict; the ready count with its own ranges."""
    out = []
    for check in checks:
        for verdict in PERF_VERDICTS:
            is_ready = verdict is Verdict.READY
            out.append(
                Perfdata(
                    f"{check.experiment.key}_{verdict.value.replace('-', '_')}",
                    check.counts[verdict],
                    warning=check.thresholds.warning if is_ready else None,
                    critical=check.thresholds.critical if is_ready else None,
                    minimum=0,
                )
            )
        if check.reliable is not None:
            out.append(
                Perfdata(
                    f"{check.experiment.key}_reliable",
                    check.reliable,
                    warning=check.reliable_thresholds.warning,
                    critical=check.reliable_thresholds.critical,
                    minimum=0,
                )
            )
    return out


def detail_lines(check: ExperimentCheck) -> list[str]:
    exp = check.experiment
    if check.previous_ready is None:
        compared = "first recorded run"
    elif check.serving and check.counted == COUNTED:
        compared = f"{check.previous_ready} at the previous run"
    else:
        compared = f"{check.previous_ready} ready at the previous run"
    if check.serving:
        counted = (
            f"{check.ready} {counted_name(check.counted)} of {check.serving}"
            f" CE{'' if check.serving == 1 else 's'} serving VO {exp.vo}"
        )
    else:
        counted = check.said
    lines = [f"{exp.key} {check.state.name}: {counted} ({compared})"]

    def since(problem: Problem, ce: str) -> str:
        held = check.since(problem, ce)
        return f" since {stamp(held.since)}" if held else ""

    for t in check.lost:
        lines.append(
            f"  no longer ready{since(Problem.NO_LONGER_READY, t.ce)}: {t.ce} at {t.site}:"
            f" {t.before} → {t.after}: {t.reason}"
        )
    for t in check.gained:
        lines.append(f"  newly ready: {t.ce} at {t.site}: {t.before} → {t.after}")
    for ce in check.lost_reliable:
        lines.append(f"  no longer reliable{since(Problem.NO_LONGER_RELIABLE, ce)}: {ce}")
    for ce in check.failing:
        lines.append(
            f"  glexec tests failing{since(Problem.FAILING_TESTS, ce)}: {ce}: ready, but its"
            f" last {check.experiment.reliable.failing_streak} glexec results failed (tell the"
            " site)"
        )
    for ce, mode, line in check.mode_refused:
        quoted = f": \u201c{line}\u201d" if line else ""
        lines.append(
            f"  glexec mode seen{since(Problem.MODE_REFUSED, ce)}: {ce}: tests see glexec in"
            f" {mode} mode, which {check.experiment.name} does not accept{quoted}"
        )
    return lines


def run_check(
    assessments: Iterable[Assessment],
    experiments: Sequence[Experiment],
    priors: Mapping[str, Mapping[str, Prior] | None],
    thresholds: Mapping[str, Thresholds],
    judged: Mapping[tuple[str, str], Reliability] | None = None,
    previous_reliable: Mapping[str, set[str]] | None = None,
    reliable_thresholds: Mapping[str, Thresholds] | None = None,
    holding: Holding | None = None,
    counted: frozenset[Verdict] = frozenset(),
) -> CheckResult:
    """Per experiment: thresholds on its ready CEs, then what changed since the last run.

    ``priors`` maps each experiment key to the previous run's states by CE, or None when
    no earlier run covered the experiment; ``thresholds`` maps it to its ranges (none when
    it is not there). With ``judged`` (the reliability of each (experiment, CE)), also
    the reliable CEs, against ``previous_reliable`` and ``reliable_thresholds``. With
    ``holding`` (what the run holds), the answer names the problems it holds, each from
    the run that first saw it, instead of the changes since the previous run only.
    ``counted``: the verdicts the ranges count (--verdict; ready when empty).
    """
    grouped: dict[str, list[Assessment]] = {e.key: [] for e in experiments}
    for a in assessments:
        grouped[a.experiment.key].append(a)
    checks = tuple(
        check_experiment(
            e,
            grouped[e.key],
            priors.get(e.key),
            thresholds.get(e.key, Thresholds()),
            None if holding is None else holding.of(e.key, Problem.NO_LONGER_READY),
            counted,
        )
        for e in experiments
    )
    if judged is not None:
        checks = tuple(
            check_reliable(
                c,
                grouped[c.experiment.key],
                judged,
                (previous_reliable or {}).get(c.experiment.key),
                (reliable_thresholds or {}).get(c.experiment.key, Thresholds()),
                holding,
            )
            for c in checks
        )
    if holding is not None:
        checks = tuple(
            replace(c, held=tuple(h for h in holding.shown if h.experiment == c.experiment.key))
            for c in checks
        )
    state = worst(c.state for c in checks)
    if state is State.OK:
        name = counted_name(counted or COUNTED)
        summary = f"{name} CEs: " + ", ".join(f"{c.experiment.key} {c.ready}" for c in checks)
    else:
        flagged = sorted((c for c in checks if c.problems), key=lambda c: -c.state)
        summary = EXPERIMENTS_APART.join(
            f"{c.experiment.key}: {', '.join(c.problems)}" for c in flagged
        )
    details = [line for c in checks for line in detail_lines(c)]
    return CheckResult(state, checks, tuple(perfdata(checks)), summary, tuple(details))
