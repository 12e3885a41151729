"""The check's -w and -c: a Nagios range for one experiment (EXP=RANGE) or for every
experiment without its own (RANGE), resolved into the ranges of each experiment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import UsageError
from .nagios import Range

EVERY = "every experiment"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Nagios ranges on the number of ready CEs of one experiment."""

    warning: Range | None = None
    critical: Range | None = None


@dataclass(frozen=True, slots=True)
class Limit:
    """One -w or -c as given: a range for one experiment, or for every one (None)."""

    experiment: str | None
    range: Range
    text: str

    @classmethod
    def parse(cls, text: str) -> Limit:
        """``20:`` or ``atlas=20:``; ValueError with a message that shows the forms."""
        name, equals, spec = text.partition("=")
        if not equals:
            try:
                return cls(None, Range.parse(text), text)
            except ValueError as exc:
                raise ValueError(f"{exc}; for one experiment: EXP=RANGE, e.g. atlas=20:") from None
        key = name.strip().lower()
        if not key:
            raise ValueError(f"{text!r}: name the experiment before '=', e.g. atlas=20:")
        try:
            return cls(key, Range.parse(spec), text)
        except ValueError as exc:
            raise ValueError(f"{key}: {exc}") from None


def _ranges(option: str, limits: Sequence[Limit], configured: Sequence[str]) -> dict[str, Range]:
    given: dict[str | None, Limit] = {}
    for limit in limits:
        if limit.experiment is not None and limit.experiment not in configured:
            raise UsageError(
                f"{option} {limit.text!r}: unknown experiment {limit.experiment!r};"
                f" configured: {', '.join(configured)}"
            )
        earlier = given.get(limit.experiment)
        if earlier is not None:
            whom = EVERY if limit.experiment is None else limit.experiment
            raise UsageError(
                f"{option} is given twice for {whom} ({earlier.text!r} and {limit.text!r});"
                " give one"
            )
        given[limit.experiment] = limit
    every = given.get(None)
    out = {}
    for key in configured:
        chosen = given.get(key, every)
        if chosen is not None:
            out[key] = chosen.range
    return out


def thresholds_for(
    warning: Sequence[Limit],
    critical: Sequence[Limit],
    configured: Sequence[str],
    options: tuple[str, str] = ("--warning", "--critical"),
) -> Mapping[str, Thresholds]:
    """The ranges of each configured experiment (by key). A range for an experiment that a
    run does not check is no error: one command line can serve checks of each experiment.
    ``options``: the two options' names, as messages say them."""
    warn = _ranges(options[0], warning, configured)
    crit = _ranges(options[1], critical, configured)
    return {key: Thresholds(warn.get(key), crit.get(key)) for key in configured}
