"""Holding the check's problems: the window from first seen, clearing, retries, selection."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cecap.evaluate.check import CheckResult, Prior, Thresholds, run_check
from cecap.evaluate.held import Held, Holding, Problem, hold, parse_hold, seen
from cecap.evaluate.nagios import State
from cecap.evaluate.reliable import Reliability
from cecap.evaluate.verdicts import ABSENT, Assessment, Verdict

from .test_probe import ATLAS, CMS, a, cid

T0 = datetime(2010, 3, 24, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=24)
READY, GONE = Verdict.READY, Verdict.NOT_IN_PRODUCTION


def ready_before(*names: str, site: str = "SITE-A") -> dict[str, Prior]:
    return {cid(n): Prior(site, "ready") for n in names}


class Runs:
    """Consecutive check runs on one set of held problems, as the history keeps them."""

    def __init__(self, window: timedelta = DAY) -> None:
        self.held: list[Held] = []
        self.run = 0
        self.window = window

    def check(
        self,
        found: list[Assessment],
        priors: Mapping[str, Mapping[str, Prior] | None],
        at: datetime,
        judged: Mapping[tuple[str, str], Reliability] | None = None,
        was: Mapping[str, set[str]] | None = None,
    ) -> tuple[Holding, CheckResult]:
        self.run += 1
        saw = seen(found, priors, judged, was)
        holding = hold(self.held, saw, run=self.run, now=at, window=self.window)
        closed = {h.key for h in holding.closed}
        self.held = [h for h in self.held if h.key not in closed] + list(holding.opened)
        return holding, run_check(
            found, [ATLAS], priors, {"atlas": Thresholds()}, judged, was, None, holding
        )


def test_a_lost_ce_stays_named_for_the_window_counted_from_first_seen() -> None:
    runs = Runs()
    ready = [a(ATLAS, "a1", READY), a(ATLAS, "a2", READY)]
    _, first = runs.check(ready, {"atlas": None}, T0)
    assert first.state is State.OK
    drained = [a(ATLAS, "a1", READY), a(ATLAS, "a2", GONE)]
    holding, change = runs.check(drained, {"atlas": ready_before("a1", "a2")}, T0 + DAY / 4)
    assert [(h.ce, h.run, h.since) for h in holding.opened] == [(cid("a2"), 2, T0 + DAY / 4)]
    assert change.state is State.WARNING
    assert change.summary == f"atlas: 1 no longer ready: {cid('a2')}"
    # Retries and later runs compare with a previous run where a2 was already not ready:
    # the answer is the same, the same CE named, first seen at the same run.
    since_then = {"atlas": {**ready_before("a1"), cid("a2"): Prior("SITE-A", GONE.value)}}
    for later in (timedelta(minutes=1), timedelta(minutes=2), timedelta(hours=23)):
        holding, retry = runs.check(drained, since_then, T0 + DAY / 4 + later)
        assert (retry.state, retry.summary) == (change.state, change.summary)
        assert holding.opened == holding.closed == ()
        assert [(h.ce, h.run) for h in holding.shown] == [(cid("a2"), 2)]
        assert retry.output().splitlines()[2] == (
            f"  no longer ready since 2010-03-24T18:00:00Z: {cid('a2')} at SITE-A:"
            f" ready → not-in-production: because a2"
        )
    # The window ends a day after first seen, not a day after the previous run.
    _, at_end = runs.check(drained, since_then, T0 + DAY / 4 + DAY - timedelta(seconds=1))
    assert at_end.state is State.WARNING
    holding, after = runs.check(drained, since_then, T0 + DAY / 4 + DAY)
    assert (after.state, after.summary) == (State.OK, "ready CEs: atlas 1")
    # Past the window the problem is still held (not found again as new) until it clears.
    assert holding.shown == holding.opened == holding.closed == ()
    assert [h.ce for h in runs.held] == [cid("a2")]


def test_a_ce_that_comes_back_clears_it_and_a_new_loss_is_a_new_problem() -> None:
    runs = Runs()
    drained = [a(ATLAS, "a1", GONE)]
    runs.check(drained, {"atlas": ready_before("a1")}, T0)
    holding, back = runs.check([a(ATLAS, "a1", READY)], {"atlas": {}}, T0 + timedelta(hours=1))
    assert back.state is State.OK
    assert [(h.ce, h.run) for h in holding.closed] == [(cid("a1"), 1)]
    assert runs.held == []
    holding, again = runs.check(drained, {"atlas": ready_before("a1")}, T0 + timedelta(hours=2))
    assert again.state is State.WARNING
    assert [(h.run, h.since) for h in holding.shown] == [(3, T0 + timedelta(hours=2))]


def test_found_again_while_held_is_a_new_problem() -> None:
    """Another command (report --record) recorded the CE ready in between: the check
    compares with that, finds the loss again, and counts the window from now."""
    runs = Runs()
    drained = [a(ATLAS, "a1", GONE)]
    runs.check(drained, {"atlas": ready_before("a1")}, T0)
    later = T0 + timedelta(hours=20)
    holding, result = runs.check(drained, {"atlas": ready_before("a1")}, later)
    assert result.state is State.WARNING
    assert [h.run for h in holding.closed] == [1]
    assert [(h.run, h.since) for h in holding.shown] == [(2, later)]
    _, still = runs.check(drained, {"atlas": {}}, T0 + timedelta(hours=30))
    assert still.state is State.WARNING


def test_a_ce_gone_from_the_source_keeps_its_site_and_says_so() -> None:
    runs = Runs()
    _, result = runs.check([], {"atlas": ready_before("a1", site="SITE-Z")}, T0)
    assert result.output().splitlines()[2] == (
        f"  no longer ready since 2010-03-24T12:00:00Z: {cid('a1')} at SITE-Z: ready → {ABSENT}:"
        " no longer among the CEs serving VO atlas"
    )
    _, retry = runs.check([], {"atlas": {cid("a1"): Prior("SITE-Z", ABSENT)}}, T0)
    assert retry.summary == f"atlas: 1 no longer ready: {cid('a1')}"


def test_a_ce_the_run_does_not_cover_is_neither_named_nor_cleared() -> None:
    """check --site: a run of another site neither names nor clears a held problem."""
    runs = Runs()
    runs.check([a(ATLAS, "a1", GONE)], {"atlas": ready_before("a1")}, T0)
    other = [a(ATLAS, "b1", READY, "SITE-B")]
    holding, result = runs.check(other, {"atlas": ready_before("b1", site="SITE-B")}, T0)
    assert (result.state, holding.closed) == (State.OK, ())
    assert [h.ce for h in runs.held] == [cid("a1")]
    _, back = runs.check([a(ATLAS, "a1", GONE)], {"atlas": {}}, T0 + timedelta(hours=1))
    assert back.summary == f"atlas: 1 no longer ready: {cid('a1')}"


def reliability(reliable: bool, failing: bool = False) -> Reliability:
    return Reliability(reliable, 1, 1, 1.0, "OK", T0, failing=failing)


def test_no_longer_reliable_and_failing_tests_are_held_until_they_clear() -> None:
    runs = Runs()
    found = [a(ATLAS, "a1", READY), a(ATLAS, "a2", READY)]
    priors = {"atlas": ready_before("a1", "a2")}
    judged = {
        ("atlas", cid("a1")): reliability(False),
        ("atlas", cid("a2")): reliability(False, True),
    }
    was = {"atlas": {cid("a1")}}
    _, first = runs.check(found, priors, T0, judged, was)
    assert first.summary == (
        f"atlas: 1 no longer reliable: {cid('a1')}, 1 ready with the last 3 glexec tests"
        f" failed: {cid('a2')}"
    )
    # The retry: the last check judged a1 not reliable, so it is no change any more.
    holding, retry = runs.check(found, priors, T0 + timedelta(minutes=1), judged, {"atlas": set()})
    assert retry.summary == first.summary
    assert {(h.problem, h.run) for h in holding.shown} == {
        (Problem.NO_LONGER_RELIABLE, 1),
        (Problem.FAILING_TESTS, 1),
    }
    fixed = {("atlas", cid("a1")): reliability(True), ("atlas", cid("a2")): reliability(False)}
    holding, cleared = runs.check(found, priors, T0 + timedelta(hours=1), fixed, {"atlas": set()})
    assert cleared.state is State.OK
    assert {h.problem for h in holding.closed} == {
        Problem.NO_LONGER_RELIABLE,
        Problem.FAILING_TESTS,
    }


def test_hold_zero_names_a_change_at_the_run_that_saw_it_only() -> None:
    runs = Runs(timedelta(0))
    _, change = runs.check([a(ATLAS, "a1", GONE)], {"atlas": ready_before("a1")}, T0)
    assert change.state is State.WARNING
    # Even a retry within the same second.
    _, retry = runs.check([a(ATLAS, "a1", GONE)], {"atlas": {}}, T0)
    assert retry.state is State.OK


def test_experiments_are_held_apart() -> None:
    saw = seen(
        [a(ATLAS, "a1", GONE), a(CMS, "a1", READY)],
        {"atlas": ready_before("a1"), "cms": ready_before("a1")},
    )
    holding = hold([], saw, run=1, now=T0, window=DAY)
    assert [(h.experiment, h.ce) for h in holding.shown] == [("atlas", cid("a1"))]


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("24h", DAY),
        ("0", timedelta(0)),
        ("90", timedelta(seconds=90)),
        ("90s", timedelta(seconds=90)),
        (" 30m ", timedelta(minutes=30)),
        ("7D", timedelta(days=7)),
    ],
)
def test_parse_hold(text: str, window: timedelta) -> None:
    assert parse_hold(text) == window


@pytest.mark.parametrize("text", ["", "h", "-1h", "1.5h", "1w", "24 hours", "1e3", "9999999999d"])
def test_parse_hold_refuses(text: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_hold(text)
    assert str(refused.value) == f"{text!r} is not a duration (forms: 0, 90s, 30m, 24h, 7d)"


def test_parse_hold_refuses_a_window_of_ten_years() -> None:
    with pytest.raises(ValueError) as refused:
        parse_hold("3651d")
    assert str(refused.value) == "'3651d' is longer than 3650 days"


@given(
    st.lists(st.integers(min_value=0, max_value=48 * 60), min_size=1, max_size=8),
    st.integers(min_value=0, max_value=48 * 60),
)
def test_every_run_in_the_window_gives_the_same_answer(gaps: list[int], window: int) -> None:
    """Runs at any times after the change: named exactly while within the window."""
    runs = Runs(timedelta(minutes=window))
    drained = [a(ATLAS, "a1", READY), a(ATLAS, "a2", GONE)]
    _, change = runs.check(drained, {"atlas": ready_before("a1", "a2")}, T0)
    at = T0
    for gap in gaps:
        at += timedelta(minutes=gap)
        still = {"atlas": {**ready_before("a1"), cid("a2"): Prior("SITE-A", GONE.value)}}
        _, result = runs.check(drained, still, at)
        if at - T0 < timedelta(minutes=window):
            assert (result.state, result.summary) == (change.state, change.summary)
        else:
            assert (result.state, result.summary) == (State.OK, "ready CEs: atlas 1")
