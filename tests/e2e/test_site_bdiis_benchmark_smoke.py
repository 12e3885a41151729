"""benchmarks/site_bdiis.py still runs end to end (a handful of sites); no timing asserted."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from helpers.bdii_server import missing_requirements
from helpers.paths import BENCHMARKS

SCRIPT = BENCHMARKS / "site_bdiis.py"


def benchmark_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cecap_benchmark_site_bdiis", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = sys.modules.get(spec.name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return module


def test_the_benchmark_runs_and_writes_its_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = missing_requirements()
    if missing:
        pytest.skip("a real BDII needs " + ", ".join(missing))
    bench = benchmark_module()
    doc = tmp_path / "performance.md"
    doc.write_text("# cecap performance\n\nBefore.\n")
    args = ["--sites", "7", "--silent", "2", "--servers", "2", "--jobs", "3"]
    assert bench.main([*args, "--timeout", "1", "--doc", str(doc)]) == 0
    text = doc.read_text()
    assert text.startswith("# cecap performance\n\nBefore.\n\n## Site BDIIs at once\n\n")
    assert text.count(bench.BEGIN) == 1 and text.count(bench.END) == 1
    assert "7 site BDIIs (2 never answering)" in text
    assert "5 answered." in text
    # A second run replaces the section, never adds one.
    assert bench.main([*args, "--timeout", "1", "--doc", str(doc)]) == 0
    assert doc.read_text().count(bench.BEGIN) == 1
    assert capsys.readouterr().out.count(bench.BEGIN) == 2
