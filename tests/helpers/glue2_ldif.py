"""Builds schema-valid GLUE 2.0 LDIF (top-level BDII layout under o=glue) for tests."""

from __future__ import annotations

import base64
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
    # GLUE2ManagerProductName of each GLUE2ComputingManager of the endpoint's service, as
    # CREAM's info provider publishes YAIM's CE_BATCH_SYS; default: one "torque" manager
    # for a CREAM endpoint, none for any other.
    managers: Sequence[str] | None = None
    # Per VO, the queues of its shares; default: one share per VO whose queue is the VO.
    # An empty string is a share that publishes no GLUE2ComputingShareMappingQueue.
    queues: dict[str, Sequence[str]] = field(default_factory=dict)

    @property
    def manager_names(self) -> Sequence[str]:
        if self.managers is not None:
            return self.managers
        return ("torque",) if self.interface == "org.glite.ce.CREAM" else ()

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


def _value(name: str, value: str) -> str:
    # RFC 2849: a value that is not a safe string (a control or non-ASCII character, a
    # leading blank, colon or "<", a trailing blank) is written base64.
    safe = value.isascii() and value.isprintable() and not value.startswith((" ", ":", "<"))
    if safe and not value.endswith(" "):
        return f"{name}: {value}"
    return f"{name}:: {base64.b64encode(value.encode()).decode()}"


def _lines(dn: str, classes: Iterable[str], attrs: Iterable[tuple[str, str]]) -> str:
    out = [f"dn: {dn}"]
    out += [f"objectClass: {c}" for c in classes]
    out += [_value(k, v) for k, v in attrs]
    return "\n".join(out) + "\n"


def endpoint_dn(site: Site2Spec, ep: EndpointSpec) -> str:
    return f"GLUE2EndpointID={escape_dn(ep.endpoint_id)},{service_dn(site, ep)}"


def service_dn(site: Site2Spec, ep: EndpointSpec) -> str:
    return f"GLUE2ServiceID={escape_dn(ep.service_id)},{site.resource_dn}"


def share_dn(site: Site2Spec, ep: EndpointSpec, vo: str, n: int = 0) -> str:
    return f"GLUE2ShareID={escape_dn(share_id(ep, vo, n))},{service_dn(site, ep)}"


def share_id(ep: EndpointSpec, vo: str, n: int = 0) -> str:
    # The first share of a VO keeps the name it always had; further ones are numbered.
    return f"{vo}_{ep.host}_ComputingElement" + (f"_{n + 1}" if n else "")


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
        for i, product in enumerate(ep.manager_names):
            mid = f"{ep.service_id}_Manager" + (f"_{i + 1}" if i else "")
            parts.append(
                _lines(
                    f"GLUE2ManagerID={escape_dn(mid)},{sdn}",
                    ["GLUE2Manager", "GLUE2ComputingManager"],
                    [
                        ("GLUE2ManagerID", mid),
                        ("GLUE2EntityName", f"Computing Manager on {ep.host}"),
                        ("GLUE2ManagerProductName", product),
                        ("GLUE2ManagerProductVersion", "2.5.7"),
                        ("GLUE2ManagerServiceForeignKey", ep.service_id),
                        ("GLUE2ComputingManagerComputingServiceForeignKey", ep.service_id),
                    ],
                )
            )
        for vo in ep.vos:
            for n, queue in enumerate(ep.queues.get(vo, [vo])):
                sid = share_id(ep, vo, n)
                shdn = share_dn(site, ep, vo, n)
                mapping = [("GLUE2ComputingShareMappingQueue", queue)] if queue else []
                parts.append(
                    _lines(
                        shdn,
                        ["GLUE2Share", "GLUE2ComputingShare"],
                        [
                            ("GLUE2ShareID", sid),
                            ("GLUE2ShareServiceForeignKey", ep.service_id),
                            ("GLUE2ShareEndpointForeignKey", ep.endpoint_id),
                            ("GLUE2ComputingShareServingState", ep.serving),
                            *mapping,
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
