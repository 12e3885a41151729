"""The README's first lines, run as written in bash in a fresh copy of the checkout with a
new venv: after the first command `cecap` is on PATH for the lines that follow it, and the
page's extra is installed (cecap page works)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.paths import REPO

README = REPO / "README.md"
# What a checkout holds that installing and the examples need.
CHECKOUT = ("pyproject.toml", "README.md", "src", "config", "examples")

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


def quickstart() -> list[str]:
    """The README's first command, then the lines it says to run in the same shell, all
    before its first section."""
    text = README.read_text(encoding="utf-8")
    head = text[: text.index("\n## ")]
    first = re.search(r"^    (\S.*)$", head, re.MULTILINE)
    assert first is not None, "the README starts with no command"
    same_shell = head[head.index("in the same shell") :]
    return [first[1], *re.findall(r"^    (\S.*)$", same_shell, re.MULTILINE)]


def test_the_readme_starts_with_the_two_commands() -> None:
    """Install and report, then install what the tests need and run them: the first two
    code lines, the second exactly what CI runs."""
    head = README.read_text(encoding="utf-8").split("\n## ", 1)[0]
    first, second = re.findall(r"^    (\S.*)$", head, re.MULTILINE)[:2]
    assert first.endswith("cecap report --bdii examples/sample-bdii.ldif")
    assert second == "./scripts/test.sh"
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "exec ./scripts/test.sh" in ci


def test_the_quickstart_lines_are_what_this_test_runs() -> None:
    lines = quickstart()
    assert lines[0].startswith("python3 -m venv .venv && ")
    assert all(line.startswith("cecap ") for line in lines[1:])
    assert "cecap page " in "\n".join(lines)


def test_the_first_command_puts_cecap_on_path_with_the_page_extra(tmp_path: Path) -> None:
    checkout = tmp_path / "cecap"
    checkout.mkdir()
    for name in CHECKOUT:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(
                source, checkout / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
            )
        else:
            shutil.copy2(source, checkout / name)
    # A PATH on which no cecap is: only the README's lines can bring one.
    path = os.pathsep.join(
        p
        for p in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep)
        if not (Path(p) / "cecap").exists()
    )
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("CECAP_", "VIRTUAL_ENV", "PYTHON"))
    }
    env.update(PATH=path, HOME=str(tmp_path))
    python = Path(sys.base_prefix) / "bin" / "python3"
    if python.exists():  # the interpreter this venv came from, as `python3` in the README
        env["PATH"] = f"{python.parent}{os.pathsep}{path}"
    script = "set -e\n" + "\n".join(quickstart()) + "\ncommand -v cecap\n"
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.rstrip().endswith(str(checkout / ".venv" / "bin" / "cecap"))
    assert "ce201.cern.ch:8443/cream-pbs-grid_cms" in done.stdout  # report, then sites
    assert (checkout / "cecap-page" / "index.html").read_text().startswith("<!DOCTYPE html>")
    assert "Commands:" in done.stdout  # cecap help
