"""Pure: what a site BDII publishes of the CEs cecap judges, and how the top-level BDII's
copy of the same site differs from it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..model.dn import site_from_dn
from ..model.glue import CE, GlueModel
from ..model.questions import advertises, serves
from .selection import Selection

UNKNOWN_STATE = "unknown"
EVERY = Selection()
MISSING = "missing from top"
ONLY_IN_TOP = "only in top"


@dataclass(frozen=True, slots=True)
class CeFacts:
    """What the comparison reads of one CE: its state, whether it advertises the
    capability to one of the VOs, and whether it serves one of them (is judged)."""

    ce: str
    site: str
    state: str
    capability: bool
    judged: bool


@dataclass(frozen=True)
class SiteCes:
    """A site's CEs as one BDII publishes them: how many, how many in state Unknown (what
    a site BDII serving cached data publishes), and each CE's facts by lower-case ID."""

    published: int
    unknown: int
    facts: Mapping[str, CeFacts]


@dataclass(frozen=True)
class Difference:
    """One CE judged in either copy whose copies disagree."""

    ce: str
    kind: str  # "missing from top", "only in top", "state", "capability", "serves"
    top: str | None  # what the top level says (None: nothing, it lacks the CE)
    site: str | None  # what the site BDII says


def ce_facts(ce: CE, vos: Sequence[str], capability: str) -> CeFacts:
    return CeFacts(
        ce=ce.unique_id,
        site=ce.site,
        state=ce.state,
        capability=any(advertises(ce, vo, capability) for vo in vos),
        judged=any(serves(ce, vo) for vo in vos),
    )


def site_ces(
    model: GlueModel, vos: Sequence[str], capability: str, selection: Selection = EVERY
) -> SiteCes:
    """The digest of a site BDII's model: every CE counts, the facts of those --ce keeps."""
    facts = {
        ce.unique_id.lower(): ce_facts(ce, vos, capability)
        for ce in model.ces
        if not selection.ces or selection.keeps(ce.site, ce.unique_id)
    }
    unknown = sum(1 for ce in model.ces if ce.state.strip().lower() == UNKNOWN_STATE)
    return SiteCes(len(model.ces), unknown, facts)


def by_site(
    model: GlueModel, vos: Sequence[str], capability: str, selection: Selection = EVERY
) -> dict[str, SiteCes]:
    """The top level's CEs per site (lower-case): under the CE's site name and under the
    site its DN names (mds-vo-name=SITE,mds-vo-name=local,o=grid), where they differ."""
    grouped: dict[str, list[CE]] = {}
    for ce in model.ces:
        names = {ce.site.lower(), (site_from_dn(ce.dn) or ce.site).lower()}
        for name in names:
            grouped.setdefault(name, []).append(ce)
    return {
        name: site_ces(GlueModel(model.origin, tuple(ces)), vos, capability, selection)
        for name, ces in grouped.items()
    }


def compare(site: SiteCes, top: SiteCes | None) -> list[Difference]:
    """How the top level's copy of a site differs from its own BDII, for the CEs judged
    (serving one of the VOs) in either copy, by CE ID."""
    top_facts: Mapping[str, CeFacts] = top.facts if top is not None else {}
    found: list[Difference] = []
    for key in sorted(set(site.facts) | set(top_facts)):
        own, copy = site.facts.get(key), top_facts.get(key)
        if not ((own and own.judged) or (copy and copy.judged)):
            continue
        if copy is None:
            assert own is not None
            found.append(Difference(own.ce, MISSING, None, own.state))
        elif own is None:
            found.append(Difference(copy.ce, ONLY_IN_TOP, copy.state, None))
        else:
            found += _changed(own, copy)
    return found


def _changed(own: CeFacts, copy: CeFacts) -> Iterable[Difference]:
    if own.state != copy.state:
        yield Difference(own.ce, "state", copy.state, own.state)
    if own.capability != copy.capability:
        yield Difference(own.ce, "capability", _yes(copy.capability), _yes(own.capability))
    if own.judged != copy.judged:
        yield Difference(own.ce, "serves", _yes(copy.judged), _yes(own.judged))


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def site_keys(ce: CE) -> set[str]:
    """The names (lower-case) a CE of the top level is a site's under: its site's, and the
    site its DN names (mds-vo-name=SITE,mds-vo-name=local,o=grid)."""
    return {ce.site.lower(), (site_from_dn(ce.dn) or ce.site).lower()}


def from_site_bdiis(top: GlueModel, answered: Mapping[str, GlueModel]) -> GlueModel:
    """The top level's model with each site whose BDII answered (``answered``: by site
    name, lower-case) taken from that BDII instead: its CEs, clusters and sites replace
    the top level's copy of them."""
    kept = [ce for ce in top.ces if not site_keys(ce) & answered.keys()]
    ces = kept + [ce for model in answered.values() for ce in model.ces]
    ces.sort(key=lambda ce: (ce.site.lower(), ce.unique_id, ce.dn.lower()))
    clusters = dict(top.clusters)
    for model in answered.values():
        clusters.update(model.clusters)
    sites = {name: None for name in top.sites}
    versions = {version: None for version in top.glue_versions}
    for model in answered.values():
        sites.update(dict.fromkeys(model.sites))
        versions.update(dict.fromkeys(model.glue_versions))
    return GlueModel(
        top.origin,
        tuple(ces),
        clusters,
        tuple(sites),
        top.partial,
        tuple(sorted(versions)),
    )


def pick_sites(selection: Selection, names: Sequence[str]) -> list[bool]:
    """Which of ``names`` (the sites listed) --site keeps; a pattern matching none of them
    is a UsageError naming the closest."""
    sites_only = Selection(sites=selection.sites)
    sites_only.require([(name, name) for name in names], "the list of site BDIIs")
    return [sites_only.keeps(name, name) for name in names]
