"""Rows step for `check`: the probe's result as a Table, one row per experiment (its Nagios
output is check's own format, formats.nagios)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..evaluate.check import PERF_VERDICTS, CheckResult, ExperimentCheck, Transition
from ..evaluate.held import Held
from ..evaluate.nagios import Range, State
from ..text import stamp
from .table import Column, Row, Table

CHECK_FIELDS = (
    "experiment",
    "vo",
    "status",
    "code",
    "ready",
    "serving",
    "warning",
    "critical",
    "counts",
    "problems",
    "previous_run",
    "previous_ready",
    "no_longer_ready",
    "newly_ready",
    "reliable",
    "reliable_warning",
    "reliable_critical",
    "no_longer_reliable",
    "failing_tests",
    "mode_refused",
    "held",
)
# What the status line says besides the rows; an UNKNOWN result has only its message.
CHECK_META = ("source", "state", "run", "time")


def _range(found: Range | None) -> str | None:
    return None if found is None else str(found)


def _transition(t: Transition) -> Row:
    return {"ce": t.ce, "site": t.site, "before": t.before, "after": t.after, "reason": t.reason}


def _held(h: Held) -> Row:
    return {
        "problem": h.problem.value,
        "ce": h.ce,
        "site": h.site,
        "since": stamp(h.since),
        "run": h.run,
    }


def _row(check: ExperimentCheck, previous_run: int | None) -> Row:
    return {
        "experiment": check.experiment.key,
        "vo": check.experiment.vo,
        "status": check.state.name,
        "code": int(check.state),
        "ready": check.ready,
        "serving": check.serving,
        "warning": _range(check.thresholds.warning),
        "critical": _range(check.thresholds.critical),
        "counts": {v.value: check.counts[v] for v in PERF_VERDICTS},
        "problems": list(check.problems),
        "previous_run": previous_run,
        "previous_ready": check.previous_ready,
        "no_longer_ready": [_transition(t) for t in check.lost],
        "newly_ready": [_transition(t) for t in check.gained],
        "reliable": check.reliable,
        "reliable_warning": _range(check.reliable_thresholds.warning),
        "reliable_critical": _range(check.reliable_thresholds.critical),
        "no_longer_reliable": list(check.lost_reliable),
        "failing_tests": list(check.failing),
        "mode_refused": [
            {"ce": ce, "observed_mode": mode, "line": line or None}
            for ce, mode, line in check.mode_refused
        ],
        "held": [_held(h) for h in check.held],
    }


def _table(
    state: State,
    summary: str,
    rows: list[Row],
    meta: Mapping[str, Any],
    extra: Mapping[str, Any] | None = None,
) -> Table:
    return Table(
        kind="check",
        fields=CHECK_FIELDS,
        rows=rows,
        compact=(
            Column("experiment", "exp"),
            Column("status", "status"),
            Column("ready", "ready"),
            Column("serving", "serving"),
        ),
        key=("experiment",),
        meta={
            "status": state.name,
            "code": int(state),
            "summary": summary,
            **{key: meta.get(key) for key in CHECK_META},
            # Only with check --site-bdiis: the site BDIIs' part of the answer.
            **({"site_bdiis": meta["site_bdiis"]} if "site_bdiis" in meta else {}),
        },
        extra=extra or {},
    )


def check_table(
    result: CheckResult, meta: Mapping[str, Any], previous_runs: Mapping[str, int | None]
) -> Table:
    """``meta``: the run's source, state (history path), run number and time;
    ``previous_runs``: per experiment, the run compared with (None: first recorded)."""
    rows = [_row(c, previous_runs.get(c.experiment.key)) for c in result.experiments]
    # The Nagios output's perfdata and detail lines, which the rows say field by field.
    extra = {"perfdata": result.perfdata, "details": result.details}
    return _table(result.state, result.summary, rows, meta, extra)


def unknown_table(message: str) -> Table:
    """No answer: UNKNOWN and why, with the same keys as any other result."""
    return _table(State.UNKNOWN, message, [], {})
