"""-w and -c: a range per experiment (EXP=RANGE) beside one for every experiment (RANGE)."""

from __future__ import annotations

import pytest

from cecap.errors import UsageError
from cecap.evaluate.nagios import Range
from cecap.evaluate.thresholds import Limit, Thresholds, thresholds_for

CONFIGURED = ("atlas", "cms", "lhcb", "alice")


def limits(*texts: str) -> list[Limit]:
    return [Limit.parse(t) for t in texts]


def shown(found: dict[str, Thresholds]) -> dict[str, tuple[str | None, str | None]]:
    return {
        key: (
            None if t.warning is None else str(t.warning),
            None if t.critical is None else str(t.critical),
        )
        for key, t in found.items()
    }


def test_parse_forms() -> None:
    assert Limit.parse("20:") == Limit(None, Range.parse("20:"), "20:")
    assert Limit.parse("ATLAS=@10:20") == Limit("atlas", Range.parse("@10:20"), "ATLAS=@10:20")
    assert Limit.parse(" cms = ~:5") == Limit("cms", Range.parse("~:5"), " cms = ~:5")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "twenty",
            "'twenty' is not a Nagios range (forms: 10, 10:, ~:10, 10:20, @10:20); for one"
            " experiment: EXP=RANGE, e.g. atlas=20:",
        ),
        (
            "atlas=twenty",
            "atlas: 'twenty' is not a Nagios range (forms: 10, 10:, ~:10, 10:20, @10:20)",
        ),
        ("atlas=", "atlas: '' is not a Nagios range (forms: 10, 10:, ~:10, 10:20, @10:20)"),
        ("=20:", "'=20:': name the experiment before '=', e.g. atlas=20:"),
        ("cms=20:10", "cms: '20:10': the start of a Nagios range must not exceed its end"),
    ],
)
def test_parse_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError) as refused:
        Limit.parse(text)
    assert str(refused.value) == message


def test_an_experiment_range_beats_the_plain_one_per_option() -> None:
    found = thresholds_for(limits("20:", "atlas=30:", "cms=10:"), limits("atlas=10:"), CONFIGURED)
    assert shown(dict(found)) == {
        "atlas": ("30:", "10:"),
        "cms": ("10:", None),
        "lhcb": ("20:", None),
        "alice": ("20:", None),
    }
    assert shown(dict(thresholds_for([], [], CONFIGURED))) == dict.fromkeys(
        CONFIGURED, (None, None)
    )


def test_unknown_experiment_names_the_configured_ones() -> None:
    with pytest.raises(UsageError) as refused:
        thresholds_for([], limits("atlas=5:", "babar=1:"), CONFIGURED)
    assert str(refused.value) == (
        "--critical 'babar=1:': unknown experiment 'babar'; configured: atlas, cms, lhcb, alice"
    )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (("atlas=20:", "ATLAS=10:"), "for atlas ('atlas=20:' and 'ATLAS=10:')"),
        (("20:", "cms=1:", "10:"), "for every experiment ('20:' and '10:')"),
    ],
)
def test_twice_for_the_same_experiment_is_refused(given: tuple[str, ...], message: str) -> None:
    with pytest.raises(UsageError) as refused:
        thresholds_for(limits(*given), [], CONFIGURED)
    assert str(refused.value) == f"--warning is given twice {message}; give one"
