"""One plan, one pass: the findings' fixes completed so that applying all of them leaves
nothing more to fix.

A fix alone can leave work behind: glexec added on one queue of a host (it advertises
then for every VO the queue serves) makes the host's other queues disagree for those VOs;
glexec added in GLUE 1.3 only makes the host's GLUE versions disagree. So the fixes are
applied to the model in memory, the checks run again, and whatever they would fix then is
added to the fix of the finding it follows from, until the checks propose nothing more.
Every round only adds values to entries that lack them (or deletes a near miss), so it
ends; ``MAX_ROUNDS`` bounds it all the same. A round after the first checks only the sites
its changes can have put out of step: those of the changed CEs, and the sites of every CE
on a host one of those has (the GLUE versions of a host are compared across sites).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence, Set

from ...model.glue import CE, GLUE20, GlueModel, VOView
from .context import Auditor, is_capability
from .findings import Change, Finding, Modification
from .fixes import merged

MAX_ROUNDS = 50

Run = Callable[[GlueModel, Set[str] | None], list[Finding]]


def one_pass(findings: list[Finding], model: GlueModel, run: Run, a: Auditor) -> list[Finding]:
    """``findings`` (what ``run`` found in ``model``), each fix completed with the changes
    the checks ask for once every fix is applied, until they ask for none."""
    fixes = [list(f.fix) for f in findings]
    done: set[tuple[str, Modification]] = set()
    pending = [c for f in findings for c in f.fix]
    owners = _Owners(model, findings)
    at = positions(model)
    state = model
    for _ in range(MAX_ROUNDS):
        fresh = [c for c in pending if any((c.dn.lower(), m) not in done for m in c.modifications)]
        if not fresh:
            break
        done.update((c.dn.lower(), m) for c in fresh for m in c.modifications)
        state = applied(state, fresh, a, at)
        pending = []
        for later in run(state, owners.sites_around(fresh)):
            if later.fix:
                fixes[owners.of(later)].extend(later.fix)
                pending.extend(later.fix)
    out = []
    for f, changes in zip(findings, fixes, strict=True):
        fix = merged(changes)
        extra = len(fix) - len(merged(f.fix))
        message = f.message
        if extra > 0:
            message += (
                f"; the fix also changes {extra} more entr{'y' if extra == 1 else 'ies'}, so"
                " that the queues and GLUE versions still agree once it is applied"
            )
        out.append(dataclasses.replace(f, fix=fix, message=message))
    return out


class _Owners:
    """Which finding a later round's fix follows from: the first (in the audit's order) whose
    fix changes a queue of the same host or cluster, else the first with a fix at the same
    site, else the first with a fix."""

    def __init__(self, model: GlueModel, findings: Sequence[Finding]) -> None:
        self._ce_of: dict[str, CE] = {}
        for ce in model.ces:
            self._ce_of[ce.dn.lower()] = ce
            for view in ce.voviews:
                if view.dn:
                    self._ce_of.setdefault(view.dn.lower(), ce)
        self._findings = findings
        self._places = [self._places_of(f.fix) for f in findings]
        self._fixing = [i for i, f in enumerate(findings) if f.fix]
        self._sites_of_host: dict[str, set[str]] = {}
        self._hosts_of_site: dict[str, set[str]] = {}
        for ce in model.ces:
            self._sites_of_host.setdefault(ce.host.lower(), set()).add(ce.site)
            self._hosts_of_site.setdefault(ce.site, set()).add(ce.host.lower())

    def sites_around(self, changes: Iterable[Change]) -> set[str]:
        """The sites of the changed CEs, and of every CE on a host of theirs, until that
        adds no site: what a check can find changed once ``changes`` are applied."""
        sites: set[str] = set()
        todo = [ce.site for c in changes if (ce := self._ce_of.get(c.dn.lower())) is not None]
        while todo:
            site = todo.pop()
            if site in sites:
                continue
            sites.add(site)
            for host in self._hosts_of_site.get(site, ()):
                todo.extend(self._sites_of_host.get(host, ()))
        return sites

    def _places_of(self, changes: Iterable[Change]) -> set[tuple[str, str]]:
        places: set[tuple[str, str]] = set()
        for change in changes:
            ce = self._ce_of.get(change.dn.lower())
            if ce is not None:
                places.add(("host", ce.host.lower()))
                if ce.cluster_id:
                    places.add(("cluster", ce.cluster_id))
        return places

    def of(self, later: Finding) -> int:
        places = self._places_of(later.fix)
        fixing = self._fixing
        for i in fixing:
            if self._places[i] & places:
                self._places[i] |= places
                return i
        same_site = [i for i in fixing if self._findings[i].site == later.site]
        found = (same_site or fixing)[0]
        self._places[found] |= places
        return found


def applied(
    model: GlueModel, changes: Iterable[Change], a: Auditor, at: dict[str, int] | None = None
) -> GlueModel:
    """The model as it reads once ``changes`` are applied to its CEs and VOViews (shares);
    ``at``: ``positions(model)``, or that of the model it was applied from."""
    by_dn: dict[str, list[Modification]] = {}
    for change in changes:
        by_dn.setdefault(change.dn.lower(), []).extend(change.modifications)
    at = positions(model) if at is None else at
    ces = list(model.ces)
    for i in sorted({at[dn] for dn in by_dn if dn in at}):
        ce = ces[i]
        views = tuple(
            _view(v, by_dn[v.dn.lower()], ce.glue_version, a) if v.dn.lower() in by_dn else v
            for v in ce.voviews
        )
        mods = by_dn.get(ce.dn.lower(), [])
        if mods or any(v is not w for v, w in zip(views, ce.voviews, strict=True)):
            capabilities, published = _values(
                ce.capabilities, ce.published, mods, ce.glue_version, a
            )
            ces[i] = dataclasses.replace(
                ce, capabilities=capabilities, published=published, voviews=views
            )
    return dataclasses.replace(model, ces=tuple(ces))


def positions(model: GlueModel) -> dict[str, int]:
    """Each CE's and VOView's DN (lower-case) to the place of its CE in ``model.ces``, which
    applying changes keeps: worked out once per model."""
    at: dict[str, int] = {}
    for i, ce in enumerate(model.ces):
        at[ce.dn.lower()] = i
        for view in ce.voviews:
            if view.dn:
                at.setdefault(view.dn.lower(), i)
    return at


def _view(view: VOView, mods: list[Modification], version: str, a: Auditor) -> VOView:
    capabilities, published = _values(view.capabilities, view.published, mods, version, a)
    return dataclasses.replace(view, capabilities=capabilities, published=published)


def _same(x: str, y: str) -> bool:
    return x.strip().lower() == y.strip().lower()


def _values(
    capabilities: tuple[str, ...],
    published: tuple[tuple[str, str], ...],
    mods: Sequence[Modification],
    version: str,
    a: Auditor,
) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """An entry's capability values after ``mods``: GLUE 1.3's GlueCECapability values; GLUE
    2.0's published (attribute, value) pairs, and the capability when glue2.yaml counts one."""
    caps = list(capabilities)
    pairs = list(published)
    for m in mods:
        if version != GLUE20:
            if m.operation == "add":
                caps.append(m.value)
            else:
                caps = [c for c in caps if not _same(c, m.value)]
            continue
        if m.operation == "add":
            pairs.append((m.attribute, m.value))
        else:
            pairs = [p for p in pairs if not (_same(p[0], m.attribute) and _same(p[1], m.value))]
    if version == GLUE20:
        counted = any(
            (match := a.match_for(attr)) is not None and match.matches(value)
            for attr, value in pairs
        )
        caps = [c for c in caps if not is_capability(c, a.cap)]
        if counted:
            caps.append(a.cap)
    return tuple(caps), tuple(pairs)
