"""Golden outputs: every command on the sample and the OSG 2008 snapshot, byte for byte.

The files in tests/golden/ were written by cecap before its package layout changed; a
change of output must be deliberate. CECAP_UPDATE_GOLDEN=1 rewrites them (then review
the diff).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.overlay import overlay_ldif
from helpers.paths import SAMPLE

from cecap import __version__

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
# The terminal table as an 80-column terminal (or a pipe) shows it, wherever tests run.
WIDTH = {"COLUMNS": "80"}
UPDATE = os.environ.get("CECAP_UPDATE_GOLDEN") == "1"
_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")

# The OSG overlay the check tests use: glexec on a few ATLAS and CMS queues.
OSG_GLEXEC = (
    "gate01.aglt2.org:2119/jobmanager-condor-atlas",
    "gridgk01.racf.bnl.gov:2119/jobmanager-condor-atlas",
    "tier2-osg.uchicago.edu:2119/jobmanager-condor-atlas",
    "red.unl.edu:2119/jobmanager-pbs-cms",
    "cit-gatekeeper.ultralight.org:2119/jobmanager-condor-cms",
    "ce01.cmsaf.mit.edu:2119/jobmanager-condor-cms",
)

SOURCE_COMMANDS = {
    "report": ["report"],
    "report-all-json": ["report", "--all", "--format", "json"],
    "report-all-csv": ["report", "--all", "--format", "csv"],
    "sites": ["sites"],
    "sites-json": ["sites", "--format", "json"],
    "audit": ["audit"],
    "audit-json": ["audit", "--format", "json"],
    "audit-ldif": ["audit", "--format", "ldif"],
    "testlist": ["testlist"],
    "testlist-json": ["testlist", "--format", "json"],
    "testlist-vofeed": ["testlist", "--format", "vofeed", "-e", "cms"],
}


def _normalize(text: str, source: Path) -> str:
    text = text.replace(f"<version>cecap {__version__}</version>", "<version><VERSION></version>")
    return _STAMP.sub("<TIME>", text).replace(str(source), "<SOURCE>")


def _compare(name: str, code: int, out: str, err: str) -> None:
    got = f"exit {code}\n--- stdout\n{out}--- stderr\n{err}"
    path = GOLDEN / f"{name}.txt"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
        return
    assert path.is_file(), f"{path} missing: run with CECAP_UPDATE_GOLDEN=1 and review it"
    assert got == path.read_text(encoding="utf-8"), f"output of {name} changed"


@pytest.fixture(scope="module")
def osg_overlay(tmp_path_factory: pytest.TempPathFactory, osg_snapshot: Path) -> Path:
    return overlay_ldif(
        osg_snapshot,
        tmp_path_factory.mktemp("golden") / "osg.ldif",
        {ce: ["glexec"] for ce in OSG_GLEXEC},
    )


@pytest.mark.parametrize("command", sorted(SOURCE_COMMANDS))
@pytest.mark.parametrize("data", ["sample", "osg"])
def test_command_output_is_unchanged(
    command: str, data: str, request: pytest.FixtureRequest
) -> None:
    source = SAMPLE if data == "sample" else request.getfixturevalue("osg_overlay")
    done = run_cli(*SOURCE_COMMANDS[command], "--bdii", source, env=WIDTH)
    _compare(
        f"{data}-{command}",
        done.code,
        _normalize(done.out, source),
        _normalize(done.err, source),
    )


def test_stances_output_is_unchanged() -> None:
    for fmt in ("table", "json"):
        done = run_cli("stances", "--format", fmt, env=WIDTH)
        _compare(f"stances-{fmt}", done.code, done.out, done.err)


def test_check_history_diff_output_is_unchanged(osg_overlay: Path, tmp_path: Path) -> None:
    drained = tmp_path / "drained.ldif"
    shutil.copy(osg_overlay, drained)
    text = drained.read_text(encoding="utf-8")
    marker = "dn: GlueCEUniqueID=gridgk01.racf.bnl.gov:2119/jobmanager-condor-atlas,"
    head, _, tail = text.partition(marker)
    assert tail, "BNL's atlas queue is not in the overlay"
    tail = tail.replace("GlueCEStateStatus: Production", "GlueCEStateStatus: Draining", 1)
    drained.write_text(head + marker + tail, encoding="utf-8")
    db = tmp_path / "h.sqlite"
    steps = [
        ("check-1", ["check", "--bdii", osg_overlay, "--state", db]),
        ("check-2", ["check", "--bdii", drained, "--state", db]),
        ("history", ["history", "--state", db]),
        ("history-table", ["history", "--state", db, "--format", "table"]),
        ("history-runs", ["history", "--runs", "--state", db, "--format", "json"]),
        ("diff", ["diff", "--state", db]),
        ("diff-json", ["diff", "--state", db, "--format", "json"]),
    ]
    for name, args in steps:
        done = run_cli(*args, env=WIDTH)
        out = _normalize(done.out, osg_overlay).replace(str(drained), "<DRAINED>")
        out = out.replace(str(db), "<STATE>")
        _compare(f"osg-{name}", done.code, out, _normalize(done.err, osg_overlay))
