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

A CE's middleware is read from what it publishes: GlueCEImplementationName (GLUE 2.0:
GLUE2EndpointImplementationName) ``CREAM``, ``LCG-CE``, ``ARC-CE``, ``nordugrid-arc``,
``Globus``; else the CE ID's form: ``host:8443/cream-...`` (CREAM),
``host:2119/jobmanager-lcg...`` (lcg-CE), ``host:2811/nordugrid-...`` (ARC),
``host:2119/jobmanager-...`` (an OSG CE, Globus GRAM 2; OSG's GIP of 2008 published
``UNDEFINED`` as the implementation).
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

from ...model.glue import CE

Action = Literal["add", "remove", "replace"]


class Middleware(Enum):
    GLITE = "gLite (YAIM)"
    OSG = "OSG (GIP)"
    ARC = "ARC"
    UNKNOWN = "unknown middleware"


def middleware(ce: CE) -> Middleware:
    """The middleware that publishes ``ce``, from its implementation name or ID."""
    impl = ce.implementation.strip().lower()
    uid = ce.unique_id.lower()
    if impl in ("arc", "arc-ce") or impl.startswith("nordugrid") or "/nordugrid-" in uid:
        return Middleware.ARC
    if impl in ("cream", "lcg-ce") or "/cream-" in uid or "/jobmanager-lcg" in uid:
        return Middleware.GLITE
    if impl == "globus" or "/jobmanager-" in uid:
        return Middleware.OSG
    return Middleware.UNKNOWN


_YAIM = "CE_CAPABILITY in site-info.def, then rerun YAIM on the CE"
_GIP = "the [site] section of the GIP's gip.conf"
_ARC = (
    "no arc.conf option publishes it (ARC's GLUE 1.2 translator writes GlueCECapability"
    " only as CPUScalingReferenceSI00, from [infosys/glue12])"
)

_HINTS: dict[tuple[Middleware, Action], str] = {
    (Middleware.GLITE, "add"): f"add {{cap}} to {_YAIM}",
    (Middleware.GLITE, "remove"): f"remove {{cap}} from {_YAIM}",
    (Middleware.GLITE, "replace"): f"write {{cap}} instead of {{wrong}} in {_YAIM}",
    (Middleware.OSG, "add"): "set glexec_enabled = True in " + _GIP,
    (Middleware.OSG, "remove"): "set glexec_enabled = False in " + _GIP,
    (Middleware.OSG, "replace"): (
        "the GIP writes only the exact value (glexec_enabled = True in " + _GIP + "):"
        " remove {wrong} from the static LDIF or provider of your own that adds it"
    ),
    (Middleware.ARC, "add"): _ARC + "; add it with an extra provider of the resource BDII",
    (Middleware.ARC, "remove"): (
        "ARC does not publish {cap} itself: remove the extra provider or static LDIF that adds it"
    ),
    (Middleware.ARC, "replace"): (
        "ARC does not publish {wrong} itself: fix the extra provider or static LDIF that adds it"
    ),
}

# OSG's GIP has a switch for glexec only; for another capability, say where it writes them.
_OSG_OTHER = "the GIP's batch-system providers write GlueCECapability: see its gip.conf for {cap}"
_UNKNOWN = (
    "set {cap} where this CE's information provider is configured (gLite: CE_CAPABILITY in"
    " site-info.def; OSG: glexec_enabled in the GIP's gip.conf)"
)


def hint(action: Action, ce: CE, capability: str, wrong: str = "") -> str:
    """One line: where the site makes the change ``action`` at the source of ``ce``."""
    found = middleware(ce)
    if found is Middleware.UNKNOWN:
        text = _UNKNOWN
    elif found is Middleware.OSG and capability != "glexec":
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
