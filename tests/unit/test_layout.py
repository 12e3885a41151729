"""The package keeps its shape: registries that cover their enums (how long a module may be
is left to ruff's complexity rules: a module holds one job whole)."""

from __future__ import annotations

from cecap.evaluate.audit import CHECKS, Kind
from cecap.evaluate.rules import RULES
from cecap.evaluate.verdicts import Verdict
from cecap.formats.page.charts import COLOURS, DARK


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
