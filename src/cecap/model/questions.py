"""The questions asked of a CE: which VOs it serves, and whether it advertises a capability."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from ..policy.stances import GLEXEC
from .glue import CE
from .reading import CEReading

__all__ = [
    "GLEXEC",
    "AccessRule",
    "CapabilityValue",
    "access_rules",
    "advertises",
    "capability_values",
    "is_capability",
    "narrowing_vos",
    "rule_vo",
    "served_vos",
    "serves",
    "vo_matches",
]


def vo_matches(rule: str, vo: str) -> bool:
    """``VO:v``, ``VOMS:/v`` or ``VOMS:/v/...``, VO names compared case-insensitively."""
    kind, sep, value = rule.strip().partition(":")
    if not sep:
        return False
    kind = kind.strip().lower()
    value = value.strip().lower()
    vo = vo.lower()
    if kind == "vo":
        return value == vo
    if kind == "voms":
        return value == "/" + vo or value.startswith("/" + vo + "/")
    return False


@functools.lru_cache(maxsize=4096)  # a BDII repeats the same few rules on every CE
def rule_vo(rule: str) -> str | None:
    """The VO (lower-case) that ``vo_matches`` matches ``rule`` to, or None for no VO."""
    kind, sep, value = rule.strip().partition(":")
    if not sep:
        return None
    kind = kind.strip().lower()
    value = value.strip().lower()
    if kind == "vo":
        return value
    if kind == "voms" and value.startswith("/"):
        return value[1:].split("/", 1)[0]
    return None


@dataclass(frozen=True, slots=True)
class AccessRule:
    """One access control rule of a CE (``voview`` None) or of one of its VOViews, and the
    VO (lower-case) it names, None for none."""

    voview: str | None
    rule: str
    vo: str | None


def access_rules(ce: CE) -> list[AccessRule]:
    """The CE's rules, then each VOView's, in the order published."""
    out = [AccessRule(None, r, rule_vo(r)) for r in ce.rules]
    out.extend(AccessRule(v.local_id, r, rule_vo(r)) for v in ce.voviews for r in v.rules)
    return out


def served_vos(ce: CE) -> frozenset[str]:
    """Every VO (lower-case) the CE serves: named by its rules or its VOViews' rules."""
    return frozenset(r.vo for r in access_rules(ce) if r.vo is not None)


def serves(ce: CE, vo: str) -> bool:
    return vo.lower() in served_vos(ce)


def is_capability(value: str, capability: str) -> bool:
    """A published value names ``capability``: case and surrounding blanks do not count.

    That is the schema's match rule for GlueCECapability (caseIgnoreIA5), and glue2.yaml's.
    """
    return value.strip().lower() == capability.lower()


@dataclass(frozen=True, slots=True)
class CapabilityValue:
    """One capability value on a CE (``voview`` None) or on one of its VOViews, and what
    ``advertises`` made of it for one VO and capability."""

    voview: str | None
    value: str
    names_capability: bool
    for_vo: bool  # on the CE itself, or on a VOView for the VO

    @property
    def counts(self) -> bool:
        return self.names_capability and self.for_vo


def capability_values(ce: CE, vo: str, capability: str = GLEXEC) -> list[CapabilityValue]:
    """Every capability value on the CE, then on each VOView, for ``vo``'s question."""
    out = [CapabilityValue(None, c, is_capability(c, capability), True) for c in ce.capabilities]
    for view in ce.voviews:
        for_vo = _view_is_for(view.rules, view.local_id, vo)
        out.extend(
            CapabilityValue(view.local_id, c, is_capability(c, capability), for_vo)
            for c in view.capabilities
        )
    return out


def advertises(ce: CE, vo: str, capability: str = GLEXEC) -> bool:
    """The capability is on the CE itself or on its VOView for the VO."""
    return any(value.counts for value in capability_values(ce, vo, capability))


def reading_for(ce: CE, vo: str) -> CEReading:
    """The CE's reading (CE.reading) for ``vo``: where its ID names no queue (a GLUE 2.0
    endpoint), the queue of its first share for the VO that names one."""
    return readings_for(ce, vo)[0]


def readings_for(ce: CE, vo: str) -> tuple[CEReading, ...]:
    """The CE's readings for ``vo``, one per queue: its own where its ID names a queue (a
    GLUE 1.3 CE is one queue); for a GLUE 2.0 endpoint, one per distinct queue its shares
    for the VO name, in the order published, else its own (no queue)."""
    if ce.reading.queue:
        return (ce.reading,)
    queues = dict.fromkeys(
        view.queue
        for view in ce.voviews
        if view.queue and _view_is_for(view.rules, view.local_id, vo)
    )
    return tuple(ce.reading.with_queue(q) for q in queues) or (ce.reading,)


def _view_is_for(rules: Sequence[str], local_id: str, vo: str) -> bool:
    if rules:
        return any(vo_matches(r, vo) for r in rules)
    return local_id.lower() == vo.lower()


def narrowing_vos(vos: Sequence[str] | None) -> tuple[str, ...] | None:
    """The VOs a source may narrow its VOViews to (stripped), or None to read them all.

    Narrowing is only safe when every name is usable: an empty name would match nothing
    in the LDIF reader and everything in a substring filter.
    """
    if not vos or not all(v.strip() for v in vos):
        return None
    return tuple(v.strip() for v in vos)
