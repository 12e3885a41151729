"""GLUE 1.3 (o=grid) into the model: GlueCE, GlueVOView, GlueCluster, GlueSubCluster, GlueSite."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from ..errors import InputError
from .dn import first_rdn_value, site_from_dn, split_rdns
from .entry import Entry
from .glue import CE, Cluster, GlueModel, VOView

# Object classes cecap reads, each with the attributes it uses (lower-case, as keys of
# Entry.attrs).  Live searches ask for exactly these; the LDIF reader skips everything else.
GLUE13_WANTED: Mapping[str, tuple[str, ...]] = {
    "gluece": (
        "objectclass",
        "glueceuniqueid",
        "gluecename",
        "gluecestatestatus",
        "glueceimplementationname",
        "glueceinfolrmstype",
        "glueceinfohostname",
        "gluecehostingcluster",
        "glueceaccesscontrolbaserule",
        "gluececapability",
        "glueforeignkey",
    ),
    "gluevoview": (
        "objectclass",
        "gluevoviewlocalid",
        "gluechunkkey",
        "glueceaccesscontrolbaserule",
        "gluececapability",
    ),
    "gluecluster": (
        "objectclass",
        "glueclusteruniqueid",
        "glueclustername",
        "glueforeignkey",
    ),
    "gluesubcluster": (
        "objectclass",
        "gluesubclusteruniqueid",
        "gluechunkkey",
        "gluehostapplicationsoftwareruntimeenvironment",
    ),
    "gluesite": (
        "objectclass",
        "gluesiteuniqueid",
        "gluesitename",
    ),
}


def _foreign(entry: Entry, key: str) -> list[str]:
    """What the entry's GlueForeignKey and GlueChunkKey values name for ``key`` (in any
    case): ``GlueCEUniqueID=ce.example.org:8443/cream-pbs-q`` gives that CE's ID."""
    prefix = key.lower() + "="
    size = len(prefix)
    out = []
    for name in ("glueforeignkey", "gluechunkkey"):
        for value in entry.attrs.get(name, ()):
            if value[:size].lower() == prefix:
                out.append(value[size:].strip())
    return out


def view_ce_ids(entry: Entry) -> list[str]:
    """Every CE ID a GlueVOView entry can be joined to: those its GlueChunkKey names, and
    its parent RDN's (ModelBuilder joins it to the first that is published)."""
    parent = first_rdn_value(entry.dn, "glueceuniqueid")
    return [*_foreign(entry, "GlueCEUniqueID"), *([] if parent is None else [parent])]


def _strip(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(map(str.strip, values))


class EntryCollector(Protocol):
    """Another GLUE version's entries into the same CEs (glue2.Glue2Collector)."""

    version: str

    def add(self, entry: Entry) -> bool: ...

    def ces(self) -> list[CE]: ...


# The GLUE 1.3 classes cecap reads, as the schema spells them (entries carry them lower-case).
GLUE13_CLASS_NAMES: Mapping[str, str] = {
    name.lower(): name
    for name in ("GlueCE", "GlueVOView", "GlueCluster", "GlueSubCluster", "GlueSite")
}


class ModelBuilder:
    """Collects entries in any order, then joins them into a GlueModel."""

    def __init__(self, *others: EntryCollector) -> None:
        self._others = others
        self._versions: set[str] = set()
        # Keyed by (unique ID, site DN suffix): two sites publishing one CE are two CEs.
        self._ces: dict[tuple[str, str], Entry] = {}
        self._voviews: list[tuple[VOView, str, str, str]] = []  # view, parent, CE id, suffix
        self._clusters: dict[tuple[str, str], tuple[str, Cluster]] = {}
        self._rte: dict[tuple[str, str], list[tuple[str, list[str]]]] = {}
        self._sites: dict[tuple[str, str], str] = {}
        self._site_names: dict[str, None] = {}

    def add(self, entry: Entry) -> None:
        for other in self._others:
            if other.add(entry):
                self._versions.add(other.version)
                return
        add = entry.of_class(_ADDERS)
        if add is not None:
            self._versions.add("1.3")
            add(self, entry)

    def _add_ce(self, entry: Entry) -> None:
        ce_id = (entry.first("glueceuniqueid") or "").strip()
        if not ce_id:
            raise InputError(f"GlueCE entry {entry.dn!r} has no GlueCEUniqueID")
        # Real top-level BDIIs carry a CE twice when two sites publish it: each site's
        # copy is its own CE (audit: duplicate-ce).  Within one site the least DN stands.
        key = (ce_id, _site_suffix(entry.dn))
        held = self._ces.get(key)
        if held is None or _norm_dn(entry.dn) < _norm_dn(held.dn):
            self._ces[key] = entry

    def _add_voview(self, entry: Entry) -> None:
        ce_ids = _foreign(entry, "GlueCEUniqueID")
        ce_id = ce_ids[0] if ce_ids else first_rdn_value(entry.dn, "glueceuniqueid")
        view = VOView(
            local_id=(entry.first("gluevoviewlocalid") or "").strip(),
            rules=_strip(entry.values("glueceaccesscontrolbaserule")),
            capabilities=_strip(entry.values("gluececapability")),
            dn=entry.dn,
        )
        self._voviews.append((view, _norm_parent(entry.dn), ce_id or "", _site_suffix(entry.dn)))

    def _add_cluster(self, entry: Entry) -> None:
        cid = (entry.first("glueclusteruniqueid") or "").strip()
        if not cid:
            return
        key = (cid, _site_suffix(entry.dn))
        held = self._clusters.get(key)
        if held is None or _norm_dn(entry.dn) < held[0]:
            sites = _foreign(entry, "GlueSiteUniqueID")
            cluster = Cluster(
                unique_id=cid,
                name=(entry.first("glueclustername") or cid).strip(),
                site_unique_id=sites[0] if sites else None,
            )
            self._clusters[key] = (_norm_dn(entry.dn), cluster)

    def _add_subcluster(self, entry: Entry) -> None:
        parents = _foreign(entry, "GlueClusterUniqueID") or [
            first_rdn_value(entry.dn, "glueclusteruniqueid") or ""
        ]
        tags = list(_strip(entry.values("gluehostapplicationsoftwareruntimeenvironment")))
        key = (parents[0], _site_suffix(entry.dn))
        self._rte.setdefault(key, []).append((_norm_dn(entry.dn), tags))

    def _add_site(self, entry: Entry) -> None:
        sid = (entry.first("gluesiteuniqueid") or "").strip()
        name = (entry.first("gluesitename") or "").strip()
        if sid and name:
            key = (sid, _site_suffix(entry.dn))
            self._sites[key] = min(name, self._sites.get(key, name))
            self._site_names[name] = None

    def build(self, origin: str, partial: str | None = None) -> GlueModel:
        # Entries may come in any order: everything below is sorted, so the model is not.
        rte: dict[str, list[str]] = {}
        for (cid, _), subs in sorted(self._rte.items()):
            for _, tags in sorted(subs):
                rte.setdefault(cid, []).extend(tags)
        clusters: dict[str, Cluster] = {}
        for (cid, _), (_, c) in sorted(self._clusters.items()):
            if cid not in clusters:  # the copy of the least site suffix names it
                clusters[cid] = Cluster(cid, c.name, c.site_unique_id, tuple(rte.get(cid, ())))
        views = self._views_by_ce()
        ces = [self._ce(k, e, clusters, views.get(k, ())) for k, e in self._ces.items()]
        for other in self._others:
            ces.extend(other.ces())
        ces.sort(key=lambda ce: (ce.site.lower(), ce.unique_id, _norm_dn(ce.dn)))
        names = {n: None for n in sorted(self._site_names)}
        for ce in ces:
            names.setdefault(ce.site, None)
        return GlueModel(
            origin=origin,
            ces=tuple(ces),
            clusters=clusters,
            sites=tuple(sorted(names, key=str.lower)),
            partial=partial,
            glue_versions=tuple(sorted(self._versions)),
        )

    def _views_by_ce(self) -> dict[tuple[str, str], tuple[VOView, ...]]:
        """Each VOView to the CE entry that is its parent, else to the CE its GlueChunkKey
        names in the same site subtree, else to the only CE of that ID (none if several)."""
        by_dn = {_norm_dn(entry.dn): key for key, entry in self._ces.items()}
        copies: dict[str, list[tuple[str, str]]] = {}
        for key in self._ces:
            copies.setdefault(key[0], []).append(key)
        out: dict[tuple[str, str], dict[str, VOView]] = {}
        for view, parent, ce_id, suffix in sorted(
            self._voviews, key=lambda v: (v[0].local_id, _norm_dn(v[0].dn), v[0].dn)
        ):
            found = by_dn.get(parent)
            if found is None and (ce_id, suffix) in self._ces:
                found = (ce_id, suffix)
            if found is None and len(copies.get(ce_id, ())) == 1:
                found = copies[ce_id][0]
            if found is not None:
                out.setdefault(found, {}).setdefault(view.local_id, view)
        return {key: tuple(v.values()) for key, v in out.items()}

    def _site_of(self, sid: str, suffix: str) -> str | None:
        """The site name of a GlueSiteUniqueID, from the same site subtree if published."""
        if (sid, suffix) in self._sites:
            return self._sites[(sid, suffix)]
        named = sorted((s, n) for (i, s), n in self._sites.items() if i == sid)
        return named[0][1] if named else None

    def _ce(
        self,
        key: tuple[str, str],
        entry: Entry,
        clusters: dict[str, Cluster],
        voviews: tuple[VOView, ...],
    ) -> CE:
        ce_id, suffix = key
        cluster_ids = _foreign(entry, "GlueClusterUniqueID")
        cluster_id = cluster_ids[0] if cluster_ids else None
        if cluster_id is None and entry.first("gluecehostingcluster"):
            cluster_id = (entry.first("gluecehostingcluster") or "").strip()
        site = None
        cluster = None
        if cluster_id:
            own = self._clusters.get((cluster_id, suffix))
            cluster = own[1] if own else clusters.get(cluster_id)
        if cluster and cluster.site_unique_id:
            site = self._site_of(cluster.site_unique_id, suffix)
        if site is None:
            site = site_from_dn(entry.dn)
        if site is None and cluster and cluster.site_unique_id:
            # A resource BDII (Mds-Vo-name=resource,o=grid) holds no GlueSite entry: the
            # cluster's GlueForeignKey is all that names the site, by its unique ID.
            site = cluster.site_unique_id
        if site is None:
            site = "(unknown site)"
        host = (
            entry.first("glueceinfohostname") or ce_id.split(":", 1)[0].split("/", 1)[0]
        ).strip()
        return CE(
            unique_id=ce_id,
            dn=entry.dn,
            name=(entry.first("gluecename") or "").strip(),
            state=(entry.first("gluecestatestatus") or "").strip(),
            implementation=(entry.first("glueceimplementationname") or "").strip(),
            lrms=(entry.first("glueceinfolrmstype") or "").strip(),
            host=host,
            rules=_strip(entry.values("glueceaccesscontrolbaserule")),
            capabilities=_strip(entry.values("gluececapability")),
            voviews=voviews,
            cluster_id=cluster_id,
            site=site,
        )


# What _norm_rdn would remove or split_rdns read as an escape: whitespace (as str.strip
# sees it: re's \s is the same set) and the backslash. Nearly every BDII DN has neither.
_BLANK_OR_ESCAPE = re.compile(r"[\s\\]")


# In this order: an entry of two classes is read as the first. Kept apart from the builder
# (a table of its bound methods would make each builder a reference cycle, freed only by
# the cycle collector, with every entry it holds).
_ADDERS: dict[str, Callable[[ModelBuilder, Entry], None]] = {
    "gluece": ModelBuilder._add_ce,
    "gluevoview": ModelBuilder._add_voview,
    "gluecluster": ModelBuilder._add_cluster,
    "gluesubcluster": ModelBuilder._add_subcluster,
    "gluesite": ModelBuilder._add_site,
}


def _plain(dn: str) -> bool:
    """Without blanks and escapes (see _BLANK_OR_ESCAPE), as nearly every BDII DN is: in
    printable ASCII, only the space is a blank; str's own tests are quicker than a regex."""
    if dn.isascii() and dn.isprintable():
        return " " not in dn and "\\" not in dn
    return not _BLANK_OR_ESCAPE.search(dn)


def _norm_dn(dn: str) -> str:
    """A DN for comparing: RDNs without blanks around them or their ``=``, lower-case."""
    if _plain(dn):
        return dn.lower()
    return ",".join(_norm_rdns(dn))


def _norm_parent(dn: str) -> str:
    """The parent's DN (without the first RDN) as _norm_dn gives it."""
    if _plain(dn):
        lowered = dn.lower()
        return lowered[lowered.find(",") + 1 :] if "," in lowered else ""
    return ",".join(_norm_rdns(dn)[1:])


def _norm_rdns(dn: str) -> list[str]:
    if _plain(dn):
        return dn.lower().split(",")
    return [_norm_rdn(r) for r in split_rdns(dn)]


def _norm_rdn(rdn: str) -> str:
    name, sep, value = rdn.partition("=")
    return f"{name.strip()}{sep}{value.strip()}".lower()


def _site_suffix(dn: str) -> str:
    """The site subtree an entry is in: its DN from the innermost Mds-Vo-name RDN out."""
    if not _plain(dn):
        rdns = _norm_rdns(dn)
        for i, rdn in enumerate(rdns):
            if rdn.partition("=")[0] == "mds-vo-name":
                return ",".join(rdns[i:])
        return ""
    # Without blanks and escapes, each RDN is between commas as written.
    lowered = "," + dn.lower()
    at = lowered.find(",mds-vo-name")
    while at >= 0:
        end = at + len(",mds-vo-name")
        if end == len(lowered) or lowered[end] in "=,":
            return lowered[at + 1 :]
        at = lowered.find(",mds-vo-name", end)
    return ""
