"""Every crontab line of the README, as cron reads it: cron ends a command at its first
unescaped `%` (the rest becomes the command's standard input, each further `%` a
newline) and turns `\\%` into `%`, then runs the command with `sh -c` (crontab(5),
"The entire command portion of the line, up to a newline or % character, will be executed
by /bin/sh"). A line cut short there would run a different command than it reads. The
snapshot line is run as cron runs it, on the shipped sample, and must print nothing."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.paths import REPO, SAMPLE

from cecap.sources.ldif import LdifReader

README = REPO / "README.md"
CECAP = Path(sys.executable).parent / "cecap"
# Five time fields, then the command.
CRONTAB_LINE = re.compile(r"^    ((?:[0-9*/,-]+ ){5})(.*)$", re.MULTILINE)

pytestmark = pytest.mark.skipif(shutil.which("sh") is None, reason="sh is not installed")


def cron_command(line: str) -> tuple[str, str]:
    """What cron makes of a crontab line's command field: (the command, its stdin)."""
    command, stdin, escaped = [], None, False
    for char in line:
        if escaped:
            (command if stdin is None else stdin).append(char if char == "%" else "\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            if stdin is None:
                stdin = []
            else:
                stdin.append("\n")
        else:
            (command if stdin is None else stdin).append(char)
    if escaped:
        (command if stdin is None else stdin).append("\\")
    return "".join(command), "".join(stdin or [])


def crontab_lines() -> list[str]:
    return [m.group(2) for m in CRONTAB_LINE.finditer(README.read_text(encoding="utf-8"))]


def test_cron_processing_is_as_crontab_5_says() -> None:
    assert cron_command("date +%F") == ("date +", "F")
    assert cron_command(r"date +\%F") == ("date +%F", "")
    assert cron_command("mail x%line 1%line 2") == ("mail x", "line 1\nline 2")
    assert cron_command(r"echo a\b") == (r"echo a\b", "")


def test_the_readme_has_crontab_lines() -> None:
    lines = crontab_lines()
    assert len(lines) >= 6
    assert sum("cecap snapshot" in line for line in lines) == 1


@pytest.mark.parametrize("line", crontab_lines(), ids=lambda line: line[:50])
def test_each_crontab_line_is_whole_after_cron_reads_it(line: str) -> None:
    command, stdin = cron_command(line)
    assert stdin == "", f"cron cuts this line at its %: it runs {command!r}"
    # Only a `%` is escaped for cron: any other backslash reaches sh as written.
    assert command == line.replace("\\%", "%")
    parsed = subprocess.run(["sh", "-n", "-c", command], capture_output=True, text=True)
    assert parsed.returncode == 0, parsed.stderr


def test_the_snapshot_line_runs_as_cron_runs_it_and_prints_nothing(tmp_path: Path) -> None:
    (line,) = [line for line in crontab_lines() if "cecap snapshot" in line]
    command, _ = cron_command(line)
    # The one thing a test machine lacks: the BDII, here the shipped sample.
    assert command.count("HOST:2170") == 1
    command = command.replace("HOST:2170", str(SAMPLE))
    env = {
        "HOME": str(tmp_path),
        "PATH": f"{CECAP.parent}:/usr/bin:/bin",
        "SHELL": "/bin/sh",
        "LOGNAME": "cecap",
    }
    done = subprocess.run(
        ["/bin/sh", "-c", command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    made = tmp_path / f"top-bdii-{today}.ldif.gz"
    assert os.listdir(tmp_path) == [made.name]
    assert sorted(e.dn for e in LdifReader(made).entries()) == sorted(
        e.dn for e in LdifReader(SAMPLE).entries()
    )
