"""Builds schema-valid GLUE 2.0 LDIF (top-level BDII layout under o=glue) for tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from helpers.glue_ldif import escape_dn

TOP = (
    "dn: o=glue\nobjectClass: organization\no: glue\n\n"
    "dn: GLUE2GroupID=grid,o=glue\nobjectClass: GLUE2Group\nGLUE2GroupID: grid\n"
)
# What a CREAM CE publishes besides anything about glexec: never counted as glexec.
JOB_EXECUTION = "executionmanagement.jobexecution"


@dataclass
class EndpointSpec:
    """One computing endpoint with one share per VO.

    ``capabilities`` are GLUE2EndpointCapability values besides job execution;
    ``other_info`` goes in the endpoint's GLUE2EntityOtherInfo; ``share_other_info`` in
    one VO's share.
    """

    host: str
    vos: Sequence[str]
    serving: str = "production"
    health: str = "ok"
    capabilities: Sequence[str] = ("glexec",)
    other_info: Sequence[str] = ()
    share_other_info: dict[str, Sequence[str]] = field(default_factory=dict)
    rules: Sequence[str] | None = None  # access policy rules; default VO:<vo> per VO
    interface: str = "org.glite.ce.CREAM"
    implementation: str = "CREAM"
    url: str | None = None  # default: CREAM's https://HOST:8443/ce-cream/services

    @property
    def service_id(self) -> str:
        return f"{self.host}_ComputingElement"

    @property
    def endpoint_id(self) -> str:
        return f"{self.host}_{self.interface}"


@dataclass
class Site2Spec:
    name: str
    endpoints: Sequence[EndpointSpec]

    @property
    def domain_dn(self) -> str:
        return f"GLUE2DomainID={escape_dn(self.name)},GLUE2GroupID=grid,o=glue"

    @property
    def resource_dn(self) -> str:
        return f"GLUE2GroupID=resource,{self.domain_dn}"


def _lines(dn: str, classes: Iterable[str], attrs: Iterable[tuple[str, str]]) -> str:
    out = [f"dn: {dn}"]
    out += [f"objectClass: {c}" for c in classes]
    out += [f"{k}: {v}" for k, v in attrs]
    return "\n".join(out) + "\n"


def endpoint_dn(site: Site2Spec, ep: EndpointSpec) -> str:
    return f"GLUE2EndpointID={escape_dn(ep.endpoint_id)},{service_dn(site, ep)}"


def service_dn(site: Site2Spec, ep: EndpointSpec) -> str:
    return f"GLUE2ServiceID={escape_dn(ep.service_id)},{site.resource_dn}"


def share_dn(site: Site2Spec, ep: EndpointSpec, vo: str) -> str:
    return f"GLUE2ShareID={escape_dn(share_id(ep, vo))},{service_dn(site, ep)}"


def share_id(ep: EndpointSpec, vo: str) -> str:
    return f"{vo}_{ep.host}_ComputingElement"


def site2_ldif(site: Site2Spec) -> str:
    parts = [
        _lines(
            site.domain_dn,
            ["GLUE2Domain", "GLUE2AdminDomain"],
            [("GLUE2DomainID", site.name), ("GLUE2EntityName", site.name)],
        ),
        _lines(site.resource_dn, ["GLUE2Group"], [("GLUE2GroupID", "resource")]),
    ]
    for ep in site.endpoints:
        sdn = service_dn(site, ep)
        edn = endpoint_dn(site, ep)
        parts.append(
            _lines(
                sdn,
                ["GLUE2Service", "GLUE2ComputingService"],
                [
                    ("GLUE2ServiceID", ep.service_id),
                    ("GLUE2ServiceType", "org.glite.ce.CREAM"),
                    ("GLUE2ServiceQualityLevel", "production"),
                    ("GLUE2ServiceAdminDomainForeignKey", site.name),
                ],
            )
        )
        parts.append(
            _lines(
                edn,
                ["GLUE2Endpoint", "GLUE2ComputingEndpoint"],
                [
                    ("GLUE2EndpointID", ep.endpoint_id),
                    ("GLUE2EntityName", ep.endpoint_id),
                    ("GLUE2EndpointURL", ep.url or f"https://{ep.host}:8443/ce-cream/services"),
                    ("GLUE2EndpointInterfaceName", ep.interface),
                    ("GLUE2EndpointImplementationName", ep.implementation),
                    ("GLUE2EndpointQualityLevel", "production"),
                    ("GLUE2EndpointHealthState", ep.health),
                    ("GLUE2EndpointServingState", ep.serving),
                    ("GLUE2EndpointServiceForeignKey", ep.service_id),
                    ("GLUE2ComputingEndpointComputingServiceForeignKey", ep.service_id),
                    ("GLUE2EndpointCapability", JOB_EXECUTION),
                ]
                + [("GLUE2EndpointCapability", c) for c in ep.capabilities]
                + [("GLUE2EntityOtherInfo", v) for v in ep.other_info],
            )
        )
        rules = list(ep.rules) if ep.rules is not None else [f"VO:{vo}" for vo in ep.vos]
        if rules:
            pid = f"{ep.endpoint_id}_Policy"
            parts.append(
                _lines(
                    f"GLUE2PolicyID={escape_dn(pid)},{edn}",
                    ["GLUE2Policy", "GLUE2AccessPolicy"],
                    [("GLUE2PolicyID", pid), ("GLUE2PolicyScheme", "org.glite.standard")]
                    + [("GLUE2PolicyRule", r) for r in rules]
                    + [("GLUE2AccessPolicyEndpointForeignKey", ep.endpoint_id)],
                )
            )
        for vo in ep.vos:
            sid = share_id(ep, vo)
            shdn = share_dn(site, ep, vo)
            parts.append(
                _lines(
                    shdn,
                    ["GLUE2Share", "GLUE2ComputingShare"],
                    [
                        ("GLUE2ShareID", sid),
                        ("GLUE2ShareServiceForeignKey", ep.service_id),
                        ("GLUE2ShareEndpointForeignKey", ep.endpoint_id),
                        ("GLUE2ComputingShareServingState", ep.serving),
                        ("GLUE2ComputingShareMappingQueue", vo),
                    ]
                    + [("GLUE2EntityOtherInfo", v) for v in ep.share_other_info.get(vo, ())],
                )
            )
            pid = f"{sid}_Policy"
            parts.append(
                _lines(
                    f"GLUE2PolicyID={escape_dn(pid)},{shdn}",
                    ["GLUE2Policy", "GLUE2MappingPolicy"],
                    [
                        ("GLUE2PolicyID", pid),
                        ("GLUE2PolicyScheme", "org.glite.standard"),
                        ("GLUE2PolicyRule", f"VO:{vo}"),
                        ("GLUE2MappingPolicyShareForeignKey", sid),
                    ],
                )
            )
    return "\n".join(parts)


def glue2_ldif(sites: Iterable[Site2Spec]) -> str:
    return "\n".join([TOP, *(site2_ldif(s) for s in sites)])
