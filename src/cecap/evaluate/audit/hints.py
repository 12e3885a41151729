"""Hints: where a site sets what its CE publishes, at the source, per middleware.

An ``ldapmodify`` of a resource BDII lasts until its information providers next refresh it
(minutes); the lasting change is in the middleware's own configuration, which the hint
names. This is a table in code, not in config/: it states facts about the middleware
(where each one reads its capability list), not site policy, and a site has nothing to add
to it.

Where each middleware takes GlueCECapability from:

- gLite (CREAM and lcg-CE, configured by YAIM): the ``CE_CAPABILITY`` list in
  site-info.def, written on every queue of the CE when YAIM reconfigures it.
- OSG (the GIP of the OSG CE, 2008-2012): its batch-system providers add
  ``GlueCECapability: glexec`` on every queue when ``glexec_enabled`` is true in the
  ``[site]`` section of the GIP's configuration (gip.conf); ``htpc`` when a queue allows
  several slots per job (the GIP's lsf, pbs, sge, slurm and condor providers:
  ``cp_getBoolean(cp, 'site', 'glexec_enabled', False)`` before ``extraCapabilities``).
- ARC: the GLUE 1.2 translator of the ARC CE (nordugrid/arc,
  src/services/a-rex/infoproviders/glue-generator.pl) writes GlueCECapability only as
  ``CPUScalingReferenceSI00=...`` from arc.conf's ``[infosys/glue12]`` block: no arc.conf
  option publishes glexec, so it can only come from an extra provider beside ARC's.

A CE's middleware is the one reading of it (model.reading): CREAM and the lcg-CE are
configured by YAIM, an OSG GRAM CE by OSG's GIP.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

from ...model.glue import CE
from ...model.reading import Middleware

Action = Literal["add", "remove", "replace"]


class Publisher(Enum):
    """Whose configuration writes a CE's capabilities; the value starts each hint."""

    GLITE = "gLite (YAIM)"
    OSG = "OSG (GIP)"
    ARC = "ARC"
    HTCONDOR_CE = "HTCondor-CE"
    UNKNOWN = "unknown middleware"


_PUBLISHER = {
    Middleware.CREAM: Publisher.GLITE,
    Middleware.LCG_CE: Publisher.GLITE,
    Middleware.OSG_GRAM: Publisher.OSG,
    Middleware.ARC: Publisher.ARC,
    Middleware.HTCONDOR_CE: Publisher.HTCONDOR_CE,
}


def publisher(ce: CE) -> Publisher:
    """Whose configuration publishes ``ce``, by its middleware (CE.reading)."""
    return _PUBLISHER.get(ce.reading.middleware, Publisher.UNKNOWN)


_YAIM = "CE_CAPABILITY in site-info.def, then rerun YAIM on the CE"
_GIP = "the [site] section of the GIP's gip.conf"
_ARC = (
    "no arc.conf option publishes it (ARC's GLUE 1.2 translator writes GlueCECapability"
    " only as CPUScalingReferenceSI00, from [infosys/glue12])"
)

_HINTS: dict[tuple[Publisher, Action], str] = {
    (Publisher.GLITE, "add"): f"add {{cap}} to {_YAIM}",
    (Publisher.GLITE, "remove"): f"remove {{cap}} from {_YAIM}",
    (Publisher.GLITE, "replace"): f"write {{cap}} instead of {{wrong}} in {_YAIM}",
    (Publisher.OSG, "add"): "set glexec_enabled = True in " + _GIP,
    (Publisher.OSG, "remove"): "set glexec_enabled = False in " + _GIP,
    (Publisher.OSG, "replace"): (
        "the GIP writes only the exact value (glexec_enabled = True in " + _GIP + "):"
        " remove {wrong} from the static LDIF or provider of your own that adds it"
    ),
    (Publisher.ARC, "add"): _ARC + "; add it with an extra provider of the resource BDII",
    (Publisher.ARC, "remove"): (
        "ARC does not publish {cap} itself: remove the extra provider or static LDIF that adds it"
    ),
    (Publisher.ARC, "replace"): (
        "ARC does not publish {wrong} itself: fix the extra provider or static LDIF that adds it"
    ),
}

# OSG's GIP has a switch for glexec only; for another capability, say where it writes them.
_OSG_OTHER = "the GIP's batch-system providers write GlueCECapability: see its gip.conf for {cap}"
_UNKNOWN = (
    "set {cap} where this CE's information provider is configured (gLite: CE_CAPABILITY in"
    " site-info.def; OSG: glexec_enabled in the GIP's gip.conf)"
)
_HTCONDOR_CE = "set {cap} where this CE's information provider (its BDII provider) is configured"


def hint(action: Action, ce: CE, capability: str, wrong: str = "") -> str:
    """One line: where the site makes the change ``action`` at the source of ``ce``."""
    found = publisher(ce)
    if found is Publisher.UNKNOWN:
        text = _UNKNOWN
    elif found is Publisher.HTCONDOR_CE:
        text = _HTCONDOR_CE
    elif found is Publisher.OSG and capability != "glexec":
        text = _OSG_OTHER
    else:
        text = _HINTS[(found, action)]
    return f"{found.value}: " + text.format(cap=capability, wrong=repr(wrong))


def duplicate_hint() -> str:
    return (
        "publish the CE from one site only: drop its resource BDII from the other site"
        " BDII's sources (gLite: BDII_REGIONS and BDII_<REGION>_URL in that site BDII's"
        " site-info.def)"
    )


def state_hint() -> str:
    return "nothing to configure: the CE's state comes from its batch system queue"
