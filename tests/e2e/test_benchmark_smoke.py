"""benchmarks/run.py still runs end to end (tiny N, one repeat); no timing is asserted."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from helpers.bdii_server import BDIIServer, missing_requirements
from helpers.cli import run_cli
from helpers.paths import BENCHMARKS, SAMPLE

from cecap.sources import ldap_client

SCRIPT = BENCHMARKS / "run.py"


def benchmark_module() -> ModuleType:
    # Loaded under its own name: tests/run.py is already "run".
    spec = importlib.util.spec_from_file_location("cecap_benchmark_run", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = sys.modules.get(spec.name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # its dataclasses look their module up there
        spec.loader.exec_module(module)
    return module


def test_ldapsearch_is_given_the_searches_a_report_makes(
    bdii_factory: Callable[..., BDIIServer],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    server = bdii_factory()
    server.load(SAMPLE)
    made: list[tuple[str, str, tuple[str, ...]]] = []
    real_send = ldap_client.Link.send_search

    def send(self: Any, base: str, filterstr: str, attributes: Any, *rest: Any) -> Any:
        made.append((base, filterstr, tuple(attributes)))
        return real_send(self, base, filterstr, attributes, *rest)

    monkeypatch.setattr(ldap_client.Link, "send_search", send)
    env = {"CECAP_STATE": str(tmp_path / "history.sqlite")}
    ended = run_cli("report", "--all", "--format", "json", "--bdii", server.url, env=env)
    assert ended.code == 0
    bench = benchmark_module()
    assert made == bench.cecap_searches(server.url)
    # The baseline fetches the same classes and attributes, without cecap's VO filter.
    baseline = bench.baseline_searches(server.url)
    assert [(b, a) for b, _, a in baseline] == [(b, a) for b, _, a in made]
    assert all(re.fullmatch(r"\(objectClass=\w+\)", f) for _, f, _ in baseline)
    # cecap's own CE and VOView searches are narrowed to the report's VOs.
    assert [f.split(")", 1)[0] for _, f, _ in made if "(|" in f] == [
        "(&(objectClass=GlueCE",
        "(&(objectClass=GlueVOView",
    ]
    assert len(made) == 10  # GLUE 1.3 CE, VOView, cluster, site; six GLUE 2.0 classes


def test_benchmark_runs_and_writes_its_table(tmp_path: Path) -> None:
    missing = missing_requirements()
    if missing:
        pytest.skip("a real BDII needs " + ", ".join(missing))
    pytest.importorskip("ldif", reason="the benchmark's baseline is the ldif package (bench extra)")
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nProse that the script must keep.\n")
    cmd = [
        *(sys.executable, str(SCRIPT), "--sites", "2,3", "--repeat", "1", "--doc", str(doc)),
        *("--shapes", "osg-2008,ce-heavy"),
    ]
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
    shown = "`.venv/bin/python benchmarks/run.py --sites 2,3 --repeat 1 --shapes osg-2008,ce-heavy`"
    assert shown in text
    assert text.count("#### Shape osg-2008") == 1 and text.count("#### Shape ce-heavy") == 1
    assert re.search(r"(?m)^\| `cecap --version` \| \d+ \| [\d.]+ \| ≤ 2.0 \| (yes|no) \|$", text)
    for fmt in ("json", "csv", "tsv", "lines"):  # json: the report every run makes
        assert f"| peak RSS snapshot {fmt}, N=3 (MB) | ≤ 150 |" in text
    for size in (2, 3):
        # N, entries, CEs, then LDIF MB, rows and ten measured figures, then the peer's
        # three (a "-" each when it was skipped).
        figures = r"(?: [\d.]+ \|){12}(?: (?:[\d.]+|-) \|){3}"
        row = re.search(rf"(?m)^\| {size} \| (\d+) \| (\d+) \|{figures}$", text)
        assert row, text
        assert row.group(0) in proc.stdout
    assert "| live cecap / ldapsearch, N=3 | ≤ 2.0 |" in text
    # The readiness page beside the report it must keep up with, and its size.
    assert "| cecap page / snapshot report json, N=3 | ≤ 1.5 |" in text
    assert "| page size, N=3 (MB) | ≤ 5 |" in text
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
    assert doc.read_text().count("| N sites |") == 2
