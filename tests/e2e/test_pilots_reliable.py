"""export and audit-factory with a history of glexec test results (--state), through the
CLI on the OSG 2008 snapshot with glexec on its CMS queues: --reliable switches pilots only
where the results make a CE reliable, and the audit finds the entries that disagree."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.results import hourly, import_results

from .test_pilots import attrs, entries, factory_file, osg_glexec

__all__ = ["osg_glexec"]  # the fixture, shared with test_pilots

MIT = "ce01.cmsaf.mit.edu:2119/jobmanager-condor-cms"  # ready, every test passing
NEB = "red.unl.edu:2119/jobmanager-pbs-cms"  # ready, its last three tests failing
PURDUE = "osg.rcac.purdue.edu:2119/jobmanager-condor-cms"  # ready, never tested
GLOW = "cmsgrid01.hep.wisc.edu:2119/jobmanager-condor-cms"  # mode-mismatch, tests passing
GATEKEEPER = {
    MIT: "ce01.cmsaf.mit.edu:2119/jobmanager-condor (queue=cms)(jobtype=single)",
    NEB: "red.unl.edu:2119/jobmanager-pbs (queue=cms)(jobtype=single)",
    PURDUE: "osg.rcac.purdue.edu:2119/jobmanager-condor (queue=cms)(jobtype=single)",
}


@pytest.fixture
def history(tmp_path: Path) -> Path:
    db = tmp_path / "h.sqlite"
    now = datetime.now(UTC)
    rows = (
        hourly(now, MIT, ["OK"] * 30)
        + hourly(now, NEB, ["CRITICAL"] * 3 + ["OK"] * 27)
        + hourly(now, GLOW, ["OK"] * 30)
    )
    import_results(db, tmp_path / "results.csv", rows)
    return db


def glexec_bins(xml: str) -> dict[str, str]:
    return {gk: attrs(e)["GLEXEC_BIN"] for gk, e in entries(xml).items()}


def test_export_reliable_sets_glexec_only_where_reliable(osg_glexec: Path, history: Path) -> None:
    export = ("export", "--format", "glideinwms", "--bdii", osg_glexec, "-e", "cms")
    ready = run_cli(*export, "--state", history)
    assert ready.code == 0, ready.err
    by_ready = glexec_bins(ready.out)
    assert [by_ready[GATEKEEPER[ce]] for ce in (MIT, NEB, PURDUE)] == ["OSG"] * 3
    reliable = run_cli(*export, "--state", history, "--reliable")
    assert reliable.code == 0, reliable.err
    by_reliable = glexec_bins(reliable.out)
    assert by_reliable.keys() == by_ready.keys()
    assert {gk for gk, value in by_reliable.items() if value != "NONE"} == {GATEKEEPER[MIT]}
    only = run_cli(*export, "--state", history, "--reliable", "--ready-only")
    assert list(glexec_bins(only.out).items()) == [(GATEKEEPER[MIT], "OSG")]


def test_export_reliable_needs_a_history(osg_glexec: Path, tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite"
    for target in ("glideinwms", "json"):
        result = run_cli(
            "export", "--format", target, "--bdii", osg_glexec, "--state", missing, "--reliable"
        )
        assert (result.code, result.out) == (2, "")
        assert result.err.startswith(f"cecap: error: no history at {missing} yet:")
    assert not missing.exists()


def test_export_json_reliable_true_false_null(osg_glexec: Path, history: Path) -> None:
    export = ("export", "--bdii", osg_glexec, "-e", "cms", "--state", history)
    rows = {r["ce"]: r for r in json.loads(run_cli(*export).out)["rows"]}
    flags = {
        ce: (rows[ce]["verdict"], rows[ce]["glexec"], rows[ce]["reliable"]) for ce in GATEKEEPER
    }
    assert flags == {
        MIT: ("ready", True, True),
        NEB: ("ready", True, False),
        PURDUE: ("ready", True, None),
    }
    # Tests passing do not make a CE reliable where the site runs another mode.
    assert (rows[GLOW]["verdict"], rows[GLOW]["glexec"], rows[GLOW]["reliable"]) == (
        "mode-mismatch",
        False,
        False,
    )
    done = run_cli(*export, "--reliable", "--ready-only", "--format", "lines")
    assert (done.code, done.out) == (0, f"cms\t{MIT}\t{MIT.rsplit('-', 1)[1]}\n")
    # Without a history nothing is known of reliability: null, and glexec where ready.
    bare = json.loads(run_cli("export", "--bdii", osg_glexec, "-e", "cms").out)
    assert {r["reliable"] for r in bare["rows"]} == {None}
    assert {r["ce"] for r in bare["rows"] if r["glexec"]} >= set(GATEKEEPER)


def test_audit_factory_reads_the_results(osg_glexec: Path, history: Path, tmp_path: Path) -> None:
    def entry(name: str, ce: str, glexec: str) -> tuple[str, str, str, str, str]:
        gatekeeper, rsl = GATEKEEPER[ce].split(" ")
        return (name, "gt2", gatekeeper, rsl, glexec)

    factory = factory_file(
        tmp_path / "glideinWMS.xml",
        [
            entry("MIT", MIT, "NONE"),
            entry("UNL", NEB, "/usr/sbin/glexec"),
            entry("PURDUE", PURDUE, "/usr/sbin/glexec"),
        ],
    )
    audit = ("audit-factory", factory, "--bdii", osg_glexec, "-e", "cms")
    result = run_cli(*audit, "--state", history, "--format", "json")
    # Warnings and information only: exit 0.
    assert result.code == 0, result.err
    rows = json.loads(result.out)["rows"]
    assert [(r["entry"], r["kind"], r["severity"], r["ce"]) for r in rows] == [
        ("UNL", "glexec-not-reliable", "warning", NEB),
        ("MIT", "glexec-available", "info", MIT),
    ]
    assert rows[0]["message"] == (
        "GLEXEC_BIN is set and the CE is ready, but its glexec test results in the"
        " experiment's window do not make it reliable (see cecap explain)"
    )
    assert rows[1]["message"] == (
        "GLEXEC_BIN is NONE but the CE is reliable with glexec (its glexec tests pass)"
    )
    # No history: no results, so glexec-not-reliable cannot fire (and nothing is made).
    missing = tmp_path / "none.sqlite"
    bare = run_cli(*audit, "--state", missing, "--format", "lines")
    assert (bare.code, bare.out) == (0, "MIT\tglexec-available\tcms\n")
    assert not missing.exists()
