"""--site, --ce and -e through the CLI: what they select on every command, and that a
selection matching nothing is an error (exit 2, UNKNOWN for check) naming the closest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.overlay import overlay_ldif
from helpers.paths import SAMPLE

RAL = "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M"
RAL_CES = [RAL, "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid500M", RAL.replace("1000M", "Test")]
PIC = "ce07.pic.es:8443/cream-pbs-glong"
CERN_ATLAS = "ce201.cern.ch:8443/cream-pbs-grid_atlas"
CERN_CMS = "ce201.cern.ch:8443/cream-pbs-grid_cms"


def rows(*args: str | Path) -> list[dict[str, object]]:
    done = run_cli(*args, "--format", "json")
    assert done.code in (0, 1), done.err
    return list(json.loads(done.out)["rows"])


def error(*args: str | Path) -> str:
    done = run_cli(*args)
    assert (done.code, done.out) == (2, ""), done
    return done.err


def without_ral(tmp_path: Path) -> Path:
    """The sample as if RAL-LCG2 had left the BDII: its site and CE entries gone."""
    blocks = SAMPLE.read_text(encoding="utf-8").split("\n\n")
    kept = [b for b in blocks if "RAL-LCG2" not in b and "lcgce01.gridpp" not in b]
    path = tmp_path / "gone.ldif"
    path.write_text("\n\n".join(kept), encoding="utf-8")
    return path


# -- report, sites, audit ----------------------------------------------------------------


def test_report_and_sites_cover_the_selected_ces() -> None:
    report = rows("report", "--bdii", SAMPLE, "--all", "--site", "ral-*", "-e", "atlas")
    assert [(r["site"], r["ce"]) for r in report] == [("RAL-LCG2", ce) for ce in RAL_CES]
    # Repeated patterns add up; --ce and --site must both match.
    two = rows("report", "--bdii", SAMPLE, "--all", "--site", "pic", "--site", "CERN-PROD")
    assert {r["site"] for r in two} == {"pic", "CERN-PROD"}
    both = rows("report", "--bdii", SAMPLE, "--all", "--site", "CERN-*", "--ce", "*_cms")
    assert [(r["experiment"], r["ce"]) for r in both] == [("cms", CERN_CMS)]
    sites = rows("sites", "--bdii", SAMPLE, "--ce", "ce201.cern.ch:*", "-e", "atlas,cms")
    assert [(r["site"], r["experiment"], r["ces_serving"]) for r in sites] == [
        ("CERN-PROD", "atlas", 1),
        ("CERN-PROD", "cms", 1),
    ]


def test_audit_covers_the_selected_ces() -> None:
    every = rows("audit", "--bdii", SAMPLE)
    chosen = rows("audit", "--bdii", SAMPLE, "--ce", "lcgce01.gridpp.rl.ac.uk:*")
    assert chosen == [r for r in every if r["site"] == "RAL-LCG2"]
    assert chosen  # the sample has findings there


@pytest.mark.parametrize("command", ["report", "sites", "audit"])
def test_a_site_or_ce_that_is_not_there_is_an_error(command: str) -> None:
    assert error(command, "--bdii", SAMPLE, "--site", "RAL-LCG3") == (
        f"cecap: error: --site 'RAL-LCG3': no site in {SAMPLE} matches; closest: RAL-LCG2\n"
    )
    # Each pattern on its own: one that matches does not excuse one that does not.
    assert error(command, "--bdii", SAMPLE, "--site", "RAL-*", "--site", "CERN-PRO") == (
        f"cecap: error: --site 'CERN-PRO': no site in {SAMPLE} matches; closest: CERN-PROD\n"
    )
    assert error(command, "--bdii", SAMPLE, "--ce", "ce201.cern.ch:8443/cream-pbs-atlas") == (
        f"cecap: error: --ce 'ce201.cern.ch:8443/cream-pbs-atlas': no CE in {SAMPLE} matches;"
        f" closest: {CERN_ATLAS}, {CERN_CMS}, ce1.triumf.ca:8443/cream-pbs-atlas\n"
    )
    assert error(command, "--bdii", SAMPLE, "--site", "pic", "--ce", "ce201*") == (
        f"cecap: error: no CE in {SAMPLE} matches --site 'pic' --ce 'ce201*'\n"
    )
    assert error(command, "--bdii", SAMPLE, "--site", "XYZ*") == (
        f"cecap: error: --site 'XYZ*': no site in {SAMPLE} matches; none of the 9 sites there"
        " is close\n"
    )
    assert error(command, "--bdii", SAMPLE, "--site", " ") == (
        "cecap: error: --site: give a name or a shell pattern, not nothing\n"
    )


def test_a_pattern_is_shown_escaped_once() -> None:
    err = error("report", "--bdii", SAMPLE, "--site", "\x1b]0;owned\x07")
    assert err == (
        f"cecap: error: --site '\\x1b]0;owned\\x07': no site in {SAMPLE} matches;"
        " none of the 9 sites there is close\n"
    )


# -- -e ----------------------------------------------------------------------------------


def test_experiments_separated_by_commas_as_bdii_lists_are() -> None:
    listed = rows("report", "--bdii", SAMPLE, "--all", "-e", "atlas, cms")
    repeated = rows("report", "--bdii", SAMPLE, "--all", "-e", "atlas", "-e", "cms")
    assert listed == repeated
    assert {r["experiment"] for r in listed} == {"atlas", "cms"}
    # Named twice, assessed once.
    assert rows("report", "--bdii", SAMPLE, "--all", "-e", "atlas,ATLAS") == rows(
        "report", "--bdii", SAMPLE, "--all", "-e", "atlas"
    )


def test_an_unknown_experiment_offers_the_closest() -> None:
    assert error("report", "--bdii", SAMPLE, "-e", "cmss") == (
        "cecap: error: unknown experiment 'cmss'; did you mean cms? configured: atlas, cms,"
        " lhcb, alice\n"
    )
    assert error("sites", "--bdii", SAMPLE, "-e", "atlas,lhcbb") == (
        "cecap: error: unknown experiment 'lhcbb'; did you mean lhcb? configured: atlas, cms,"
        " lhcb, alice\n"
    )
    assert error("report", "--bdii", SAMPLE, "-e", ",") == (
        "cecap: error: --experiment: give a name (configured: atlas, cms, lhcb, alice)\n"
    )


# -- check: one service per site, one history -----------------------------------------------


def status(*args: str | Path) -> tuple[int, list[str]]:
    done = run_cli("check", *args)
    assert done.err == ""
    lines = done.out.splitlines()
    return done.code, [lines[0].split(" | ")[0], *lines[1:]]


def run_time(db: Path, run: int) -> str:
    runs = run_cli("history", "--state", db, "--runs", "--format", "json")
    [found] = [r["time"] for r in json.loads(runs.out)["rows"] if r["run"] == run]
    assert isinstance(found, str)
    return found


def test_a_site_check_holds_its_own_problems_only(tmp_path: Path) -> None:
    """One service per site: RAL's drain stays in RAL's answer, retries included, and in
    no other site's; a check of another site neither names nor clears it."""
    db = tmp_path / "h.sqlite"
    drained = overlay_ldif(SAMPLE, tmp_path / "drained.ldif", states={RAL: "Draining"})
    ral = ("--site", "RAL-LCG2", "-e", "atlas", "--state", db)
    pic = ("--site", "pic", "-e", "atlas", "--state", db)
    assert status("--bdii", SAMPLE, *ral)[0] == status("--bdii", SAMPLE, *pic)[0] == 0
    warned = status("--bdii", drained, *ral)
    assert warned[1][0] == f"CECAP WARNING - atlas: 1 no longer ready: {RAL}"
    for _ in range(2):
        assert status("--bdii", drained, *pic) == (
            0,
            [
                "CECAP OK - ready CEs: atlas 1",
                "atlas OK: 1 ready of 1 CE serving VO atlas (1 at the previous run)",
            ],
        )
        # The same status line and CE line; only "at the previous run" says 0 now.
        code, lines = status("--bdii", drained, *ral)
        assert (code, lines[0], lines[2:]) == (1, warned[1][0], warned[1][2:])
    # The whole grid's check names it too, from when RAL's check first saw it.
    code, lines = status("--bdii", drained, "-e", "atlas", "--state", db)
    assert (code, lines[0]) == (1, f"CECAP WARNING - atlas: 1 no longer ready: {RAL}")
    assert f"  no longer ready since {run_time(db, 3)}: {RAL} at RAL-LCG2" in "\n".join(lines)
    # RAL comes back: its check clears it.
    assert status("--bdii", SAMPLE, *ral)[0] == 0
    assert status("--bdii", drained, *pic)[0] == 0


def test_checks_of_two_sites_share_a_history(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    drained = overlay_ldif(SAMPLE, tmp_path / "drained.ldif", states={RAL: "Draining"})
    ral = ("--site", "RAL-LCG2", "-e", "atlas", "--state", db)
    pic = ("--site", "pic", "-e", "atlas", "--state", db)
    assert status("--bdii", SAMPLE, *ral) == (
        0,
        [
            "CECAP OK - ready CEs: atlas 1",
            "atlas OK: 1 ready of 3 CEs serving VO atlas (first recorded run)",
        ],
    )
    # pic's first run is pic's own: RAL's CEs are not made absent, nor counted.
    assert status("--bdii", SAMPLE, *pic) == (
        0,
        [
            "CECAP OK - ready CEs: atlas 1",
            "atlas OK: 1 ready of 1 CE serving VO atlas (first recorded run)",
        ],
    )
    # RAL's CE drains: pic's service stays OK, RAL's warns.
    assert status("--bdii", drained, *pic)[0] == 0
    code, lines = status("--bdii", drained, *ral)
    assert (code, lines[:2]) == (
        1,
        [
            f"CECAP WARNING - atlas: 1 no longer ready: {RAL}",
            "atlas WARNING: 0 ready of 3 CEs serving VO atlas (1 at the previous run)",
        ],
    )
    timeline = run_cli("history", "--state", db, "--format", "json")
    changes = [(r["run"], r["ce"], r["verdict"]) for r in json.loads(timeline.out)["rows"]]
    assert changes == [
        (1, RAL, "ready"),
        (1, RAL_CES[1], "not-in-production"),
        (1, RAL_CES[2], "not-advertised"),
        (2, PIC, "ready"),
        (4, RAL, "not-in-production"),
    ]
    runs = run_cli("history", "--state", db, "--runs", "--format", "json")
    assert [r["command"] for r in json.loads(runs.out)["rows"]] == [
        "check --site 'RAL-LCG2'",
        "check --site 'pic'",
        "check --site 'pic'",
        "check --site 'RAL-LCG2'",
    ]


def test_check_of_a_site_that_left_the_bdii(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    gone = without_ral(tmp_path)
    assert status("--bdii", SAMPLE, "--state", db, "-e", "atlas")[0] == 0
    # The site is in the history: its ready CE is lost, not an unknown site.
    code, lines = status("--bdii", gone, "--state", db, "-e", "atlas", "--site", "RAL-LCG2")
    assert (code, lines) == (
        1,
        [
            f"CECAP WARNING - atlas: 1 no longer ready: {RAL}",
            "atlas WARNING: no CE serves VO atlas (1 ready at the previous run)",
            f"  no longer ready since {run_time(db, 2)}: {RAL} at RAL-LCG2: ready → absent: no"
            " longer among the CEs serving VO atlas",
        ],
    )
    # A name in neither is UNKNOWN, as every check that cannot answer; nothing recorded.
    done = run_cli("check", "--bdii", gone, "--state", db, "--site", "RAL-LCG3")
    assert (done.code, done.out) == (
        3,
        f"CECAP UNKNOWN - --site 'RAL-LCG3': no site in {gone} nor in the history {db}"
        " matches; closest: RAL-LCG2\n",
    )
    runs = run_cli("history", "--state", db, "--runs", "--format", "json")
    assert len(json.loads(runs.out)["rows"]) == 2


def test_report_record_with_a_selection_keeps_other_ces(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    assert run_cli("check", "--bdii", SAMPLE, "--state", db, "-e", "atlas").code == 0
    done = run_cli(
        "report", "--bdii", SAMPLE, "--state", db, "--record", "--site", "pic", "-e", "atlas"
    )
    assert done.code == 0, done.err
    diff = run_cli("diff", "--state", db, "--format", "json")
    assert json.loads(diff.out)["rows"] == []


# -- history and diff match against the history ----------------------------------------------


@pytest.fixture
def two_runs(tmp_path: Path) -> Path:
    db = tmp_path / "h.sqlite"
    drained = overlay_ldif(SAMPLE, tmp_path / "drained.ldif", states={RAL: "Draining"})
    for snapshot in (SAMPLE, drained):
        assert run_cli("check", "--bdii", snapshot, "--state", db, "-e", "atlas,lhcb").code < 2
    return db


def test_history_and_diff_select(two_runs: Path) -> None:
    history = rows("history", "--state", two_runs, "--site", "RAL-*", "--ce", "*1000M")
    assert [(r["run"], r["experiment"], r["verdict"]) for r in history] == [
        (1, "atlas", "ready"),
        (1, "lhcb", "ready"),
        (2, "atlas", "not-in-production"),
        (2, "lhcb", "not-in-production"),
    ]
    only_lhcb = rows("history", "--state", two_runs, "--site", "ral-lcg2", "-e", "lhcb")
    assert {r["experiment"] for r in only_lhcb} == {"lhcb"}
    assert rows("diff", "--state", two_runs, "--site", "pic") == []
    diff = rows("diff", "--state", two_runs, "--ce", RAL)
    assert [(r["experiment"], r["change"]) for r in diff] == [
        ("atlas", "changed"),
        ("lhcb", "changed"),
    ]


@pytest.mark.parametrize("command", ["history", "diff"])
def test_history_and_diff_patterns_must_match_the_history(command: str, two_runs: Path) -> None:
    assert error(command, "--state", two_runs, "--site", "RAL-LCG3") == (
        f"cecap: error: --site 'RAL-LCG3': no site in the history {two_runs} matches;"
        " closest: RAL-LCG2\n"
    )
    assert error(command, "--state", two_runs, "--ce", "ce07.pic.es:8443/cream-pbs-long") == (
        f"cecap: error: --ce 'ce07.pic.es:8443/cream-pbs-long': no CE in the history {two_runs}"
        f" matches; closest: {PIC}, ce01.tier2.hep.manchester.ac.uk:8443/cream-pbs-long,"
        " ce1.triumf.ca:8443/cream-pbs-atlas\n"
    )


def test_history_experiments_are_those_recorded(two_runs: Path) -> None:
    assert error("history", "--state", two_runs, "-e", "cms") == (
        "cecap: error: unknown experiment 'cms'; recorded: atlas, lhcb\n"
    )
    assert error("history", "--state", two_runs, "-e", "atlass") == (
        "cecap: error: unknown experiment 'atlass'; did you mean atlas? recorded: atlas, lhcb\n"
    )
