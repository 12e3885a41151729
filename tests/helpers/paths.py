"""Where the repository's files are."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "sample-bdii.ldif"
CONFIG = REPO / "config"
BENCHMARKS = REPO / "benchmarks"
