"""End to end through the command line: the sample, the real OSG 2008 snapshot, bad input."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.paths import CONFIG, SAMPLE

from cecap.formats import format_names

RAL_CE = "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M"


def rows(result_stdout: str) -> list[dict]:
    return json.loads(result_stdout)["rows"]


def test_sample_report_shows_every_verdict() -> None:
    result = run_cli("report", "--bdii", SAMPLE, "--all", "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["partial"] is False
    verdicts = {r["verdict"] for r in doc["rows"]}
    assert verdicts == {
        "not-advertised",
        "not-in-production",
        "no-stance",
        "site-refuses",
        "mode-mismatch",
        "conditional",
        "ready",
    }
    for row in doc["rows"]:
        assert set(row) >= {
            "experiment",
            "vo",
            "site",
            "respondent",
            "ce",
            "verdict",
            "mode",
            "fail_closed",
            "reason",
        }


def test_sample_default_shows_ready_and_conditional_only() -> None:
    result = run_cli("report", "--bdii", SAMPLE, "--format", "csv", "-e", "atlas")
    assert result.code == 0, result.err
    got = [
        (r["site"], r["verdict"], r["mode"], r["fail_closed"])
        for r in csv.DictReader(io.StringIO(result.out))
    ]
    assert got == [
        ("CERN-PROD", "conditional", "setuid", "true"),
        ("pic", "ready", "setuid", "false"),
        ("RAL-LCG2", "ready", "setuid", "true"),
        ("UKI-NORTHGRID-MAN-HEP", "ready", "setuid", "false"),
    ]


@pytest.mark.parametrize(
    ("args", "sample"), [((), SAMPLE), (("--glue2",), SAMPLE.parent / "sample-glue2.ldif")]
)
def test_samples_are_what_make_sample_writes(args: tuple[str, ...], sample: Path) -> None:
    import subprocess
    import sys

    made = subprocess.run(
        [sys.executable, str(SAMPLE.parent / "make_sample.py"), *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert made == sample.read_text()


def test_table_fits_80_columns() -> None:
    result = run_cli("report", "--bdii", SAMPLE, "--all")
    assert result.code == 0
    assert max(len(line) for line in result.out.splitlines()) <= 80
    result = run_cli("sites", "--bdii", SAMPLE)
    assert max(len(line) for line in result.out.splitlines()) <= 80
    result = run_cli("stances")
    assert max(len(line) for line in result.out.splitlines()) <= 80


@pytest.mark.parametrize("fmt", format_names())
def test_every_format_renders(fmt: str) -> None:
    result = run_cli("report", "--bdii", SAMPLE, "-e", "cms", "--format", fmt)
    assert result.code == 0, result.err
    # Every format carries the rows: the ready RAL CE appears in each.
    assert RAL_CE in result.out


def test_sites_readiness() -> None:
    result = run_cli("sites", "--bdii", SAMPLE, "--format", "json", "-e", "atlas")
    assert result.code == 0, result.err
    by_site = {r["site"]: r for r in rows(result.out)}
    assert by_site["RAL-LCG2"]["ces_serving"] == 3
    assert by_site["RAL-LCG2"]["ces_advertising"] == 2
    assert by_site["RAL-LCG2"]["readiness"] == "ready"
    assert by_site["TRIUMF-LCG2"]["respondent"] is None
    assert by_site["TRIUMF-LCG2"]["readiness"] == "no-stance"
    assert by_site["DESY-HH"]["readiness"] == "mode-mismatch"
    assert by_site["DESY-HH"]["glexec_setuid"] == "no"


def test_stances_json() -> None:
    result = run_cli("stances", "--format", "json")
    assert result.code == 0
    got = {r["respondent"]: r for r in rows(result.out)}
    assert len(got) == 60
    assert got["UKI-RAL-LCG2"]["glexec_setuid"] == "require"
    assert got["USCMS-T2-Wisconsin"]["glexec_setuid"] == "no"


# --- the real OSG 2008 snapshot with a glexec overlay ------------------------------------

OVERLAY = {
    "gate01.aglt2.org:2119/jobmanager-condor-atlas": ["glexec"],  # USATLAS
    "red.unl.edu:2119/jobmanager-pbs-cms": ["glexec"],  # USCMS-T2-Nebraska
    "cit-gatekeeper.ultralight.org:2119/jobmanager-condor-cms": ["GLEXEC"],  # Caltech
    "cmsgrid01.hep.wisc.edu:2119/jobmanager-condor-cms": ["glexec"],  # Wisconsin
    "ce01.cmsaf.mit.edu:2119/jobmanager-condor-cms": ["glexec"],  # USCMS-T2-MIT
    "fermigrid1.fnal.gov:2119/jobmanager-condor-cms": ["glexec"],  # no respondent
    "osg-gw-2.t2.ucsd.edu:2119/jobmanager-condor-cms": ["glexec=yes"],  # near miss
}


@pytest.fixture
def osg_glexec(osg_snapshot: Path, tmp_path: Path) -> Path:
    from helpers.overlay import overlay_ldif

    return overlay_ldif(
        osg_snapshot,
        tmp_path / "osg-glexec.ldif",
        OVERLAY,
        {"ce01.cmsaf.mit.edu:2119/jobmanager-condor-cms": "Production"},
    )


def test_osg_report_exact_verdicts(osg_glexec: Path) -> None:
    result = run_cli("report", "--bdii", osg_glexec, "--format", "json")
    assert result.code == 0, result.err
    got = sorted(
        (r["experiment"], r["site"], r["ce"], r["verdict"], r["mode"], r["fail_closed"])
        for r in rows(result.out)
    )
    assert got == [
        (
            "atlas",
            "AGLT2",
            "gate01.aglt2.org:2119/jobmanager-condor-atlas",
            "ready",
            "setuid",
            False,
        ),
        # This Nebraska queue serves ATLAS too; the site's answers cover every VO.
        ("atlas", "Nebraska", "red.unl.edu:2119/jobmanager-pbs-cms", "ready", "setuid", True),
        (
            "cms",
            "CIT_CMS_T2",
            "cit-gatekeeper.ultralight.org:2119/jobmanager-condor-cms",
            "conditional",
            "setuid",
            True,
        ),
        (
            "cms",
            "MIT_CMS",
            "ce01.cmsaf.mit.edu:2119/jobmanager-condor-cms",
            "ready",
            "setuid",
            True,
        ),
        ("cms", "Nebraska", "red.unl.edu:2119/jobmanager-pbs-cms", "ready", "setuid", True),
    ]


def test_osg_report_all(osg_glexec: Path) -> None:
    result = run_cli("report", "--bdii", osg_glexec, "--all", "--format", "json", "-e", "cms")
    assert result.code == 0, result.err
    by_ce = {r["ce"]: r for r in rows(result.out)}
    assert by_ce["cmsgrid01.hep.wisc.edu:2119/jobmanager-condor-cms"]["verdict"] == "mode-mismatch"
    assert by_ce["fermigrid1.fnal.gov:2119/jobmanager-condor-cms"]["verdict"] == "no-stance"
    # "glexec=yes" is not the capability.
    assert by_ce["osg-gw-2.t2.ucsd.edu:2119/jobmanager-condor-cms"]["verdict"] == "not-advertised"
    assert by_ce["red.unl.edu:2119/jobmanager-pbs-cms"]["respondent"] == "USCMS-T2-Nebraska"
    # Every (site, CE) serving CMS has one row: a CE two sites publish has one per site.
    assert len({(r["site"], r["ce"]) for r in rows(result.out)}) == sum(1 for r in rows(result.out))
    assert len(by_ce) > 50


def test_osg_sites(osg_glexec: Path) -> None:
    result = run_cli("sites", "--bdii", osg_glexec, "--format", "json", "-e", "cms")
    assert result.code == 0, result.err
    by_site = {r["site"]: r for r in rows(result.out)}
    assert by_site["Nebraska"]["readiness"] == "ready"
    assert by_site["Nebraska"]["ces_ready"] == 1
    assert by_site["Nebraska"]["ces_advertising"] == 1
    assert by_site["Nebraska"]["respondent"] == "USCMS-T2-Nebraska"
    assert by_site["GLOW"]["readiness"] == "mode-mismatch"
    assert by_site["CIT_CMS_T2"]["readiness"] == "conditional"
    assert by_site["UCSDT2"]["readiness"] == "not-advertised"
    assert by_site["UCSDT2"]["ces_advertising"] == 0


def test_osg_plain_snapshot_has_no_glexec(osg_snapshot: Path) -> None:
    # 2008: nobody advertised glexec yet; the report is empty, not an error.
    result = run_cli("report", "--bdii", osg_snapshot)
    assert result.code == 0, result.err
    assert result.out.startswith("no CE is ready or conditional")


# --- bad input ---------------------------------------------------------------------------


def one_line_error(result, code: int) -> str:  # type: ignore[no-untyped-def]
    assert result.code == code, (result.out, result.err)
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert result.out == ""
    return lines[0]


def test_missing_file(tmp_path: Path) -> None:
    line = one_line_error(run_cli("report", "--bdii", tmp_path / "nope.ldif"), 2)
    assert line == f"cecap: error: {tmp_path / 'nope.ldif'}: no such file"


def test_garbled_ldif(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ldif"
    text = SAMPLE.read_text().splitlines()
    text[40] = "%%% garbage %%%"
    bad.write_text("\n".join(text) + "\n")
    line = one_line_error(run_cli("report", "--bdii", bad), 2)
    assert line == f"cecap: error: {bad}: line 41: not an LDIF line: '%%% garbage %%%'"


def test_truncated_gzip_snapshot(osg_snapshot: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.ldif.gz"
    data = osg_snapshot.read_bytes()
    cut.write_bytes(data[: len(data) // 3])
    line = one_line_error(run_cli("report", "--bdii", cut), 2)
    assert "truncated or corrupt" in line and str(cut) in line


def test_bad_yaml_config(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    stances = config / "stances.yaml"
    stances.write_text(stances.read_text().replace('value: "allow"', 'value: "maybe"', 1))
    line = one_line_error(run_cli("report", "--bdii", SAMPLE, "--config", config), 2)
    assert line.startswith(f"cecap: error: {stances}: respondent ")
    assert "'maybe' is not one of" in line
    # The environment variable works the same.
    line = one_line_error(run_cli("stances", env={"CECAP_CONFIG": str(config)}), 2)
    assert "'maybe' is not one of" in line


def test_unknown_experiment() -> None:
    line = one_line_error(run_cli("report", "--bdii", SAMPLE, "-e", "babar"), 2)
    assert line == "cecap: error: unknown experiment 'babar'; configured: atlas, cms, lhcb, alice"
