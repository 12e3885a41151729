"""LDIF for a grid of site BDIIs: a site's entries as its own BDII publishes them, the
entries by which a top-level BDII lists a site BDII (GLUE 1.3 and 2.0), and a BDII's
o=infosys update statistics."""

from __future__ import annotations

from datetime import datetime

from helpers.glue2_ldif import Site2Spec, site2_ldif
from helpers.glue_ldif import SiteSpec, escape_dn, site_ldif

LOCAL = "dn: Mds-Vo-name=local,o=grid\nobjectClass: MDS\nMds-Vo-name: local\n"


def site_level(site: SiteSpec) -> str:
    """The site's GLUE 1.3 entries as its site BDII holds them: under
    mds-vo-name=SITE,o=grid, without the top level's mds-vo-name=local."""
    return site_ldif(site).replace(",Mds-Vo-name=local,o=grid", ",o=grid").replace(LOCAL, "")


def glue13_listing(site: str, url: str, host: str) -> str:
    """The GlueService entry a site BDII publishes of itself, as the top level holds it
    (glite-info-provider-service: GlueServiceType bdii_site, the endpoint URL)."""
    uid = f"{host}_bdii_site_{site}"
    return (
        f"dn: GlueServiceUniqueID={escape_dn(uid)},Mds-Vo-name={escape_dn(site)},"
        "Mds-Vo-name=local,o=grid\n"
        "objectClass: GlueTop\nobjectClass: GlueService\nobjectClass: GlueKey\n"
        "objectClass: GlueSchemaVersion\n"
        f"GlueServiceUniqueID: {uid}\nGlueServiceName: {site}-bdii_site\n"
        "GlueServiceType: bdii_site\nGlueServiceVersion: 3.0.0\n"
        f"GlueServiceEndpoint: {url}\nGlueServiceStatus: OK\n"
        f"GlueForeignKey: GlueSiteUniqueID={site}\n"
        "GlueSchemaVersionMajor: 1\nGlueSchemaVersionMinor: 3\n"
    )


def glue2_listing(site: str, url: str, host: str, port: int) -> str:
    """A GLUE 2.0 site (domain) with only its site BDII's service and endpoint, as the
    top level holds it (GLUE2EndpointInterfaceName bdii_site, GLUE2EndpointURL)."""
    spec = Site2Spec(site, [])
    service = f"{site}_sitebdii"
    endpoint = f"{host}:{port}_sitebdii_endpoint"
    sdn = f"GLUE2ServiceID={escape_dn(service)},{spec.resource_dn}"
    return (
        site2_ldif(spec) + f"\ndn: {sdn}\nobjectClass: GLUE2Service\nGLUE2ServiceID: {service}\n"
        "GLUE2ServiceType: bdii_site\nGLUE2ServiceQualityLevel: production\n"
        f"GLUE2ServiceAdminDomainForeignKey: {site}\n"
        f"\ndn: GLUE2EndpointID={escape_dn(endpoint)},{sdn}\nobjectClass: GLUE2Endpoint\n"
        f"GLUE2EndpointID: {endpoint}\nGLUE2EndpointURL: {url}\n"
        "GLUE2EndpointInterfaceName: bdii_site\nGLUE2EndpointQualityLevel: production\n"
        "GLUE2EndpointHealthState: ok\nGLUE2EndpointServingState: production\n"
        f"GLUE2EndpointServiceForeignKey: {service}\n"
    )


def infosys(modified: datetime | None = None, host: str = "localhost") -> str:
    """A BDII's o=infosys update statistics (the entry bdii-update writes, every
    attribute BDII.schema makes it hold); ``modified``: its modifyTimestamp, which only
    slapadd (BDIIServer.bulk_load) may set; None for the time it is added."""
    stamp = f"modifyTimestamp: {modified:%Y%m%d%H%M%S}Z\n" if modified else ""
    counts = (
        "TotalEntries",
        "UpdateTime",
        "DBUpdateTime",
        "NewEntries",
        "QueryTime",
        "ProvidersTime",
        "FailedAdds",
        "ModifiedEntries",
        "DeletedEntries",
        "FailedDeletes",
        "FailedModifies",
        "PluginsTime",
        "ReadTime",
    )
    return (
        "dn: o=infosys\nobjectClass: organization\no: infosys\n\n"
        f"dn: Hostname={host},o=infosys\nobjectClass: UpdateStats\nHostname: {host}\n"
        + "".join(f"{name}: 1\n" for name in counts)
        + stamp
    )
