"""The README's "Running from cron" command lines, taken from README.md and run as written."""

# The probe, crontab, systemd ExecStart and Nagios command_line lines are each run. Only
# what must differ on a test machine is substituted, explicitly, below: the BDII
# (`lcg-bdii.cern.ch:2170`) becomes the shipped sample snapshot, the state files under
# /var/lib become files in the test's folder, /usr/local/bin/cecap becomes the cecap
# installed next to this Python, the web server's folder /var/www/html/cecap a folder in the
# test's folder, and HOME is the test's folder. The sample has 3 ready
# atlas CEs and 1 cms CE, so the README's per-experiment ranges (-w atlas=20: -c
# atlas=10:, -w cms=10: and in cron -c cms=5:) make each run CRITICAL.

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.paths import SAMPLE
from helpers.readme import code_blocks, readme_section

BDII = "lcg-bdii.cern.ch:2170"
INSTALLED = "/usr/local/bin/cecap"
WWW = "/var/www/html/cecap"
CECAP = Path(sys.executable).parent / "cecap"


SECTION = "Running from cron"


def section() -> str:
    return readme_section(SECTION)


def the_line(pattern: str) -> str:
    found = [m.group(1) for m in re.finditer(pattern, section(), re.MULTILINE)]
    assert len(found) == 1, f"{pattern!r} matches {len(found)} lines of the section"
    return found[0]


def the_block(marker: str) -> str:
    found = [b for b in code_blocks(SECTION) if marker in b]
    assert len(found) == 1, f"{marker!r} is in {len(found)} code blocks"
    return found[0]


def environment(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CECAP_", "LCG_GFAL", "XDG_STATE_HOME"))
    }
    env["HOME"] = str(home)
    env["PATH"] = f"{CECAP.parent}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    return env


def recorded_runs(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT source FROM runs ORDER BY id")]


STATUS = "CECAP CRITICAL - atlas: 3 ready (critical: outside 10:)"
# The ranges of cron and systemd: cms's own beside atlas's, none for lhcb and alice.
CMS_CRITICAL = "cms: 1 ready (critical: outside 5:)"
CRON_PERF = "atlas_ready=3;20:;10:;0 "


def test_probe_example(tmp_path: Path) -> None:
    command = the_line(r"^    (cecap check (?!.*--format json).*)$")
    assert BDII in command
    args = shlex.split(command.replace(BDII, str(SAMPLE)))
    result = subprocess.run(
        [str(CECAP), *args[1:]], env=environment(tmp_path), capture_output=True, text=True
    )
    assert result.returncode == 2, result.stderr
    status = result.stdout.splitlines()[0]
    assert status.startswith(
        f"{STATUS}. cms: 1 ready (warning: outside 10:) | atlas_ready=3;20:;10:;0 "
    )
    assert " cms_ready=1;10:;;0 " in status and " lhcb_ready=3;;;0 " in status
    assert recorded_runs(tmp_path / ".local" / "state" / "cecap" / "history.sqlite") == [
        str(SAMPLE)
    ]


def test_probe_json_example(tmp_path: Path) -> None:
    command = the_line(r"^    (cecap check .*--format json.*)$")
    args = shlex.split(command.replace(BDII, str(SAMPLE)))
    result = subprocess.run(
        [str(CECAP), *args[1:]], env=environment(tmp_path), capture_output=True, text=True
    )
    # The same exit code as the plugin lines: atlas has 3 ready CEs, below -c atlas=10:.
    assert result.returncode == 2, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["status"], doc["code"]) == ("CRITICAL", 2)
    atlas = next(row for row in doc["rows"] if row["experiment"] == "atlas")
    assert (atlas["ready"], atlas["warning"], atlas["critical"]) == (3, "20:", "10:")


def test_crontab_line(tmp_path: Path) -> None:
    entry = the_line(r"^    ((?:\S+ ){5}cecap check .*)$")
    fields = entry.split(None, 5)
    assert fields[:5] == ["17", "*", "*", "*", "*"]
    # cron hands the command to /bin/sh; "%" would be special in a crontab line.
    command = fields[5]
    assert "%" not in command
    # After the check, the page for the web server: its folder's parent exists.
    assert command.endswith(f"; cecap page --bdii {BDII} -o {WWW}")
    www = tmp_path / "www" / "cecap"
    www.parent.mkdir()
    outputs = []
    for _ in range(2):
        result = subprocess.run(
            ["/bin/sh", "-c", command.replace(BDII, str(SAMPLE)).replace(WWW, str(www))],
            env=environment(tmp_path),
            capture_output=True,
            text=True,
        )
        # Not OK: the "|| cat" shows the check's output, so cron mails it; the page
        # adds nothing to the mail.
        assert (result.returncode, result.stderr) == (0, "")
        assert result.stdout.startswith(f"{STATUS}. {CMS_CRITICAL} | {CRON_PERF}")
        assert result.stdout == (tmp_path / "cecap-check.txt").read_text()
        outputs.append(result.stdout)
        page = (www / "index.html").read_text(encoding="utf-8")
        assert f"from {SAMPLE} by cecap" in page and 'id="headline-atlas" data-ready="3"' in page
    # The page compares with the run before the check that recorded this same answer.
    assert "+0 ready since run 1 (" in page
    assert "atlas CRITICAL: 3 ready of 8 CEs serving VO atlas (first recorded run)" in outputs[0]
    assert "atlas CRITICAL: 3 ready of 8 CEs serving VO atlas (3 at the previous run)" in outputs[1]
    db = tmp_path / ".local" / "state" / "cecap" / "history.sqlite"
    assert recorded_runs(db) == [str(SAMPLE), str(SAMPLE)]


def test_systemd_service(tmp_path: Path) -> None:
    exec_start = the_line(r"^    ExecStart=(.*)$")
    success = the_line(r"^    SuccessExitStatus=(.*)$").split()
    state = "/var/lib/cecap/history.sqlite"
    assert exec_start.startswith(INSTALLED + " ") and state in exec_start
    db = tmp_path / "var-lib-cecap" / "history.sqlite"
    db.parent.mkdir()  # StateDirectory=cecap: systemd makes it
    assert the_line(r"^    (StateDirectory=.*)$") == "StateDirectory=cecap"
    command = exec_start.replace(BDII, str(SAMPLE)).replace(state, str(db))
    args = shlex.split(command)
    args[0] = str(CECAP)
    result = subprocess.run(args, env=environment(tmp_path), capture_output=True, text=True)
    assert result.stdout.startswith(f"{STATUS}. {CMS_CRITICAL} | {CRON_PERF}")
    assert str(result.returncode) in success, result.stderr
    assert "3" not in success
    assert recorded_runs(db) == [str(SAMPLE)]
    # The timer is there too, and names a schedule.
    assert the_line(r"^    (OnCalendar=.*)$") == "OnCalendar=hourly"
    assert the_line(r"^    (WantedBy=.*)$") == "WantedBy=timers.target"


def test_nagios_command_and_service(tmp_path: Path) -> None:
    command_line = the_line(r"^        command_line\s+(.*)$")
    check_command = the_line(r"^        check_command\s+(.*)$")
    name, *arguments = check_command.split("!")
    assert name == the_line(r"^        command_name\s+(.*)$")
    # Nagios' own macro expansion: $ARGn$ is the n-th "!" field of check_command.
    expanded = re.sub(r"\$ARG(\d+)\$", lambda m: arguments[int(m.group(1)) - 1], command_line)
    assert "$" not in expanded
    state = "/var/lib/nagios/cecap/history.sqlite"
    db = tmp_path / "nagios" / "history.sqlite"
    made = the_line(r"^    (install -d .*)$")
    assert made == "install -d -o nagios -g nagios /var/lib/nagios/cecap"
    db.parent.mkdir()  # what that line does
    args = shlex.split(expanded.replace(BDII, str(SAMPLE)).replace(state, str(db)))
    assert args[0] == INSTALLED
    args[0] = str(CECAP)
    result = subprocess.run(args, env=environment(tmp_path), capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{STATUS} | atlas_ready=3;20:;10:;0 atlas_conditional=1;;;0")
    assert lines[1:] == ["atlas CRITICAL: 3 ready of 8 CEs serving VO atlas (first recorded run)"]
    assert recorded_runs(db) == [str(SAMPLE)]
    # The same command serves the other experiments' services, each with its own ranges
    # (the plain one for an experiment without its own).
    assert args[args.index("-e") + 1] == "atlas"
    for experiment, status in (
        ("cms", "CECAP CRITICAL - cms: 1 ready (critical: outside 5:) | cms_ready=1;10:;5:;0 "),
        ("lhcb", "CECAP OK - ready CEs: lhcb 3 | lhcb_ready=3;1:;;0 "),
    ):
        args[args.index("-e") + 1] = experiment
        other = subprocess.run(args, env=environment(tmp_path), capture_output=True, text=True)
        assert other.stdout.startswith(status), other.stdout + other.stderr
    assert recorded_runs(db) == [str(SAMPLE)] * 3


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
def test_systemd_units_verify(tmp_path: Path) -> None:
    service = the_block("[Service]").replace(INSTALLED, str(CECAP))
    timer = the_block("[Timer]")
    assert "[Service]" not in timer
    (tmp_path / "cecap-check.service").write_text(service)
    (tmp_path / "cecap-check.timer").write_text(timer)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", "cecap-check.service", "cecap-check.timer"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
