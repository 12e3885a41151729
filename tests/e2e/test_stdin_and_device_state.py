"""A snapshot on standard input (`--bdii -`), and a device given as --state."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.paths import SAMPLE


def test_snapshot_on_stdin_reads_as_the_file() -> None:
    args = [sys.executable, "-m", "cecap", "report", "--all", "--format", "json", "--bdii"]
    from_file = subprocess.run([*args, str(SAMPLE)], capture_output=True, text=True, check=False)
    with SAMPLE.open("rb") as stdin:
        piped = subprocess.run([*args, "-"], stdin=stdin, capture_output=True, check=False)
    assert (piped.returncode, piped.stderr) == (0, b"")
    assert json.loads(piped.stdout)["rows"] == json.loads(from_file.stdout)["rows"]


def test_empty_stdin_is_an_error_not_an_empty_bdii() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cecap", "report", "--bdii", "-"],
        input=b"",
        capture_output=True,
        check=False,
    )
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr and done.stderr.count(b"\n") == 1


@pytest.mark.parametrize("command", [["report", "--record"], ["check"], ["history"]])
@pytest.mark.parametrize("device", ["/dev/full", "/dev/null"])
def test_a_device_as_state_is_refused_and_left_alone(command: list[str], device: str) -> None:
    before = Path(device).stat()
    args = [*command, "--state", device]
    if command[0] != "history":
        args += ["--bdii", str(SAMPLE)]
    result = run_cli(*args)
    said = result.out + result.err
    assert f"{device}: not a regular file" in said
    assert "rollback" not in said and "internal error" not in said
    assert result.code == (3 if command[0] == "check" else 2)
    after = Path(device).stat()
    assert (after.st_mode, after.st_rdev) == (before.st_mode, before.st_rdev)
