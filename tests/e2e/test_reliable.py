"""From advertised to reliable, through the CLI on the OSG 2008 snapshot: the CEs that
advertise glexec listed by testlist, glexec test results for them imported in every
accepted shape, report --reliable, sites, and the check's warnings when a reliable CE
starts failing; the history's migration from schema 1."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.overlay import overlay_ldif
from helpers.paths import REPO
from helpers.results import METRIC, csv_file, hourly, hours_ago, import_results

from cecap.history.schema import SCHEMA_VERSION
from cecap.model.reading import read_ce

# A time stamp as the history writes it.
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"

NEB = "red.unl.edu:2119/jobmanager-pbs-cms"
MIT = "ce01.cmsaf.mit.edu:2119/jobmanager-condor-cms"
GLEXEC = ["glexec"]


def result_count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM results").fetchone()[0])


@pytest.fixture
def advertised(osg_snapshot: Path, tmp_path: Path) -> Path:
    """The OSG snapshot with Nebraska's and MIT's cms CEs advertising glexec."""
    return overlay_ldif(osg_snapshot, tmp_path / "osg.ldif", {NEB: GLEXEC, MIT: GLEXEC})


def test_advertised_to_reliable_and_the_check_when_it_fails(
    osg_snapshot: Path, advertised: Path, tmp_path: Path
) -> None:
    db = tmp_path / "h.sqlite"
    now = datetime.now(UTC)
    # What to test: nothing while no cms CE advertises glexec, then the two that do, one
    # CE a line, as a test framework takes the list.
    code, out, _ = run_cli("testlist", "--bdii", osg_snapshot, "-e", "cms", "--format", "lines")
    assert (code, out) == (0, "")
    code, out, _ = run_cli("testlist", "--bdii", advertised, "-e", "cms", "--format", "lines")
    assert code == 0
    to_test = out.splitlines()
    assert sorted(to_test) == sorted([NEB, MIT])
    mit_ce, neb_ce = sorted(to_test)
    # The framework's results over the last six days, 5 hours apart, for each listed CE.
    # MIT: every one OK, by host name (a site's CSV).
    mit_host = read_ce(mit_ce, "").host
    mit = csv_file(
        tmp_path / "mit.csv",
        [(hours_ago(now, 2 + 5 * i), mit_host, "CMS", METRIC, "OK", "") for i in range(30)],
    )  # fmt: skip
    # Nebraska: 30 results as JSON lines, the last three failing.
    neb = tmp_path / "neb.jsonl"
    neb.write_text(
        "".join(
            json.dumps(
                {
                    "time": hours_ago(now, 2 + 5 * i),
                    "ce": neb_ce,
                    "experiment": "cms",
                    "metric": METRIC,
                    "status": "CRITICAL" if i < 3 else "OK",
                    "summary": "glexec: permission denied" if i < 3 else "ok",
                }
            )
            + "\n"
            for i in range(30)
        ),
        encoding="utf-8",
    )
    # ETF result messages for MIT: the VO from the metric's suffix, one not a glexec test.
    etf = tmp_path / "etf.msg"
    etf.write_text(
        f"timestamp: {hours_ago(now, 160)}\nhostName: {mit_host}\n"
        f"serviceType: CE\nmetricName: {METRIC}-/cms/Role=pilot\nmetricStatus: OK\n"
        "summaryData: OK: payload ran as another user\n\n"
        f"timestamp: {hours_ago(now, 161)}\nhostName: {mit_host}\n"
        "metricName: org.cms.WN-basic\nmetricStatus: OK\nvoName: cms\n",
        encoding="utf-8",
    )
    code, out, err = run_cli("results", "import", "--state", db, mit, neb, etf)
    assert (code, out) == (0, "")
    assert err.splitlines() == [
        f"{mit}: 30 new, 0 already recorded",
        f"{neb}: 30 new, 0 already recorded",
        f"{etf}: 1 new, 0 already recorded, 1 skipped (not a glexec test)",
    ]
    # The same files again record nothing new.
    code, _, err = run_cli("results", "import", "--state", db, mit)
    assert (code, err) == (0, f"{mit}: 0 new, 30 already recorded\n")
    assert result_count(db) == 61

    # The first check: Nebraska is ready, but its last three results failed.
    code, out, _ = run_cli("check", "--bdii", advertised, "--state", db, "-e", "cms")
    assert code == 1, out
    first = out.splitlines()[0]
    assert first.startswith(
        f"CECAP WARNING - cms: 1 ready with the last 3 glexec tests failed: {NEB} |"
    )
    assert " cms_reliable=1;;;0" in first
    assert re.search(
        rf"^  glexec tests failing since {STAMP}: {re.escape(NEB)}: ready, but its last 3 glexec"
        " results failed",
        out,
        re.MULTILINE,
    )

    # The list to switch to: MIT alone.
    code, out, _ = run_cli(
        "report", "--bdii", advertised, "--state", db, "-e", "cms", "--reliable", "--format", "lines"
    )  # fmt: skip
    assert (code, out) == (0, f"{MIT}\n")
    code, out, _ = run_cli(
        "report", "--bdii", advertised, "--state", db, "-e", "cms", "--format", "json"
    )
    rows = {r["ce"]: r for r in json.loads(out)["rows"]}
    assert rows[MIT]["reliable"] is True
    assert rows[MIT]["tests"] == {
        "ok": 31,
        "total": 31,
        "ratio": 1.0,
        "last_status": "OK",
        "last_time": hours_ago(now, 2),
    }
    assert rows[NEB]["reliable"] is False
    assert rows[NEB]["tests"]["ok"] == 27
    assert rows[NEB]["tests"]["last_status"] == "CRITICAL"
    code, out, _ = run_cli(
        "report", "--bdii", advertised, "--state", db, "-e", "cms", "--format", "csv",
        "--fields", "ce,reliable,tests",
    )  # fmt: skip
    assert f'{MIT},true,"31/31 OK, last OK 2h ago"' in out.splitlines()
    code, out, _ = run_cli(
        "sites", "--bdii", advertised, "--state", db, "-e", "cms", "--format", "json"
    )
    reliable = {r["site"]: r["ces_reliable"] for r in json.loads(out)["rows"]}
    assert reliable["MIT_CMS"] == 1
    assert reliable["Nebraska"] == 0

    # MIT starts failing: the next check names it as no longer reliable.
    failing = csv_file(
        tmp_path / "mit-failing.csv",
        [(hours_ago(now, h), MIT, "cms", METRIC, "CRITICAL", "glexec: no such user") for h in (1.5, 1, 0.5)],
    )  # fmt: skip
    assert run_cli("results", "import", "--state", db, failing).code == 0
    code, out, _ = run_cli(
        "check", "--bdii", advertised, "--state", db, "-e", "cms", "--reliable-warning", "cms=1:"
    )
    assert code == 1, out
    summary = out.splitlines()[0]
    assert "cms: 0 reliable (warning: outside 1:), 1 no longer reliable: " + MIT in summary
    assert " cms_reliable=0;1:;;0" in summary
    assert re.search(rf"^  no longer reliable since {STAMP}: {re.escape(MIT)}$", out, re.MULTILINE)
    # Nagios' retry: the check before judged MIT not reliable, and it is still named.
    code, again, _ = run_cli(
        "check", "--bdii", advertised, "--state", db, "-e", "cms", "--reliable-warning", "cms=1:"
    )
    assert (code, again.splitlines()[0]) == (1, summary)
    code, out, _ = run_cli(
        "report", "--bdii", advertised, "--state", db, "-e", "cms", "--reliable", "--format", "lines"
    )  # fmt: skip
    assert (code, out) == (0, "")


def test_a_bad_row_records_nothing_and_names_file_and_line(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    now = datetime.now(UTC)
    good = csv_file(tmp_path / "good.csv", [(hours_ago(now, 1), MIT, "cms", METRIC, "OK", "")])
    bad = csv_file(
        tmp_path / "bad.csv",
        [
            (hours_ago(now, 1), NEB, "cms", METRIC, "OK", ""),
            (hours_ago(now, 2), NEB, "cms", METRIC, "FINE", ""),
        ],
    )
    code, out, err = run_cli("results", "import", "--state", db, good, bad)
    assert (code, out) == (2, "")
    assert err == (
        f"cecap: error: {bad}: line 3: status 'FINE' is not one of OK, WARNING, CRITICAL, UNKNOWN\n"
    )
    assert not db.exists()
    code, _, err = run_cli("results", "import", "--state", db, "-", input="time,ce\n")
    assert code == 2
    assert err.startswith("cecap: error: -: line 1: not a result file: expected the CSV header")
    zoneless = csv_file(tmp_path / "z.csv", [("2010-04-01T12:00:00", MIT, "cms", METRIC, "OK", "")])
    code, _, err = run_cli("results", "import", "--state", db, zoneless)
    assert (code, err) == (
        2,
        f"cecap: error: {zoneless}: line 2: time '2010-04-01T12:00:00' has no zone: add Z or"
        " +01:00\n",
    )


def test_history_migration_from_schema_1(advertised: Path, tmp_path: Path) -> None:
    """A history as today's cecap wrote it (schema 1: runs, tallies, states): a reading
    command reads it as it is and leaves it so; results import upgrades it in place."""
    db = tmp_path / "h.sqlite"
    assert run_cli("check", "--bdii", advertised, "--state", db, "-e", "cms").code == 0
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE results")
        conn.execute("DROP TABLE reliable")
        conn.execute("DROP TABLE held")
        conn.execute("PRAGMA user_version=1")
    code, out, _ = run_cli(
        "report", "--bdii", advertised, "--state", db, "-e", "cms", "--format", "json"
    )
    assert code == 0
    rows = {r["ce"]: r for r in json.loads(out)["rows"]}
    assert (rows[MIT]["stable_runs"], rows[MIT]["reliable"], rows[MIT]["tests"]) == (1, None, None)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    results = csv_file(
        tmp_path / "r.csv", [(hours_ago(datetime.now(UTC), 1), MIT, "cms", METRIC, "OK", "")]
    )
    assert run_cli("results", "import", "--state", db, results).code == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 1
    assert result_count(db) == 1
    # The check after the upgrade compares with the run recorded before it.
    code, out, _ = run_cli("check", "--bdii", advertised, "--state", db, "-e", "cms")
    assert code == 0, out
    assert "(2 at the previous run)" in out

    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    code, _, err = run_cli("results", "import", "--state", db, results)
    assert (code, err) == (
        2,
        f"cecap: error: {db}: written by a newer cecap (history schema {SCHEMA_VERSION + 1};"
        f" this cecap reads {SCHEMA_VERSION} and older); use a newer cecap, or another --state\n",
    )


def test_a_result_for_a_host_covers_a_glue2_endpoint_on_it(tmp_path: Path) -> None:
    """A GLUE 2.0 endpoint ID is no host:port/ form: its host is its reading's (its URL's)."""
    db = tmp_path / "h.sqlite"
    glue2 = REPO / "examples" / "sample-glue2.ldif"
    now = datetime.now(UTC)
    import_results(db, tmp_path / "r.csv", hourly(now, "lcgce01.gridpp.rl.ac.uk", ["OK"] * 3))
    result = run_cli(
        "report", "--bdii", glue2, "-e", "cms", "--verdict", "ready", "--state", db,
        "--format", "json",
    )  # fmt: skip
    assert result.code == 0, result.err
    (row,) = json.loads(result.out)["rows"]
    assert row["ce"] == "lcgce01.gridpp.rl.ac.uk_org.glite.ce.CREAM"
    assert row["tests"] is not None and row["tests"]["ok"] == 3
