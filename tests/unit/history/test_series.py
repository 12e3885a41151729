"""The history replayed run by run: each run's counts per verdict, and the last states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cecap.history.results import import_results
from cecap.history.series import run_counts
from cecap.history.store import History
from cecap.history.types import Observation
from cecap.model.results import GlexecResult, ResultStatus
from cecap.sources.results import ResultFile

START = datetime(2010, 3, 1, tzinfo=UTC)


def _record(
    db: Path,
    day: int,
    found: list[tuple[str, str, str]],
    experiments: list[str],
    keep_days: int | None = None,
    command: str = "check",
    reliable: list[tuple[str, str]] | None = None,
) -> None:
    with History.open(db, create=True) as history:
        history.record(
            [Observation(e, ce, "S1", v, None) for e, ce, v in found],
            experiments,
            command=command,
            source="test",
            now=START + timedelta(days=day),
            keep_days=keep_days,
            # Every CE found is judged; those in ``reliable`` were found reliable.
            judged=[(e, ce, (e, ce) in set(reliable or [])) for e, ce, _ in found],
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


def test_reliable_counts_of_whole_checks_once_results_exist(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    ready = [("atlas", "a", "ready"), ("atlas", "b", "ready"), ("cms", "c", "ready")]
    _record(db, 0, ready, ["atlas", "cms"])
    # No test result recorded yet: no reliable count, not a count of 0.
    assert [r.reliable for r in run_counts(db).runs["atlas"]] == [None]
    result = GlexecResult(START, "a", "atlas", "org.atlas.glexec", ResultStatus.OK)
    import_results(db, [ResultFile("r.csv", (result,), 0)], lock_timeout=1)
    _record(db, 1, ready, ["atlas", "cms"], reliable=[("atlas", "a")])
    _record(db, 2, ready, ["atlas", "cms"], reliable=[("atlas", "a"), ("atlas", "b")])
    # report --record stores no reliable CEs, nor does a check of one site count them all.
    _record(db, 3, ready, ["atlas", "cms"], command="report")
    _record(db, 4, ready, ["atlas", "cms"], command="check --site S1", reliable=[("atlas", "a")])
    series = run_counts(db)
    assert [r.reliable for r in series.runs["atlas"]] == [0, 1, 2, None, None]
    # cms has no result at all: its runs count no reliable CE.
    assert [r.reliable for r in series.runs["cms"]] == [None] * 5
