"""A tabulate format still works in a test process that has drawn the page's charts.

pygal appends an old-style finder to sys.meta_path; after it, a failed optional import
(tabulate's wcwidth) raises an ImportWarning, which pytest's "error" filter would turn into
a failure of whichever test imports tabulate next. pyproject.toml lets that one warning
through; this runs pytest, with the project's own settings, on a test that does just that.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers.paths import REPO

AFTER_CHARTS = """
import sys


def test_tabulate_after_pygal():
    import pygal  # noqa: F401

    for name in ("tabulate", "wcwidth"):
        sys.modules.pop(name, None)
    import tabulate

    table = tabulate.tabulate([["ce.example.org", "ready"]], ["ce", "verdict"], "github")
    assert table.splitlines()[2] == "| ce.example.org | ready     |"
"""


def test_a_table_after_the_charts_under_the_projects_warning_filters(tmp_path: Path) -> None:
    (tmp_path / "test_after_charts.py").write_text(AFTER_CHARTS)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-c",
            str(REPO / "pyproject.toml"),
            "--rootdir",
            str(tmp_path),
            "-o",
            "addopts=",
            str(tmp_path / "test_after_charts.py"),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
