"""The real-BDII test harness itself, against Debian's slapd with the GLUE schemas."""

from __future__ import annotations

import base64
import gzip
import os
import re
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.bdii_server import BDIIError, BDIIServer, RefusedEntry, make_test_ca

SITE = "Mds-Vo-name=TESTSITE,Mds-Vo-name=local,o=grid"
CE_DN = f"GlueCEUniqueID=ce.test.example:2119/jobmanager-condor-cms,{SITE}"
CLUSTER_DN = f"GlueClusterUniqueID=ce.test.example,{SITE}"

# Object classes and MUST attributes as in Glue-CORE.schema and Glue-CE.schema (GlueSite
# needs GlueSiteUniqueID, GlueCluster GlueClusterUniqueID, GlueCE GlueCEUniqueID,
# GlueCEAccessControlBase its rule, GlueSchemaVersion both version numbers).
GLUE13_SITE = f"""\
dn: {SITE}
objectClass: MDS
Mds-Vo-name: TESTSITE

dn: GlueSiteUniqueID=TESTSITE,{SITE}
objectClass: GlueTop
objectClass: GlueSite
objectClass: GlueKey
objectClass: GlueSchemaVersion
GlueSiteUniqueID: TESTSITE
GlueSiteName: TESTSITE
GlueForeignKey: GlueSiteUniqueID=TESTSITE
GlueSchemaVersionMajor: 1
GlueSchemaVersionMinor: 3

dn: {CLUSTER_DN}
objectClass: GlueClusterTop
objectClass: GlueCluster
objectClass: GlueSchemaVersion
objectClass: GlueInformationService
objectClass: GlueKey
GlueClusterUniqueID: ce.test.example
GlueClusterName: ce.test.example
GlueForeignKey: GlueSiteUniqueID=TESTSITE
GlueForeignKey: GlueCEUniqueID=ce.test.example:2119/jobmanager-condor-cms
GlueSchemaVersionMajor: 1
GlueSchemaVersionMinor: 3

dn: {CE_DN}
objectClass: GlueCETop
objectClass: GlueCE
objectClass: GlueSchemaVersion
objectClass: GlueCEAccessControlBase
objectClass: GlueCEInfo
objectClass: GlueCEState
objectClass: GlueKey
GlueCEUniqueID: ce.test.example:2119/jobmanager-condor-cms
GlueCEName: cms
GlueCECapability: glexec
GlueCEAccessControlBaseRule: VO:cms
GlueCEInfoHostName: ce.test.example
GlueCEStateStatus: Production
GlueForeignKey: GlueClusterUniqueID=ce.test.example
GlueSchemaVersionMajor: 1
GlueSchemaVersionMinor: 3
"""

# A cluster without its MUST attribute GlueClusterUniqueID.
BAD_CLUSTER_DN = f"GlueClusterName=broken.test.example,{SITE}"
BAD_CLUSTER = f"""\
dn: {BAD_CLUSTER_DN}
objectClass: GlueClusterTop
objectClass: GlueCluster
GlueClusterName: broken.test.example
"""

Make = Callable[..., BDIIServer]


def ldapsearch(
    url: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    cmd = ["ldapsearch", "-x", "-LLL", "-o", "ldif-wrap=no", "-H", url, *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)


@pytest.mark.parametrize("top_level", [True, False], ids=["top-level", "site-level"])
def test_glue13_entries_load_and_read_back(bdii_factory: Make, top_level: bool) -> None:
    server = bdii_factory(top_level=top_level)
    assert server.url == f"ldap://127.0.0.1:{server.port}"

    result = server.load_text(GLUE13_SITE)

    assert (result.added, result.refused, result.already_present) == (4, (), ())
    found = ldapsearch(server.url, "-b", "o=grid", "(objectClass=GlueCE)", "GlueCECapability")
    assert found.returncode == 0, found.stderr
    assert found.stdout == f"dn: {CE_DN}\nGlueCECapability: glexec\n\n"


def test_gzipped_ldif_loads(bdii_factory: Make, tmp_path: Path) -> None:
    server = bdii_factory()
    path = tmp_path / "site.ldif.gz"
    path.write_bytes(gzip.compress(GLUE13_SITE.encode()))

    assert server.load(path).added == 4
    assert server.count("(objectClass=GlueCE)") == 1


def test_ldif_forms_version_line_folded_and_base64_dns(bdii_factory: Make) -> None:
    server = bdii_factory()
    site_dn = base64.b64encode(SITE.encode()).decode()
    site = f"dn:: {site_dn}\nobjectClass: MDS\nMds-Vo-name: TESTSITE\n"
    folded = "dn: GlueSiteUniqueID=TESTSITE,Mds-Vo-name=TEST\n SITE,Mds-Vo-name=local,o=grid\n"
    site_entry = GLUE13_SITE.split("\n\n")[1].split("\n", 1)[1]

    result = server.load_text(f"version: 1\n{site}\n# a comment\n{folded}{site_entry}")

    assert result.added == 2
    assert server.count("(GlueSiteUniqueID=TESTSITE)") == 1


def test_schema_violation_is_refused_with_ldapadds_error(bdii_factory: Make) -> None:
    server = bdii_factory()

    with pytest.raises(BDIIError) as raised:
        server.load_text(GLUE13_SITE + "\n" + BAD_CLUSTER)

    message = str(raised.value)
    assert "refused 1 of the entries of LDIF text (4 added)" in message
    assert BAD_CLUSTER_DN in message
    assert "Object class violation (65)" in message
    assert "requires attribute 'GlueClusterUniqueID'" in message
    assert server.count("(GlueClusterName=broken.test.example)") == 0


def test_refused_entries_are_reported_without_raising_when_not_strict(bdii_factory: Make) -> None:
    server = bdii_factory()

    result = server.load_text(GLUE13_SITE + "\n" + BAD_CLUSTER, strict=False)

    assert result.added == 4
    assert result.refused == (
        RefusedEntry(
            BAD_CLUSTER_DN,
            "Object class violation (65), additional info:"
            " object class 'GlueCluster' requires attribute 'GlueClusterUniqueID'",
        ),
    )


def test_seed_entries_may_repeat_but_other_duplicates_are_refused(bdii_factory: Make) -> None:
    server = bdii_factory()
    # A real top-level dump starts with the entries every BDII already has.
    top = "dn: o=grid\nobjectClass: organization\no: grid\n\n"
    top += "dn: Mds-Vo-name=local,o=grid\nobjectClass: MDS\nMds-Vo-name: local\n\n"

    result = server.load_text(top + GLUE13_SITE)

    assert result.added == 4
    assert result.already_present == ("o=grid", "Mds-Vo-name=local,o=grid")
    with pytest.raises(BDIIError, match=r"(?s)refused 4 of the entries.*Already exists \(68\)"):
        server.load_text(GLUE13_SITE)


def test_sizelimit_makes_an_unbounded_search_fail_with_code_4(bdii_factory: Make) -> None:
    limited = bdii_factory(sizelimit=2)
    unlimited = bdii_factory()
    for server in (limited, unlimited):
        server.load_text(GLUE13_SITE)

    over = ldapsearch(limited.url, "-b", "o=grid", "(objectClass=*)", "1.1")
    within = ldapsearch(limited.url, "-b", "o=grid", "(objectClass=GlueCE)", "1.1")
    stock = ldapsearch(unlimited.url, "-b", "o=grid", "(objectClass=*)", "1.1")

    assert over.returncode == 4
    assert "Size limit exceeded (4)" in over.stderr
    assert (within.returncode, within.stdout) == (0, f"dn: {CE_DN}\n\n")
    # o=grid, Mds-Vo-name=local and =resource, then the site's four entries.
    assert (stock.returncode, stock.stdout.count("dn: ")) == (0, 7)


def test_ldaps_with_the_test_ca(bdii_factory: Make, tmp_path: Path) -> None:
    tls, ca_dir = make_test_ca(tmp_path / "ca")
    other_ca, _ = make_test_ca(tmp_path / "other-ca")
    server = bdii_factory(tls=tls)
    assert server.ldaps_url == f"ldaps://127.0.0.1:{server.ldaps_port}"
    assert server.ldaps_url is not None

    def search(**tls_env: str) -> subprocess.CompletedProcess[str]:
        env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LDAPTLS_REQCERT": "demand"}
        return ldapsearch(
            server.ldaps_url or "", "-b", "o=grid", "-s", "base", "1.1", env={**env, **tls_env}
        )

    by_file = search(LDAPTLS_CACERT=str(tls.ca_cert))
    by_dir = search(LDAPTLS_CACERTDIR=str(ca_dir))
    untrusted = search(LDAPTLS_CACERT=str(other_ca.ca_cert))

    assert (by_file.returncode, by_file.stdout) == (0, "dn: o=grid\n\n"), by_file.stderr
    assert (by_dir.returncode, by_dir.stdout) == (0, "dn: o=grid\n\n"), by_dir.stderr
    assert untrusted.returncode != 0


def test_stop_really_stops(bdii_factory: Make) -> None:
    server = bdii_factory()
    assert server.running

    server.stop()
    server.stop()  # a second stop is harmless

    assert not server.running
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((server.host, server.port), timeout=2).close()


def test_start_failure_reports_slapds_log(
    tmp_path: Path, bdii_factory: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    del bdii_factory  # requested only to skip where slapd is missing
    render = BDIIServer._render_config

    def broken(self: BDIIServer) -> str:
        return re.sub(r"(?m)^sizelimit\s.*$", "sizelimit bogus", render(self))

    monkeypatch.setattr(BDIIServer, "_render_config", broken)
    server = BDIIServer(tmp_path / "broken")

    with pytest.raises(BDIIError, match=r'(?s)exited with status 1.*unable to parse limit "bogus"'):
        server.start()

    assert not server.running


def test_real_osg_snapshot_loads_but_for_one_broken_subcluster(
    bdii_factory: Make, osg_snapshot: Path
) -> None:
    server = bdii_factory()

    result = server.load(osg_snapshot, strict=False)

    # 10,703 entries: the two every BDII has, then all but one subcluster, named
    # "Dell Nodes" in its DN but "DellNodes" in its GlueSubClusterUniqueID, and its children.
    subcluster = "GlueSubClusterUniqueID=Dell Nodes,GlueClusterUniqueID=red.unl.edu,"
    subcluster += "Mds-Vo-name=Nebraska,Mds-Vo-name=local,o=grid"
    assert result.already_present == ("o=grid", "Mds-Vo-name=local,o=grid")
    assert [(e.dn, e.error.split(",")[0]) for e in result.refused] == [
        (subcluster, "Naming violation (64)"),
        (f"GlueLocationLocalID=OSG_GRID,{subcluster}", "No such object (32)"),
        (f"GlueLocationLocalID=OSG_SITE_READ,{subcluster}", "No such object (32)"),
        (f"GlueLocationLocalID=OSG_SITE_WRITE,{subcluster}", "No such object (32)"),
    ]
    assert result.added == 10_697
    assert server.count("(objectClass=GlueCE)") == 1164
