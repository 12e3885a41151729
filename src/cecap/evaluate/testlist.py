"""What each experiment should run its glexec test against (pure): the CEs that advertise
glexec and are ready or conditional, with the address, flavour and mode to test.

The plan's second step: experiments try their glexec workflows at sites as they become
available, as a background activity like SAM tests. A CE whose site refuses, or whose mode
the experiment does not accept, is never on the list; nor is one that does not advertise.

Flavours are spelled as the SAM/ETF topology feeds (the WLCG VO feeds) spell them: the
CMS VO-feed writer (CMSCompOps/MonitoringScripts, vofeed/vofeed.py) writes ``CREAM-CE``,
``ARC-CE``, ``HTCONDOR-CE``, ``GLOBUS`` (its later name for a GRAM CE) and ``CE`` for
anything else; the SAM dashboards of the time asked for ``CREAM-CE,OSG-CE,ARC-CE`` and
LHCb's topology agent (DIRAC's NagiosTopologyAgent) wrote ``CE`` for an lcg-CE and
``UNDEFINED`` for a CE type it did not know. An OSG CE of 2008 (Globus GRAM 2 behind
OSG's GIP) is ``OSG-CE``, the name SAM tested it under then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..model.ce_id import CEAddress, parse_ce_id
from ..model.glue import CE
from ..model.questions import GLEXEC, advertises
from .verdicts import Assessment, Verdict

# The verdicts an experiment tests: the site allows it, in a mode the experiment accepts.
TESTED = (Verdict.READY, Verdict.CONDITIONAL)

CREAM_CE = "CREAM-CE"
LCG_CE = "CE"
OSG_CE = "OSG-CE"
ARC_CE = "ARC-CE"
HTCONDOR_CE = "HTCONDOR-CE"
UNDEFINED = "UNDEFINED"


@dataclass(frozen=True, slots=True)
class Target:
    """One CE an experiment should test glexec on, and how to reach it."""

    assessment: Assessment
    address: CEAddress
    flavour: str


def flavour(ce: CE, address: CEAddress) -> str:
    """The CE's service flavour in a VO feed, from its implementation name, else its ID."""
    impl = ce.implementation.strip().lower()
    service = (address.service or "").lower()
    lrms = (address.lrms or "").lower()
    if impl == "cream" or service == "cream" or "glite.ce.cream" in impl:
        return CREAM_CE
    if impl in ("arc", "arc-ce") or impl.startswith("nordugrid") or service == "nordugrid":
        return ARC_CE
    if impl in ("htcondorce", "htcondor-ce") or address.port == 9619:
        return HTCONDOR_CE
    if impl == "lcg-ce" or (service == "jobmanager" and lrms.startswith("lcg")):
        return LCG_CE
    if impl == "globus" or service == "jobmanager":
        return OSG_CE
    return UNDEFINED


def select_targets(assessments: Iterable[Assessment], capability: str = GLEXEC) -> list[Target]:
    """The assessments an experiment should test, in their order: a tested verdict on a CE
    that advertises ``capability`` for the experiment's VO."""
    out = []
    for a in assessments:
        if a.verdict not in TESTED or not advertises(a.ce, a.experiment.vo, capability):
            continue
        address = parse_ce_id(a.ce.unique_id, a.ce.host)
        out.append(Target(a, address, flavour(a.ce, address)))
    return out
