"""The package keeps its shape: small modules, and registries that cover their enums."""

from __future__ import annotations

from pathlib import Path

import pytest

from cecap.evaluate.audit import CHECKS, Kind
from cecap.evaluate.rules import RULES
from cecap.evaluate.verdicts import Verdict
from cecap.formats.page.charts import COLOURS, DARK

SRC = Path(__file__).resolve().parents[2] / "src" / "cecap"
MAX_LINES = 400


@pytest.mark.parametrize("module", sorted(p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py")))
def test_no_module_over_400_lines(module: str) -> None:
    lines = (SRC / module).read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines: split it by job"


def test_every_verdict_has_one_rule_in_rank_order_of_the_flow() -> None:
    names = [name for name, _ in RULES]
    assert sorted(names) == sorted(v.value for v in Verdict)
    assert len(names) == len(set(names))
    # The rule that always applies is last.
    assert names[-1] == Verdict.READY.value


def test_every_finding_kind_has_one_check() -> None:
    assert sorted(CHECKS.names()) == sorted(k.value for k in Kind)


def test_every_verdict_has_its_colour_on_the_page() -> None:
    assert set(COLOURS) == {v.value for v in Verdict}
    assert set(DARK) <= set(COLOURS)
