"""GLUE 1.3 (o=grid) into the model: GlueCE, GlueVOView, GlueCluster, GlueSubCluster, GlueSite."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from ..errors import InputError
from .dn import rdn_values, site_from_dn
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
    prefix = key.lower() + "="
    out = []
    for value in entry.values("glueforeignkey") + entry.values("gluechunkkey"):
        if value.lower().startswith(prefix):
            out.append(value[len(prefix) :].strip())
    return out


def _strip(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(map(str.strip, values))


class EntryCollector(Protocol):
    """Another GLUE version's entries into the same CEs (glue2.Glue2Collector)."""

    version: str

    def add(self, entry: Entry) -> bool: ...

    def ces(self) -> list[CE]: ...


_GLUE13_CLASSES = frozenset({"gluece", "gluevoview", "gluecluster", "gluesubcluster", "gluesite"})


class ModelBuilder:
    """Collects entries in any order, then joins them into a GlueModel."""

    def __init__(self, *others: EntryCollector) -> None:
        self._others = others
        self._versions: set[str] = set()
        self._ces: dict[str, Entry] = {}
        self._voviews: dict[str, dict[str, VOView]] = {}
        self._clusters: dict[str, Cluster] = {}
        self._rte: dict[str, list[str]] = {}
        self._sites: dict[str, str] = {}
        self._site_names: dict[str, None] = {}

    def add(self, entry: Entry) -> None:
        for other in self._others:
            if other.add(entry):
                self._versions.add(other.version)
                return
        classes = entry.objectclasses
        if not classes & _GLUE13_CLASSES:
            return
        self._versions.add("1.3")
        for cls, add in self._adders:
            if cls in classes:
                add(entry)
                return

    @property
    def _adders(self) -> tuple[tuple[str, Callable[[Entry], None]], ...]:
        # In this order: an entry of two classes is read as the first.
        return (
            ("gluece", self._add_ce),
            ("gluevoview", self._add_voview),
            ("gluecluster", self._add_cluster),
            ("gluesubcluster", self._add_subcluster),
            ("gluesite", self._add_site),
        )

    def _add_ce(self, entry: Entry) -> None:
        ce_id = (entry.first("glueceuniqueid") or "").strip()
        if not ce_id:
            raise InputError(f"GlueCE entry {entry.dn!r} has no GlueCEUniqueID")
        # Real top-level BDIIs carry a CE twice when two sites publish it; a CE is
        # its unique ID, so the first copy stands for it.
        self._ces.setdefault(ce_id, entry)

    def _add_voview(self, entry: Entry) -> None:
        ce_ids = _foreign(entry, "GlueCEUniqueID")
        parent = ce_ids[0] if ce_ids else _parent_value(entry.dn, "glueceuniqueid")
        if parent:
            view = VOView(
                local_id=(entry.first("gluevoviewlocalid") or "").strip(),
                rules=_strip(entry.values("glueceaccesscontrolbaserule")),
                capabilities=_strip(entry.values("gluececapability")),
                dn=entry.dn,
            )
            self._voviews.setdefault(parent, {}).setdefault(view.local_id, view)

    def _add_cluster(self, entry: Entry) -> None:
        cid = (entry.first("glueclusteruniqueid") or "").strip()
        if cid and cid not in self._clusters:
            sites = _foreign(entry, "GlueSiteUniqueID")
            self._clusters[cid] = Cluster(
                unique_id=cid,
                name=(entry.first("glueclustername") or cid).strip(),
                site_unique_id=sites[0] if sites else None,
            )

    def _add_subcluster(self, entry: Entry) -> None:
        parents = _foreign(entry, "GlueClusterUniqueID") or [
            _parent_value(entry.dn, "glueclusteruniqueid") or ""
        ]
        tags = _strip(entry.values("gluehostapplicationsoftwareruntimeenvironment"))
        self._rte.setdefault(parents[0], []).extend(tags)

    def _add_site(self, entry: Entry) -> None:
        sid = (entry.first("gluesiteuniqueid") or "").strip()
        name = (entry.first("gluesitename") or "").strip()
        if sid and name:
            self._sites.setdefault(sid, name)
            self._site_names[name] = None

    def build(self, origin: str, partial: str | None = None) -> GlueModel:
        clusters = {
            cid: Cluster(c.unique_id, c.name, c.site_unique_id, tuple(self._rte.get(cid, ())))
            for cid, c in self._clusters.items()
        }
        ces = []
        for entry in self._ces.values():
            ces.append(self._ce(entry, clusters))
        for other in self._others:
            ces.extend(other.ces())
        ces.sort(key=lambda ce: (ce.site.lower(), ce.unique_id))
        names = dict(self._site_names)
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

    def _ce(self, entry: Entry, clusters: dict[str, Cluster]) -> CE:
        ce_id = (entry.first("glueceuniqueid") or "").strip()
        cluster_ids = _foreign(entry, "GlueClusterUniqueID")
        cluster_id = cluster_ids[0] if cluster_ids else None
        if cluster_id is None and entry.first("gluecehostingcluster"):
            cluster_id = (entry.first("gluecehostingcluster") or "").strip()
        site = None
        cluster = clusters.get(cluster_id) if cluster_id else None
        if cluster and cluster.site_unique_id:
            site = self._sites.get(cluster.site_unique_id)
        if site is None:
            site = site_from_dn(entry.dn) or "(unknown site)"
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
            voviews=tuple(self._voviews.get(ce_id, {}).values()),
            cluster_id=cluster_id,
            site=site,
        )


def _parent_value(dn: str, attribute: str) -> str | None:
    found = rdn_values(dn, attribute)
    return found[0] if found else None
