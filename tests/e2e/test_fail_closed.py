"""fail_closed is the site's answer alone: one value per CE whatever the experiment, null
where glexec is not in use (the CE does not advertise it for the VO)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.paths import SAMPLE

from cecap.policy.load import load_policy
from cecap.policy.stances import BypassAnswer

CONFIG = SAMPLE.parents[1] / "config"


def rows(snapshot: Path, *args: str) -> list[dict]:
    done = run_cli("report", "--bdii", snapshot, "--all", "--format", "json", *args)
    assert done.code == 0, done.err
    found: list[dict] = json.loads(done.out)["rows"]
    return found


def expected(row: dict) -> bool | None:
    """The rule the README states, from the site's answer in stances.yaml."""
    if row["verdict"] == "not-advertised":
        return None
    respondent = row["respondent"]
    if respondent is None:
        return True
    bypass = load_policy(CONFIG).stances[respondent].bypass_on_error
    # Answers scoped by VO or cluster are resolved per CE: the unscoped value must apply.
    assert not bypass.scopes, respondent
    return bypass.value is not BypassAnswer.YES


@pytest.mark.parametrize("source", ["sample", "osg"])
def test_one_value_per_site_answer_whatever_the_experiment(
    source: str, request: pytest.FixtureRequest
) -> None:
    snapshot = SAMPLE if source == "sample" else request.getfixturevalue("osg_snapshot")
    found = rows(snapshot)
    per_ce: dict[str, set[bool]] = defaultdict(set)
    verdicts = {row["verdict"] for row in found}
    assert "not-advertised" in verdicts
    if source == "sample":
        assert {"ready", "site-refuses", "mode-mismatch", "no-stance"} <= verdicts
    for row in found:
        assert row["fail_closed"] is expected(row), row
        if row["fail_closed"] is not None:
            per_ce[row["ce"]].add(row["fail_closed"])
    assert all(len(values) == 1 for values in per_ce.values())
    # A site that lets the pilot run the payload itself is fail_closed false on every
    # advertising CE, whatever the verdict: ready or not.
    open_sites = [row for row in found if row["fail_closed"] is False]
    if source == "sample":
        assert {row["verdict"] for row in open_sites} >= {"ready"}


def test_every_verdict_that_uses_glexec_has_a_value_and_not_advertised_has_none() -> None:
    for row in rows(SAMPLE):
        assert (row["fail_closed"] is None) is (row["verdict"] == "not-advertised"), row


def test_another_capability_has_no_fail_closed() -> None:
    assert {row["fail_closed"] for row in rows(SAMPLE, "--capability", "htpc")} == {None}
