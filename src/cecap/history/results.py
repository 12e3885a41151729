"""glexec test results in the history database: the table, its migration, importing files
and reading each (experiment, CE)'s reliability back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..evaluate.observed import Observation, ObservedMode, observe
from ..evaluate.reliable import Reliability, judge
from ..evaluate.verdicts import Assessment
from ..model.glue import CE
from ..model.results import GlexecResult, ResultStatus
from ..policy.stances import Experiment
from ..sources.results import ResultFile
from .lock import HistoryLock
from .paths import parse_stamp, stamp
from .schema import has_column, has_results
from .store import History


@dataclass(frozen=True, slots=True)
class Imported:
    name: str
    new: int
    known: int
    skipped: int


def import_results(
    path: Path, files: Sequence[ResultFile], *, lock_timeout: float, now: datetime | None = None
) -> list[Imported]:
    """Record every file's results in one transaction (the database made, or upgraded,
    when needed); per file, how many were new and how many already known."""
    when = stamp(now or datetime.now(UTC))
    out = []
    with (
        HistoryLock(path, lock_timeout),
        History.open(path, create=True) as history,
        history.transaction("write") as db,
    ):
        for f in files:
            new = 0
            for r in f.results:
                cur = db.execute(
                    "INSERT OR IGNORE INTO results"
                    " (time, ce, experiment, metric, status, summary, imported, output)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        stamp(r.time),
                        r.ce,
                        r.experiment,
                        r.metric,
                        r.status.value,
                        r.summary,
                        when,
                        r.output,
                    ),
                )
                new += cur.rowcount
            out.append(Imported(f.name, new, len(f.results) - new, f.skipped))
    return out


def _results(history: History, experiment: str, cutoff: datetime) -> list[GlexecResult]:
    with history.reading() as db:
        if not has_results(db):
            return []  # a history of schema 1, read as it is: no results imported yet
        # A history of schema 2 or 3, read as it is, kept no output.
        output = "output" if has_column(db, "results", "output") else "''"
        rows = db.execute(
            f"SELECT time, ce, metric, status, summary, {output} FROM results"
            " WHERE experiment = ? AND time >= ?",
            (experiment, stamp(cutoff)),
        ).fetchall()
    return [
        GlexecResult(parse_stamp(t), ce, experiment, m, ResultStatus(s), x, o)
        for t, ce, m, s, x, o in rows
    ]


def window_results(
    history: History, experiment: str, since: datetime, until: datetime
) -> dict[str, list[GlexecResult]]:
    """The experiment's results from ``since`` to ``until``, by the CE (or host) each
    names."""
    grouped: dict[str, list[GlexecResult]] = {}
    for r in _results(history, experiment, since):
        if r.time <= until:
            grouped.setdefault(r.ce, []).append(r)
    return grouped


def _verdicts(history: History, experiment: str, cutoff: datetime) -> dict[str, set[str]]:
    """Per CE: its verdicts in the recorded runs from ``cutoff`` on."""
    with history.reading() as db:
        first = db.execute("SELECT min(id) FROM runs WHERE time >= ?", (stamp(cutoff),)).fetchone()[
            0
        ]
        if first is None:
            return {}
        rows = db.execute(
            "SELECT ce, verdict FROM states WHERE experiment = ?"
            " AND (until_run IS NULL OR until_run > ?)",
            (experiment, first),
        ).fetchall()
    out: dict[str, set[str]] = {}
    for ce, verdict in rows:
        out.setdefault(ce, set()).add(verdict)
    return out


def reliability(
    path: Path,
    assessments: Iterable[Assessment],
    experiments: Iterable[Experiment],
    *,
    now: datetime | None = None,
    required: bool = False,
) -> dict[tuple[str, str], Reliability] | None:
    """Per (experiment, CE) assessed: what its results in the experiment's window say;
    None when there is no history at ``path``, unless ``required`` (then an error says
    so). A reader: the database is not changed."""
    if not required and not path.exists():
        return None
    with History.open(path) as history:
        return judge_all(history, assessments, experiments, now=now)


def judge_all(
    history: History,
    assessments: Iterable[Assessment],
    experiments: Iterable[Experiment],
    *,
    now: datetime | None = None,
) -> dict[tuple[str, str], Reliability]:
    """As ``reliability``, on an open history."""
    moment = now or datetime.now(UTC)
    by_key = {e.key: e for e in experiments}
    results: dict[str, dict[str, list[GlexecResult]]] = {}
    verdicts: dict[str, dict[str, set[str]]] = {}
    for key, e in by_key.items():
        cutoff = moment - e.reliable.window
        grouped: dict[str, list[GlexecResult]] = {}
        for r in _results(history, key, cutoff):
            grouped.setdefault(r.ce, []).append(r)
        results[key] = grouped
        verdicts[key] = _verdicts(history, key, cutoff)
    out: dict[tuple[str, str], Reliability] = {}
    for a in assessments:
        e = by_key[a.experiment.key]
        ce = a.ce.unique_id
        mine = results[e.key]
        found = of_ce(mine, a.ce)
        seen = verdicts[e.key].get(ce, set())
        out[(e.key, ce)] = judge(e.reliable, a.verdict.value, seen, found, experiment=e)
    return out


def observed_modes(
    path: Path,
    ces: Iterable[CE],
    experiments: Iterable[Experiment],
    *,
    now: datetime | None = None,
) -> dict[tuple[str, str], Observation]:
    """Per (experiment, CE of ``ces`` by its ID): the glexec mode its results in the
    experiment's window show, where they show one; empty when there is no history at
    ``path``. A reader: the database is not changed."""
    if not path.exists():
        return {}
    moment = now or datetime.now(UTC)
    wanted = list(ces)
    out: dict[tuple[str, str], Observation] = {}
    with History.open(path) as history:
        for e in experiments:
            grouped: dict[str, list[GlexecResult]] = {}
            for r in _results(history, e.key, moment - e.reliable.window):
                grouped.setdefault(r.ce, []).append(r)
            for ce in wanted:
                seen = observe(e.mode_evidence, of_ce(grouped, ce))
                if seen.mode is not ObservedMode.UNKNOWN:
                    out[(e.key, ce.unique_id)] = seen
    return out


def of_ce(grouped: dict[str, list[GlexecResult]], ce: CE) -> list[GlexecResult]:
    """The results of ``ce``: by its ID, and by its host (its reading's), which covers
    every CE on that host."""
    host = ce.reading.host.lower()
    return grouped.get(ce.unique_id, []) + (grouped.get(host, []) if host != ce.unique_id else [])


def previously_reliable(history: History, experiments: Iterable[str]) -> dict[str, set[str]]:
    """Per experiment: the CEs the last check that judged each of them found reliable
    (with one check per site, the last run of the experiment may have judged others)."""
    out: dict[str, set[str]] = {}
    with history.reading() as db:
        for key in experiments:
            rows = db.execute(
                "SELECT r.ce FROM reliable AS r WHERE r.experiment = ? AND r.reliable = 1"
                " AND r.run = (SELECT max(l.run) FROM reliable AS l"
                " WHERE l.experiment = r.experiment AND l.ce = r.ce)",
                (key,),
            ).fetchall()
            out[key] = {ce for (ce,) in rows}
    return out
