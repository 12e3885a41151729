"""Fixes as LDAP changes: what to add to or delete from which published entry.

A finding's fix is a tuple of ``Change`` records, one per entry (DN as published), each an
LDIF ``changetype: modify`` of the resource BDII entry (rows.fixes writes the LDIF). A fix
never makes a CE advertise a capability for a VO whose experiment the site's answers refuse:
on a CE that serves such a VO, it goes on the VOViews (GLUE 2.0: shares) of the others.
"""

from __future__ import annotations

from collections.abc import Iterable

from ...model.glue import CE, VOView
from ..stance import StanceVerdict
from .context import Auditor, on, served_vos, view_vos
from .findings import Change, Modification


def merged(changes: Iterable[Change]) -> tuple[Change, ...]:
    """One record per DN (in order of first appearance, DNs compared ignoring case), each
    modification once (attribute and value ignoring case, as the GLUE schemas match them):
    what ldapmodify can apply in one go, where a second add of one value would fail."""
    by_dn: dict[str, tuple[str, dict[tuple[str, str, str], Modification]]] = {}
    for change in changes:
        _, mods = by_dn.setdefault(change.dn.lower(), (change.dn, {}))
        for m in change.modifications:
            mods.setdefault((m.operation, m.attribute.lower(), m.value.strip().lower()), m)
    return tuple(Change(dn, tuple(mods.values())) for dn, mods in by_dn.values())


def refused_vos(a: Auditor, ce: CE) -> frozenset[str]:
    """The VOs the CE serves for which the site's answers refuse glexec (site-refuses or
    mode-mismatch); none for another capability, which the answers do not concern."""
    if not a.is_glexec or a.stance(ce.site)[0] is None:
        return frozenset()
    refusals = (StanceVerdict.REFUSES, StanceVerdict.MODE_MISMATCH)
    return frozenset(vo for vo in served_vos(ce) if a.stance_verdict(ce, vo) in refusals)


class Refusals:
    """Whether the site's answers refuse glexec for a VO on a CE, worked out once per CE."""

    def __init__(self, a: Auditor) -> None:
        self._a = a
        self._refused: dict[int, frozenset[str]] = {}

    def __call__(self, ce: CE, vo: str) -> bool:
        if id(ce) not in self._refused:
            self._refused[id(ce)] = refused_vos(self._a, ce)
        return vo in self._refused[id(ce)]


def advertise(
    a: Auditor, ce: CE, vos: Iterable[str] | None = None, *, views_only: bool = False
) -> tuple[Change, ...]:
    """The changes that make ``ce`` advertise the capability for ``vos`` (default: every VO
    it serves): on the CE itself when the site refuses none of the VOs it serves (and not
    ``views_only``), else on the VOViews (shares) of the wanted VOs it does not refuse.
    Empty when GLUE 2.0 has no attribute for the capability (glue2.yaml), and for a CE in a
    state no experiment targets. An entry that already advertises is left as it is."""
    if not a.targeted(ce):
        return ()
    refused = refused_vos(a, ce)
    if not refused and not views_only:
        line = a.publish(ce.glue_version)
        if line is None or on(ce.capabilities, a.cap):
            return ()
        return (Change(ce.dn, (Modification("add", *line),)),)
    wanted = set(vos if vos is not None else served_vos(ce)) - refused
    line = a.publish(ce.glue_version, on_share=True)
    if line is None or not wanted:
        return ()
    views = [
        v
        for v in ce.voviews
        if v.dn
        and set(view_vos(v)) & wanted
        and _clean(v, refused)
        and not on(v.capabilities, a.cap)
    ]
    return tuple(Change(v.dn, (Modification("add", *line),)) for v in views)


def _clean(view: VOView, refused: frozenset[str]) -> bool:
    return not set(view_vos(view)) & refused


def replace(
    a: Auditor, ce: CE, dn: str, wrong: tuple[str, str], right: tuple[str, str] | None
) -> tuple[Change, ...]:
    """Delete the value ``wrong`` from entry ``dn`` and add ``right`` there instead, unless
    that would advertise for a VO the site refuses: then a CE's value goes where
    ``advertise`` says, a VOView's nowhere. Nothing for a CE in a state no experiment
    targets: its value is for the site to correct at the source."""
    if not a.targeted(ce):
        return ()
    delete = Change(dn, (Modification("delete", *wrong),))
    if right is None:
        return (delete,)
    refused = refused_vos(a, ce)
    add = Change(dn, (Modification("add", *right),))
    if dn.lower() == ce.dn.lower():
        adds = (add,) if not refused else advertise(a, ce)
    else:
        view = next((v for v in ce.voviews if v.dn.lower() == dn.lower()), None)
        adds = (add,) if view is not None and _clean(view, refused) else ()
    return merged((delete, *adds))
