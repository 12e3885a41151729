"""A glexec test result, as an experiment's test framework or a site's script reported it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

# How much of a test's output is kept: the glexec tests print a few dozen lines, the
# lines that show the mode among the first of them.
MAX_OUTPUT = 8192


def bounded(output: str) -> str:
    """``output`` cut to MAX_OUTPUT characters, saying how much was cut."""
    if len(output) <= MAX_OUTPUT:
        return output
    return f"{output[:MAX_OUTPUT]}\n[{len(output) - MAX_OUTPUT} more characters not kept]"


class ResultStatus(Enum):
    """The Nagios words a test result is given in."""

    OK = "OK"
    WARNING = "WARNING"
    CRITICAL = "CRITICAL"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class GlexecResult:
    """One result. ``ce`` is a GlueCEUniqueID, or a host name meaning every CE on that
    host; ``experiment`` is the experiment's key; ``output`` what the test printed, kept
    to at most MAX_OUTPUT characters."""

    time: datetime
    ce: str
    experiment: str
    metric: str
    status: ResultStatus
    summary: str = ""
    # The test's output (a result message's detailsData), cut to a bounded length.
    output: str = ""

    @property
    def text(self) -> str:
        """Everything the test said: the summary, then the output."""
        return f"{self.summary}\n{self.output}" if self.output else self.summary
