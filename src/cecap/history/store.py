"""The history store: recorded runs and every change of a CE's verdict, in an SQLite database."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType

from ..errors import HistoryError
from ..evaluate.held import Held, Holding
from ..evaluate.verdicts import ABSENT
from .held import held_now, write_holding
from .paths import parse_stamp, prepare_folder, stamp
from .schema import MIGRATIONS, SCHEMA, SCHEMA_VERSION, has_table
from .sqlite import connect, database_problem
from .types import (
    Change,
    Observation,
    PreviousRun,
    Recorded,
    Run,
    change_from_row,
    run_from_row,
)

_STATE_COLUMNS = (
    "experiment, ce, site, verdict, mode, since_run, since_time,"
    " before_site, before_verdict, before_mode"
)
# Given what a run recorded and the problems held before it, what the run holds.
Hold = Callable[[Recorded, list[Held]], Holding]


class History:
    """An open history database; writers must hold a HistoryLock on the same path."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn

    @classmethod
    def open(cls, path: Path, *, create: bool = False) -> History:
        """Open the database; ``create`` makes it (and its folder) when missing."""
        if path.exists() and not path.is_file():
            raise HistoryError(
                f"{path}: not a regular file; --state / $CECAP_STATE must name a database"
                " file (it is made when missing)"
            )
        if not create and not path.is_file():
            if path.exists():
                raise HistoryError(f"{path}: not a file; --state must name a database file")
            raise HistoryError(
                f"no history at {path} yet: `cecap check` or `cecap report --record` records"
                " runs there (choose another file with --state or $CECAP_STATE)"
            )
        if create:
            prepare_folder(path)
        conn = connect(path, create)
        history = cls(path, conn)
        try:
            history._prepare(create)
        except BaseException:
            conn.close()
            raise
        return history

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _guard(self, doing: str) -> Iterator[sqlite3.Connection]:
        try:
            yield self._conn
        except sqlite3.DatabaseError as exc:
            raise HistoryError(database_problem(self.path, doing, exc)) from None

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        with self._guard("read") as db:
            yield db

    @contextmanager
    def transaction(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed when the block ends, else rolled back."""
        with self._guard(doing) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                # A failed BEGIN or a statement that ended the transaction leaves none to
                # roll back: the real error must not be hidden by "cannot rollback".
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise

    def _prepare(self, create: bool) -> None:
        with self._guard("read") as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise HistoryError(
                    f"{self.path}: written by a newer cecap (history schema {version}; this"
                    f" cecap reads {SCHEMA_VERSION} and older); use a newer cecap, or"
                    " another --state"
                )
            # A reader reads an older history as it is and never changes it; the next
            # writer (a recording run, results import) upgrades it in place.
            if version == SCHEMA_VERSION or (version and not create):
                if create:
                    db.execute("PRAGMA journal_mode=WAL")
                    db.execute("PRAGMA synchronous=FULL")
                return
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables and not version:
                raise HistoryError(
                    f"{self.path}: an SQLite database, but not a cecap history; use another --state"
                )
            if not create:
                raise HistoryError(f"no history at {self.path} yet: the database is empty")
        with self._guard("create") as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
        with self.transaction("upgrade" if version else "create") as db:
            # Read again under the write lock of the transaction: another writer may have
            # upgraded it meanwhile.
            found = db.execute("PRAGMA user_version").fetchone()[0]
            steps = [SCHEMA] if not found else MIGRATIONS[found:]
            for script in steps:
                for statement in script.split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    # -- writing -------------------------------------------------------------------------

    def record(
        self,
        found: Iterable[Observation],
        experiments: Sequence[str],
        *,
        command: str,
        source: str,
        now: datetime | None = None,
        keep_days: int | None = None,
        before_commit: Callable[[], None] | None = None,
        within: Callable[[str, str], bool] | None = None,
        judged: Iterable[tuple[str, str, bool]] = (),
        hold: Hold | None = None,
    ) -> Recorded:
        """Record one complete run in one transaction: only what changed per CE.

        A CE recorded for one of ``experiments`` and missing from ``found`` becomes
        ``absent``. ``within(site, ce)`` says which recorded CEs the run covers (all when
        None): one it does not cover keeps its state, even when missing from ``found``,
        and is left out of ``Recorded.before``. With ``keep_days``, runs older than that
        are pruned in the same transaction; the current state of every CE stays.
        ``judged``: (experiment, CE, reliable) for each CE the run judged by its tests.
        ``hold``: what the run does to the problems held for its experiments, recorded in
        the same transaction (in ``Recorded.holding``).
        """
        when = stamp(now or datetime.now(UTC))
        chosen = list(dict.fromkeys(experiments))
        by_experiment: dict[str, dict[str, Observation]] = {e: {} for e in chosen}
        for obs in found:
            if obs.experiment not in by_experiment:
                raise HistoryError(
                    f"{self.path}: an observation for {obs.experiment!r}, which the run does"
                    f" not cover ({', '.join(chosen)}); nothing recorded"
                )
            by_experiment[obs.experiment][obs.ce] = obs
        with self.transaction("write") as db:
            recorded = self._record(db, by_experiment, when, command, source, keep_days, within)
            db.executemany(
                "INSERT INTO reliable (experiment, ce, run, reliable) VALUES (?, ?, ?, ?)",
                [(exp, ce, recorded.run.id, int(ok)) for exp, ce, ok in judged],
            )
            if hold is not None:
                holding = hold(recorded, held_now(db, chosen))
                write_holding(db, holding, recorded.run.id)
                recorded = replace(recorded, holding=holding)
            if before_commit is not None:
                before_commit()
        return recorded

    def _record(
        self,
        db: sqlite3.Connection,
        by_experiment: Mapping[str, Mapping[str, Observation]],
        when: str,
        command: str,
        source: str,
        keep_days: int | None,
        within: Callable[[str, str], bool] | None,
    ) -> Recorded:
        cur = db.execute(
            "INSERT INTO runs (time, command, source, experiments) VALUES (?, ?, ?, ?)",
            (when, command, source, json.dumps(list(by_experiment))),
        )
        run_id = int(cur.lastrowid or 0)
        run = Run(run_id, parse_stamp(when), command, source, tuple(by_experiment))
        previous: dict[str, PreviousRun | None] = {}
        before: dict[tuple[str, str], Change] = {}
        changes: list[Change] = []
        for experiment, found in by_experiment.items():
            tally = db.execute(
                "SELECT runs, last_run, last_time FROM tallies WHERE experiment = ?",
                (experiment,),
            ).fetchone()
            ordinal = (tally[0] if tally else 0) + 1
            previous[experiment] = PreviousRun(tally[1], parse_stamp(tally[2])) if tally else None
            db.execute(
                "INSERT INTO tallies (experiment, runs, last_run, last_time) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (experiment) DO UPDATE SET runs = excluded.runs,"
                " last_run = excluded.last_run, last_time = excluded.last_time",
                (experiment, ordinal, run_id, when),
            )
            current: dict[str, tuple[Change, int]] = {}
            for row in db.execute(
                f"SELECT {_STATE_COLUMNS}, streak_start FROM states"
                " WHERE experiment = ? AND until_run IS NULL",
                (experiment,),
            ):
                # A CE the run found is covered wherever it was before (it may have moved).
                if within is None or row[1] in found or within(row[2], row[1]):
                    current[row[1]] = (change_from_row(row[:10]), row[10])
            for ce, (state, _) in current.items():
                before[(experiment, ce)] = state
            wanted = dict(found)
            for ce, (state, _) in current.items():
                if ce not in wanted and state.verdict != ABSENT:
                    wanted[ce] = Observation(experiment, ce, state.site, ABSENT, None)
            for ce, obs in wanted.items():
                old = current.get(ce)
                if old and (old[0].site, old[0].verdict, old[0].mode) == (
                    obs.site,
                    obs.verdict,
                    obs.mode,
                ):
                    continue
                streak = old[1] if old and old[0].verdict == obs.verdict else ordinal
                if old:
                    db.execute(
                        "UPDATE states SET until_run = ?"
                        " WHERE experiment = ? AND ce = ? AND until_run IS NULL",
                        (run_id, experiment, ce),
                    )
                prior = old[0] if old else None
                change = Change(
                    experiment,
                    ce,
                    obs.site,
                    obs.verdict,
                    obs.mode,
                    run_id,
                    run.time,
                    prior.site if prior else None,
                    prior.verdict if prior else None,
                    prior.mode if prior else None,
                )
                db.execute(
                    f"INSERT INTO states ({_STATE_COLUMNS}, streak_start)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        experiment,
                        ce,
                        change.site,
                        change.verdict,
                        change.mode,
                        run_id,
                        when,
                        change.before_site,
                        change.before_verdict,
                        change.before_mode,
                        streak,
                    ),
                )
                changes.append(change)
        pruned = 0 if keep_days is None else self._prune(db, run.time - timedelta(days=keep_days))
        return Recorded(run, previous, before, tuple(changes), pruned)

    def held(self, experiments: Sequence[str]) -> list[Held]:
        """The problems held for ``experiments`` and not yet cleared, oldest first."""
        with self._guard("read") as db:
            if not has_table(db, "held"):
                return []  # an older history, read as it is: check never held a problem
            return held_now(db, experiments)

    def _prune(self, db: sqlite3.Connection, cutoff: datetime) -> int:
        first_kept = db.execute(
            "SELECT min(id) FROM runs WHERE time >= ?", (stamp(cutoff),)
        ).fetchone()[0]
        if first_kept is None:
            return 0
        # A state that ended at or before the first kept run describes only pruned runs;
        # every state still current, or current at a kept run, stays.
        db.execute(
            "DELETE FROM states WHERE until_run IS NOT NULL AND until_run <= ?", (first_kept,)
        )
        db.execute("DELETE FROM reliable WHERE run < ?", (first_kept,))
        # A problem cleared at or before the first kept run; one still held stays.
        db.execute("DELETE FROM held WHERE until_run IS NOT NULL AND until_run <= ?", (first_kept,))
        return db.execute("DELETE FROM runs WHERE id < ?", (first_kept,)).rowcount

    # -- reading -------------------------------------------------------------------------

    def runs(self) -> list[Run]:
        with self._guard("read") as db:
            rows = db.execute(
                "SELECT id, time, command, source, experiments FROM runs ORDER BY id"
            ).fetchall()
        return [run_from_row(r) for r in rows]

    def run(self, run_id: int) -> Run:
        with self._guard("read") as db:
            row = db.execute(
                "SELECT id, time, command, source, experiments FROM runs WHERE id = ?",
                (run_id,),
            ).fetchone()
            if row is None:
                first, last, count = db.execute(
                    "SELECT min(id), max(id), count(*) FROM runs"
                ).fetchone()
        if row is None:
            kept = f"runs {first} to {last} are recorded" if count else "no runs are recorded"
            raise HistoryError(f"{self.path}: no run {run_id}; {kept}")
        return run_from_row(row)

    def timeline(
        self,
        *,
        experiments: Sequence[str] = (),
        since: datetime | None = None,
        verdicts: Sequence[str] = (),
        changes_only: bool = False,
    ) -> list[Change]:
        """Every recorded change, oldest first, narrowed by the filters given (``verdicts``:
        the verdict a change led to; ``changes_only``: no first recorded states)."""
        where = ["1"]
        args: list[object] = []
        if experiments:
            where.append(f"experiment IN ({', '.join('?' * len(experiments))})")
            args += experiments
        if since:
            where.append("since_time >= ?")
            args.append(stamp(since))
        if verdicts:
            where.append(f"verdict IN ({', '.join('?' * len(verdicts))})")
            args += verdicts
        if changes_only:
            where.append("before_verdict IS NOT NULL")
        with self._guard("read") as db:
            rows = db.execute(
                f"SELECT {_STATE_COLUMNS} FROM states WHERE {' AND '.join(where)}"
                " ORDER BY since_run, experiment, lower(site), ce",
                args,
            ).fetchall()
        return [change_from_row(r) for r in rows]

    def states_at(self, run_id: int) -> dict[tuple[str, str], Change]:
        """What was recorded as current at a run, absent CEs left out."""
        with self._guard("read") as db:
            rows = db.execute(
                f"SELECT {_STATE_COLUMNS} FROM states WHERE since_run <= ?"
                " AND (until_run IS NULL OR until_run > ?) AND verdict != ?",
                (run_id, run_id, ABSENT),
            ).fetchall()
        return {(r[0], r[1]): change_from_row(r) for r in rows}

    def stable_runs(self) -> dict[tuple[str, str], tuple[str, int]]:
        """Per (experiment, CE): its current verdict and for how many consecutive runs of
        the experiment it has had it."""
        with self._guard("read") as db:
            rows = db.execute(
                "SELECT s.experiment, s.ce, s.verdict, t.runs - s.streak_start + 1"
                " FROM states AS s JOIN tallies AS t USING (experiment)"
                " WHERE s.until_run IS NULL"
            ).fetchall()
        return {(r[0], r[1]): (r[2], r[3]) for r in rows}
