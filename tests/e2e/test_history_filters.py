"""history's filters through the CLI: --verdict, --changes and every form of --since."""

# Three recorded runs of the sample, aged in the database: 10 days ago, 3 days ago and an
# hour ago. Between them RAL's grid1000M queue drains (ready -> not-in-production for the
# four experiments it serves) and comes back.

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.overlay import overlay_ldif
from helpers.paths import SAMPLE

RAL = "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M"
EXPERIMENTS = ("alice", "atlas", "cms", "lhcb")
AGES = {1: "-10 days", 2: "-3 days", 3: "-1 hours"}


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[int, str]]:
    tmp = tmp_path_factory.mktemp("history-filters")
    drained = overlay_ldif(SAMPLE, tmp / "drained.ldif", states={RAL: "Draining"})
    db = tmp / "h.sqlite"
    for snapshot in (SAMPLE, drained, SAMPLE):
        done = run_cli("check", "--bdii", snapshot, "--state", db)
        assert done.code in (0, 1), done.out + done.err
    with sqlite3.connect(db) as conn:
        for run_id, age in AGES.items():
            conn.execute(
                "UPDATE runs SET time = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?) WHERE id = ?",
                (age, run_id),
            )
            conn.execute(
                "UPDATE states SET since_time = (SELECT time FROM runs WHERE id = ?)"
                " WHERE since_run = ?",
                (run_id, run_id),
            )
        times = dict(conn.execute("SELECT id, time FROM runs").fetchall())
    return db, times


def lines(*args: str | Path) -> list[str]:
    code, out, err = run_cli("history", *args)
    assert (code, err) == (0, ""), err
    return out.splitlines()


def ral(
    times: dict[int, str], run: int, change: str, experiments: tuple[str, ...] = EXPERIMENTS
) -> list[str]:
    return [f"{times[run]}  run {run}  {e}  RAL-LCG2  {RAL}  {change}" for e in experiments]


DRAINED = "ready → not-in-production"
BACK = "not-in-production → ready"


def test_changes_leaves_out_first_recorded_verdicts(history: tuple[Path, dict[int, str]]) -> None:
    db, t = history
    everything = lines("--state", db)
    first = [line for line in everything if line.endswith("(first recorded)")]
    assert len(first) == 22  # every CE serving each experiment's VO, once
    assert everything == first + ral(t, 2, DRAINED) + ral(t, 3, BACK)
    assert lines("--state", db, "--changes") == ral(t, 2, DRAINED) + ral(t, 3, BACK)
    assert lines("--state", db, "--changes", "-e", "cms") == (
        ral(t, 2, DRAINED, ("cms",)) + ral(t, 3, BACK, ("cms",))
    )


def test_verdict_picks_what_a_change_led_to(history: tuple[Path, dict[int, str]]) -> None:
    db, t = history
    assert lines("--state", db, "--verdict", "not-in-production", "--changes") == ral(t, 2, DRAINED)
    # Without --changes, the first recorded ones count too: the sample's drained atlas and
    # cms queue was not-in-production from the first run.
    drained = lines("--state", db, "--verdict", "not-in-production")
    assert drained[2:] == ral(t, 2, DRAINED)
    assert [line.split("  ")[2] for line in drained[:2]] == ["atlas", "cms"]
    assert all(line.endswith("not-in-production (first recorded)") for line in drained[:2])
    # Repeatable, any case; combined with every other filter.
    assert lines(
        "--state", db, "--verdict", "READY", "--verdict", "not-in-production", "--changes"
    ) == ral(t, 2, DRAINED) + ral(t, 3, BACK)
    assert lines("--state", db, "--verdict", "ready", "--ce", RAL, "-e", "lhcb") == [
        f"{t[1]}  run 1  lhcb  RAL-LCG2  {RAL}  ready (first recorded)",
        *ral(t, 3, BACK, ("lhcb",)),
    ]
    assert lines("--state", db, "--verdict", "absent") == ["no recorded change matches"]
    code, out, err = run_cli(
        "history", "--state", db, "--verdict", "ready", "--changes", "--format", "json"
    )
    assert (code, err) == (0, "")
    rows = json.loads(out)["rows"]
    assert [(r["run"], r["experiment"], r["verdict_before"], r["verdict"]) for r in rows] == [
        (3, e, "not-in-production", "ready") for e in EXPERIMENTS
    ]


def test_an_unknown_verdict_lists_the_valid_ones(history: tuple[Path, dict[int, str]]) -> None:
    db, _ = history
    code, out, err = run_cli("history", "--state", db, "--verdict", "readyy")
    assert (code, out) == (2, "")
    assert (
        "Invalid value for '--verdict': 'readyy' is not one of 'ready', 'conditional',"
        " 'no-stance', 'mode-mismatch', 'site-refuses', 'not-in-production',"
        " 'not-advertised', 'absent'." in err
    )


def test_since_spans_back_from_now(history: tuple[Path, dict[int, str]]) -> None:
    db, t = history
    assert lines("--state", db, "--since", "2h") == ral(t, 3, BACK)
    assert lines("--state", db, "--since", "90m") == ral(t, 3, BACK)
    assert lines("--state", db, "--since", "7d") == ral(t, 2, DRAINED) + ral(t, 3, BACK)
    assert lines("--state", db, "--since", "30m") == ["no recorded change matches"]
    assert len(lines("--state", db, "--since", "11d")) == 30
    # An ISO date or time, as before.
    assert lines("--state", db, "--since", t[2]) == ral(t, 2, DRAINED) + ral(t, 3, BACK)
    assert lines("--state", db, "--since", "2000-01-01", "--changes") == (
        ral(t, 2, DRAINED) + ral(t, 3, BACK)
    )


@pytest.mark.parametrize("word", ["today", "yesterday"])
def test_today_and_yesterday_start_at_utc_midnight(
    word: str, history: tuple[Path, dict[int, str]]
) -> None:
    db, _ = history
    for _ in range(2):
        # The same UTC day before and after: no midnight between (else once more).
        day = datetime.now(UTC).date()
        said = lines("--state", db, "--since", word)
        if datetime.now(UTC).date() == day:
            break
    start = day.toordinal() - (word == "yesterday")
    midnight = datetime.fromordinal(start).date().isoformat()
    assert said == lines("--state", db, "--since", midnight)
    assert said == lines("--state", db, "--since", f"{midnight}T00:00:00Z")
    assert said == lines("--state", db, "--since", f"{midnight}T01:00:00+01:00")
