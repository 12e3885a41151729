"""The history replayed run by run: each run's counts per verdict, and the last states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cecap.history.series import run_counts
from cecap.history.store import History
from cecap.history.types import Observation

START = datetime(2010, 3, 1, tzinfo=UTC)


def _record(
    db: Path,
    day: int,
    found: list[tuple[str, str, str]],
    experiments: list[str],
    keep_days: int | None = None,
) -> None:
    with History.open(db, create=True) as history:
        history.record(
            [Observation(e, ce, "S1", v, None) for e, ce, v in found],
            experiments,
            command="check",
            source="test",
            now=START + timedelta(days=day),
            keep_days=keep_days,
        )


def test_counts_replayed_run_by_run(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    assert run_counts(db).runs == {}
    _record(
        db,
        0,
        [("atlas", "a", "ready"), ("atlas", "b", "ready"), ("cms", "c", "ready")],
        ["atlas", "cms"],
    )
    # b stops being ready, c leaves the BDII; a run of atlas alone leaves cms as it was.
    _record(db, 1, [("atlas", "a", "ready"), ("atlas", "b", "site-refuses")], ["atlas", "cms"])
    _record(db, 2, [("atlas", "a", "conditional"), ("atlas", "b", "site-refuses")], ["atlas"])
    series = run_counts(db)
    assert [(r.run, r.time.day, dict(r.counts)) for r in series.runs["atlas"]] == [
        (1, 1, {"ready": 2}),
        (2, 2, {"ready": 1, "site-refuses": 1}),
        (3, 3, {"conditional": 1, "site-refuses": 1}),
    ]
    assert [dict(r.counts) for r in series.runs["cms"]] == [{"ready": 1}, {}]
    assert series.last == {"atlas": {"a": "conditional", "b": "site-refuses"}, "cms": {}}


def test_pruned_runs_leave_the_kept_runs_counts(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    _record(db, 0, [("atlas", "a", "ready")], ["atlas"])
    _record(db, 1, [("atlas", "a", "ready"), ("atlas", "b", "ready")], ["atlas"])
    ready = [("atlas", "a", "ready"), ("atlas", "b", "ready")]
    _record(db, 10, ready, ["atlas"], keep_days=5)
    assert [(r.run, dict(r.counts)) for r in run_counts(db).runs["atlas"]] == [(3, {"ready": 2})]
