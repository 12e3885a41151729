"""The README's "Using cecap in scripts" lines, taken from README.md and run as written in
bash from the checkout, each checked against what cecap says in JSON on the same sample."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from helpers.paths import REPO

README = REPO / "README.md"
CECAP = Path(sys.executable).parent / "cecap"

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


def lines_of_section() -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Using cecap in scripts\n")
    end = text.find("\n## ", start + 1)
    return re.findall(r"^    (cecap .*|comm .*)$", text[start:end], re.MULTILINE)


def the_line(start: str) -> str:
    found = [line for line in lines_of_section() if line.startswith(start)]
    assert len(found) == 1, f"{start!r}: {len(found)} lines in the README section"
    return found[0]


def bash(line: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CECAP_")}
    env = {**clean, "PATH": f"{CECAP.parent}{os.pathsep}{clean['PATH']}", "COLUMNS": "80"}
    return subprocess.run(
        ["bash", "-c", f"set -o pipefail; {line}"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def rows(*args: str) -> list[dict[str, Any]]:
    done = subprocess.run(
        [str(CECAP), *args, "--bdii", "examples/sample-bdii.ldif", "--format", "json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    found: list[dict[str, Any]] = json.loads(done.stdout)["rows"]
    return found


def test_every_line_of_the_section_is_checked() -> None:
    starts = ("cecap report", "comm -12", "cecap audit --bdii examples/sample-bdii.ldif --format")
    assert len(lines_of_section()) == 7
    assert all(line.startswith(("cecap ", "comm ")) for line in lines_of_section())
    assert sum(line.startswith(starts) for line in lines_of_section()) == 5


def test_while_read_gets_one_ce_a_line() -> None:
    done = bash(the_line("cecap report --bdii examples/sample-bdii.ldif -e cms --verdict ready"))
    assert done.returncode == 0, done.stderr
    listed = rows("report", "-e", "cms", "--all")
    expected = [f"cms may use {r['ce']}" for r in listed if r["verdict"] == "ready"]
    # Only where pilots may use glexec now: the sample's conditional CEs are not listed.
    assert expected and any(r["verdict"] == "conditional" for r in listed)
    assert done.stdout.splitlines() == expected


def test_awk_on_tsv_finds_the_ready_rows() -> None:
    done = bash(the_line("cecap report --bdii examples/sample-bdii.ldif --all --format tsv"))
    assert done.returncode == 0, done.stderr
    expected = [
        f"{r['site']}\t{r['ce']}\tready" for r in rows("report", "--all") if r["verdict"] == "ready"
    ]
    assert expected
    assert done.stdout.splitlines() == expected


def test_comm_gives_the_ces_both_experiments_may_use() -> None:
    done = bash(the_line("comm -12"))
    assert done.returncode == 0, done.stderr
    atlas = {r["ce"] for r in rows("report", "-e", "atlas", "--verdict", "ready")}
    cms = {r["ce"] for r in rows("report", "-e", "cms", "--verdict", "ready")}
    assert atlas & cms and atlas != cms
    # sort's order follows the locale: the same CEs, each once.
    out = done.stdout.splitlines()
    assert len(out) == len(set(out))
    assert set(out) == atlas & cms


def test_cut_counts_the_findings_per_kind() -> None:
    done = bash(the_line("cecap audit --bdii examples/sample-bdii.ldif --format lines"))
    # The audit finds errors on the sample: its exit code 1 is what pipefail passes on.
    assert done.returncode == 1, done.stderr
    counted = {
        kind: int(count) for count, kind in (line.split() for line in done.stdout.splitlines())
    }
    assert counted == dict(Counter(r["kind"] for r in rows("audit")))


def test_sites_as_csv_with_chosen_fields() -> None:
    done = bash(the_line("cecap sites --bdii"))
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0] == "site,experiment,readiness"
    assert out[1:] == [f"{r['site']},{r['experiment']},{r['readiness']}" for r in rows("sites")]


def test_json_into_python() -> None:
    done = bash(the_line("cecap report --bdii examples/sample-bdii.ldif --all --format json"))
    assert done.returncode == 0, done.stderr
    ready = sum(r["verdict"] == "ready" for r in rows("report", "--all"))
    assert ready > 0
    assert done.stdout == f"{ready}\n"


def test_the_exit_code_says_whether_the_audit_found_an_error() -> None:
    line = the_line("cecap audit --bdii examples/sample-bdii.ldif --site RAL-LCG2")
    done = bash(line)
    ral = rows("audit", "--site", "RAL-LCG2")
    assert ral and all(r["severity"] != "error" for r in ral)
    assert (done.returncode, done.stdout) == (0, "RAL-LCG2: no audit error\n")
    # The same line on a site with an error finding prints nothing and exits 1.
    other = bash(line.replace("RAL-LCG2", "DESY-HH"))
    assert (other.returncode, other.stdout) == (1, "")
