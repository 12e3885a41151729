"""What every information-system source yields: GLUE entries, and which of them cecap reads."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

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
}


@dataclass(frozen=True, slots=True)
class Entry:
    """One directory entry: its DN and its values, keyed by lower-case attribute name."""

    dn: str
    attrs: Mapping[str, tuple[str, ...]]
    # The wanted object class (lower-case) when the source already knows it, as a reader
    # that matched it or searched for it does; else it is found from the objectClass values.
    kind: str = ""

    def values(self, name: str) -> tuple[str, ...]:
        return self.attrs.get(name, ())

    def first(self, name: str) -> str | None:
        found = self.attrs.get(name)
        return found[0] if found else None

    @property
    def objectclasses(self) -> frozenset[str]:
        if self.kind:
            return frozenset((self.kind,))
        return frozenset(v.strip().lower() for v in self.values("objectclass"))


class Reader(Protocol):
    """A source of GLUE entries: an LDIF snapshot or a live BDII.

    ``partial`` is read after ``entries()`` is exhausted: ``None`` when the source gave
    everything, else why it did not (size limit, lost connection, ...).
    """

    origin: str
    partial: str | None

    def entries(self) -> Iterator[Entry]: ...
