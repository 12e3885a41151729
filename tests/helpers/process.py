"""Runs the real ``cecap`` in a subprocess, as users and cron do.

Only for tests where the process boundary is the point: several processes at once, a
process held inside its transaction (start_held, through helpers/held_run.py) or killed
there.
Everything else runs in this process, through tests/helpers/cli.py.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from helpers.cli import Result, clean_env


def command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "cecap", *map(str, args)]


def run_process(
    *args: str | Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
    cwd: Path | None = None,
) -> Result:
    """``python -m cecap *args`` to the end (in ``cwd``); its code, stdout, stderr."""
    done = subprocess.run(
        command(*args),
        capture_output=True,
        text=True,
        env=clean_env(env),
        timeout=timeout,
        check=False,
        cwd=cwd,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def start_process(*args: str | Path, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
    """``python -m cecap *args`` started, its stdout and stderr piped."""
    return subprocess.Popen(
        command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(env),
    )


def start_held(
    marker: Path, *args: str | Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen[str]:
    """``cecap *args`` started, its history write held before the commit while ``marker``
    exists (it creates ``marker`` when it gets there): see helpers/held_run.py."""
    return subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("held_run.py")),
            str(marker),
            *map(str, args),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(env),
    )
