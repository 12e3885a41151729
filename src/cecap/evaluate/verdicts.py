"""Verdicts and assessments: what an experiment may do with a CE, and why."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ..model.glue import CE
from ..policy.stances import Experiment, GlexecMode

# The verdict recorded for a CE that no longer serves the experiment's VO in the BDII.
ABSENT = "absent"


class Verdict(Enum):
    """What an experiment may do with a CE.

    The verdict rules (evaluate.rules) are tried in their registry's order; ``rank`` is
    how good a verdict is (0 best): the word a site gets when its CEs differ.
    """

    NOT_ADVERTISED = "not-advertised"
    NOT_IN_PRODUCTION = "not-in-production"
    NO_STANCE = "no-stance"
    SITE_REFUSES = "site-refuses"
    MODE_MISMATCH = "mode-mismatch"
    CONDITIONAL = "conditional"
    READY = "ready"
    # For capabilities other than glexec, which have no stances or modes.
    ADVERTISED = "advertised"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def usable(self) -> bool:
        """Shown by default: an experiment may (or, with a proviso, might) send work there."""
        return self in (Verdict.READY, Verdict.CONDITIONAL, Verdict.ADVERTISED)

    @property
    def counts_ready(self) -> bool:
        return self in (Verdict.READY, Verdict.ADVERTISED)

    @property
    def refuses_glexec(self) -> bool:
        """The site, or the BDII, says no glexec pilots here: a factory entry that gives
        them glexec is an error (evaluate.factory)."""
        return self in _REFUSING


_RANK = {
    v: i
    for i, v in enumerate(
        (
            Verdict.READY,
            Verdict.ADVERTISED,
            Verdict.CONDITIONAL,
            Verdict.NO_STANCE,
            Verdict.MODE_MISMATCH,
            Verdict.SITE_REFUSES,
            Verdict.NOT_IN_PRODUCTION,
            Verdict.NOT_ADVERTISED,
        )
    )
}
_REFUSING = frozenset(
    {
        Verdict.SITE_REFUSES,
        Verdict.MODE_MISMATCH,
        Verdict.NOT_ADVERTISED,
        Verdict.NOT_IN_PRODUCTION,
        Verdict.NO_STANCE,
    }
)
# Best first.
VERDICT_RANK: tuple[Verdict, ...] = tuple(sorted(Verdict, key=lambda v: v.rank))
# The verdicts a glexec check counts (ADVERTISED is for other capabilities).
GLEXEC_VERDICTS: tuple[Verdict, ...] = tuple(v for v in VERDICT_RANK if v is not Verdict.ADVERTISED)


@dataclass(frozen=True, slots=True)
class Assessment:
    """The verdict for one experiment on one CE serving its VO.

    ``fail_closed`` is the site's answer alone, whatever the experiment; None where glexec is
    not in use (not advertised for the VO) and for a capability without stances.
    """

    experiment: Experiment
    ce: CE
    respondent: str | None
    verdict: Verdict
    mode: GlexecMode | None
    fail_closed: bool | None
    reason: str
