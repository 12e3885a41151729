"""What each experiment should run its glexec test against (pure): the CEs that advertise
glexec and are ready or conditional, with the address, flavour and mode to test.

The plan's second step: experiments try their glexec workflows at sites as they become
available, as a background activity like SAM tests. A CE whose site refuses, or whose mode
the experiment does not accept, is never on the list; nor is one that does not advertise.

Each CE's address and flavour are its one reading (model.reading): the flavour is one
the CMS VO-feed readers take as a CE (``CE``, ``CREAM-CE``, ``ARC-CE``, ``HTCONDOR-CE``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..model.questions import GLEXEC, advertises
from .verdicts import Assessment, Verdict

# The verdicts an experiment tests: the site allows it, in a mode the experiment accepts.
TESTED = (Verdict.READY, Verdict.CONDITIONAL)


@dataclass(frozen=True, slots=True)
class Target:
    """One CE an experiment should test glexec on; how to reach it is the CE's reading."""

    assessment: Assessment


def select_targets(assessments: Iterable[Assessment], capability: str = GLEXEC) -> list[Target]:
    """The assessments an experiment should test, in their order: a tested verdict on a CE
    that advertises ``capability`` for the experiment's VO."""
    out = []
    for a in assessments:
        if a.verdict not in TESTED or not advertises(a.ce, a.experiment.vo, capability):
            continue
        out.append(Target(a))
    return out
