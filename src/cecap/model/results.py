"""A glexec test result, as an experiment's test framework or a site's script reported it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class ResultStatus(Enum):
    """The Nagios words a test result is given in."""

    OK = "OK"
    WARNING = "WARNING"
    CRITICAL = "CRITICAL"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class GlexecResult:
    """One result. ``ce`` is a GlueCEUniqueID, or a host name meaning every CE on that
    host; ``experiment`` is the experiment's key."""

    time: datetime
    ce: str
    experiment: str
    metric: str
    status: ResultStatus
    summary: str = ""
