"""glexec test results as tests write them: result files, and a history holding them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from cecap.text import stamp

from .cli import run_cli

METRIC = "org.cms.glexec.WN-gLExec"
# One result: time, ce, experiment, metric, status, summary.
ResultRow = tuple[str, str, str, str, str, str]


def hours_ago(now: datetime, hours: float) -> str:
    return stamp(now - timedelta(hours=hours))


def csv_file(path: Path, rows: Sequence[ResultRow]) -> Path:
    lines = ["time,ce,experiment,metric,status,summary", *(",".join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def hourly(
    now: datetime, ce: str, statuses: Sequence[str], experiment: str = "cms"
) -> list[ResultRow]:
    """One result every five hours back from two hours ago, the newest first."""
    return [
        (hours_ago(now, 2 + 5 * i), ce, experiment, METRIC, status, "")
        for i, status in enumerate(statuses)
    ]


def import_results(db: Path, path: Path, rows: Sequence[ResultRow]) -> None:
    """``rows`` written to ``path`` as CSV and imported into the history ``db``."""
    done = run_cli("results", "import", "--state", db, csv_file(path, rows))
    assert done.code == 0, done.err
