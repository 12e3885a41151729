"""The glexec mode tests saw a CE in (pure): its results and the experiment's strings ->
setuid, log-only or unknown, with the results that show it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from ..model.results import GlexecResult, ResultStatus
from ..policy.reliable import ModeEvidence
from ..policy.stances import GlexecMode

# How many of the latest results that show the mode are kept as its evidence.
EVIDENCE = 3
# How much of the line that shows the mode is quoted.
QUOTE = 200


class ObservedMode(Enum):
    """The mode glexec was seen running in; unknown when no result shows one."""

    SETUID = "setuid"
    LOG_ONLY = "log-only"
    UNKNOWN = "unknown"

    @property
    def mode(self) -> GlexecMode | None:
        """The glexec mode it is, None for unknown."""
        return None if self is ObservedMode.UNKNOWN else GlexecMode(self.value)


@dataclass(frozen=True, slots=True)
class Seen:
    """One result that shows a mode, and the line of its output that shows it (empty for
    a result that shows setuid by ending OK)."""

    result: GlexecResult
    mode: ObservedMode
    line: str


@dataclass(frozen=True, slots=True)
class Observation:
    """The mode the newest result showing one shows, and the latest results showing that
    mode (newest first, at most EVIDENCE): the evidence."""

    mode: ObservedMode = ObservedMode.UNKNOWN
    evidence: tuple[Seen, ...] = ()

    @property
    def quote(self) -> str:
        """The newest line of output that shows the mode, or '' when none does."""
        return next((s.line for s in self.evidence if s.line), "")


UNSEEN = Observation()


def _line(text: str, needle: str) -> str:
    """The line of ``text`` holding ``needle``, trimmed to QUOTE characters."""
    at = text.find(needle)
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    line = text[start : end if end >= 0 else len(text)].strip()
    return line if len(line) <= QUOTE else line[: QUOTE - 1] + "…"


def shows(evidence: ModeEvidence, result: GlexecResult) -> Seen | None:
    """The mode ``result`` shows, if any: a log-only string first (the CMS test ends
    WARNING with it), then a setuid string, then an OK end when that counts as setuid."""
    text = result.text
    for needle in evidence.log_only:
        if needle in text:
            return Seen(result, ObservedMode.LOG_ONLY, _line(text, needle))
    for needle in evidence.setuid:
        if needle in text:
            return Seen(result, ObservedMode.SETUID, _line(text, needle))
    if evidence.ok_is_setuid and result.status is ResultStatus.OK:
        return Seen(result, ObservedMode.SETUID, "")
    return None


def observe(evidence: ModeEvidence, results: Iterable[GlexecResult]) -> Observation:
    """What ``results`` (of one CE for one experiment, any order) show of its mode."""
    seen = [
        s for r in sorted(results, key=lambda r: r.time, reverse=True) if (s := shows(evidence, r))
    ]
    if not seen:
        return UNSEEN
    mode = seen[0].mode
    return Observation(mode, tuple(s for s in seen if s.mode is mode)[:EVIDENCE])
