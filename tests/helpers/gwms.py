"""glideinWMS 3.4.6's own reader beside the project (../shared/consumers/glideinwms-3.4.6,
gwms.py): run it, or skip naming where it was looked for."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .paths import REPO

GWMS_DIR = REPO.parent / "shared" / "consumers" / "glideinwms-3.4.6"
GWMS = GWMS_DIR / "gwms.py"
FIXTURE_MAIN = GWMS_DIR / "glideinwms" / "unittests" / "fixtures" / "factory" / "glideinWMS.xml"


def need_gwms() -> None:
    if not GWMS.is_file():
        pytest.skip(f"glideinWMS's reader not found at {GWMS}")


def gwms(*args: str | Path) -> tuple[int, list[dict[str, Any]], str]:
    """Run ``gwms.py ARGS``: its exit code, its JSON lines, its stderr."""
    done = subprocess.run(
        [sys.executable, str(GWMS), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return done.returncode, rows, done.stderr
