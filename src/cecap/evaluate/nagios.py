"""Nagios plugin conventions (pure): states, threshold ranges, performance data, output."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from ..text import visible


class State(IntEnum):
    """A plugin's result; the value is the exit code Nagios reads."""

    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3


def worst(states: Iterable[State]) -> State:
    """The worst state wins, UNKNOWN above CRITICAL (as nagiosplugin ranks them)."""
    return max(states, default=State.OK)


_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_RANGE_RE = re.compile(rf"^(?P<at>@)?(?:(?P<start>~|{_NUMBER})?(?P<colon>:))?(?P<end>{_NUMBER})?$")


@dataclass(frozen=True)
class Range:
    """A threshold range in the Nagios plugin guidelines' syntax.

    ``10`` alerts outside 0..10, ``10:`` below 10, ``~:10`` above 10, ``10:20`` outside
    10..20, and a leading ``@`` inverts: ``@10:20`` alerts inside 10..20 (ends included).
    """

    start: float = 0.0
    end: float = math.inf
    inside: bool = False

    @classmethod
    def parse(cls, text: str) -> Range:
        """Parse a range; ValueError with a message that shows the accepted forms."""
        spec = text.strip()
        found = _RANGE_RE.match(spec)
        if not found or not (found["start"] or found["colon"] or found["end"]):
            raise ValueError(
                f"{text!r} is not a Nagios range (forms: 10, 10:, ~:10, 10:20, @10:20)"
            )
        start_text = found["start"]
        if start_text == "~":
            start = -math.inf
        elif start_text:
            start = float(start_text)
        else:
            start = 0.0
        end = float(found["end"]) if found["end"] else math.inf
        if found["colon"] is None:
            # A bare number is the end of a range that starts at 0.
            start, end = 0.0, float(found["end"])
        if start > end:
            raise ValueError(f"{text!r}: the start of a Nagios range must not exceed its end")
        return cls(start, end, bool(found["at"]))

    def alerts(self, value: float) -> bool:
        """Whether ``value`` raises the alert this range is a threshold for."""
        within = self.start <= value <= self.end
        return within if self.inside else not within

    def __str__(self) -> str:
        at = "@" if self.inside else ""
        if self.end == math.inf:
            start = "~" if self.start == -math.inf else _number(self.start)
            return f"{at}{start}:"
        if self.start == 0:
            return f"{at}{_number(self.end)}"
        start = "~" if self.start == -math.inf else _number(self.start)
        return f"{at}{start}:{_number(self.end)}"

    def violation(self) -> str:
        """How a value that alerts relates to this range, e.g. ``outside 10:``.

        A range open below (``~:10``) is said in words, ``above 10`` or (``@~:10``)
        ``at most 10``: Nagios strips "~" from the output its notifications carry
        (illegal_macro_output_chars, ``~`` among them by default).
        """
        if self.start == -math.inf:
            if self.end == math.inf:
                return "at any value" if self.inside else "never"
            return f"at most {_number(self.end)}" if self.inside else f"above {_number(self.end)}"
        if self.inside:
            return f"inside {str(self)[1:]}"
        return f"outside {self}"


def _number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


_LABEL_PLAIN_RE = re.compile(r"^[^\s'=]+$")


@dataclass(frozen=True)
class Perfdata:
    """One performance-data item: ``'label'=value[uom];[warn];[crit];[min];[max]``."""

    label: str
    value: float
    uom: str = ""
    warning: Range | None = None
    critical: Range | None = None
    minimum: float | None = None
    maximum: float | None = None

    def __str__(self) -> str:
        label = self.label
        if not _LABEL_PLAIN_RE.match(label):
            label = "'" + label.replace("'", "''") + "'"
        fields = [
            f"{_number(self.value)}{self.uom}",
            "" if self.warning is None else str(self.warning),
            "" if self.critical is None else str(self.critical),
            "" if self.minimum is None else _number(self.minimum),
            "" if self.maximum is None else _number(self.maximum),
        ]
        # Trailing empty fields may be left out (plugin guidelines).
        while len(fields) > 1 and not fields[-1]:
            fields.pop()
        return f"{label}={';'.join(fields)}"


_SPACE = re.compile(r"[\t\n\r\x0b\x0c]")


def _text(line: str) -> str:
    # A "|" starts performance data for Nagios; a newline would start a new output line.
    # Tabs and line breaks fold into spaces; any other hidden character is shown escaped.
    return " ".join(visible(_SPACE.sub(" ", line.replace("|", "/"))).split())


def plugin_output(
    name: str,
    state: State,
    summary: str,
    perfdata: Sequence[Perfdata] = (),
    details: Sequence[str] = (),
) -> str:
    """``NAME STATE - summary | perfdata`` then one detail line each (long output)."""
    status = f"{name} {state.name} - {_text(summary)}"
    if perfdata:
        status += " | " + " ".join(str(p) for p in perfdata)
    lines = [status]
    for detail in details:
        indent = len(detail) - len(detail.lstrip(" "))
        lines.append(" " * indent + _text(detail))
    return "\n".join(lines)
