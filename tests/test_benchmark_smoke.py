"""benchmarks/run.py still runs end to end (tiny N, one repeat); no timing is asserted."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from bdii_server import missing_requirements

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def test_benchmark_runs_and_writes_its_table(tmp_path: Path) -> None:
    missing = missing_requirements()
    if missing:
        pytest.skip("a real BDII needs " + ", ".join(missing))
    pytest.importorskip("ldif", reason="the benchmark's baseline is the ldif package (bench extra)")
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nProse that the script must keep.\n")
    cmd = [sys.executable, str(SCRIPT), "--sites", "2,3", "--repeat", "1", "--doc", str(doc)]
    proc = subprocess.run(
        [*cmd, "--workdir", str(tmp_path / "work")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    text = doc.read_text()
    assert text.startswith("# Performance\n\nProse that the script must keep.\n")
    assert "`.venv/bin/python benchmarks/run.py --sites 2,3 --repeat 1`" in text
    for size in (2, 3):
        # N, entries, CEs, then LDIF MB, rows and ten measured figures.
        row = re.search(rf"(?m)^\| {size} \| (\d+) \| (\d+) \|(?: [\d.]+ \|){{12}}$", text)
        assert row, text
        assert row.group(0) in proc.stdout
    assert "| live cecap / ldapsearch, N=3 | ≤ 2.0 |" in text
    assert "| slapd |" in text
    # A second run replaces the results section instead of adding another.
    again = subprocess.run(
        [*cmd[:3], "2", *cmd[4:], "--workdir", str(tmp_path / "work2")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert doc.read_text().count("| N sites |") == 1
