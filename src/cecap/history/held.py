"""The problems `check` holds, in the history's held table: read the ones not yet cleared,
and write what a run opened and closed (inside the run's own transaction)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ..evaluate.held import Held, Holding, Problem
from .paths import parse_stamp, stamp


def held_now(db: sqlite3.Connection, experiments: Sequence[str]) -> list[Held]:
    """The problems held for ``experiments`` and not yet cleared, oldest first."""
    rows = db.execute(
        "SELECT experiment, problem, ce, site, since_run, since_time FROM held"
        f" WHERE until_run IS NULL AND experiment IN ({', '.join('?' * len(experiments))})"
        " ORDER BY since_run, experiment, problem, ce",
        list(experiments),
    ).fetchall()
    return [Held(e, Problem(p), ce, site, r, parse_stamp(t)) for e, p, ce, site, r, t in rows]


def write_holding(db: sqlite3.Connection, holding: Holding, run_id: int) -> None:
    """Close what run ``run_id`` saw cleared, and open what it first saw."""
    db.executemany(
        "UPDATE held SET until_run = ? WHERE experiment = ? AND problem = ? AND ce = ?"
        " AND since_run = ?",
        [(run_id, h.experiment, h.problem.value, h.ce, h.run) for h in holding.closed],
    )
    db.executemany(
        "INSERT INTO held (experiment, problem, ce, site, since_run, since_time)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (h.experiment, h.problem.value, h.ce, h.site, h.run, stamp(h.since))
            for h in holding.opened
        ],
    )
