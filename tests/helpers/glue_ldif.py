"""Builds schema-valid GLUE 1.3 LDIF (top-level BDII layout) for tests and the shipped sample."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

TOP = (
    "dn: o=grid\nobjectClass: organization\no: grid\n\n"
    "dn: Mds-Vo-name=local,o=grid\nobjectClass: MDS\nMds-Vo-name: local\n"
)


@dataclass
class CESpec:
    """One CE queue. ``capabilities`` go on the CE; ``view_capabilities`` on one VO's VOView."""

    queue: str
    vos: Sequence[str]
    state: str = "Production"
    capabilities: Sequence[str] = ("glexec",)
    view_capabilities: dict[str, Sequence[str]] = field(default_factory=dict)
    host: str | None = None
    rules: Sequence[str] | None = None  # raw access rules; default VO:<vo> per VO
    # Default: a CREAM CE's ID (ce_id); an OSG CE's is HOST:2119/jobmanager-LRMS-QUEUE.
    unique_id: str | None = None
    implementation: str = "CREAM"


@dataclass
class ClusterSpec:
    unique_id: str
    ces: Sequence[CESpec]
    runtime_environment: Sequence[str] = ("LCG-2", "GLITE-3_2_0")


@dataclass
class SiteSpec:
    name: str
    clusters: Sequence[ClusterSpec]
    unique_id: str | None = None

    @property
    def mds(self) -> str:
        return f"Mds-Vo-name={escape_dn(self.name)},Mds-Vo-name=local,o=grid"


def escape_dn(value: str) -> str:
    out = []
    for ch in value:
        if ch in ',+"\\<>;=':
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def ce_id(host: str, queue: str) -> str:
    return f"{host}:8443/cream-pbs-{queue}"


def _lines(dn: str, classes: Iterable[str], attrs: Iterable[tuple[str, str]]) -> str:
    out = [f"dn: {dn}"]
    out += [f"objectClass: {c}" for c in classes]
    out += [f"{k}: {v}" for k, v in attrs]
    return "\n".join(out) + "\n"


def site_ldif(site: SiteSpec) -> str:
    sid = site.unique_id or site.name
    parts = [
        _lines(site.mds, ["MDS"], [("Mds-Vo-name", site.name)]),
        _lines(
            f"GlueSiteUniqueID={escape_dn(sid)},{site.mds}",
            ["GlueTop", "GlueSite", "GlueKey", "GlueSchemaVersion"],
            [
                ("GlueSiteUniqueID", sid),
                ("GlueSiteName", site.name),
                ("GlueSiteDescription", "cecap test site"),
                ("GlueSchemaVersionMajor", "1"),
                ("GlueSchemaVersionMinor", "3"),
            ],
        ),
    ]
    for cluster in site.clusters:
        cdn = f"GlueClusterUniqueID={escape_dn(cluster.unique_id)},{site.mds}"
        ids = [ce.unique_id or ce_id(ce.host or cluster.unique_id, ce.queue) for ce in cluster.ces]
        parts.append(
            _lines(
                cdn,
                [
                    "GlueClusterTop",
                    "GlueCluster",
                    "GlueInformationService",
                    "GlueKey",
                    "GlueSchemaVersion",
                ],
                [("GlueClusterUniqueID", cluster.unique_id), ("GlueClusterName", cluster.unique_id)]
                + [("GlueForeignKey", f"GlueSiteUniqueID={sid}")]
                + [("GlueForeignKey", f"GlueCEUniqueID={i}") for i in ids]
                + [("GlueSchemaVersionMajor", "1"), ("GlueSchemaVersionMinor", "3")],
            )
        )
        parts.append(
            _lines(
                f"GlueSubClusterUniqueID={escape_dn(cluster.unique_id)},{cdn}",
                [
                    "GlueClusterTop",
                    "GlueSubCluster",
                    "GlueHostApplicationSoftware",
                    "GlueKey",
                    "GlueSchemaVersion",
                ],
                [
                    ("GlueSubClusterUniqueID", cluster.unique_id),
                    ("GlueChunkKey", f"GlueClusterUniqueID={cluster.unique_id}"),
                ]
                + [
                    ("GlueHostApplicationSoftwareRunTimeEnvironment", t)
                    for t in cluster.runtime_environment
                ]
                + [("GlueSchemaVersionMajor", "1"), ("GlueSchemaVersionMinor", "3")],
            )
        )
        for ce, uid in zip(cluster.ces, ids, strict=True):
            host = ce.host or cluster.unique_id
            rules = list(ce.rules) if ce.rules is not None else [f"VO:{vo}" for vo in ce.vos]
            cedn = f"GlueCEUniqueID={escape_dn(uid)},{site.mds}"
            parts.append(
                _lines(
                    cedn,
                    [
                        "GlueCETop",
                        "GlueCE",
                        "GlueCEAccessControlBase",
                        "GlueCEInfo",
                        "GlueCEPolicy",
                        "GlueCEState",
                        "GlueInformationService",
                        "GlueKey",
                        "GlueSchemaVersion",
                    ],
                    [
                        ("GlueCEUniqueID", uid),
                        ("GlueCEName", ce.queue),
                        ("GlueCEImplementationName", ce.implementation),
                        ("GlueCEInfoLRMSType", "pbs"),
                        ("GlueCEInfoHostName", host),
                        ("GlueCEHostingCluster", cluster.unique_id),
                        ("GlueCEStateStatus", ce.state),
                    ]
                    + [("GlueCEAccessControlBaseRule", r) for r in rules]
                    + [("GlueCECapability", c) for c in ce.capabilities]
                    + [
                        ("GlueForeignKey", f"GlueClusterUniqueID={cluster.unique_id}"),
                        ("GlueSchemaVersionMajor", "1"),
                        ("GlueSchemaVersionMinor", "3"),
                    ],
                )
            )
            for vo in ce.vos:
                caps = ce.view_capabilities.get(vo, ())
                parts.append(
                    _lines(
                        f"GlueVOViewLocalID={escape_dn(vo)},{cedn}",
                        [
                            "GlueCETop",
                            "GlueVOView",
                            "GlueCEInfo",
                            "GlueCEState",
                            "GlueCEAccessControlBase",
                            "GlueCEPolicy",
                            "GlueKey",
                            "GlueSchemaVersion",
                        ],
                        [("GlueVOViewLocalID", vo), ("GlueCEAccessControlBaseRule", f"VO:{vo}")]
                        + [("GlueCECapability", c) for c in caps]
                        + [
                            ("GlueChunkKey", f"GlueCEUniqueID={uid}"),
                            ("GlueSchemaVersionMajor", "1"),
                            ("GlueSchemaVersionMinor", "3"),
                        ],
                    )
                )
    return "\n".join(parts)


def simple_site(name: str, ces: Sequence[CESpec], host: str | None = None) -> SiteSpec:
    return SiteSpec(name, [ClusterSpec(host or f"ce01.{name.lower()}.example.org", ces)])


def bdii_ldif(sites: Iterable[SiteSpec]) -> str:
    return "\n".join([TOP, *(site_ldif(s) for s in sites)])
