"""check --format json for dashboards: one document, the same exit codes as the Nagios text."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import run_cli
from helpers.overlay import overlay_ldif
from helpers.paths import SAMPLE

RAL = "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M"
RANGES = ["-w", "atlas=4:", "-w", "2:", "-c", "cms=1:"]
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
FIELDS = [
    "experiment",
    "vo",
    "status",
    "code",
    "ready",
    "serving",
    "warning",
    "critical",
    "counts",
    "problems",
    "previous_run",
    "previous_ready",
    "no_longer_ready",
    "newly_ready",
    "reliable",
    "reliable_warning",
    "reliable_critical",
    "no_longer_reliable",
    "failing_tests",
    "mode_refused",
    "held",
]
# No glexec test results imported: none reliable, nothing failing.
NO_TESTS = {
    "reliable": 0,
    "reliable_warning": None,
    "reliable_critical": None,
    "no_longer_reliable": [],
    "failing_tests": [],
    "mode_refused": [],
}


def counts(ready: int, **others: int) -> dict[str, int]:
    names = (
        "conditional",
        "no-stance",
        "mode-mismatch",
        "site-refuses",
        "not-in-production",
        "not-advertised",
    )
    return {"ready": ready, **{n: others.get(n.replace("-", "_"), 0) for n in names}}


def lhcb_reason(snapshot: Path) -> str:
    """Why RAL's CE is ready for lhcb, as report says it."""
    code, out, _ = run_cli("report", "--bdii", snapshot, "-e", "lhcb", "--format", "json")
    assert code == 0
    [reason] = [r["reason"] for r in json.loads(out)["rows"] if r["ce"] == RAL]
    assert isinstance(reason, str) and reason
    return reason


def document(out: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(out)
    return doc


def test_two_runs_as_json_and_as_nagios_text(tmp_path: Path) -> None:
    drained = overlay_ldif(SAMPLE, tmp_path / "drained.ldif", states={RAL: "Draining"})
    json_db, text_db = tmp_path / "json.sqlite", tmp_path / "text.sqlite"
    docs, times = [], []
    for snapshot, code in ((SAMPLE, 1), (drained, 2)):
        args = ["check", "--bdii", snapshot, "-e", "atlas", "-e", "cms", *RANGES]
        as_json = run_cli(*args, "--state", json_db, "--format", "json")
        as_text = run_cli(*args, "--state", text_db)
        assert (as_json.code, as_json.err) == (code, "")
        assert as_text.code == code
        doc = document(as_json.out)
        # The summary is the status line's, without its "CECAP STATE - " and perfdata.
        assert as_text.out.startswith(f"CECAP {doc['status']} - {doc['summary']} | ")
        times.append(doc.pop("time"))
        assert TIME.match(times[-1])
        docs.append(doc)
    first, second = docs
    assert first == {
        "kind": "check",
        "status": "WARNING",
        "code": 1,
        "summary": "atlas: 3 ready (warning: outside 4:). cms: 1 ready (warning: outside 2:)",
        "source": str(SAMPLE),
        "state": str(json_db),
        "run": 1,
        "partial": False,
        "partial_reason": None,
        "fields": FIELDS,
        "rows": [
            {
                "experiment": "atlas",
                "vo": "atlas",
                "status": "WARNING",
                "code": 1,
                "ready": 3,
                "serving": 8,
                "warning": "4:",
                "critical": None,
                "counts": counts(
                    3,
                    conditional=1,
                    no_stance=1,
                    mode_mismatch=1,
                    not_in_production=1,
                    not_advertised=1,
                ),
                "problems": ["3 ready (warning: outside 4:)"],
                "previous_run": None,
                "previous_ready": None,
                "no_longer_ready": [],
                "newly_ready": [],
                **NO_TESTS,
                "held": [],
            },
            {
                "experiment": "cms",
                "vo": "cms",
                "status": "WARNING",
                "code": 1,
                "ready": 1,
                "serving": 8,
                "warning": "2:",
                "critical": "1:",
                "counts": counts(
                    1,
                    conditional=2,
                    mode_mismatch=1,
                    site_refuses=1,
                    not_in_production=1,
                    not_advertised=2,
                ),
                "problems": ["1 ready (warning: outside 2:)"],
                "previous_run": None,
                "previous_ready": None,
                "no_longer_ready": [],
                "newly_ready": [],
                **NO_TESTS,
                "held": [],
            },
        ],
    }
    lost = {
        "ce": RAL,
        "site": "RAL-LCG2",
        "before": "ready",
        "after": "not-in-production",
        "reason": "CE state is Draining; {} targets only Production",
    }
    assert (second["status"], second["code"], second["run"], second["source"]) == (
        "CRITICAL",
        2,
        2,
        str(drained),
    )
    assert second["summary"] == (
        f"cms: 0 ready (critical: outside 1:), 1 no longer ready: {RAL}. atlas: 2 ready"
        f" (warning: outside 4:), 1 no longer ready: {RAL}"
    )
    atlas, cms = second["rows"]
    assert (atlas["status"], atlas["ready"], atlas["previous_run"], atlas["previous_ready"]) == (
        "WARNING",
        2,
        1,
        3,
    )
    assert atlas["no_longer_ready"] == [{**lost, "reason": lost["reason"].format("ATLAS")}]
    assert (cms["status"], cms["code"], cms["ready"], cms["previous_ready"]) == (
        "CRITICAL",
        2,
        0,
        1,
    )
    assert cms["counts"]["not-in-production"] == 2
    assert cms["no_longer_ready"] == [{**lost, "reason": lost["reason"].format("CMS")}]
    assert atlas["newly_ready"] == cms["newly_ready"] == []
    # Each held from this run on, first seen now.
    held = {
        "problem": "no-longer-ready",
        "ce": RAL,
        "site": "RAL-LCG2",
        "since": times[1],
        "run": 2,
    }
    assert atlas["held"] == cms["held"] == [held]
    # A retry compares with the drained run, and still names RAL, from when first seen.
    args = ["check", "--bdii", drained, "-e", "atlas", "-e", "cms", *RANGES, "--format", "json"]
    code, out, _ = run_cli(*args, "--state", json_db)
    third = document(out)
    assert (code, third["summary"], third["run"]) == (2, second["summary"], 3)
    atlas, cms = third["rows"]
    assert (atlas["previous_ready"], cms["previous_ready"]) == (2, 0)
    assert atlas["held"] == cms["held"] == [held]
    assert atlas["no_longer_ready"] == second["rows"][0]["no_longer_ready"]


def test_newly_ready_and_ok(tmp_path: Path) -> None:
    drained = overlay_ldif(SAMPLE, tmp_path / "drained.ldif", states={RAL: "Draining"})
    db = tmp_path / "h.sqlite"
    assert run_cli("check", "--bdii", drained, "--state", db, "-e", "lhcb").code == 0
    code, out, err = run_cli(
        "check", "--bdii", SAMPLE, "--state", db, "-e", "lhcb", "--format=JSON"
    )
    assert (code, err) == (0, "")
    doc = document(out)
    assert (doc["status"], doc["code"], doc["summary"]) == ("OK", 0, "ready CEs: lhcb 3")
    [lhcb] = doc["rows"]
    assert [(t["ce"], t["site"], t["before"], t["after"]) for t in lhcb["newly_ready"]] == [
        (RAL, "RAL-LCG2", "not-in-production", "ready")
    ]
    assert lhcb["newly_ready"][0]["reason"] == lhcb_reason(SAMPLE)
    assert (lhcb["previous_run"], lhcb["previous_ready"], lhcb["ready"]) == (1, 2, 3)


@pytest.mark.parametrize(
    "args",
    [
        ["--zzzz"],
        ["-w", "twenty"],
        ["-c", "babar=1:"],
        ["-e", "babar"],
        ["--bdii", "/nonexistent/x.ldif"],
        ["--allow-partial"],
    ],
)
def test_unknown_is_a_json_document_too(args: list[str], tmp_path: Path) -> None:
    full = ["check", "--state", tmp_path / "h.sqlite", *args]
    if "--bdii" not in args:
        full += ["--bdii", SAMPLE]
    text = run_cli(*full)
    assert text.code == 3
    # Before or after the bad option, any case.
    for where in (["--format", "json"], ["--format", "Json"]):
        for placed in (where + full[1:], full[1:] + where):
            code, out, err = run_cli("check", *placed)
            assert (code, err) == (3, ""), out
            assert document(out) == {
                "kind": "check",
                "status": "UNKNOWN",
                "code": 3,
                "summary": text.out.removeprefix("CECAP UNKNOWN - ").rstrip("\n"),
                "source": None,
                "state": None,
                "run": None,
                "time": None,
                "partial": False,
                "partial_reason": None,
                "fields": FIELDS,
                "rows": [],
            }
    # Nothing recorded (the database may exist: it is opened before the source is read).
    db = tmp_path / "h.sqlite"
    if db.exists():
        assert run_cli("history", "--runs", "--state", db).out == "no recorded run\n"


def test_an_unknown_format_is_unknown(tmp_path: Path) -> None:
    code, out, err = run_cli(
        "check", "--bdii", SAMPLE, "--state", tmp_path / "h.sqlite", "--format", "csv"
    )
    assert (code, out, err) == (
        3,
        "CECAP UNKNOWN - Invalid value for '--format': 'csv' is not one of 'nagios', 'json'.\n",
        "",
    )
