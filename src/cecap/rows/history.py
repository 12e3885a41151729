"""Rows step for the history: recorded changes and run-to-run differences as Tables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..evaluate.verdicts import ABSENT
from ..history.paths import stamp
from ..history.types import Change, Run
from .table import Column, Row, Table

HISTORY_FIELDS = (
    "run",
    "time",
    "experiment",
    "site",
    "ce",
    "verdict_before",
    "verdict",
    "mode_before",
    "mode",
    "site_before",
)


def history_table(changes: Iterable[Change], meta: Mapping[str, Any]) -> Table:
    rows: list[Row] = [
        {
            "run": c.run,
            "time": stamp(c.time),
            "experiment": c.experiment,
            "site": c.site,
            "ce": c.ce,
            "verdict_before": c.before_verdict,
            "verdict": c.verdict,
            "mode_before": c.before_mode,
            "mode": c.mode,
            "site_before": c.before_site,
        }
        for c in changes
    ]
    return Table(
        kind="history",
        fields=HISTORY_FIELDS,
        rows=rows,
        compact=(
            Column("time", "time", spill=4),
            Column("experiment", "exp"),
            Column("site", "site", spill=2),
            Column("ce", "ce"),
            Column("verdict_before", "before", spill=1),
            Column("verdict", "after"),
        ),
        meta=meta,
        key=("ce",),
    )


RUN_FIELDS = ("run", "time", "command", "source", "experiments")


def runs_table(runs: Iterable[Run], meta: Mapping[str, Any]) -> Table:
    rows: list[Row] = [
        {
            "run": r.id,
            "time": stamp(r.time),
            "command": r.command,
            "source": r.source,
            "experiments": ",".join(r.experiments),
        }
        for r in runs
    ]
    return Table(
        kind="runs",
        fields=RUN_FIELDS,
        rows=rows,
        compact=(
            Column("run", "run"),
            Column("time", "time"),
            Column("command", "command"),
            Column("experiments", "experiments", spill=2),
            Column("source", "source", spill=1),
        ),
        meta=meta,
        key=("run",),
    )


DIFF_FIELDS = (
    "experiment",
    "site",
    "ce",
    "change",
    "verdict_a",
    "verdict_b",
    "mode_a",
    "mode_b",
)


def diff_rows(
    before: Mapping[tuple[str, str], Change], after: Mapping[tuple[str, str], Change]
) -> list[Row]:
    """What appeared, disappeared or changed (verdict, mode or site) between two runs."""
    rows: list[Row] = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a and b and (a.verdict, a.mode, a.site) == (b.verdict, b.mode, b.site):
            continue
        if a is None:
            change = "appeared"
        elif b is None:
            change = "disappeared"
        else:
            change = "changed"
        rows.append(
            {
                "experiment": key[0],
                "site": b.site if b else a.site if a else "",
                "ce": key[1],
                "change": change,
                "verdict_a": a.verdict if a else ABSENT,
                "verdict_b": b.verdict if b else ABSENT,
                "mode_a": a.mode if a else None,
                "mode_b": b.mode if b else None,
            }
        )
    rows.sort(key=lambda r: (r["experiment"], r["site"].lower(), r["ce"]))
    return rows


def diff_table(run_a: Run, run_b: Run, rows: list[Row], meta: Mapping[str, Any]) -> Table:
    def describe(run: Run) -> str:
        return f"run {run.id} ({stamp(run.time)}, {run.command}, {run.source})"

    return Table(
        kind="diff",
        fields=DIFF_FIELDS,
        rows=rows,
        compact=(
            Column("experiment", "exp"),
            Column("site", "site", spill=2),
            Column("ce", "ce"),
            Column("change", "change", spill=1),
            Column("verdict_a", f"run {run_a.id}", spill=4),
            Column("verdict_b", f"run {run_b.id}"),
        ),
        key=("ce",),
        meta={
            "title": f"{describe(run_a)} → {describe(run_b)}",
            "empty": f"difference between run {run_a.id} and run {run_b.id}",
            "run_a": run_a.id,
            "run_b": run_b.id,
            "time_a": stamp(run_a.time),
            "time_b": stamp(run_b.time),
            **meta,
        },
    )
