"""The questions asked of a CE: which VOs it serves, and whether it advertises a capability."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from ..policy.stances import GLEXEC
from .glue import CE

__all__ = [
    "GLEXEC",
    "advertises",
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


def served_vos(ce: CE) -> frozenset[str]:
    """Every VO (lower-case) the CE serves: named by its rules or its VOViews' rules."""
    rules = [*ce.rules, *(r for view in ce.voviews for r in view.rules)]
    return frozenset(vo for vo in map(rule_vo, rules) if vo is not None)


def serves(ce: CE, vo: str) -> bool:
    return vo.lower() in served_vos(ce)


def is_capability(value: str, capability: str) -> bool:
    """A published value names ``capability``: case and surrounding blanks do not count.

    That is the schema's match rule for GlueCECapability (caseIgnoreIA5), and glue2.yaml's.
    """
    return value.strip().lower() == capability.lower()


def advertises(ce: CE, vo: str, capability: str = GLEXEC) -> bool:
    """The capability is on the CE itself or on its VOView for the VO."""
    if any(is_capability(c, capability) for c in ce.capabilities):
        return True
    return any(
        any(is_capability(c, capability) for c in view.capabilities)
        for view in ce.voviews
        if _view_is_for(view.rules, view.local_id, vo)
    )


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
