"""The real OSG 2008 snapshot publishes u2-grid.ccr.buffalo.edu's queues under both
GRASE-CCR-U2 and NYSGRID-CCR-U2: both sites show, each with its own queues, and the
audit says so once per extra copy."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.cli import run_cli

HOST = "u2-grid.ccr.buffalo.edu"
SHARED = ("ccr", "debug", "inquiry")  # NYSGRID publishes these three; GRASE also mtv


def dn(site: str, queue: str) -> str:
    return (
        f"GlueCEUniqueID={HOST}:2119/jobmanager-pbs-{queue},Mds-Vo-name={site},"
        "Mds-Vo-name=local,o=grid"
    )


def test_both_sites_are_listed(osg_snapshot: Path) -> None:
    result = run_cli("sites", "--bdii", osg_snapshot, "--format", "json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)["rows"]
    serving = {(r["site"], r["experiment"]): r["ces_serving"] for r in rows}
    assert serving[("NYSGRID-CCR-U2", "atlas")] == 3
    assert serving[("GRASE-CCR-U2", "atlas")] == 4


def test_audit_finds_each_duplicate_under_nysgrid(osg_snapshot: Path) -> None:
    result = run_cli("audit", "--bdii", osg_snapshot, "--format", "json")
    assert result.code == 0, result.err  # warnings only
    rows = json.loads(result.out)["rows"]
    dupes = [r for r in rows if r["kind"] == "duplicate-ce" and HOST in r["dn"]]
    assert [(r["severity"], r["site"], r["dn"]) for r in dupes] == [
        ("warning", "NYSGRID-CCR-U2", dn("NYSGRID-CCR-U2", q)) for q in SHARED
    ]
    for r, q in zip(dupes, SHARED, strict=True):
        assert dn("GRASE-CCR-U2", q) in r["message"]
    # No GRASE finding lists NYSGRID's VOs any more: GRASE findings name GRASE DNs only.
    for r in rows:
        if r["site"] == "GRASE-CCR-U2":
            assert "NYSGRID" not in r["dn"] and "NYSGRID" not in r["message"]


def test_audit_site_filter_sees_nysgrid(osg_snapshot: Path) -> None:
    result = run_cli(
        "audit", "--bdii", osg_snapshot, "--site", "NYSGRID-CCR-U2", "--format", "json"
    )
    assert result.code == 0, result.err
    kinds = {r["kind"] for r in json.loads(result.out)["rows"]}
    assert "duplicate-ce" in kinds
