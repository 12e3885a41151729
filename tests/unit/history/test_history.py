"""The history database: compact recording, absent CEs, stable runs, pruning, locking, damage."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cecap.errors import HistoryBusy, HistoryError
from cecap.evaluate.held import Held, Holding, Problem
from cecap.evaluate.selection import Selection
from cecap.evaluate.verdicts import ABSENT
from cecap.history.lock import HistoryLock
from cecap.history.paths import state_path
from cecap.history.record import selected_change
from cecap.history.store import SCHEMA_VERSION, History
from cecap.history.types import Observation, Recorded

T0 = datetime(2010, 3, 24, 12, 0, tzinfo=UTC)
BOTH = ("atlas", "cms")


def obs(experiment: str, ce: str, verdict: str, mode: str | None = "setuid", site: str = "S1"):
    return Observation(experiment, ce, site, verdict, mode)


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def record(db: Path, found: list[Observation], day: int, experiments=BOTH, **kw):
    with History.open(db, create=True) as history:
        return history.record(
            found, experiments, command="check", source="snap", now=T0 + timedelta(days=day), **kw
        )


def transitions(db: Path, *, site: str = "", ce: str = "", **filters) -> list[tuple]:
    """The timeline's changes; ``site``/``ce`` as `cecap history --site/--ce` selects them."""
    selection = Selection(sites=(site,) if site else (), ces=(ce,) if ce else ())
    with History.open(db) as history:
        return [
            (c.run, c.experiment, c.ce, c.before_verdict, c.verdict)
            for c in history.timeline(**filters)
            if selected_change(selection, c)
        ]


def test_state_path_search_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CECAP_STATE", str(tmp_path / "env.sqlite"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert state_path(tmp_path / "cli.sqlite") == tmp_path / "cli.sqlite"
    assert state_path(None) == tmp_path / "env.sqlite"
    monkeypatch.delenv("CECAP_STATE")
    assert state_path(None) == tmp_path / "xdg" / "cecap" / "history.sqlite"
    # A relative XDG_STATE_HOME is invalid per the XDG spec and ignored.
    monkeypatch.setenv("XDG_STATE_HOME", "relative")
    assert state_path(None) == tmp_path / "home" / ".local" / "state" / "cecap" / "history.sqlite"
    monkeypatch.delenv("XDG_STATE_HOME")
    assert state_path(None) == tmp_path / "home" / ".local" / "state" / "cecap" / "history.sqlite"


def test_creates_the_default_folder_wal_and_schema_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "deep" / "er"))
    db = state_path(None)
    assert db == tmp_path / "deep" / "er" / "cecap" / "history.sqlite"
    record(db, [obs("atlas", "ce1", "ready")], 0, experiments=("atlas",))
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_run_that_changes_nothing_adds_only_its_run(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    found = [obs("atlas", f"ce{i}", "ready") for i in range(50)] + [
        obs("cms", f"ce{i}", "not-advertised", None) for i in range(50)
    ]
    first = record(db, found, 0)
    assert len(first.changes) == 100
    assert count(db, "states") == 100
    for day in (1, 2, 3):
        again = record(db, found, day)
        assert again.changes == ()
    assert count(db, "runs") == 4
    assert count(db, "states") == 100


def test_changes_absent_and_return_across_three_runs(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    r1 = record(
        db,
        [obs("atlas", "a1", "ready"), obs("atlas", "a2", "ready"), obs("cms", "c1", "ready")],
        0,
    )
    assert r1.previous == {"atlas": None, "cms": None}
    assert r1.before == {}
    # a1 stops advertising; a2 vanishes from the BDII; c1 unchanged; c2 appears.
    r2 = record(
        db,
        [
            obs("atlas", "a1", "not-advertised", None),
            obs("cms", "c1", "ready"),
            obs("cms", "c2", "conditional"),
        ],
        1,
    )
    assert {k: v.verdict for k, v in r2.before.items()} == {
        ("atlas", "a1"): "ready",
        ("atlas", "a2"): "ready",
        ("cms", "c1"): "ready",
    }
    assert r2.previous["atlas"] is not None and r2.previous["atlas"].id == r1.run.id
    assert [(c.ce, c.before_verdict, c.verdict) for c in r2.changes] == [
        ("a1", "ready", "not-advertised"),
        ("a2", "ready", ABSENT),
        ("c2", None, "conditional"),
    ]
    # An absent CE stays absent without a new row; it comes back as a change.
    r3 = record(db, [obs("atlas", "a1", "not-advertised", None), obs("cms", "c1", "ready")], 2)
    assert [(c.ce, c.before_verdict, c.verdict) for c in r3.changes] == [
        ("c2", "conditional", ABSENT)
    ]
    r4 = record(db, [obs("atlas", "a2", "ready"), obs("cms", "c1", "ready")], 3)
    assert [(c.ce, c.before_verdict, c.verdict) for c in r4.changes] == [
        ("a2", ABSENT, "ready"),
        ("a1", "not-advertised", ABSENT),
    ]
    assert transitions(db) == [
        (1, "atlas", "a1", None, "ready"),
        (1, "atlas", "a2", None, "ready"),
        (1, "cms", "c1", None, "ready"),
        (2, "atlas", "a1", "ready", "not-advertised"),
        (2, "atlas", "a2", "ready", ABSENT),
        (2, "cms", "c2", None, "conditional"),
        (3, "cms", "c2", "conditional", ABSENT),
        (4, "atlas", "a1", "not-advertised", ABSENT),
        (4, "atlas", "a2", ABSENT, "ready"),
    ]
    assert transitions(db, ce="a2") == [
        (1, "atlas", "a2", None, "ready"),
        (2, "atlas", "a2", "ready", ABSENT),
        (4, "atlas", "a2", ABSENT, "ready"),
    ]
    assert transitions(db, experiments=["cms"], since=T0 + timedelta(days=1)) == [
        (2, "cms", "c2", None, "conditional"),
        (3, "cms", "c2", "conditional", ABSENT),
    ]
    with History.open(db) as history:
        at2 = history.states_at(2)
        assert {k: v.verdict for k, v in at2.items()} == {
            ("atlas", "a1"): "not-advertised",
            ("cms", "c1"): "ready",
            ("cms", "c2"): "conditional",
        }
        assert set(history.states_at(4)) == {("atlas", "a2"), ("cms", "c1")}


def test_site_filter_matches_case_insensitively_and_moves(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    record(db, [obs("atlas", "a1", "ready", site="AGLT2"), obs("atlas", "b1", "ready")], 0)
    record(db, [obs("atlas", "a1", "ready", site="AGLT2-NEW"), obs("atlas", "b1", "ready")], 1)
    assert transitions(db, site="aglt2") == [
        (1, "atlas", "a1", None, "ready"),
        (2, "atlas", "a1", "ready", "ready"),
    ]
    assert transitions(db, site="S1") == [(1, "atlas", "b1", None, "ready")]


def test_runs_for_other_experiments_leave_a_ce_alone(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    record(db, [obs("atlas", "a1", "ready"), obs("cms", "c1", "ready")], 0)
    # A run for atlas only says nothing about cms CEs: c1 must not become absent.
    atlas_only = record(db, [obs("atlas", "a1", "ready")], 1, experiments=("atlas",))
    assert atlas_only.changes == ()
    assert set(atlas_only.previous) == {"atlas"}
    with History.open(db) as history:
        assert history.stable_runs() == {
            ("atlas", "a1"): ("ready", 2),
            ("cms", "c1"): ("ready", 1),
        }


def test_stable_runs_count_the_verdict_streak(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    record(db, [obs("lhcb", "x", "ready")], 0, experiments=("lhcb",))
    record(db, [obs("lhcb", "x", "ready")], 1, experiments=("lhcb",))
    # The mode changes but the verdict holds: the streak goes on.
    record(db, [obs("lhcb", "x", "ready", "log-only")], 2, experiments=("lhcb",))
    with History.open(db) as history:
        assert history.stable_runs() == {("lhcb", "x"): ("ready", 3)}
    record(db, [obs("lhcb", "x", "conditional")], 3, experiments=("lhcb",))
    record(db, [obs("lhcb", "x", "ready")], 4, experiments=("lhcb",))
    record(db, [obs("lhcb", "x", "ready")], 5, experiments=("lhcb",))
    with History.open(db) as history:
        assert history.stable_runs() == {("lhcb", "x"): ("ready", 2)}


def test_pruning_keeps_every_current_state_and_the_streaks(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    steady = obs("atlas", "steady", "ready")
    record(db, [steady, obs("atlas", "flip", "ready"), obs("atlas", "gone", "ready")], 0)
    record(db, [steady, obs("atlas", "flip", "not-advertised", None)], 10)
    record(db, [steady, obs("atlas", "flip", "ready")], 20)
    record(db, [steady, obs("atlas", "flip", "ready")], 40)
    assert count(db, "runs") == 4
    # Keep 25 days at day 50: runs of days 0, 10 and 20 go; day 40 and the new one stay.
    done = record(db, [steady, obs("atlas", "flip", "ready")], 50, keep_days=25)
    assert done.pruned_runs == 3
    with History.open(db) as history:
        assert [r.id for r in history.runs()] == [4, 5]
        # Nothing lost about the present: every CE's state, with its streak length.
        assert history.stable_runs() == {
            ("atlas", "steady"): ("ready", 5),
            ("atlas", "flip"): ("ready", 3),
            ("atlas", "gone"): (ABSENT, 4),
        }
        assert {k[1]: v.verdict for k, v in history.states_at(4).items()} == {
            "steady": "ready",
            "flip": "ready",
        }
        with pytest.raises(HistoryError, match=r"no run 2; runs 4 to 5 are recorded"):
            history.run(2)
    # What remains of the timeline are the changes that made the current states.
    assert transitions(db) == [
        (1, "atlas", "steady", None, "ready"),
        (2, "atlas", "gone", "ready", ABSENT),
        (3, "atlas", "flip", "not-advertised", "ready"),
    ]
    # Only the states whose whole span was pruned went.
    assert count(db, "states") == 3


def test_lock_second_run_waits_then_gives_up_naming_the_holder(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    with HistoryLock(db, timeout=1):
        assert (tmp_path / "h.sqlite.lock").read_text() == f"{os.getpid()}\n"
        with pytest.raises(HistoryBusy) as exc, HistoryLock(db, timeout=0.2):
            pass
    assert str(exc.value) == (
        f"history {db} is locked by another cecap run (pid {os.getpid()}); gave up waiting"
        " for it within --timeout (runs overlap: run less often or raise --timeout)"
    )
    assert exc.value.exit_code == 3
    # Released: the next run gets it at once.
    with HistoryLock(db, timeout=0):
        pass


def test_missing_damaged_and_foreign_databases(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite"
    with pytest.raises(HistoryError) as exc:
        History.open(missing)
    assert str(exc.value) == (
        f"no history at {missing} yet: `cecap check` or `cecap report --record` records runs"
        " there (choose another file with --state or $CECAP_STATE)"
    )
    assert not missing.exists()

    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(HistoryError) as exc:
        History.open(garbage, create=True)
    assert str(exc.value) == (
        f"{garbage}: the history database is damaged (file is not a database); move it"
        " aside to start a new history (the old one is lost to cecap)"
    )

    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(HistoryError, match="an SQLite database, but not a cecap history"):
        History.open(foreign, create=True)

    newer = tmp_path / "newer.sqlite"
    with sqlite3.connect(newer) as conn:
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(HistoryError) as exc:
        History.open(newer)
    assert str(exc.value) == (
        f"{newer}: written by a newer cecap (history schema {SCHEMA_VERSION + 1}; this cecap"
        f" reads {SCHEMA_VERSION} and older); use a newer cecap, or another --state"
    )

    with pytest.raises(HistoryError, match=r"not a regular file; --state / \$CECAP_STATE must"):
        History.open(tmp_path)


def test_a_run_that_fails_mid_write_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "h.sqlite"
    record(db, [obs("atlas", "a1", "ready")], 0, experiments=("atlas",))

    def fail(*args: object) -> int:
        raise RuntimeError("disk on fire")

    # Pruning runs last in the transaction, after every row of the run is written.
    monkeypatch.setattr(History, "_prune", fail)
    with pytest.raises(RuntimeError, match="disk on fire"):
        record(db, [obs("atlas", "a2", "ready")], 1, experiments=("atlas",), keep_days=1)
    assert count(db, "runs") == 1
    assert transitions(db) == [(1, "atlas", "a1", None, "ready")]
    with History.open(db) as history:
        assert history.stable_runs() == {("atlas", "a1"): ("ready", 1)}


def test_a_run_covering_some_ces_leaves_the_others_alone(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    record(db, [obs("atlas", "a1", "ready", site="A"), obs("atlas", "b1", "ready", site="B")], 0)

    def at_a(site: str, ce: str) -> bool:
        return site == "A"

    # Site A's run: b1 is not covered, so it is neither absent nor in what came before.
    done = record(db, [obs("atlas", "a1", "conditional", site="A")], 1, within=at_a)
    assert set(done.before) == {("atlas", "a1")}
    assert transitions(db) == [
        (1, "atlas", "a1", None, "ready"),
        (1, "atlas", "b1", None, "ready"),
        (2, "atlas", "a1", "ready", "conditional"),
    ]
    # A covered CE missing from the run is absent; one that moved to A is covered.
    done = record(db, [obs("atlas", "b1", "ready", site="A")], 2, within=at_a)
    assert set(done.before) == {("atlas", "a1"), ("atlas", "b1")}
    with History.open(db) as history:
        now = {(c.ce, c.site, c.verdict) for c in history.states_at(done.run.id).values()}
    assert now == {("b1", "A", "ready")}
    assert transitions(db)[-2:] == [
        (3, "atlas", "a1", "conditional", ABSENT),
        (3, "atlas", "b1", "ready", "ready"),
    ]


def holding_of(
    opened: Sequence[tuple[str, str]] = (), closed: bool = False
) -> tuple[Callable[[Recorded, list[Held]], Holding], list[list[Held]]]:
    """A hold hook that opens a no-longer-ready problem for each (experiment, CE) given,
    and with ``closed`` closes every problem held before the run; it keeps what it saw."""
    seen: list[list[Held]] = []

    def hook(recorded: Recorded, held: list[Held]) -> Holding:
        seen.append(held)
        run = recorded.run
        new = tuple(
            Held(e, Problem.NO_LONGER_READY, ce, "S1", run.id, run.time) for e, ce in opened
        )
        return Holding(new, new, tuple(held) if closed else ())

    return hook, seen


def held_rows(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT experiment, problem, ce, since_run, since_time, until_run FROM held"
            " ORDER BY since_run, ce"
        ).fetchall()


def test_what_a_run_holds_is_written_with_it_and_pruned_once_cleared(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    hook, seen = holding_of([("atlas", "a1")])
    done = record(db, [obs("atlas", "a1", "not-advertised", None)], 0, hold=hook)
    assert done.holding is not None and [h.ce for h in done.holding.shown] == ["a1"]
    # Only the run's experiments' problems are given to the next run's hook.
    hook, seen = holding_of([("cms", "c1")])
    record(db, [obs("cms", "c1", "site-refuses", None)], 1, experiments=("cms",), hold=hook)
    assert seen == [[]]
    hook, seen = holding_of(closed=True)
    record(db, [obs("atlas", "a1", "ready")], 2, experiments=("atlas",), hold=hook)
    assert [[(h.ce, h.run, h.since) for h in held] for held in seen] == [[("a1", 1, T0)]]
    assert held_rows(db) == [
        ("atlas", "no-longer-ready", "a1", 1, "2010-03-24T12:00:00Z", 3),
        ("cms", "no-longer-ready", "c1", 2, "2010-03-25T12:00:00Z", None),
    ]
    with History.open(db) as history:
        assert [h.ce for h in history.held(["atlas", "cms"])] == ["c1"]
    # Pruning: a problem cleared within the pruned runs goes; one still held stays.
    record(db, [obs("atlas", "a1", "ready")], 30, experiments=("atlas",), keep_days=10)
    assert [(r[2], r[5]) for r in held_rows(db)] == [("c1", None)]


def test_a_run_whose_hold_fails_records_nothing(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    record(db, [obs("atlas", "a1", "ready")], 0, experiments=("atlas",))

    def broken(recorded: Recorded, held: list[Held]) -> Holding:
        raise RuntimeError("no holding")

    with pytest.raises(RuntimeError, match="no holding"):
        record(db, [obs("atlas", "a1", "site-refuses")], 1, experiments=("atlas",), hold=broken)
    assert count(db, "runs") == 1
    assert held_rows(db) == []
