"""Runs ``cecap`` in this process: ``cecap.cli.main`` with its output captured.

The one way tests run the CLI (tests/helpers/process.py runs a real process, only where
the process boundary is the point). Like a fresh ``cecap`` started by cron, each run sees
the environment without CECAP_* and LCG_GFAL_* variables, plus ``env``; os.environ,
sys.stdin, sys.stdout and sys.stderr are restored afterwards.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from cecap.cli import main

CLEARED = ("CECAP_", "LCG_GFAL")


class Result(NamedTuple):
    """One run: exit code, stdout, stderr."""

    code: int
    out: str
    err: str


class _Capture(io.StringIO):
    """A text stream that survives close(): cecap closes stderr on a broken pipe."""

    def close(self) -> None:
        pass


def clean_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """os.environ less CECAP_* and LCG_GFAL_* variables, plus ``env``."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED)}
    full.update(env or {})
    return full


@contextmanager
def environment(env: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_cli(
    *args: str | Path, env: Mapping[str, str] | None = None, input: str | None = None
) -> Result:
    """``cecap *args`` in this process, with ``input`` on stdin; its code, stdout, stderr."""
    out, err = _Capture(), _Capture()
    streams = sys.stdin, sys.stdout, sys.stderr
    code: object = 0
    with environment(clean_env(env)):
        sys.stdin, sys.stdout, sys.stderr = io.StringIO(input or ""), out, err
        try:
            main([str(a) for a in args])
        except SystemExit as done:
            code = done.code
        finally:
            sys.stdin, sys.stdout, sys.stderr = streams
    assert code is None or isinstance(code, int), code
    return Result(code or 0, out.getvalue(), err.getvalue())
