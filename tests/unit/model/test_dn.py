"""The DN splitter: the fast path for DNs without escapes splits as the general one does."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cecap.model.dn import (
    first_rdn_value,
    rdn_values,
    resource_dn,
    site_from_dn,
    split_escaped_rdns,
    split_rdns,
    unescape,
)
from cecap.model.glue13 import _norm_dn, _norm_parent, _norm_rdn, _site_suffix

# DN-like text: the characters that matter to the splitter, and others.
_DN_TEXT = st.text(
    alphabet=st.sampled_from([*'ab=, \t\\"+Mds-Vo-nameMDS', "\u00a0", "\u0130"]), max_size=60
)


@given(_DN_TEXT)
@example("GlueCEUniqueID=ce.example.org:2119/jobmanager-lcgpbs-cms,Mds-Vo-name=SITE,o=grid")
@example(" a = b , c=d ,")
@example("")
def test_split_rdns_is_the_general_splitter(dn: str) -> None:
    assert split_rdns(dn) == split_escaped_rdns(dn)


def test_a_comma_after_a_backslash_stays_in_the_value() -> None:
    dn = r"GlueClusterUniqueID=a\,b, Mds-Vo-name=My\2C Site ,o=grid"
    assert split_rdns(dn) == [r"GlueClusterUniqueID=a\,b", r"Mds-Vo-name=My\2C Site", "o=grid"]
    assert rdn_values(dn, "mds-vo-name") == ["My, Site"]


def test_the_site_is_the_innermost_mds_vo_name_below_local_and_resource() -> None:
    dn = "GlueCEUniqueID=x,Mds-Vo-name=resource,Mds-Vo-name=BNL-ATLAS,Mds-Vo-name=local,o=grid"
    assert site_from_dn(dn) == "BNL-ATLAS"
    assert site_from_dn("GlueCEUniqueID=x,o=grid") is None


def _norm_dn_reference(dn: str) -> str:
    return ",".join(_norm_rdn(r) for r in split_escaped_rdns(dn))


def _site_suffix_reference(dn: str) -> str:
    rdns = split_escaped_rdns(dn)
    for i, rdn in enumerate(rdns):
        if rdn.partition("=")[0].strip().lower() == "mds-vo-name":
            return ",".join(_norm_rdn(r) for r in rdns[i:])
    return ""


@given(_DN_TEXT)
@example("GlueVOView=cms,GlueCEUniqueID=ce:2119/x,Mds-Vo-name=SITE,Mds-Vo-name=local,o=grid")
@example("a=b,Mds-Vo-name,o=grid")
@example("a=b, Mds-Vo-name = Site\u00a0,o=grid")
@example("a=mds-vo-name,Mds-Vo-namex=c,Mds-Vo-Name=d,o=grid")
@example("a=b,mds-vo-name")
def test_the_model_compares_dns_as_the_rdn_by_rdn_rule_does(dn: str) -> None:
    assert _norm_dn(dn) == _norm_dn_reference(dn)
    assert _site_suffix(dn) == _site_suffix_reference(dn)
    parent = ",".join(_norm_rdn(r) for r in split_escaped_rdns(dn)[1:])
    assert _norm_parent(dn) == parent


def _rdn_values_reference(dn: str, attribute: str) -> list[str]:
    out = []
    for rdn in split_escaped_rdns(dn):
        name, _, value = rdn.partition("=")
        if name.strip().lower() == attribute:
            out.append(unescape(value.strip()))
    return out


@given(_DN_TEXT)
@example("GlueVOViewLocalID=cms,GlueCEUniqueID=ce:2119/x,Mds-Vo-name=SITE,o=grid")
def test_rdn_values_are_the_general_readings(dn: str) -> None:
    for attribute in ("mds-vo-name", "a"):
        reference = _rdn_values_reference(dn, attribute)
        assert rdn_values(dn, attribute) == reference
        assert first_rdn_value(dn, attribute) == (reference[0] if reference else None)


@pytest.mark.parametrize(
    ("dn", "resource"),
    [
        # GLUE 1.3: top-level, site and resource BDII.
        (
            "GlueCEUniqueID=ce:8443/cream-pbs-q,Mds-Vo-name=RAL,Mds-Vo-name=local,o=grid",
            "GlueCEUniqueID=ce:8443/cream-pbs-q,Mds-Vo-name=resource,o=grid",
        ),
        (
            "GlueVOViewLocalID=cms,GlueCEUniqueID=ce,Mds-Vo-name=RAL,o=grid",
            "GlueVOViewLocalID=cms,GlueCEUniqueID=ce,Mds-Vo-name=resource,o=grid",
        ),
        (
            "GlueCEUniqueID=ce,mds-vo-name=resource,o=grid",
            "GlueCEUniqueID=ce,mds-vo-name=resource,o=grid",
        ),
        # GLUE 2.0: top-level, site and resource BDII.
        (
            "GLUE2ShareID=s,GLUE2ServiceID=x,GLUE2GroupID=resource,GLUE2DomainID=RAL,"
            "GLUE2GroupID=grid,o=glue",
            "GLUE2ShareID=s,GLUE2ServiceID=x,GLUE2GroupID=resource,o=glue",
        ),
        (
            "GLUE2EndpointID=e,GLUE2ServiceID=x,GLUE2GroupID=resource,GLUE2DomainID=RAL,o=glue",
            "GLUE2EndpointID=e,GLUE2ServiceID=x,GLUE2GroupID=resource,o=glue",
        ),
        (
            "GLUE2ServiceID=x, glue2groupid = Resource ,o=glue",
            "GLUE2ServiceID=x, glue2groupid = Resource ,o=glue",
        ),
        # Escaped commas stay inside their values; blanks around RDNs go.
        (
            "GlueCEUniqueID=a\\,b , Mds-Vo-name=X\\,Y,Mds-Vo-name=local,o=grid",
            "GlueCEUniqueID=a\\,b,Mds-Vo-name=resource,o=grid",
        ),
        # Neither form: as it is.
        ("GlueCEUniqueID=ce,o=grid", "GlueCEUniqueID=ce,o=grid"),
        ("GLUE2ServiceID=x,GLUE2DomainID=RAL,o=glue", "GLUE2ServiceID=x,GLUE2DomainID=RAL,o=glue"),
    ],
)
def test_resource_dn(dn: str, resource: str) -> None:
    assert resource_dn(dn) == resource
