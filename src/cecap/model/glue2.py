"""GLUE model step for GLUE 2.0: computing endpoints, shares and policies as the same CEs.

How GLUE 2.0 maps onto the GLUE 1.3 model the evaluation reads:

- a CE is a ``GLUE2ComputingEndpoint``; its shares (``GLUE2ComputingShare``, linked by
  their endpoint foreign keys, else every endpoint of their service) play the VOViews;
- the VOs it serves are the ``GLUE2PolicyRule`` values (``VO:atlas``, ``VOMS:/atlas/...``)
  of its ``GLUE2AccessPolicy`` (the CE's rules) and of its shares' ``GLUE2MappingPolicy``
  (the views' rules);
- its site is its service's ``GLUE2ServiceAdminDomainForeignKey``, else the innermost
  ``GLUE2DomainID`` of its DN;
- its batch system (GLUE 1.3's GlueCEInfoLRMSType, and the word a CREAM CE ID holds) is
  the ``GLUE2ManagerProductName`` of its service's ``GLUE2ComputingManager`` (linked by
  ``GLUE2ManagerServiceForeignKey``, else the GLUE2ServiceID of its DN), as glue2.yaml's
  ``batch_systems`` names it: ``Torque`` is ``pbs``. Managers naming one batch system give
  it; none, no product name, a name glue2.yaml does not list, or managers naming
  different batch systems give none, and the CE says why (``CE.lrms_note``);
- its state is the GLUE 1.3 word for ``GLUE2EndpointServingState`` (``production`` ->
  ``Production``, ``draining`` -> ``Draining``, ...) when ``GLUE2EndpointHealthState`` is
  ``ok`` or ``warning``; otherwise the word followed by the health, e.g.
  ``Production (health critical)``, which no experiment targets;
- GLUE 2.0 has no agreed value for glexec: which attributes and values count as
  advertising a capability is configuration (glue2.yaml, read into Glue2Rules).

With both trees, a CE published in both is counted once (model.select).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from urllib.parse import urlsplit

from ..errors import InputError
from ..policy.glue2_rules import Glue2Rules
from ..policy.strict_yaml import cap
from .dn import rdn_values
from .entry import Entry
from .glue import CE, GLUE13, GLUE20, VOView
from .glue13 import GLUE13_WANTED

# The same for GLUE 2.0 (under o=glue): a CE is a GLUE2ComputingEndpoint with its
# GLUE2ComputingShares, its VOs come from the policies' rules, its site from the service.
# glue2.yaml may name further attributes to look for a capability in (glue2.glue2_wanted).
GLUE2_WANTED: Mapping[str, tuple[str, ...]] = {
    "glue2computingendpoint": (
        "objectclass",
        "glue2endpointid",
        "glue2endpointurl",
        "glue2entityname",
        "glue2endpointimplementationname",
        "glue2endpointinterfacename",
        "glue2endpointservingstate",
        "glue2endpointhealthstate",
        "glue2endpointserviceforeignkey",
        "glue2endpointcapability",
        "glue2entityotherinfo",
    ),
    "glue2computingshare": (
        "objectclass",
        "glue2shareid",
        "glue2entityname",
        "glue2computingsharemappingqueue",
        "glue2shareserviceforeignkey",
        "glue2shareendpointforeignkey",
        "glue2computingsharecomputingendpointforeignkey",
        "glue2entityotherinfo",
    ),
    "glue2mappingpolicy": (
        "objectclass",
        "glue2policyid",
        "glue2policyrule",
        "glue2mappingpolicyshareforeignkey",
    ),
    "glue2accesspolicy": (
        "objectclass",
        "glue2policyid",
        "glue2policyrule",
        "glue2accesspolicyendpointforeignkey",
    ),
    "glue2computingservice": (
        "objectclass",
        "glue2serviceid",
        "glue2serviceadmindomainforeignkey",
    ),
    "glue2computingmanager": (
        "objectclass",
        "glue2managerid",
        "glue2managerproductname",
        "glue2managerserviceforeignkey",
        "glue2computingmanagercomputingserviceforeignkey",
    ),
}


_SERVING_WORDS = {
    "production": "Production",
    "draining": "Draining",
    "queueing": "Queueing",
    "closed": "Closed",
}
# "warning" is a degraded endpoint that still serves; critical/unknown/other are not.
_HEALTHY = frozenset({"ok", "warning"})
_HOST_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]*")


def wanted(
    versions: Sequence[str], rules: Glue2Rules, capabilities: Iterable[str] | None
) -> dict[str, tuple[str, ...]]:
    """Object classes and attributes a source must give for these GLUE versions and
    capabilities (None: any capability, as a snapshot keeps)."""
    out: dict[str, tuple[str, ...]] = {}
    if GLUE13 in versions:
        out.update(GLUE13_WANTED)
    if GLUE20 in versions:
        extra = rules.attributes(capabilities)
        for cls, attrs in GLUE2_WANTED.items():
            if cls in ("glue2computingendpoint", "glue2computingshare"):
                attrs = tuple(dict.fromkeys([*attrs, *extra]))
            out[cls] = attrs
    return out


def glue13_state(serving: str, health: str) -> str:
    """The GLUE 1.3 state word experiments' ``states`` compare with (see module doc)."""
    serving = serving.strip()
    health = health.strip()
    word = _SERVING_WORDS.get(serving.lower(), serving or "unpublished")
    if health.lower() in _HEALTHY:
        return word
    return f"{word} (health {health or 'unpublished'})"


def host_of(url: str, endpoint_id: str) -> str:
    """The CE host: from the endpoint URL, else the host name an endpoint ID starts with."""
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        host = None
    if host:
        return host
    found = _HOST_RE.match(endpoint_id.strip())
    return found.group(0) if found else endpoint_id.strip()


def _first(entry: Entry, name: str) -> str:
    return (entry.first(name) or "").strip()


def _all(entry: Entry, *names: str) -> list[str]:
    return [v.strip() for name in names for v in entry.values(name) if v.strip()]


class Glue2Collector:
    """Collects GLUE 2.0 entries (any order) and joins them into CEs."""

    version = GLUE20

    def __init__(self, rules: Glue2Rules, capabilities: Sequence[str]) -> None:
        self._matches = {c.strip().lower(): rules.matches_for(c) for c in capabilities}
        self._looked_at = {
            m.attribute.lower(): m.attribute for ms in self._matches.values() for m in ms
        }
        self._endpoints: dict[str, Entry] = {}
        self._shares: dict[str, Entry] = {}
        self._rules = rules
        self._services: dict[str, str] = {}
        # Service ID -> the GLUE2ManagerProductName of each of its managers ("" for none).
        self._managers: dict[str, list[str]] = {}
        self._manager_ids: set[tuple[str, ...]] = set()
        self._access: dict[str, list[str]] = {}
        self._mapping: dict[str, list[str]] = {}

    def add(self, entry: Entry) -> bool:
        """Take a GLUE 2.0 entry cecap reads; False for any other entry."""
        add = entry.of_class(_ADDERS)
        if add is None:
            return False
        add(self, entry)
        return True

    def _add_endpoint(self, entry: Entry) -> None:
        eid = _first(entry, "glue2endpointid")
        if not eid:
            raise InputError(f"GLUE2ComputingEndpoint entry {entry.dn!r} has no GLUE2EndpointID")
        # A top-level BDII may carry an endpoint twice; the first copy stands for it.
        self._endpoints.setdefault(eid, entry)

    def _add_share(self, entry: Entry) -> None:
        sid = _first(entry, "glue2shareid")
        if sid:
            self._shares.setdefault(sid, entry)

    def _add_mapping_policy(self, entry: Entry) -> None:
        for share in (
            _all(entry, "glue2mappingpolicyshareforeignkey")
            or rdn_values(entry.dn, "glue2shareid")[:1]
        ):
            self._mapping.setdefault(share, []).extend(_all(entry, "glue2policyrule"))

    def _add_access_policy(self, entry: Entry) -> None:
        for endpoint in (
            _all(entry, "glue2accesspolicyendpointforeignkey")
            or rdn_values(entry.dn, "glue2endpointid")[:1]
        ):
            self._access.setdefault(endpoint, []).extend(_all(entry, "glue2policyrule"))

    def _add_service(self, entry: Entry) -> None:
        service = _first(entry, "glue2serviceid")
        domain = _first(entry, "glue2serviceadmindomainforeignkey")
        if service and domain:
            self._services.setdefault(service, domain)

    def _add_manager(self, entry: Entry) -> None:
        services = (
            _all(
                entry,
                "glue2managerserviceforeignkey",
                "glue2computingmanagercomputingserviceforeignkey",
            )
            or rdn_values(entry.dn, "glue2serviceid")[:1]
        )
        mid = _first(entry, "glue2managerid")
        if mid:
            # A top-level BDII may carry a manager twice; one copy counts.
            key = (mid, *services)
            if key in self._manager_ids:
                return
            self._manager_ids.add(key)
        product = _first(entry, "glue2managerproductname")
        for service in dict.fromkeys(services):
            self._managers.setdefault(service, []).append(product)

    def _batch_system(self, services: Sequence[str]) -> tuple[str, str]:
        """The batch-system word of an endpoint's services' managers, or "" and why not."""
        products = [p for service in services for p in self._managers.get(service, ())]
        if not products:
            return "", "its service publishes no GLUE2ComputingManager"
        named = list(dict.fromkeys(p for p in products if p))
        if not named:
            return "", "its GLUE2ComputingManager publishes no GLUE2ManagerProductName"
        words = list(dict.fromkeys(w for p in named if (w := self._rules.batch_system(p))))
        if len(words) == 1:
            return words[0], ""
        # Shown as published, cut short: what prints it makes it safe (text.visible).
        shown = ", ".join(f"'{cap(p)}'" for p in named[:5])
        if not words:
            return "", (
                f"GLUE2ManagerProductName {shown} names no batch system cecap knows"
                " (glue2.yaml, batch_systems)"
            )
        return "", f"its GLUE2ComputingManagers name different batch systems ({shown})"

    def _published(self, entry: Entry) -> tuple[tuple[str, str], ...]:
        return tuple(
            (shown, value.strip())
            for name, shown in self._looked_at.items()
            for value in entry.values(name)
        )

    def _capabilities(self, entry: Entry) -> tuple[str, ...]:
        return tuple(
            capability
            for capability, matches in self._matches.items()
            if any(m.matches(v) for m in matches for v in entry.values(m.attribute.lower()))
        )

    def _shares_by_endpoint(self) -> dict[str, list[Entry]]:
        by_service: dict[str, list[str]] = {}
        for eid, entry in self._endpoints.items():
            for service in _all(entry, "glue2endpointserviceforeignkey"):
                by_service.setdefault(service, []).append(eid)
        out: dict[str, list[Entry]] = {}
        for share in self._shares.values():
            endpoints = _all(
                share,
                "glue2shareendpointforeignkey",
                "glue2computingsharecomputingendpointforeignkey",
            )
            if not endpoints:
                endpoints = [
                    e
                    for service in _all(share, "glue2shareserviceforeignkey")
                    for e in by_service.get(service, ())
                ]
            for eid in dict.fromkeys(endpoints):
                out.setdefault(eid, []).append(share)
        return out

    def ces(self) -> list[CE]:
        shares = self._shares_by_endpoint()
        out = []
        for eid, entry in self._endpoints.items():
            views = tuple(
                VOView(
                    local_id=_first(share, "glue2shareid"),
                    rules=tuple(self._mapping.get(_first(share, "glue2shareid"), ())),
                    capabilities=self._capabilities(share),
                    dn=share.dn,
                    published=self._published(share),
                    queue=_first(share, "glue2computingsharemappingqueue"),
                )
                for share in shares.get(eid, ())
            )
            site = None
            services = (
                _all(entry, "glue2endpointserviceforeignkey")
                or rdn_values(entry.dn, "glue2serviceid")[:1]
            )
            for service in services:
                site = self._services.get(service)
                if site:
                    break
            lrms, lrms_note = self._batch_system(services)
            if site is None:
                domains = rdn_values(entry.dn, "glue2domainid")
                site = domains[0] if domains else "(unknown site)"
            out.append(
                CE(
                    unique_id=eid,
                    dn=entry.dn,
                    name=_first(entry, "glue2entityname") or eid,
                    state=glue13_state(
                        _first(entry, "glue2endpointservingstate"),
                        _first(entry, "glue2endpointhealthstate"),
                    ),
                    implementation=_first(entry, "glue2endpointimplementationname")
                    or _first(entry, "glue2endpointinterfacename"),
                    lrms=lrms,
                    host=host_of(_first(entry, "glue2endpointurl"), eid),
                    rules=tuple(self._access.get(eid, ())),
                    capabilities=self._capabilities(entry),
                    voviews=views,
                    cluster_id=None,
                    site=site,
                    glue_version=GLUE20,
                    published=self._published(entry),
                    interface=_first(entry, "glue2endpointinterfacename"),
                    url=_first(entry, "glue2endpointurl"),
                    lrms_note=lrms_note,
                )
            )
        return out


# In this order: an entry of two classes is read as the first. Kept apart from the
# collector (a table of its bound methods would make each one a reference cycle, freed
# only by the cycle collector, with every entry it holds).
_ADDERS: dict[str, Callable[[Glue2Collector, Entry], None]] = {
    "glue2computingendpoint": Glue2Collector._add_endpoint,
    "glue2computingshare": Glue2Collector._add_share,
    "glue2mappingpolicy": Glue2Collector._add_mapping_policy,
    "glue2accesspolicy": Glue2Collector._add_access_policy,
    "glue2computingservice": Glue2Collector._add_service,
    "glue2computingmanager": Glue2Collector._add_manager,
}
