"""cecap explain with a history of glexec test results: each (CE, experiment) block shows
the evidence of reliability, and it is report's reliable and tests for every CE."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.overlay import overlay_ldif
from helpers.results import hourly, import_results

from .test_explain import OSG_GLEXEC, json_rows

MIT = "ce01.cmsaf.mit.edu:2119/jobmanager-condor-cms"  # ready, every test passing
NEB = "red.unl.edu:2119/jobmanager-pbs-cms"  # ready, its last three tests failing
GLOW = "cmsgrid01.hep.wisc.edu:2119/jobmanager-condor-cms"  # not advertised, tests passing
METRICS = ["org.cms.glexec.WN-gLExec", "emi.cream.glexec.WN-gLExec", "org.sam.glexec.WN-gLExec"]


@pytest.fixture(scope="module")
def osg(osg_snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The OSG snapshot with glexec on a few queues, and a history with their results."""
    where = tmp_path_factory.mktemp("explain-reliable")
    overlay = overlay_ldif(osg_snapshot, where / "osg.ldif", {ce: ["glexec"] for ce in OSG_GLEXEC})
    now = datetime.now(UTC)
    rows = (
        hourly(now, MIT, ["OK"] * 30)
        + hourly(now, NEB, ["CRITICAL"] * 3 + ["OK"] * 27)
        + hourly(now, GLOW, ["OK"] * 30)
    )
    db = where / "h.sqlite"
    import_results(db, where / "results.csv", rows)
    return overlay, db


def test_explain_evidence_is_reports_for_every_ce(osg: tuple[Path, Path]) -> None:
    overlay, db = osg
    report = json_rows("report", "--bdii", overlay, "--all", "--state", db)
    explained = json_rows("explain", "--bdii", overlay, "--site", "*", "--state", db)
    from_report = {(r["experiment"], r["ce"]): (r["reliable"], r["tests"]) for r in report}
    evidence = {}
    for row in explained:
        if not row["serves"]:
            assert row["reliable"] is None
            continue
        r = row["reliable"]
        assert isinstance(r, dict)
        evidence[(row["experiment"], row["ce"])] = (r["reliable"], r["tests"])
    assert evidence == from_report
    assert len(evidence) > 200
    # The three tested CEs: reliable, failing, and tests passing where it is not ready.
    assert {k: v[0] for k, v in evidence.items() if v[1] is not None} == {
        ("cms", MIT): True,
        ("cms", NEB): False,
        ("cms", GLOW): False,
    }


def test_explain_json_evidence(osg: tuple[Path, Path]) -> None:
    overlay, db = osg
    rows = json_rows("explain", "--bdii", overlay, "--ce", NEB, "-e", "cms", "--state", db)
    evidence = rows[0]["reliable"]
    assert isinstance(evidence, dict)
    assert evidence["tests"]["ok"] == 27  # type: ignore[index]
    since = evidence.pop("since")
    tests = evidence.pop("tests")
    seen = evidence.pop("evidence")
    assert isinstance(since, str) and since.endswith("Z")
    # The latest results that show the mode: the three newest OK ones (setuid), after
    # the three CRITICAL ones, which show none.
    assert [(e["status"], e["line"]) for e in seen] == [("OK", None)] * 3  # type: ignore[index,union-attr]
    assert tests["total"] == 30  # type: ignore[index]
    assert evidence == {
        "reliable": False,
        "rule": {"window": "7d", "min_results": 24, "min_ok_ratio": 0.95, "last_must_be_ok": True},
        "metrics": METRICS,
        "held_ready": True,
        "missed": ["90% OK, under 95%", "the last CRITICAL"],
        "observed_mode": "setuid",
        "summary": "27/30 OK, last CRITICAL 2h ago",
    }
    glow = json_rows("explain", "--bdii", overlay, "--ce", GLOW, "-e", "cms", "--state", db)
    g = glow[0]["reliable"]
    assert isinstance(g, dict)
    assert (glow[0]["verdict"], g["reliable"], g["held_ready"], g["missed"]) == (
        "not-advertised",
        False,
        False,
        ["the verdict was not ready throughout the window"],
    )


def test_explain_block_shows_the_evidence(osg: tuple[Path, Path]) -> None:
    overlay, db = osg
    done = run_cli("explain", "--bdii", overlay, "--ce", NEB, "-e", "cms", "--state", db)
    assert done.code == 0, done.err
    lines = done.out.splitlines()
    start = lines.index("  reliable   no: 90% OK, under 95%; the last CRITICAL")
    shown = lines[start + 1 :]
    assert shown[0] == "    rule     ready throughout, at least 24 results, 95% OK, the last OK"
    assert shown[1].startswith("    window   7d, since ")
    assert shown[1].endswith("Z: the verdict held ready")
    assert shown[2].startswith("    results  27/30 OK (90%), last CRITICAL at ")
    assert shown[3:5] == [
        "    metrics  org.cms.glexec.WN-gLExec, emi.cream.glexec.WN-gLExec,",
        "             org.sam.glexec.WN-gLExec (by CE ID or host)",
    ]
    assert shown[5].startswith("    mode     setuid, seen at ")
    assert " ".join(shown[5:]).endswith("(and 2 earlier): it ended OK")
    untested = run_cli(
        "explain", "--bdii", overlay, "--ce", OSG_GLEXEC[0], "--state", db
    ).out.splitlines()
    assert "  reliable   untested: no glexec test results in the window" in untested
    assert "    results  none" in untested


def test_explain_without_a_history_or_for_another_capability(
    osg: tuple[Path, Path], tmp_path: Path
) -> None:
    overlay, db = osg
    missing = tmp_path / "none.sqlite"
    done = run_cli("explain", "--bdii", overlay, "--ce", MIT, "--state", missing)
    assert done.code == 0, done.err
    assert "reliable" not in done.out
    assert not missing.exists()
    doc = json.loads(
        run_cli(
            "explain", "--bdii", overlay, "--ce", MIT, "--state", db, "--capability", "htpc",
            "--format", "json",
        ).out
    )  # fmt: skip
    assert [r["reliable"] for r in doc["rows"]] == [None]
