"""Snapshot writer: the GLUE 1.3 and 2.0 entries cecap reads, as LDIF that ldapadd accepts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..model.dn import split_rdns, unescape
from ..model.entry import Entry
from ..model.glue import GLUE13, GLUE20
from ..model.glue2 import GLUE2_WANTED
from ..model.glue2 import wanted as glue_wanted
from ..model.glue13 import GLUE13_CLASS_NAMES, GLUE13_WANTED
from ..policy.glue2_rules import Glue2Rules
from ..rows.ldif import value_line
from ..text import stamp
from .output import write_atomically

# What a GLUE 1.3 snapshot asks for: what cecap reads, plus the attributes the
# GlueSchemaVersion class requires (MUST), so that a BDII accepts the entries back.
SNAPSHOT_WANTED: dict[str, tuple[str, ...]] = {
    cls: (*attrs, "glueschemaversionmajor", "glueschemaversionminor")
    for cls, attrs in GLUE13_WANTED.items()
}

# The GLUE 2.0 classes cecap reads, as written (superclass first) when the source kept no
# objectClass values; the superclasses' MUST attributes apply too.
_GLUE2_CLASSES: dict[str, tuple[str, ...]] = {
    "glue2computingendpoint": ("GLUE2Endpoint", "GLUE2ComputingEndpoint"),
    "glue2computingshare": ("GLUE2Share", "GLUE2ComputingShare"),
    "glue2mappingpolicy": ("GLUE2Policy", "GLUE2MappingPolicy"),
    "glue2accesspolicy": ("GLUE2Policy", "GLUE2AccessPolicy"),
    "glue2computingservice": ("GLUE2Service", "GLUE2ComputingService"),
    "glue2computingmanager": ("GLUE2Manager", "GLUE2ComputingManager"),
}

# MUST attributes of the GLUE 2.0 classes a snapshot writes (GLUE20.schema).
_GLUE2_MUST: dict[str, tuple[str, ...]] = {
    "glue2group": ("glue2groupid",),
    "glue2domain": ("glue2domainid",),
    "glue2admindomain": (),
    "glue2service": (
        "glue2serviceid",
        "glue2servicetype",
        "glue2servicequalitylevel",
        "glue2serviceadmindomainforeignkey",
    ),
    "glue2computingservice": (),
    "glue2endpoint": (
        "glue2endpointid",
        "glue2endpointurl",
        "glue2endpointinterfacename",
        "glue2endpointqualitylevel",
        "glue2endpointhealthstate",
        "glue2endpointservingstate",
        "glue2endpointserviceforeignkey",
    ),
    "glue2computingendpoint": (),
    "glue2share": ("glue2shareid", "glue2shareserviceforeignkey"),
    "glue2computingshare": ("glue2computingshareservingstate",),
    "glue2policy": ("glue2policyid", "glue2policyscheme", "glue2policyrule"),
    "glue2accesspolicy": ("glue2accesspolicyendpointforeignkey",),
    "glue2mappingpolicy": ("glue2mappingpolicyshareforeignkey",),
    "glue2manager": (
        "glue2managerid",
        "glue2managerproductname",
        "glue2managerserviceforeignkey",
    ),
    "glue2computingmanager": (),
}

# Stands in for a required GLUE 2.0 attribute that cecap never reads (a quality level, a
# policy scheme, a service type, a share's serving state) when the source did not give it
# (a hand-made LDIF): the schema wants a value, and none of cecap's answers depend on it.
# A required attribute cecap does read is never made up: such an entry is left out.
PLACEHOLDER = "unknown"


def _glue2_required(kind: str) -> tuple[str, ...]:
    """The attributes GLUE20.schema requires of an entry of this wanted class."""
    return tuple(dict.fromkeys(a for c in _GLUE2_CLASSES[kind] for a in _GLUE2_MUST[c.lower()]))


def snapshot_wanted(versions: Sequence[str], rules: Glue2Rules) -> dict[str, tuple[str, ...]]:
    """What a snapshot of these GLUE versions asks for: what cecap reads, for any
    capability glue2.yaml can look for, plus what the schema requires of each entry."""
    out: dict[str, tuple[str, ...]] = {}
    if GLUE13 in versions:
        out.update(SNAPSHOT_WANTED)
    if GLUE20 in versions:
        for cls, attrs in glue_wanted([GLUE20], rules, None).items():
            out[cls] = tuple(dict.fromkeys([*attrs, *_glue2_required(cls)]))
    return out


# Auxiliary classes whose required attributes a snapshot may not hold (a source that
# never published them): the class is left out rather than writing an entry the schema
# refuses.
_AUX_MUST = {
    "glueschemaversion": ("glueschemaversionmajor", "glueschemaversionminor"),
    "glueceaccesscontrolbase": ("glueceaccesscontrolbaserule",),
}

# Attribute names as the GLUE 1.3 schema spells them (entries carry them lower-case).
_NAMES = {
    name.lower(): name
    for name in (
        "objectClass",
        "o",
        "Mds-Vo-name",
        "GlueCEUniqueID",
        "GlueCEName",
        "GlueCEStateStatus",
        "GlueCEImplementationName",
        "GlueCEInfoLRMSType",
        "GlueCEInfoHostName",
        "GlueCEHostingCluster",
        "GlueCEAccessControlBaseRule",
        "GlueCECapability",
        "GlueForeignKey",
        "GlueVOViewLocalID",
        "GlueChunkKey",
        "GlueClusterUniqueID",
        "GlueClusterName",
        "GlueSubClusterUniqueID",
        "GlueHostApplicationSoftwareRunTimeEnvironment",
        "GlueSiteUniqueID",
        "GlueSiteName",
        "GlueSchemaVersionMajor",
        "GlueSchemaVersionMinor",
        "GLUE2GroupID",
        "GLUE2DomainID",
        "GLUE2EntityName",
        "GLUE2EntityOtherInfo",
        "GLUE2ServiceID",
        "GLUE2ServiceType",
        "GLUE2ServiceQualityLevel",
        "GLUE2ServiceAdminDomainForeignKey",
        "GLUE2EndpointID",
        "GLUE2EndpointURL",
        "GLUE2EndpointCapability",
        "GLUE2EndpointInterfaceName",
        "GLUE2EndpointImplementationName",
        "GLUE2EndpointQualityLevel",
        "GLUE2EndpointHealthState",
        "GLUE2EndpointServingState",
        "GLUE2EndpointServiceForeignKey",
        "GLUE2ShareID",
        "GLUE2ShareServiceForeignKey",
        "GLUE2ShareEndpointForeignKey",
        "GLUE2ComputingShareMappingQueue",
        "GLUE2ComputingShareServingState",
        "GLUE2ComputingShareComputingEndpointForeignKey",
        "GLUE2PolicyID",
        "GLUE2PolicyScheme",
        "GLUE2PolicyRule",
        "GLUE2AccessPolicyEndpointForeignKey",
        "GLUE2MappingPolicyShareForeignKey",
        "GLUE2ManagerID",
        "GLUE2ManagerProductName",
        "GLUE2ManagerServiceForeignKey",
        "GLUE2ComputingManagerComputingServiceForeignKey",
    )
}

# The structural classes of GLUE13_WANTED as the schema spells them.
_STRUCTURAL = GLUE13_CLASS_NAMES

# The one place that knows each tree's layout above the entries cecap reads: the parents
# made from their DN alone, by the attribute of their RDN. GLUE 1.3: o=grid and the
# Mds-Vo-name levels. GLUE 2.0, as a top-level BDII nests a site's entries
# (...,GLUE2GroupID=resource,GLUE2DomainID=SITE,GLUE2GroupID=grid,o=glue): o=glue, the
# groups and the site's admin domain. Any other missing parent (a CE, a service, an
# endpoint, a share) is an entry cecap reads: its children are left out, not made up.
_SYNTHETIC_PARENTS: dict[str, tuple[str, ...]] = {
    "o": ("organization",),
    "mds-vo-name": ("MDS",),
    "glue2groupid": ("GLUE2Group",),
    "glue2domainid": ("GLUE2Domain", "GLUE2AdminDomain"),
}

_WIDTH = 76  # LDIF lines are folded at this width (RFC 2849 allows any; 76 is customary)


@dataclass(frozen=True)
class SnapshotResult:
    """What was written: entry counts; the entries left out because their parent was missing
    (``dropped``) or, in GLUE 2.0, a required attribute cecap reads (``incomplete``, as
    "DN (no ATTRIBUTE)")."""

    path: Path
    entries: int
    ces: int
    parents_added: int
    dropped: tuple[str, ...]
    endpoints: int = 0  # GLUE 2.0 computing endpoints
    incomplete: tuple[str, ...] = ()
    placeholders: int = 0  # entries given PLACEHOLDER values


def write_snapshot(
    path: Path | str,
    entries: Iterable[Entry],
    *,
    source: str,
    partial: str | None = None,
    now: datetime | None = None,
) -> SnapshotResult:
    """Write ``entries`` to ``path`` (gzip when it ends in .gz), replacing it atomically.

    Parents come before children, and the non-GLUE parents (``o=grid``,
    ``Mds-Vo-name=...``) are added, so ``ldapadd -c`` loads the file into an empty BDII.
    A ``partial`` answer is written with an ``ldapsearch``-style result trailer that
    marks it, so reading the file back reports it partial too.
    """
    path = Path(path)
    incomplete: list[str] = []
    placeholders = 0

    def schema_complete() -> Iterator[Entry]:
        nonlocal placeholders
        for entry in entries:
            completed, made_up, lacking = _with_required(entry)
            if lacking:
                names = ", ".join(_NAMES.get(a, a) for a in lacking)
                incomplete.append(f"{entry.dn} (no {names})")
                continue
            placeholders += bool(made_up)
            yield completed

    ordered, parents_added, dropped = _complete_tree(schema_complete())
    when = stamp(now or datetime.now(UTC))
    header = [
        "version: 1",
        "",
        f"# cecap snapshot of {_comment(source)} at {when}: the GLUE entries and",
        "# attributes cecap reads. Load into a BDII with ldapadd -c, once per tree",
        "# bound as its rootdn (o=grid, or o=shadow on a top-level BDII; o=glue), or",
        "# read with cecap report --bdii FILE.",
    ]
    if placeholders:
        header += [
            f"# '{PLACEHOLDER}' stands for values the GLUE 2.0 schema requires that the",
            f"# source did not give ({placeholders} entries; cecap does not read them).",
        ]
    header.append("")

    def lines() -> Iterator[str]:
        yield "\n".join(header) + "\n"
        for entry in ordered:
            yield _entry_ldif(entry)
        if partial:
            yield f"# search result\n# partial: {_comment(partial)}\nsearch: 2\n"
            # 11 adminLimitExceeded: the server stopped at one of its limits.
            yield f"result: 11 {_comment(partial)}\n\n"
        yield f"# numEntries: {len(ordered)}\n"

    write_atomically(path, lines())
    ces = sum(1 for e in ordered if "gluece" in e.objectclasses)
    endpoints = sum(1 for e in ordered if "glue2computingendpoint" in e.objectclasses)
    return SnapshotResult(
        path,
        len(ordered),
        ces,
        parents_added,
        tuple(dropped),
        endpoints=endpoints,
        incomplete=tuple(incomplete),
        placeholders=placeholders,
    )


def _comment(text: str) -> str:
    return " ".join(text.split())


# --- tree order and parents ---


def _key(rdns: list[str]) -> str:
    return ",".join("=".join(side.strip() for side in rdn.split("=", 1)).lower() for rdn in rdns)


def _complete_tree(entries: Iterable[Entry]) -> tuple[list[Entry], int, list[str]]:
    by_key: dict[str, tuple[list[str], Entry]] = {}
    for entry in entries:
        rdns = split_rdns(entry.dn)
        by_key.setdefault(_key(rdns), (rdns, entry))
    present = set(by_key)
    added: dict[str, tuple[list[str], Entry]] = {}
    dropped: list[str] = []
    for key, (rdns, entry) in sorted(by_key.items(), key=lambda item: len(item[1][0])):
        for depth in range(len(rdns) - 1, 0, -1):
            parent = rdns[depth:]
            parent_key = _key(parent)
            if parent_key in present:
                continue
            name, _, value = parent[0].partition("=")
            objectclasses = _SYNTHETIC_PARENTS.get(name.strip().lower())
            if objectclasses is None:
                dropped.append(entry.dn)
                present.discard(key)
                break
            attr = _NAMES[name.strip().lower()]
            made = Entry(
                ",".join(parent), {"objectclass": objectclasses, attr.lower(): (unescape(value),)}
            )
            added[parent_key] = (parent, made)
            present.add(parent_key)
    kept = [item for key, item in by_key.items() if key in present]
    everything = [*added.values(), *kept]
    # One tree after the other (o=glue, o=grid), each parents first: a BDII takes each
    # tree bound as its own rootdn, so a reader can split the file where the tree changes.
    everything.sort(key=lambda item: (_key(item[0][-1:]), len(item[0]), _key(item[0])))
    return [entry for _, entry in everything], len(added), dropped


# --- what the schema requires ---


def _glue2_kind(entry: Entry) -> str | None:
    return next((c for c in sorted(entry.objectclasses) if c in _GLUE2_CLASSES), None)


def _with_required(entry: Entry) -> tuple[Entry, tuple[str, ...], tuple[str, ...]]:
    """A GLUE 2.0 entry with PLACEHOLDER for each required attribute cecap does not read
    and the source did not give; then the names so made up, and the required attributes
    cecap reads that the entry lacks (it cannot be written). Other entries pass as they are.
    """
    kind = _glue2_kind(entry)
    if kind is None:
        return entry, (), ()
    missing = [a for a in _glue2_required(kind) if not any(v.strip() for v in entry.values(a))]
    lacking = tuple(a for a in missing if a in GLUE2_WANTED[kind])
    made_up = tuple(a for a in missing if a not in GLUE2_WANTED[kind])
    if lacking or not made_up:
        return entry, (), lacking
    attrs = {**entry.attrs, **{a: (PLACEHOLDER,) for a in made_up}}
    return Entry(entry.dn, attrs, entry.kind), made_up, ()


# --- LDIF text ---


def object_classes(entry: Entry) -> list[str]:
    """The objectClass values to write: the entry's own, less auxiliary classes whose
    required attributes it lacks; for a source that did not keep them (an LDIF reader
    that only noted the class), the structural class and the auxiliary classes its
    attributes need.
    """
    present = {k for k, v in entry.attrs.items() if v}
    own = entry.values("objectclass")
    kind = _glue2_kind(entry)
    if not own and kind:
        own = _GLUE2_CLASSES[kind]
    elif not own:
        own = tuple(_STRUCTURAL.get(c, c) for c in sorted(entry.objectclasses))
        if present & {"glueforeignkey", "gluechunkkey"}:
            own += ("GlueKey",)
        own += ("GlueSchemaVersion",)
    return [
        value
        for value in own
        if all(n in present for n in _AUX_MUST.get(value.strip().lower(), ()))
    ]


def _entry_ldif(entry: Entry) -> str:
    out = [_line("dn", entry.dn)]
    attrs = entry.attrs
    out.extend(_line("objectClass", value) for value in object_classes(entry))
    for key, values in attrs.items():
        if key == "objectclass":
            continue
        name = _NAMES.get(key, key)
        out.extend(_line(name, value) for value in values)
    return "\n".join(out) + "\n\n"


def _line(name: str, value: str) -> str:
    text = value_line(name, value)
    if len(text) <= _WIDTH:
        return text
    chunks = [text[:_WIDTH]]
    chunks += [" " + text[i : i + _WIDTH - 1] for i in range(_WIDTH, len(text), _WIDTH - 1)]
    return "\n".join(chunks)
