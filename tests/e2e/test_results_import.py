"""`results import` through the CLI: result messages with multi-line values, and times and
numbers that cannot be held or that lie: exit 2 naming the file and line, nothing recorded."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.results import METRIC, csv_file, hours_ago

CE = "ce01.cmsaf.mit.edu"


def recorded(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT time, status FROM results ORDER BY time").fetchall()


def etf(when: str, status: str) -> str:
    """An ETF message as ARGOeu/perl-Gridmon's wlcg_format writes it (MetricOutput.pm
    lines 72-104): multi-line detailsData, blank lines included, then EOT."""
    return (
        f"serviceURI: {CE}\nhostName: {CE}\nserviceFlavour: CREAM-CE\nmetricStatus: {status}\n"
        f"metricName: {METRIC}-/cms/Role=pilot\nsummaryData: {status}: glexec\n"
        f"gatheredAt: etf.example.org\ntimestamp: {when}\n"
        "detailsData: Testing glexec on the worker node\n\n"
        "+ /usr/sbin/glexec /usr/bin/id -u\n\n\nuid 501: the payload's own\nEOT\n"
    )


def test_multi_line_details_are_imported(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    db = tmp_path / "h.sqlite"
    msgs = tmp_path / "etf.msg"
    msgs.write_text(etf(hours_ago(now, 2), "OK") + etf(hours_ago(now, 1), "CRITICAL"), "utf-8")
    done = run_cli("results", "import", "--state", db, msgs)
    assert (done.code, done.out, done.err) == (0, "", f"{msgs}: 2 new, 0 already recorded\n")
    assert [s for _, s in recorded(db)] == ["OK", "CRITICAL"]


def bad_files(tmp_path: Path, now: datetime) -> list[tuple[Path, int, str]]:
    """Files whose one bad line is a time or a number Python cannot hold, or a time
    later than now plus the default tolerance: (file, its bad line, the error's text)."""
    good = (hours_ago(now, 3), CE, "cms", METRIC, "OK", "")
    out = []
    for i, when in enumerate(
        (
            "9999-12-31T23:59:59-14:00",
            "0001-01-01T00:00:00+14:00",
            "2099-01-01T00:00:00Z",
            (now + timedelta(minutes=6)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "10000-01-01T00:00:00Z",
        )
    ):
        path = csv_file(tmp_path / f"t{i}.csv", [good, (when, CE, "cms", METRIC, "OK", "")])
        out.append((path, 3, f"time '{when}'"))
    for i, (text, error) in enumerate(
        (
            ('"summary": "\\ud800"', "summary: a lone surrogate (U+D800): not Unicode text"),
            ('"summary": ' + "1" * 10_000, "a number too long for Python to read"),
            ('"summary": NaN', "summary: expected text, found float"),
            ('"summary": 1e400', "summary: expected text, found float"),
        )
    ):
        path = tmp_path / f"n{i}.jsonl"
        line = f'{{"time": "{hours_ago(now, 2)}", "ce": "{CE}", "experiment": "cms", "metric": "{METRIC}", "status": "OK"'
        path.write_text(f"{line}}}\n{line}, {text}}}\n", "utf-8")
        out.append((path, 2, error))
    # One OK result dated 2099 among 29 CRITICAL ones, as messages: it must not win.
    path = tmp_path / "future.msg"
    path.write_text(
        "".join(etf(hours_ago(now, 2 + i), "CRITICAL") for i in range(29))
        + etf("2099-01-01T00:00:00Z", "OK"),
        "utf-8",
    )
    out.append(
        (path, 29 * etf("", "OK").count("\n") + 1, "time '2099-01-01T00:00:00Z' is later than now")
    )
    return out


def test_bad_times_and_numbers_are_exit_2_and_record_nothing(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    db = tmp_path / "h.sqlite"
    first = csv_file(tmp_path / "first.csv", [(hours_ago(now, 5), CE, "cms", METRIC, "OK", "")])
    assert run_cli("results", "import", "--state", db, first).code == 0
    before = recorded(db)
    good = csv_file(tmp_path / "good.csv", [(hours_ago(now, 4), CE, "cms", METRIC, "OK", "")])
    for path, line, error in bad_files(tmp_path, now):
        done = run_cli("results", "import", "--state", db, good, path)
        assert done.code == 2, (path, done.err)
        assert done.out == ""
        assert done.err.startswith(f"cecap: error: {path}: line {line}: {error}"), done.err
        assert done.err.count("\n") == 1 and "Traceback" not in done.err
        assert recorded(db) == before, path  # neither the bad file nor the good one before it


@pytest.mark.parametrize(("future", "code"), [("10m", 0), ("5m", 2), ("0m", 2)])
def test_future_sets_the_tolerance(tmp_path: Path, future: str, code: int) -> None:
    now = datetime.now(UTC)
    ahead = (now + timedelta(minutes=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path = csv_file(tmp_path / "ahead.csv", [(ahead, CE, "cms", METRIC, "OK", "")])
    done = run_cli("results", "import", "--state", tmp_path / "h.sqlite", "--future", future, path)
    assert done.code == code, done.err
    if code:
        assert f"line 2: time '{ahead}' is later than now" in done.err
        assert f"plus {future}: a clock ahead?" in done.err


def test_future_must_be_a_span(tmp_path: Path) -> None:
    path = csv_file(tmp_path / "r.csv", [])
    done = run_cli("results", "import", "--future", "soon", path)
    assert done.code == 2
    assert "'soon' is not a span: a number and m, h or d (e.g. 5m)" in done.err
