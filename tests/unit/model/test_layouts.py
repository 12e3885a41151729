"""A site's CEs read alike from a top-level, a site and a resource BDII."""

from __future__ import annotations

from pathlib import Path

from helpers.glue_ldif import CESpec, bdii_ldif, simple_site

from cecap.sources.base import read_model
from cecap.sources.ldif import LdifReader


def test_a_resource_bdii_names_the_site_by_its_clusters_foreign_key(tmp_path: Path) -> None:
    # A resource BDII holds no GlueSite entry, and its DNs name no site
    # (Mds-Vo-name=resource,o=grid): the cluster's GlueForeignKey is what names it.
    text = bdii_ldif([simple_site("RAL-LCG2", [CESpec("q1", ["atlas"])])])
    text = "\n\n".join(b for b in text.split("\n\n") if "objectClass: GlueSite\n" not in b + "\n")
    text = text.replace(
        ",Mds-Vo-name=RAL-LCG2,Mds-Vo-name=local,o=grid", ",Mds-Vo-name=resource,o=grid"
    )
    path = tmp_path / "resource.ldif"
    path.write_text(text)
    (ce,) = read_model(LdifReader(path)).ces
    assert ce.dn.endswith(",Mds-Vo-name=resource,o=grid")
    assert ce.site == "RAL-LCG2"


def test_a_glue_site_entry_still_names_the_site(tmp_path: Path) -> None:
    # Its GlueSiteName, not the unique ID the cluster names it by.
    text = bdii_ldif([simple_site("Nebraska", [CESpec("q1", ["cms"])])])
    text = text.replace("GlueSiteUniqueID: Nebraska", "GlueSiteUniqueID: red.unl.edu")
    text = text.replace("GlueSiteUniqueID=Nebraska", "GlueSiteUniqueID=red.unl.edu")
    path = tmp_path / "top.ldif"
    path.write_text(text)
    (ce,) = read_model(LdifReader(path)).ces
    assert ce.site == "Nebraska"
    # Without the GlueSite entry, in a resource BDII: the unique ID is all there is.
    resource = "\n\n".join(
        b for b in text.split("\n\n") if "objectClass: GlueSite\n" not in b + "\n"
    )
    resource = resource.replace(
        ",Mds-Vo-name=Nebraska,Mds-Vo-name=local,o=grid", ",Mds-Vo-name=resource,o=grid"
    )
    path.write_text(resource)
    (ce,) = read_model(LdifReader(path)).ces
    assert ce.site == "red.unl.edu"
