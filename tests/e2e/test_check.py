"""check, history, diff and report --record end to end, as cron and Nagios run them."""

# Nagios states and exit codes, history across runs of the real OSG 2008 snapshot, every
# diff format, UNKNOWN for every failure, overlapping runs, a run killed mid-write, pruning.

from __future__ import annotations

import csv
import io
import json
import re
import signal
import socket
import sqlite3
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import Result, run_cli
from helpers.overlay import overlay_ldif
from helpers.paths import CONFIG, SAMPLE
from helpers.process import run_process, start_held, start_process

from cecap.errors import ConfigError
from cecap.formats import format_names
from cecap.history.schema import SCHEMA_VERSION
from cecap.policy.load import load_policy

AGLT2 = "gate01.aglt2.org:2119/jobmanager-condor-atlas"
BNL = "gridgk01.racf.bnl.gov:2119/jobmanager-condor-atlas"
UC = "tier2-osg.uchicago.edu:2119/jobmanager-condor-atlas"
NEB = "red.unl.edu:2119/jobmanager-pbs-cms"  # serves atlas and cms
NEB_PROD = "red.unl.edu:2119/jobmanager-pbs-cmsprod"  # serves atlas and cms
CIT = "cit-gatekeeper.ultralight.org:2119/jobmanager-condor-cms"  # Caltech: conditional
MIT = "ce01.cmsaf.mit.edu:2119/jobmanager-condor-cms"

PIC = "ce07.pic.es:8443/cream-pbs-glong"
RAL = "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M"
TRIUMF = "ce1.triumf.ca:8443/cream-pbs-atlas"

GLEXEC = ["glexec"]


def drop_ces(path: Path, ces: list[str]) -> Path:
    """Remove the GlueCE entries of ``ces`` from an LDIF file, as if they left the BDII."""
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    kept = [
        b
        for b in blocks
        if not any(b.lstrip("\n").startswith(f"dn: GlueCEUniqueID={ce},") for ce in ces)
    ]
    assert len(kept) == len(blocks) - len(ces), "a CE to drop is not in the file"
    path.write_text("\n\n".join(kept), encoding="utf-8")
    return path


def db_runs(db: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT id, source FROM runs ORDER BY id").fetchall()


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def run_times(db: Path) -> dict[int, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT id, time FROM runs").fetchall())


@pytest.fixture
def osg_runs(osg_snapshot: Path, tmp_path: Path) -> tuple[Path, Path, Path]:
    """Three snapshots of the OSG 2008 BDII, as three cron runs could have seen it:

    a: glexec on AGLT2, BNL, UC (atlas), Nebraska's cms queue (atlas and cms), Caltech
       and MIT (cms);
    b: AGLT2 stopped advertising, BNL went Draining, MIT's CE left the BDII,
       Nebraska's cmsprod queue started advertising;
    c: all of them back, cmsprod still there.
    """
    a = overlay_ldif(
        osg_snapshot, tmp_path / "a.ldif", {c: GLEXEC for c in (AGLT2, BNL, UC, NEB, CIT, MIT)}
    )
    b = overlay_ldif(
        osg_snapshot,
        tmp_path / "b.ldif",
        {c: GLEXEC for c in (BNL, UC, NEB, NEB_PROD, CIT, MIT)},
        states={BNL: "Draining"},
    )
    drop_ces(b, [MIT])
    c = overlay_ldif(
        osg_snapshot,
        tmp_path / "c.ldif",
        {c: GLEXEC for c in (AGLT2, BNL, UC, NEB, NEB_PROD, CIT, MIT)},
    )
    return a, b, c


def perf(experiment: str, ready: int, counts: dict[str, int], thresholds: str = ";;") -> str:
    order = (
        "conditional",
        "no_stance",
        "mode_mismatch",
        "site_refuses",
        "not_in_production",
        "not_advertised",
    )
    items = [f"{experiment}_ready={ready}{thresholds};0"]
    items += [f"{experiment}_{v}={counts.get(v, 0)};;;0" for v in order]
    # No glexec test results imported: none reliable.
    items.append(f"{experiment}_reliable=0;;;0")
    return " ".join(items)


def osg_perf(atlas: int, cms: int, atlas_nip: int = 0, atlas_na: int = 0, cms_na: int = 0) -> str:
    return " ".join(
        [
            perf("atlas", atlas, {"not_in_production": atlas_nip, "not_advertised": atlas_na}),
            perf("cms", cms, {"conditional": 1, "not_advertised": cms_na}),
            perf("lhcb", 0, {"not_advertised": 1}),
            perf("alice", 0, {}),
        ]
    )


# -- OK, WARNING, CRITICAL ------------------------------------------------------------------


SAMPLE_ATLAS = {
    "conditional": 1,
    "no_stance": 1,
    "mode_mismatch": 1,
    "not_in_production": 1,
    "not_advertised": 1,
}


@pytest.mark.parametrize(
    ("warning", "critical", "code", "summary", "state"),
    [
        ("3:", "1:", 0, "CECAP OK - ready CEs: atlas 3", "OK"),
        ("4:", "1:", 1, "CECAP WARNING - atlas: 3 ready (warning: outside 4:)", "WARNING"),
        ("10:", "4:", 2, "CECAP CRITICAL - atlas: 3 ready (critical: outside 4:)", "CRITICAL"),
        ("~:2", "@3:5", 2, "CECAP CRITICAL - atlas: 3 ready (critical: inside 3:5)", "CRITICAL"),
    ],
)
def test_thresholds_on_ready_ces(
    tmp_path: Path, warning: str, critical: str, code: int, summary: str, state: str
) -> None:
    db = tmp_path / "h.sqlite"
    result = run_cli(
        "check", "--bdii", SAMPLE, "-e", "atlas", "-w", warning, "-c", critical, "--state", db
    )
    assert result.code == code, result.err
    assert result.err == ""
    thresholds = f";{warning};{critical}"
    assert result.out.splitlines() == [
        f"{summary} | {perf('atlas', 3, SAMPLE_ATLAS, thresholds)}",
        f"atlas {state}: 3 ready of 8 CEs serving VO atlas (first recorded run)",
    ]


def test_three_runs_of_the_osg_snapshot(osg_runs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    a, b, c = osg_runs
    db = tmp_path / "state" / "history.sqlite"
    db.parent.mkdir()

    first = run_cli("check", "--bdii", a, "--state", db)
    assert first.code == 0, first.err
    assert first.out.splitlines() == [
        "CECAP OK - ready CEs: atlas 4, cms 2, lhcb 0, alice 0 | "
        + osg_perf(atlas=4, cms=2, atlas_na=127, cms_na=97),
        "atlas OK: 4 ready of 131 CEs serving VO atlas (first recorded run)",
        "cms OK: 2 ready of 100 CEs serving VO cms (first recorded run)",
        "lhcb OK: 0 ready of 1 CE serving VO lhcb (first recorded run)",
        "alice OK: no CE serves VO alice (first recorded run)",
    ]

    second = run_cli("check", "--bdii", b, "--state", db)
    assert second.code == 1, second.err
    # Each change is held from this run on: the detail lines say since when.
    since = f"since {run_times(db)[2]}"
    assert second.out.splitlines() == [
        f"CECAP WARNING - atlas: 2 no longer ready: {AGLT2}, {BNL}. cms: 1 no longer ready: {MIT}"
        " | " + osg_perf(atlas=3, cms=2, atlas_nip=1, atlas_na=127, cms_na=96),
        "atlas WARNING: 3 ready of 131 CEs serving VO atlas (4 at the previous run)",
        f"  no longer ready {since}: {AGLT2} at AGLT2: ready → not-advertised: CE does not"
        " publish GlueCECapability: glexec for VO atlas",
        f"  no longer ready {since}: {BNL} at BNL_ATLAS_1: ready → not-in-production: CE state"
        " is Draining; ATLAS targets only Production",
        f"  newly ready: {NEB_PROD} at Nebraska: not-advertised → ready",
        "cms WARNING: 2 ready of 99 CEs serving VO cms (2 at the previous run)",
        f"  no longer ready {since}: {MIT} at MIT_CMS: ready → absent: no longer among the CEs"
        " serving VO cms",
        f"  newly ready: {NEB_PROD} at Nebraska: not-advertised → ready",
        "lhcb OK: 0 ready of 1 CE serving VO lhcb (0 at the previous run)",
        "alice OK: no CE serves VO alice (0 ready at the previous run)",
    ]

    third = run_cli("check", "--bdii", c, "--state", db)
    assert third.code == 0, third.err
    assert third.out.splitlines() == [
        "CECAP OK - ready CEs: atlas 5, cms 3, lhcb 0, alice 0 | "
        + osg_perf(atlas=5, cms=3, atlas_na=126, cms_na=96),
        "atlas OK: 5 ready of 131 CEs serving VO atlas (3 at the previous run)",
        f"  newly ready: {AGLT2} at AGLT2: not-advertised → ready",
        f"  newly ready: {BNL} at BNL_ATLAS_1: not-in-production → ready",
        "cms OK: 3 ready of 100 CEs serving VO cms (2 at the previous run)",
        f"  newly ready: {MIT} at MIT_CMS: absent → ready",
        "lhcb OK: 0 ready of 1 CE serving VO lhcb (0 at the previous run)",
        "alice OK: no CE serves VO alice (0 ready at the previous run)",
    ]
    assert db_runs(db) == [(1, str(a)), (2, str(b)), (3, str(c))]
    t = run_times(db)

    # The timeline: one line per change, each verdict named; MIT's CE went absent.
    timeline = run_cli("history", "--state", db)
    assert timeline.code == 0, timeline.err
    assert [line for line in timeline.out.splitlines() if "  run 1  " not in line] == [
        f"{t[2]}  run 2  atlas  AGLT2  {AGLT2}  ready → not-advertised",
        f"{t[2]}  run 2  atlas  BNL_ATLAS_1  {BNL}  ready → not-in-production",
        f"{t[2]}  run 2  atlas  Nebraska  {NEB_PROD}  not-advertised → ready",
        f"{t[2]}  run 2  cms  MIT_CMS  {MIT}  ready → absent",
        f"{t[2]}  run 2  cms  Nebraska  {NEB_PROD}  not-advertised → ready",
        f"{t[3]}  run 3  atlas  AGLT2  {AGLT2}  not-advertised → ready",
        f"{t[3]}  run 3  atlas  BNL_ATLAS_1  {BNL}  not-in-production → ready",
        f"{t[3]}  run 3  cms  MIT_CMS  {MIT}  absent → ready",
    ]
    by_ce = run_cli("history", "--state", db, "--ce", MIT)
    assert by_ce.out.splitlines() == [
        f"{t[1]}  run 1  cms  MIT_CMS  {MIT}  ready (first recorded)",
        f"{t[2]}  run 2  cms  MIT_CMS  {MIT}  ready → absent",
        f"{t[3]}  run 3  cms  MIT_CMS  {MIT}  absent → ready",
    ]
    by_site = run_cli(
        "history", "--state", db, "--site", "nebraska", "-e", "cms", "--format", "json"
    )
    doc = json.loads(by_site.out)
    assert [(r["run"], r["ce"], r["verdict_before"], r["verdict"]) for r in doc["rows"]] == [
        (
            1,
            f"red.unl.edu:2119/jobmanager-pbs-{q}",
            None,
            "ready" if q == "cms" else "not-advertised",
        )
        for q in ("atlas", "cms", "cmsprod", "default", "dzero", "osg", "pushpa", "workq")
    ] + [(2, NEB_PROD, "not-advertised", "ready")]

    # diff: the last two runs by default, or any two named.
    last = run_cli("diff", "--state", db, "--format", "csv")
    assert last.code == 0, last.err
    assert list(csv.reader(io.StringIO(last.out))) == [
        ["experiment", "site", "ce", "change", "verdict_a", "verdict_b", "mode_a", "mode_b"],
        ["atlas", "AGLT2", AGLT2, "changed", "not-advertised", "ready", "", "setuid"],
        ["atlas", "BNL_ATLAS_1", BNL, "changed", "not-in-production", "ready", "", "setuid"],
        ["cms", "MIT_CMS", MIT, "appeared", "absent", "ready", "", "setuid"],
    ]
    named = run_cli("diff", "1", "3", "--state", db, "--format", "json")
    doc = json.loads(named.out)
    assert (doc["kind"], doc["run_a"], doc["run_b"], doc["time_a"], doc["time_b"]) == (
        "diff",
        1,
        3,
        t[1],
        t[3],
    )
    assert [
        (r["experiment"], r["ce"], r["change"], r["verdict_a"], r["verdict_b"]) for r in doc["rows"]
    ] == [
        ("atlas", NEB_PROD, "changed", "not-advertised", "ready"),
        ("cms", NEB_PROD, "changed", "not-advertised", "ready"),
    ]

    # report: how long each CE has kept its verdict; --min-stable keeps the reliable ones.
    report = run_cli("report", "--bdii", c, "--state", db, "-e", "atlas", "--format", "json")
    assert [(r["ce"], r["stable_runs"]) for r in json.loads(report.out)["rows"]] == [
        (AGLT2, 1),
        (BNL, 1),
        (NEB, 3),
        (NEB_PROD, 2),
        (UC, 3),
    ]
    stable = run_cli("report", "--bdii", c, "--state", db, "--min-stable", "2", "--format", "csv")
    assert [
        (r["experiment"], r["ce"], r["stable_runs"])
        for r in csv.DictReader(io.StringIO(stable.out))
    ] == [
        ("atlas", NEB, "3"),
        ("atlas", NEB_PROD, "2"),
        ("atlas", UC, "3"),
        ("cms", NEB, "3"),
        ("cms", NEB_PROD, "2"),
    ]


# -- diff in every format -------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two runs of the sample: pic's CE joins; RAL's grid1000M drains; TRIUMF's CE leaves."""
    tmp = tmp_path_factory.mktemp("sample-history")
    a = tmp / "a.ldif"
    a.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    drop_ces(a, [PIC])
    b = overlay_ldif(SAMPLE, tmp / "b.ldif", states={RAL: "Draining"})
    drop_ces(b, [TRIUMF])
    db = tmp / "h.sqlite"
    for snapshot, code in ((a, 0), (b, 1)):
        done = run_cli("check", "--bdii", snapshot, "--state", db)
        assert done.code == code, done.out + done.err
    return db


SAMPLE_DIFF = [
    ("alice", "RAL-LCG2", RAL, "changed", "ready", "not-in-production", "setuid", None),
    ("atlas", "pic", PIC, "appeared", "absent", "ready", None, "setuid"),
    ("atlas", "RAL-LCG2", RAL, "changed", "ready", "not-in-production", "setuid", None),
    ("atlas", "TRIUMF-LCG2", TRIUMF, "disappeared", "no-stance", "absent", None, None),
    ("cms", "pic", PIC, "appeared", "absent", "not-advertised", None, None),
    ("cms", "RAL-LCG2", RAL, "changed", "ready", "not-in-production", "setuid", None),
    ("lhcb", "RAL-LCG2", RAL, "changed", "ready", "not-in-production", "setuid", None),
]


@pytest.mark.parametrize("fmt", format_names())
def test_diff_in_every_format(fmt: str, sample_history: Path) -> None:
    # Wide enough for every column of the table on the row's line.
    code, out, err = run_cli(
        "diff", "--state", sample_history, "--format", fmt, env={"COLUMNS": "200"}
    )
    assert (code, err) == (0, "")
    if fmt == "json":
        rows = json.loads(out)["rows"]
        assert [tuple(r.values()) for r in rows] == SAMPLE_DIFF
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))[1:]
        assert rows == [[v or "" for v in row] for row in SAMPLE_DIFF]
    elif fmt == "lines":
        assert out.splitlines() == [row[2] for row in SAMPLE_DIFF]
    else:
        # Every row is there, whatever the layout: each CE and change, in order.
        lines = [
            line
            for line in out.splitlines()
            if "appeared" in line or "changed" in line or "disappeared" in line
        ]
        assert len(lines) == len(SAMPLE_DIFF), out
        for line, row in zip(lines, SAMPLE_DIFF, strict=True):
            assert row[3] in line
            assert row[4] in line and row[5] in line
        for ce in (PIC, RAL, TRIUMF):
            assert ce.replace("_", "\\_") in out or ce in out


def test_diff_table_layout(sample_history: Path) -> None:
    code, out, _ = run_cli("diff", "--state", sample_history, env={"COLUMNS": "80"})
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("run 1 (") and ", check, " in lines[0] and ") → run 2 (" in lines[0]
    # 80 columns: each CE on its row with its new verdict; what does not fit is its note.
    assert lines[1:5] == [
        "#  exp    ce                                                run 2",
        "-  -----  ------------------------------------------------  -----------------",
        f"1  alice  {RAL}  not-in-production",
        f"2  atlas  {PIC}                  ready",
    ]
    assert lines[-7:] == [
        f"  {n}. site: {site}  change: {change}  run 1: {before}"
        for n, (_, site, _, change, before, *_) in enumerate(SAMPLE_DIFF, 1)
    ]
    assert max(len(line) for line in lines[1:]) <= 80
    # Wide enough: every column on the row's line, no notes.
    code, out, _ = run_cli("diff", "--state", sample_history, env={"COLUMNS": "120"})
    lines = out.splitlines()
    assert lines[1].split() == ["exp", "site", "ce", "change", "run", "1", "run", "2"]
    assert lines[3].split() == ["alice", "RAL-LCG2", RAL, "changed", "ready", "not-in-production"]
    assert len(lines) == 3 + len(SAMPLE_DIFF)
    assert max(map(len, lines[1:])) <= 120


def test_diff_and_history_errors(sample_history: Path, tmp_path: Path) -> None:
    code, _, err = run_cli("diff", "1", "7", "--state", sample_history)
    assert (code, err) == (
        2,
        f"cecap: error: {sample_history}: no run 7; runs 1 to 2 are recorded\n",
    )
    code, _, err = run_cli("diff", "1", "2", "3", "--state", sample_history)
    assert (code, err) == (2, "cecap: error: diff takes at most two run numbers: RUN_A RUN_B\n")
    missing = tmp_path / "none.sqlite"
    code, _, err = run_cli("history", "--state", missing)
    assert (code, err) == (
        2,
        f"cecap: error: no history at {missing} yet: `cecap check` or `cecap report --record`"
        " records runs there (choose another file with --state or $CECAP_STATE)\n",
    )
    assert not missing.exists()
    code, _, err = run_cli("history", "--state", sample_history, "--since", "last week")
    assert code == 2
    assert "'last week' is not a time cecap knows (forms: 2010-03-24," in err
    code, out, _ = run_cli("history", "--state", sample_history, "--since", "2999-01-01")
    assert (code, out) == (0, "no recorded change matches\n")
    code, out, _ = run_cli("history", "--state", sample_history, "--runs")
    lines = out.splitlines()
    assert [line.split("  ")[0] for line in lines] == ["run 1", "run 2"]
    assert lines[1].endswith(f"  check  {sample_history.parent / 'b.ldif'}  atlas,cms,lhcb,alice")


# -- report --record ------------------------------------------------------------------------


def test_report_record_and_stable_runs(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    # Without a history, stable_runs is null, and --min-stable says what is missing.
    code, out, _ = run_cli("report", "--bdii", SAMPLE, "--state", db, "--format", "json")
    assert code == 0
    assert {r["stable_runs"] for r in json.loads(out)["rows"]} == {None}
    code, _, err = run_cli("report", "--bdii", SAMPLE, "--state", db, "--min-stable", "1")
    assert code == 2
    assert err.startswith(f"cecap: error: no history at {db} yet")
    for _ in range(3):
        code, _, _ = run_cli("report", "--bdii", SAMPLE, "--state", db, "--record", "-e", "lhcb")
        assert code == 0
    drained = overlay_ldif(SAMPLE, tmp_path / "drained.ldif", states={RAL: "Draining"})
    code, out, _ = run_cli(
        "report",
        "--bdii",
        drained,
        "--state",
        db,
        "--record",
        "-e",
        "lhcb",
        "--all",
        "--format",
        "json",
    )
    assert [(r["ce"], r["verdict"], r["stable_runs"]) for r in json.loads(out)["rows"]] == [
        ("grid-ce3.desy.de:8443/cream-pbs-desy", "ready", 4),
        (RAL, "not-in-production", 1),
        ("lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-gridTest", "not-advertised", 4),
        ("ceprod03.grid.hep.ph.ic.ac.uk:8443/cream-pbs-sge", "conditional", 4),
        ("ce01.tier2.hep.manchester.ac.uk:8443/cream-pbs-long", "ready", 4),
    ]
    code, out, _ = run_cli(
        "report",
        "--bdii",
        drained,
        "--state",
        db,
        "--min-stable",
        "4",
        "-e",
        "lhcb",
        "--format",
        "csv",
    )
    assert [
        (r["ce"], r["verdict"], r["stable_runs"]) for r in csv.DictReader(io.StringIO(out))
    ] == [
        ("grid-ce3.desy.de:8443/cream-pbs-desy", "ready", "4"),
        ("ce01.tier2.hep.manchester.ac.uk:8443/cream-pbs-long", "ready", "4"),
    ]
    code, out, _ = run_cli("report", "--bdii", drained, "--state", db, "--min-stable", "5")
    assert (code, out) == (0, "no CE has been ready for 5 recorded runs or more\n")
    # A report of an unrecorded snapshot: the history holds another verdict for RAL (0).
    code, out, _ = run_cli(
        "report", "--bdii", SAMPLE, "--state", db, "-e", "lhcb", "--format", "json"
    )
    assert {r["ce"]: r["stable_runs"] for r in json.loads(out)["rows"]}[RAL] == 0
    code, out, _ = run_cli("history", "--state", db, "--runs")
    assert [line.split("  ")[2] for line in out.splitlines()] == ["report"] * 4


def test_report_table_shows_stable_runs_once_a_history_exists(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    wide = {"COLUMNS": "200"}
    code, out, _ = run_cli("report", "--bdii", SAMPLE, "--state", db, "-e", "lhcb", env=wide)
    assert code == 0
    assert out.splitlines()[0].split() == [
        "#",
        "exp",
        "site",
        "ce",
        "verdict",
        "mode",
        "fail",
        "closed",
    ]
    for _ in range(2):
        assert run_cli("report", "--bdii", SAMPLE, "--state", db, "--record", "-e", "lhcb")[0] == 0
    drained = overlay_ldif(SAMPLE, tmp_path / "drained.ldif", states={RAL: "Draining"})
    assert run_cli("report", "--bdii", drained, "--state", db, "--record", "-e", "lhcb")[0] == 0
    args = ("report", "--bdii", drained, "--state", db, "--all", "-e", "lhcb")
    code, out, _ = run_cli(*args, env=wide)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[-2:] == ["stable", "reliable"]
    # The CE, its verdict and how many recorded runs it has held, on one line; no glexec
    # test results imported, so reliable is none ("-").
    rows = {(cells[3], cells[4], cells[-2]) for cells in (line.split() for line in lines[2:7])}
    assert {line.split()[-1] for line in lines[2:7]} == {"-"}
    assert rows == {
        ("grid-ce3.desy.de:8443/cream-pbs-desy", "ready", "3"),
        (RAL, "not-in-production", "1"),
        ("lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-gridTest", "not-advertised", "3"),
        ("ceprod03.grid.hep.ph.ic.ac.uk:8443/cream-pbs-sge", "conditional", "3"),
        ("ce01.tier2.hep.manchester.ac.uk:8443/cream-pbs-long", "ready", "3"),
    }
    # In 80 columns the CE and verdict keep the row; stable_runs goes to the row's note.
    code, out, _ = run_cli(*args, env={"COLUMNS": "80"})
    assert code == 0
    assert out.splitlines()[0].split() == ["#", "exp", "ce", "verdict"]
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "stable: 1" in out


def test_history_follows_glexec_only(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    for flags in (["--record"], ["--min-stable", "1"], ["--reliable"]):
        code, _, err = run_cli(
            "report", "--bdii", SAMPLE, "--state", db, "--capability", "htpc", *flags
        )
        assert (code, err) == (
            2,
            "cecap: error: --record, --min-stable and --reliable follow glexec verdicts only;"
            " leave out --capability\n",
        )
    assert not db.exists()
    assert run_cli("report", "--bdii", SAMPLE, "--state", db, "--record")[0] == 0
    code, out, _ = run_cli(
        "report",
        "--bdii",
        SAMPLE,
        "--state",
        db,
        "--capability",
        "htpc",
        "--all",
        "--format",
        "json",
    )
    rows = json.loads(out)["rows"]
    assert rows and {r["stable_runs"] for r in rows} == {None}


def test_report_record_refuses_a_partial_answer(tmp_path: Path) -> None:
    partial = tmp_path / "partial.ldif"
    partial.write_text(
        SAMPLE.read_text(encoding="utf-8")
        + "\n# search result\nsearch: 2\nresult: 4 Size limit exceeded\n",
        encoding="utf-8",
    )
    db = tmp_path / "h.sqlite"
    code, _, err = run_cli("report", "--bdii", partial, "--state", db, "--record")
    assert code == 3
    assert f"cecap: warning: {partial}: partial answer not recorded in the history\n" in err
    assert not db.exists()


# -- UNKNOWN --------------------------------------------------------------------------------


def unknown_line(result: Result) -> str:
    assert result.code == 3, result.out + result.err
    assert "Traceback" not in result.out + result.err
    lines = result.out.splitlines()
    assert len(lines) == 1, result.out
    return lines[0]


def test_unknown_on_bad_config(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    for name in ("stances.yaml", "sites.yaml"):
        (config / name).write_text((CONFIG / name).read_text())
    (config / "experiments.yaml").write_text("experiments:\n  atlas: [unclosed\n")
    with pytest.raises(ConfigError) as expected:
        load_policy(config)
    assert "experiments.yaml: line 3" in str(expected.value)
    result = run_cli(
        "check", "--bdii", SAMPLE, "--config", config, "--state", tmp_path / "h.sqlite"
    )
    assert unknown_line(result) == f"CECAP UNKNOWN - {expected.value}"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["-w", "twenty"],
            "CECAP UNKNOWN - Invalid value for '--warning' / '-w': 'twenty' is not a Nagios range"
            " (forms: 10, 10:, ~:10, 10:20, @10:20); for one experiment: EXP=RANGE, e.g."
            " atlas=20:",
        ),
        (
            ["-c", "20:10"],
            "CECAP UNKNOWN - Invalid value for '--critical' / '-c': '20:10': the start of a"
            " Nagios range must not exceed its end; for one experiment: EXP=RANGE, e.g. atlas=20:",
        ),
        (["--zzzz"], "CECAP UNKNOWN - No such option '--zzzz'."),
        (
            ["--keep-days", "-1"],
            "CECAP UNKNOWN - Invalid value for '--keep-days': -1 is not in the range 0<=x<=36500.",
        ),
        (
            ["-e", "babar"],
            "CECAP UNKNOWN - unknown experiment 'babar'; configured: atlas, cms, lhcb, alice",
        ),
        (["--bdii", "/nonexistent/x.ldif"], "CECAP UNKNOWN - /nonexistent/x.ldif: no such file"),
        (
            ["--allow-partial"],
            "CECAP UNKNOWN - --allow-partial does not apply to check: a partial answer is"
            " UNKNOWN, and never recorded",
        ),
    ],
)
def test_unknown_on_bad_usage(tmp_path: Path, args: list[str], line: str) -> None:
    full = ["check", "--state", tmp_path / "h.sqlite", *args]
    if "--bdii" not in args:
        full += ["--bdii", SAMPLE]
    assert unknown_line(run_cli(*full)) == line


def test_unknown_when_the_bdii_is_down(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Closed now: nothing listens there.
    result = run_cli("check", "--bdii", f"127.0.0.1:{port}", "--state", tmp_path / "h.sqlite")
    assert unknown_line(result) == (
        f"CECAP UNKNOWN - ldap://127.0.0.1:{port}: cannot connect: Connection refused"
    )
    assert db_runs(tmp_path / "h.sqlite") == []


def test_unknown_when_the_bdii_hangs(
    silent_server: tuple[int, list[socket.socket]], tmp_path: Path
) -> None:
    port, accepted = silent_server
    started = time.monotonic()
    # A real process: cecap's --timeout on a hang leaves a socket unclosed in-process.
    result = run_process(
        "check", "--bdii", f"127.0.0.1:{port}", "--timeout", "2", "--state", tmp_path / "h.sqlite"
    )
    elapsed = time.monotonic() - started
    assert unknown_line(result) == (
        f"CECAP UNKNOWN - no result within --timeout 2 s (gave up reading 127.0.0.1:{port})"
    )
    assert elapsed < 2 + 8  # a bound on a hang (the server never answers), not a timing
    assert len(accepted) == 1  # it connected: the hang came after the accept
    assert db_runs(tmp_path / "h.sqlite") == []


def test_a_live_bdii_after_a_hanging_one(
    silent_server: tuple[int, list[socket.socket]], bdii_factory: Any, tmp_path: Path
) -> None:
    port, accepted = silent_server
    live = bdii_factory()
    live.load(SAMPLE)
    started = time.monotonic()
    # A real process: cecap's --timeout on a hang leaves a socket unclosed in-process.
    result = run_process(
        "check",
        "--bdii",
        f"127.0.0.1:{port},{live.url}",
        "--timeout",
        "8",
        "--state",
        tmp_path / "live.sqlite",
    )
    elapsed = time.monotonic() - started
    # The hanging endpoint had its share of the 8 s, leaving the rest for the next one.
    assert result.code == 0, result.out + result.err
    assert elapsed < 8 + 8  # within --timeout and start-up, whatever the load: no hang
    assert len(accepted) == 1
    assert re.fullmatch(
        rf"cecap: warning: ldap://127\.0\.0\.1:{port}: no complete answer within [34]\.\d s"
        r" \(--timeout\), gave up waiting for the answer to the anonymous bind;"
        rf" trying {re.escape(live.url)}\n",
        result.err,
    ), result.err
    # Same probe result as from an LDIF snapshot of the same data.
    from_ldif = run_cli("check", "--bdii", SAMPLE, "--state", tmp_path / "ldif.sqlite")
    assert result.out == from_ldif.out
    assert db_runs(tmp_path / "live.sqlite") == [(1, live.url)]


def test_unknown_on_a_partial_answer_which_is_not_recorded(tmp_path: Path) -> None:
    partial = tmp_path / "partial.ldif"
    partial.write_text(
        SAMPLE.read_text(encoding="utf-8")
        + "\n# search result\nsearch: 2\nresult: 4 Size limit exceeded\n",
        encoding="utf-8",
    )
    db = tmp_path / "h.sqlite"
    result = run_cli("check", "--bdii", partial, "--state", db)
    assert unknown_line(result).startswith(f"CECAP UNKNOWN - {partial}: partial answer (")
    assert result.out.rstrip().endswith("); not recorded")
    assert db_runs(db) == []


def test_unknown_on_a_crash_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cecap.cli.check

    def boom(*args: object, **kw: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cecap.cli.check, "assess", boom)
    code, out, err = run_cli("check", "--bdii", SAMPLE, "--state", tmp_path / "h.sqlite")
    assert (code, out, err) == (
        3,
        "CECAP UNKNOWN - internal error: RuntimeError: boom (rerun with --debug and report it)\n",
        "",
    )
    code, out, err = run_cli("check", "--bdii", SAMPLE, "--state", tmp_path / "h.sqlite", "--debug")
    assert code == 3
    assert "Traceback" in err and "RuntimeError: boom" in err


def test_unknown_on_a_damaged_history(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    db.write_bytes(b"\x00garbage" * 512)
    assert unknown_line(run_cli("check", "--bdii", SAMPLE, "--state", db)) == (
        f"CECAP UNKNOWN - {db}: the history database is damaged (file is not a database); move"
        " it aside to start a new history (the old one is lost to cecap)"
    )


# -- overlapping runs, a run killed mid-write ----------------------------------------------


def start_check(
    snapshot: Path, db: Path, *extra: str, hold: Path | None = None
) -> subprocess.Popen[str]:
    """A real ``cecap check`` process (held before its commit while ``hold`` exists)."""
    args = ("check", "--bdii", snapshot, "--state", db, *extra)
    return start_process(*args) if hold is None else start_held(hold, *args)


def wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    until = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < until, f"{path} never appeared"
        time.sleep(0.02)


def test_overlapping_runs_wait_for_each_other(tmp_path: Path) -> None:
    drained = overlay_ldif(SAMPLE, tmp_path / "drained.ldif", states={RAL: "Draining"})
    db = tmp_path / "h.sqlite"
    hold = tmp_path / "held"
    first = start_check(SAMPLE, db, hold=hold)
    wait_for(hold, first)
    # The first run is inside its transaction, holding the lock: a second one with a
    # short --timeout gives up, saying who holds it.
    busy = run_cli("check", "--bdii", SAMPLE, "--state", db, "--timeout", "1")
    assert unknown_line(busy) == (
        f"CECAP UNKNOWN - history {db} is locked by another cecap run (pid {first.pid}); gave up"
        " waiting for it within --timeout (runs overlap: run less often or raise --timeout)"
    )
    # One with time to spare waits, then runs after the first and compares with it.
    second = start_check(drained, db, "-e", "atlas", "--timeout", "60")
    time.sleep(0.5)
    assert second.poll() is None
    hold.unlink()
    out1, _ = first.communicate(timeout=60)
    out2, err2 = second.communicate(timeout=60)
    assert first.returncode == 0 and out1.startswith("CECAP OK - ")
    assert second.returncode == 1, err2
    assert out2.splitlines()[0].startswith(f"CECAP WARNING - atlas: 1 no longer ready: {RAL} |")
    assert db_runs(db) == [(1, str(SAMPLE)), (2, str(drained))]
    assert integrity(db) == "ok"


def test_many_runs_at_once_lose_nothing(tmp_path: Path) -> None:
    drained = overlay_ldif(SAMPLE, tmp_path / "drained.ldif", states={RAL: "Draining"})
    db = tmp_path / "h.sqlite"
    snapshots = [SAMPLE, drained, SAMPLE, drained, SAMPLE, drained]
    procs = [start_check(s, db, "--timeout", "60") for s in snapshots]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode in (0, 1), out + err
    assert integrity(db) == "ok"
    recorded = db_runs(db)
    assert sorted(source for _, source in recorded) == sorted(map(str, snapshots))
    # Each run's recorded states are exactly what its snapshot said.
    with sqlite3.connect(db) as conn:
        for run_id, source in recorded:
            ral = conn.execute(
                "SELECT verdict FROM states WHERE experiment = 'atlas' AND ce = ? AND since_run <= ?"
                " AND (until_run IS NULL OR until_run > ?)",
                (RAL, run_id, run_id),
            ).fetchone()[0]
            assert ral == ("not-in-production" if source == str(drained) else "ready")


def test_a_run_killed_mid_write_leaves_the_history_intact(
    osg_runs: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    a, b, _ = osg_runs
    db = tmp_path / "h.sqlite"
    assert run_cli("check", "--bdii", a, "--state", db).code == 0
    before = run_cli("history", "--state", db, "--format", "json").out
    hold = tmp_path / "held"
    victim = start_check(b, db, hold=hold)
    wait_for(hold, victim)
    # Every row of run 2 is written, none committed: kill it there.
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=30)
    assert victim.returncode == -signal.SIGKILL
    assert integrity(db) == "ok"
    assert db_runs(db) == [(1, str(a))]
    assert run_cli("history", "--state", db, "--format", "json").out == before
    # The lock died with the process: the next run goes ahead and compares with run 1.
    again = run_cli("check", "--bdii", b, "--state", db, "--timeout", "30")
    assert again.code == 1, again.err
    assert again.out.splitlines()[0].startswith(
        f"CECAP WARNING - atlas: 2 no longer ready: {AGLT2}, {BNL}. cms: 1 no longer ready: {MIT} |"
    )
    # What the run holds was written with it: held from run 2, not from the killed run.
    with sqlite3.connect(db) as conn:
        assert set(conn.execute("SELECT since_run, ce FROM held")) == {
            (2, AGLT2),
            (2, BNL),
            (2, MIT),
        }
    assert db_runs(db) == [(1, str(a)), (2, str(b))]
    assert integrity(db) == "ok"


def test_a_drain_is_held_across_retries_until_the_ce_comes_back(tmp_path: Path) -> None:
    drained = overlay_ldif(SAMPLE, tmp_path / "drained.ldif", states={RAL: "Draining"})
    db = tmp_path / "h.sqlite"

    def check(snapshot: Path, *more: str) -> tuple[int, str]:
        done = run_cli("check", "--bdii", snapshot, "--state", db, "-e", "lhcb", *more)
        assert done.err == ""
        return done.code, done.out.splitlines()[0].split(" | ")[0]

    assert check(SAMPLE) == (0, "CECAP OK - ready CEs: lhcb 3")
    warned = (1, f"CECAP WARNING - lhcb: 1 no longer ready: {RAL}")
    assert [check(drained) for _ in range(3)] == [warned] * 3
    # A window of 0 names a change at the run that saw it only: an hour is not over yet.
    assert check(drained, "--hold", "0") == (0, "CECAP OK - ready CEs: lhcb 2")
    assert check(drained, "--hold", "1h") == warned
    # A bad duration is UNKNOWN, as every usage error of the probe; nothing recorded.
    runs = len(db_runs(db))
    code, out, _ = run_cli("check", "--bdii", drained, "--state", db, "--hold", "1w")
    assert (code, out) == (
        3,
        "CECAP UNKNOWN - Invalid value for '--hold': '1w' is not a duration (forms: 0, 90s,"
        " 30m, 24h, 7d)\n",
    )
    assert len(db_runs(db)) == runs
    # RAL comes back: OK at once, and a later drain is news again.
    assert check(SAMPLE) == (0, "CECAP OK - ready CEs: lhcb 3")
    assert check(SAMPLE) == (0, "CECAP OK - ready CEs: lhcb 3")
    assert check(drained) == warned
    with sqlite3.connect(db) as conn:
        assert conn.execute(
            "SELECT since_run, until_run FROM held ORDER BY since_run"
        ).fetchall() == [
            (2, 7),
            (9, None),
        ]


def test_a_history_of_schema_2_holds_from_its_first_check_on(tmp_path: Path) -> None:
    """A history as cecap wrote it before it held problems (schema 2: no held table): the
    next check upgrades it in place, keeps every run, and holds from then on."""
    drained = overlay_ldif(SAMPLE, tmp_path / "drained.ldif", states={RAL: "Draining"})
    db = tmp_path / "h.sqlite"
    assert run_cli("check", "--bdii", SAMPLE, "--state", db, "-e", "atlas").code == 0
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE held")
        conn.execute("ALTER TABLE results DROP COLUMN output")
        conn.execute("PRAGMA user_version=2")
    # A reader leaves it as it is.
    assert run_cli("history", "--state", db).code == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    outs = [run_cli("check", "--bdii", drained, "--state", db, "-e", "atlas") for _ in range(2)]
    assert [r.code for r in outs] == [1, 1]
    assert outs[0].out.splitlines()[0] == outs[1].out.splitlines()[0]
    assert outs[0].out.startswith(f"CECAP WARNING - atlas: 1 no longer ready: {RAL} |")
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT ce, since_run, until_run FROM held").fetchall() == [
            (RAL, 2, None)
        ]
    assert [r for r, _ in db_runs(db)] == [1, 2, 3]
    assert integrity(db) == "ok"


# -- retention, state location ---------------------------------------------------------------


def test_keep_days_prunes_old_runs_but_no_current_state(tmp_path: Path) -> None:
    drained = overlay_ldif(SAMPLE, tmp_path / "drained.ldif", states={RAL: "Draining"})
    db = tmp_path / "h.sqlite"
    for snapshot in (SAMPLE, drained, drained):
        assert run_cli("check", "--bdii", snapshot, "--state", db, "-e", "atlas")[0] in (
            0,
            1,
        )
    # Age the three runs: 100, 60 and 10 days old.
    with sqlite3.connect(db) as conn:
        for run_id, days in ((1, 100), (2, 60), (3, 10)):
            conn.execute(
                "UPDATE runs SET time = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?) WHERE id = ?",
                (f"-{days} days", run_id),
            )
            for table in ("states", "held"):
                conn.execute(
                    f"UPDATE {table} SET since_time = (SELECT time FROM runs WHERE id = ?)"
                    " WHERE since_run = ?",
                    (run_id, run_id),
                )
    aged = run_times(db)
    code, out, _ = run_cli(
        "check", "--bdii", drained, "--state", db, "-e", "atlas", "--keep-days", "30"
    )
    # RAL's drain, first seen 60 days ago, is past the window: no longer in the answer.
    assert code == 0, out
    assert [r for r, _ in db_runs(db)] == [3, 4]
    assert integrity(db) == "ok"
    # Still held (RAL has not come back), from its pruned run: it is not news again.
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT ce, since_run, since_time, until_run FROM held").fetchall() == [
            (RAL, 2, aged[2], None)
        ]
    # Every CE keeps its state and its streak, pruned runs included.
    code, out, _ = run_cli(
        "report",
        "--bdii",
        drained,
        "--state",
        db,
        "-e",
        "atlas",
        "--all",
        "--format",
        "json",
    )
    stable = {r["ce"]: (r["verdict"], r["stable_runs"]) for r in json.loads(out)["rows"]}
    assert stable[RAL] == ("not-in-production", 3)
    assert stable[PIC] == ("ready", 4)
    assert len(stable) == 8 and {n for _, n in stable.values()} == {3, 4}
    # The timeline keeps the changes that made the current states.
    code, out, _ = run_cli("history", "--state", db, "--ce", RAL)
    assert out.splitlines() == [
        f"{aged[2]}  run 2  atlas  RAL-LCG2  {RAL}  ready → not-in-production"
    ]
    month_ago = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    code, out, _ = run_cli("history", "--state", db, "--since", month_ago)
    assert (code, out) == (0, "no recorded change matches\n")
    code, out, _ = run_cli("history", "--state", db, "--since", aged[2][:10])
    assert out.splitlines() == [
        f"{aged[2]}  run 2  atlas  RAL-LCG2  {RAL}  ready → not-in-production"
    ]
    code, _, err = run_cli("diff", "1", "4", "--state", db)
    assert (code, err) == (2, f"cecap: error: {db}: no run 1; runs 3 to 4 are recorded\n")


def test_state_location_defaults(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path / "home"), "XDG_STATE_HOME": str(tmp_path / "xdg")}
    result = run_cli("check", "--bdii", SAMPLE, "-e", "alice", env=env)
    assert result.code == 0, result.out + result.err
    assert db_runs(tmp_path / "xdg" / "cecap" / "history.sqlite") == [(1, str(SAMPLE))]
    env["CECAP_STATE"] = str(tmp_path / "env" / "h.sqlite")
    (tmp_path / "env").mkdir()  # only the default folder is created
    assert run_cli("check", "--bdii", SAMPLE, "-e", "alice", env=env).code == 0
    assert db_runs(tmp_path / "env" / "h.sqlite") == [(1, str(SAMPLE))]
    # An empty XDG_STATE_HOME counts as unset (XDG spec): ~/.local/state is the default.
    env["XDG_STATE_HOME"] = ""
    del env["CECAP_STATE"]
    assert run_cli("check", "--bdii", SAMPLE, "-e", "alice", env=env).code == 0
    assert db_runs(tmp_path / "home" / ".local" / "state" / "cecap" / "history.sqlite") == [
        (1, str(SAMPLE))
    ]
