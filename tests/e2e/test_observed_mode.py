"""The glexec mode tests see, through the CLI on the sample BDII: result files in each
accepted shape with setuid, log-only, failing and missing results for CEs of sites with
each kind of answer; report's observed_mode and reliable, explain, check and audit."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.overlay import overlay_ldif
from helpers.paths import SAMPLE
from helpers.results import METRIC, csv_file, hours_ago

LOG_ONLY = "Warning: Same /usr/bin/id for payload and pilot"
# Answered setuid require, log-only no (UKI-RAL-LCG2): ready.
RAL = "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M"
# Answered setuid require, log-only no (USCMS-T2-Nebraska): ready once it advertises.
NEB = "red.unl.edu:2119/jobmanager-pbs-cms"
# Answered allow both (ES-T1-PIC): ready once it advertises.
PIC = "ce07.pic.es:8443/cream-pbs-glong"
# Answered allow both (CERN): conditional.
CERN = "ce201.cern.ch:8443/cream-pbs-grid_cms"
# Answered setuid no, log-only allow (DE-T2-DESY): mode-mismatch for CMS.
DESY = "grid-ce3.desy.de:8443/cream-pbs-desy"
# Answered unknown to both (UKI-LT2-IC): no results at all.
IC = "ceprod03.grid.hep.ph.ic.ac.uk:8443/cream-pbs-sge"


def cms_output(uid: int, same: bool) -> str:
    """What CMS's WN-gLExec test prints, as far as it matters here."""
    lines = ["Ran at 2026-01-01 12:00:00 UTC on host wn01 as user:", "uid=501(cmsplt)"]
    lines += ["Glexec Invocation:", "Using glexec at /usr/sbin/glexec"]
    if same:
        lines.append(LOG_ONLY)
    return "\n".join([*lines, f"Payload id: {uid}", "Test finished"])


def message(when: str, host: str, status: str, details: str) -> str:
    """A result message in the WLCG format, detailsData last, ended by EOT."""
    return (
        f"serviceURI: {host}\nhostName: {host}\nserviceFlavour: CREAM-CE\n"
        f"metricStatus: {status}\nmetricName: {METRIC}-/cms/Role=pilot\n"
        f"summaryData: {status}: glexec test\ntimestamp: {when}\nvoName: cms\n"
        f"serviceType: CREAM-CE\ndetailsData: {details}\nEOT\n"
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    where = tmp_path_factory.mktemp("observed")
    ldif = overlay_ldif(SAMPLE, where / "sample.ldif", {NEB: ["glexec"], PIC: ["glexec"]})
    now = datetime.now(UTC)
    db = where / "h.sqlite"
    # RAL: a site's CSV with the output column; the last six results log-only (WARNING),
    # setuid (OK) before.
    ral = [
        (hours_ago(now, 2 + 5 * i), RAL, "cms", METRIC, "WARNING" if i < 6 else "OK", "",
         cms_output(501 if i < 6 else 20001, i < 6).replace("\n", " | "))
        for i in range(30)
    ]  # fmt: skip
    rows = ["time,ce,experiment,metric,status,summary,output"]
    rows += [",".join(r) for r in ral]
    (where / "ral.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    # Nebraska: JSON lines, every result OK (setuid), with its output.
    (where / "neb.jsonl").write_text(
        "".join(
            json.dumps(
                {"time": hours_ago(now, 2 + 5 * i), "ce": NEB, "experiment": "cms",
                 "metric": METRIC, "status": "OK", "output": cms_output(20001, False)}
            ) + "\n"
            for i in range(30)
        ),
        encoding="utf-8",
    )  # fmt: skip
    # PIC and DESY: SAM/ETF result messages, by host, the payload ran as the pilot.
    text = "".join(
        message(hours_ago(now, 2 + 5 * i), host, "WARNING", cms_output(501, True))
        for host in ("ce07.pic.es", "grid-ce3.desy.de")
        for i in range(30)
    )
    (where / "sam.txt").write_text(text, encoding="utf-8")
    # CERN: failing, the output shows no mode.
    csv_file(
        where / "cern.csv",
        [(hours_ago(now, 2 + 5 * i), CERN, "cms", METRIC, "CRITICAL", "Error: payloadproxy not found") for i in range(30)],
    )  # fmt: skip
    names = ["ral.csv", "neb.jsonl", "sam.txt", "cern.csv"]
    done = run_cli("results", "import", "--state", db, *(where / n for n in names))
    assert done.code == 0, done.err
    return ldif, db


def rows(*args: object) -> list[dict[str, object]]:
    code, out, err = run_cli(*args, "--format", "json")
    assert code in (0, 1), err
    found = json.loads(out)["rows"]
    assert isinstance(found, list)
    return found


def test_report_observed_mode_and_reliable(world: tuple[Path, Path]) -> None:
    ldif, db = world
    got = {
        r["ce"]: (r["verdict"], r["observed_mode"], r["reliable"])
        for r in rows("report", "--bdii", ldif, "-e", "cms", "--all", "--state", db)
    }
    assert got == {
        RAL: ("ready", "log-only", False),
        NEB: ("ready", "setuid", True),
        PIC: ("ready", "log-only", False),
        CERN: ("conditional", "unknown", False),
        DESY: ("mode-mismatch", "log-only", False),
        IC: ("conditional", "unknown", None),
        "ce.cism.ucl.ac.be:8443/cream-pbs-cms": ("site-refuses", "unknown", None),
        "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid500M": ("not-in-production", "unknown", None),
    }
    reliable = rows("report", "--bdii", ldif, "-e", "cms", "--reliable", "--state", db)
    assert [r["ce"] for r in reliable] == [NEB]
    # Without a history: null.
    plain = rows("report", "--bdii", ldif, "-e", "cms", "--state", db.with_name("none.sqlite"))
    assert {r["observed_mode"] for r in plain} == {None}


def test_lhcb_accepts_log_only(world: tuple[Path, Path], tmp_path: Path) -> None:
    """The same log-only results for LHCb, which accepts log-only: no reason against it."""
    ldif, db = world
    copy = tmp_path / "h.sqlite"
    with sqlite3.connect(db) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE results SET experiment = 'lhcb', metric = 'org.lhcb.glexec.WN-gLExec'")
    found = {
        r["ce"]: r for r in rows("report", "--bdii", ldif, "-e", "lhcb", "--all", "--state", copy)
    }
    ral = found[RAL]
    assert ral["observed_mode"] == "log-only"
    explained = rows("explain", "--bdii", ldif, "--ce", RAL, "-e", "lhcb", "--state", copy)
    missed = explained[0]["reliable"]["missed"]  # type: ignore[index]
    assert not any("log-only" in m for m in missed)


def test_explain_says_why_quoting_the_output(world: tuple[Path, Path]) -> None:
    ldif, db = world
    (row,) = rows("explain", "--bdii", ldif, "--ce", RAL, "-e", "cms", "--state", db)
    evidence = row["reliable"]
    assert isinstance(evidence, dict)
    # RAL's CSV gives the output on one line: the line quoted is cut to 200 characters.
    line = cms_output(501, True).replace("\n", " | ")
    assert len(line) > 200
    quoted = line[:199] + "\u2026"
    said = "tests see glexec in log-only mode, which CMS does not accept: "
    assert evidence["missed"] == [
        "80% OK, under 95%",
        "the last WARNING",
        f"{said}\u201c{quoted}\u201d",
    ]
    assert evidence["observed_mode"] == "log-only"
    assert [(e["status"], e["line"]) for e in evidence["evidence"]] == [("WARNING", quoted)] * 3
    why = f"{said}\u201c{LOG_ONLY}\u201d"
    code, out, _ = run_cli("explain", "--bdii", ldif, "--ce", PIC, "-e", "cms", "--state", db)
    assert code == 0
    text = " ".join(out.split())
    assert "reliable no: " in text and why in text
    assert "mode log-only, seen at " in text
    assert f"(and 2 earlier): \u201c{LOG_ONLY}\u201d" in text
    code, out, _ = run_cli("explain", "--bdii", ldif, "--ce", NEB, "-e", "cms", "--state", db)
    assert "mode setuid, seen at " in " ".join(out.split())
    assert "it ended OK" in out
    code, out, _ = run_cli("explain", "--bdii", ldif, "--ce", CERN, "-e", "cms", "--state", db)
    assert "mode unknown: no result in the window shows the glexec mode" in " ".join(out.split())


def test_audit_compares_the_mode_seen_with_the_answers(world: tuple[Path, Path]) -> None:
    ldif, db = world
    code, out, err = run_cli("audit", "--bdii", ldif, "--state", db, "--format", "json")
    assert code == 1, err
    found = [
        (f["kind"], f["site"], f["severity"])
        for f in json.loads(out)["rows"]
        if f["kind"].startswith("mode-")
    ]
    # RAL answered setuid only: an error. PIC allowed both: information. DESY answered
    # log-only allowed, setuid no: nothing. Nebraska is seen in setuid, CERN in no mode.
    assert sorted(found) == [
        ("mode-contradicts-stance", "RAL-LCG2", "error"),
        ("mode-observed", "pic", "info"),
    ]
    (ral,) = [f for f in json.loads(out)["rows"] if f["kind"] == "mode-contradicts-stance"]
    assert ral["message"].startswith("CMS's glexec tests see log-only mode (last at ")
    assert ", WARNING (\u201cRan at 2026" in ral["message"]
    assert "UKI-RAL-LCG2 answered setuid only: setuid \u201c" in ral["message"]
    assert ral["fix"] in (None, [], "")
    # Without the history: no mode findings.
    code, out, _ = run_cli(
        "audit", "--bdii", ldif, "--state", db.with_name("none.sqlite"), "--format", "json"
    )
    assert not [f for f in json.loads(out)["rows"] if f["kind"].startswith("mode-")]


def test_check_warns_and_holds(world: tuple[Path, Path], tmp_path: Path) -> None:
    ldif, db = world
    copy = tmp_path / "h.sqlite"
    with sqlite3.connect(db) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    first = run_cli("check", "--bdii", ldif, "-e", "cms", "--state", copy)
    again = run_cli("check", "--bdii", ldif, "-e", "cms", "--state", copy)
    assert (first.code, again.code) == (1, 1)
    status = first.out.splitlines()[0]
    assert status.startswith(
        f"CECAP WARNING - cms: 2 seen in log-only mode by glexec tests: {PIC}, {RAL} |"
    )
    # Their last tests failed in that mode: named once, for the mode, not as failing too.
    assert "glexec tests failed" not in first.out
    assert again.out.splitlines()[0] == status
    assert (
        "glexec mode seen since " in first.out
        and f": {RAL}: tests see glexec in log-only mode, which CMS does not accept: \u201c"
        in first.out
    )
    with sqlite3.connect(copy) as conn:
        held = conn.execute(
            "SELECT ce, until_run FROM held WHERE problem = 'mode-refused' ORDER BY ce"
        ).fetchall()
    assert held == [(PIC, None), (RAL, None)]
    code, out, _ = run_cli(
        "check", "--bdii", ldif, "-e", "cms", "--state", copy, "--format", "json"
    )
    assert code == 1
    (row,) = json.loads(out)["rows"]
    assert row["failing_tests"] == []
    assert [(r["ce"], r["observed_mode"], r["line"]) for r in row["mode_refused"]] == [
        (PIC, "log-only", LOG_ONLY),
        (RAL, "log-only", cms_output(501, True).replace("\n", " | ")[:199] + "\u2026"),
    ]


def test_a_history_of_schema_3_keeps_working(world: tuple[Path, Path], tmp_path: Path) -> None:
    """A history as cecap wrote it before it kept each result's output (schema 3): readers
    read it as it is, without output (the mode from OK results alone), and leave it so;
    the next import upgrades it in place, the results before it keeping no output."""
    ldif, db = world
    old = tmp_path / "h.sqlite"
    with sqlite3.connect(db) as src, sqlite3.connect(old) as dst:
        src.backup(dst)
    with sqlite3.connect(old) as conn:
        conn.execute("ALTER TABLE results DROP COLUMN output")
        conn.execute("PRAGMA user_version=3")
    got = {
        r["ce"]: (r["observed_mode"], r["reliable"])
        for r in rows("report", "--bdii", ldif, "-e", "cms", "--all", "--state", old)
    }
    # RAL's setuid results (OK) are older than its log-only ones, which only the output
    # told apart: without it, its newest result showing a mode is an OK one; PIC's show
    # none.
    assert (got[RAL], got[NEB], got[PIC]) == (
        ("setuid", False),
        ("setuid", True),
        ("unknown", False),
    )
    with sqlite3.connect(old) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    now = datetime.now(UTC)
    fresh = tmp_path / "new.csv"
    fresh.write_text(
        "time,ce,experiment,metric,status,summary,output\n"
        f"{hours_ago(now, 1)},{IC},cms,{METRIC},WARNING,,{LOG_ONLY}\n",
        encoding="utf-8",
    )
    assert run_cli("results", "import", "--state", old, fresh).code == 0
    with sqlite3.connect(old) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
        outputs = dict(
            conn.execute("SELECT ce, output FROM results WHERE ce IN (?, ?)", (IC, NEB)).fetchall()
        )
    assert outputs == {IC: LOG_ONLY, NEB: ""}
    got = {
        r["ce"]: r["observed_mode"]
        for r in rows("report", "--bdii", ldif, "-e", "cms", "--all", "--state", old)
    }
    assert got[IC] == "log-only"
