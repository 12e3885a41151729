"""Nagios plugin conventions: threshold ranges, states, performance data, output lines."""

from __future__ import annotations

import math

import pytest

from cecap.evaluate.nagios import Perfdata, Range, State, plugin_output, worst

VALUES = (-1, 0, 5, 9.5, 10, 15, 20, 25)


@pytest.mark.parametrize(
    ("text", "start", "end", "inside", "alerting"),
    [
        # The examples of the plugin guidelines, alert if the value is ...
        ("10", 0, 10, False, {-1, 15, 20, 25}),  # < 0 or > 10
        ("10:", 10, math.inf, False, {-1, 0, 5, 9.5}),  # < 10
        ("~:10", -math.inf, 10, False, {15, 20, 25}),  # > 10
        ("10:20", 10, 20, False, {-1, 0, 5, 9.5, 25}),  # < 10 or > 20
        ("@10:20", 10, 20, True, {10, 15, 20}),  # >= 10 and <= 20
        # Start 0 may be left out before the colon.
        (":10", 0, 10, False, {-1, 15, 20, 25}),
        ("@10", 0, 10, True, {0, 5, 9.5, 10}),
        ("-5:-1", -5, -1, False, {0, 5, 9.5, 10, 15, 20, 25}),
        ("9.5:10", 9.5, 10, False, {-1, 0, 5, 15, 20, 25}),
        (" 20: ", 20, math.inf, False, {-1, 0, 5, 9.5, 10, 15}),
    ],
)
def test_range_forms(
    text: str, start: float, end: float, inside: bool, alerting: set[float]
) -> None:
    found = Range.parse(text)
    assert (found.start, found.end, found.inside) == (start, end, inside)
    assert {v for v in VALUES if found.alerts(v)} == alerting


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("10", "10"),
        ("10:", "10:"),
        ("~:10", "~:10"),
        ("10:20", "10:20"),
        ("@10:20", "@10:20"),
        (":10", "10"),
        ("0:", "0:"),
        ("~:", "~:"),
        ("1.5:2.25", "1.5:2.25"),
    ],
)
def test_range_text(text: str, shown: str) -> None:
    assert str(Range.parse(text)) == shown


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "'' is not a Nagios range (forms: 10, 10:, ~:10, 10:20, @10:20)"),
        ("@", "'@' is not a Nagios range"),
        ("ten", "'ten' is not a Nagios range"),
        ("1:2:3", "'1:2:3' is not a Nagios range"),
        ("~", "'~' is not a Nagios range"),
        ("20:10", "'20:10': the start of a Nagios range must not exceed its end"),
    ],
)
def test_range_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError) as exc:
        Range.parse(text)
    assert str(exc.value).startswith(message)


def test_range_violation_words() -> None:
    assert Range.parse("10:").violation() == "outside 10:"
    assert Range.parse("@10:20").violation() == "inside 10:20"
    assert Range.parse("~:10").violation() == "above 10"
    assert Range.parse("@~:10").violation() == "at most 10"
    assert Range.parse("-5:-1").violation() == "outside -5:-1"


# What Nagios strips from $SERVICEOUTPUT$ in notifications: illegal_macro_output_chars as
# its sample nagios.cfg and Debian's set it (NagiosEnterprises/nagioscore, tag
# nagios-4.4.6, sample-config/nagios.cfg.in line 1146; common/macros.c lines 2514-2521).
ILLEGAL_MACRO_OUTPUT_CHARS = set("`~$&|'\"<>")


@pytest.mark.parametrize(
    "text", ["10", "10:", "~:10", "10:20", "@10:20", "@~:10", "@10", "0.5:1e3", "-3:-1"]
)
def test_every_range_is_said_without_what_notifications_strip(text: str) -> None:
    found = Range.parse(text)
    alerting = [v for v in (-1e9, -3, -2, 0, 0.5, 5, 10, 15, 20, 1e9) if found.alerts(v)]
    assert alerting, "a range that never alerts says nothing"
    assert not ILLEGAL_MACRO_OUTPUT_CHARS & set(found.violation())


def test_worst_state_wins() -> None:
    assert worst([]) is State.OK
    assert worst([State.OK, State.WARNING, State.OK]) is State.WARNING
    assert worst([State.WARNING, State.CRITICAL]) is State.CRITICAL
    assert worst([State.CRITICAL, State.UNKNOWN]) is State.UNKNOWN
    assert [int(s) for s in State] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("item", "text"),
    [
        (Perfdata("atlas_ready", 42, minimum=0), "atlas_ready=42;;;0"),
        (
            Perfdata(
                "atlas_ready",
                3,
                warning=Range.parse("20:"),
                critical=Range.parse("10:"),
                minimum=0,
            ),
            "atlas_ready=3;20:;10:;0",
        ),
        (Perfdata("time", 1.25, "s"), "time=1.25s"),
        (Perfdata("ready ces", 1, maximum=5), "'ready ces'=1;;;;5"),
        (Perfdata("it's", 0), "'it''s'=0"),
        (Perfdata("a=b", 2), "'a=b'=2"),
    ],
)
def test_perfdata(item: Perfdata, text: str) -> None:
    assert str(item) == text


def test_plugin_output() -> None:
    text = plugin_output(
        "CECAP",
        State.WARNING,
        "atlas: 1 no longer ready: a|b\nc",
        [Perfdata("x", 1), Perfdata("y", 2, minimum=0)],
        ["atlas WARNING: 1 ready", "  no longer ready: ce | x"],
    )
    assert text.splitlines() == [
        # "|" would start performance data and a newline a new line: neither is left in text.
        "CECAP WARNING - atlas: 1 no longer ready: a/b c | x=1 y=2;;;0",
        "atlas WARNING: 1 ready",
        "  no longer ready: ce / x",
    ]
    assert plugin_output("CECAP", State.UNKNOWN, "no answer") == "CECAP UNKNOWN - no answer"
