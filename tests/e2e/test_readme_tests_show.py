"""The README's "What the tests show": its weekly command lines, taken from README.md and
run as written, in order, on a history of results the test imports as the hourly loop
would; each output checked against what it says."""

# Only what must differ on a test machine is substituted: the BDII becomes the sample
# snapshot with two more CEs advertising glexec, /var/lib/cecap a folder of the test's.

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from helpers.overlay import overlay_ldif
from helpers.paths import REPO, SAMPLE
from helpers.results import METRIC, hours_ago
from helpers.tables import read_grid

from .test_readme_reliable import BDII, CECAP, VAR, environment

README = REPO / "README.md"
LOG_ONLY = "Warning: Same /usr/bin/id for payload and pilot"
RAL = "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M"  # T1_UK_RAL: setuid only
PIC = "ce07.pic.es:8443/cream-pbs-glong"  # T1_ES_PIC: allows both
NEB = "red.unl.edu:2119/jobmanager-pbs-cms"  # T2_US_Nebraska
CERN = "ce201.cern.ch:8443/cream-pbs-grid_cms"  # T2_CH_CERN


def section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## What the tests show\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def run(line: str, bdii: Path, var: Path, home: Path) -> subprocess.CompletedProcess[str]:
    command = line.replace(BDII, str(bdii)).replace(VAR, str(var))
    return subprocess.run(
        ["sh", "-c", command], env=environment(home), capture_output=True, text=True
    )


def test_the_weekly_commands_as_written(tmp_path: Path) -> None:
    lines = re.findall(r"^    (cecap .*)$", section(), re.MULTILINE)
    assert [line.split()[1] for line in lines] == ["summary", "summary", "report", "audit"]
    table, twiki, report, audit = lines
    bdii = overlay_ldif(SAMPLE, tmp_path / "bdii.ldif", {NEB: ["glexec"], PIC: ["glexec"]})
    var = tmp_path / "var-lib-cecap"
    var.mkdir()
    now = datetime.now(UTC)
    # What the hourly loop imported: RAL's tests see log-only mode and fail once; PIC's
    # see log-only mode; Nebraska's pass; CERN's fail; Imperial's none.
    rows = [
        (RAL, 1, "CRITICAL", "Error: error 126 executing /usr/sbin/glexec"),
        (RAL, 2, "WARNING", LOG_ONLY),
        (PIC, 1, "WARNING", LOG_ONLY),
        (NEB, 1, "OK", "Payload id: 20001"),
        (CERN, 3, "CRITICAL", "Error: payloadproxy not found"),
    ]
    text = ["time,ce,experiment,metric,status,summary,output"]
    text += [f"{hours_ago(now, h)},{ce},cms,{METRIC},{s},,{o}" for ce, h, s, o in rows]
    (tmp_path / "r.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    history = var / "history.sqlite"
    done = subprocess.run(
        [str(CECAP), "results", "import", "--state", str(history), str(tmp_path / "r.csv")],
        env=environment(tmp_path), capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr

    done = run(table, bdii, var, tmp_path)
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    # RAL failing (1 error, no OK), PIC OK (log-only only); CERN failing, Nebraska OK,
    # Imperial untested.
    assert first.startswith(
        "CMS: T1s failing 1/2, T2s failing 1/2, sites OK 2, untested 1 (the 12h to "
    )
    done = run(twiki, bdii, var, tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    block = (var / "cms-weekly.twiki").read_text(encoding="utf-8")
    assert block.startswith("---+++ glexec summary: CMS, the 12h to ")
    assert "   * T1s failing 1/2\n   * T2s failing 1/2\n   * sites OK 2\n   * untested 1\n" in block
    failing = [line for line in block.splitlines() if line.startswith("| ") and "*" not in line]
    assert [line.split(" | ")[2] for line in failing] == [RAL, CERN]

    done = run(report, bdii, var, tmp_path)
    assert done.returncode == 0, done.stderr
    # --fields site,ce,observed_mode,reliable: at 80 columns the site and the CE, named
    # first, stay on each row; observed_mode does not fit beside them, so it and reliable,
    # named after it, go into the row's numbered note, in that order.
    grid = read_grid(done.stdout)
    assert grid.headers == ["#", "site", "ce"]
    seen = {
        cells[2]: [part.split(": ")[1] for part in grid.notes[int(cells[0])].split("  ")]
        for cells in grid.lines
    }
    assert seen[RAL] == ["log-only", "no"]
    # One result is fewer than the 24 the reliable rule needs: setuid, not reliable.
    assert seen[NEB] == ["setuid", "no"]
    assert seen[CERN] == ["unknown", "no"]

    done = run(audit, bdii, var, tmp_path)
    assert done.returncode == 1, done.stderr
    found = re.findall(r"^(\d+)\s+(\w+)\s+(mode-\S+)\s+(\S+)$", done.stdout, re.MULTILINE)
    assert [f[1:] for f in found] == [
        ("error", "mode-contradicts-stance", "RAL-LCG2"),
        ("info", "mode-observed", "pic"),
    ]
    notes = " ".join(done.stdout.split())
    said = "CMS's glexec tests see log-only mode (last at "
    assert f"{found[0][0]}. {said}" in notes and f"{found[1][0]}. {said}" in notes
    assert "UKI-RAL-LCG2 answered setuid only" in notes
