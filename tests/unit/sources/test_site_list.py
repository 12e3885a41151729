"""The list of site BDIIs: the updater's file, SITE=URL pairs, and the top level's own
GlueService (GLUE 1.3) and GLUE2Endpoint (GLUE 2.0) entries of type bdii_site."""

from __future__ import annotations

from pathlib import Path

import pytest

from cecap.errors import InputError, UsageError
from cecap.model.entry import Entry
from cecap.sources.site_list import SiteBdii, from_entries, from_file, from_pairs, merge

# As glite-info-update-endpoints writes it (create_urls_file): a header, a block per
# region, "#NAME" then "NAME URL" per site, manual additions appended as they are.
UPDATER_FILE = """#
# Top Level BDII configuration file
# ---------------------------------
# created on Sun Dec  6 19:00:00 2026
#
# This file is generated, DO NOT EDIT it directly
#

#
# NGI_UK
# -----------
#

#UKI-LT2-QMUL
UKI-LT2-QMUL ldap://bdii.esc.qmul.ac.uk:2170/mds-vo-name=UKI-LT2-QMUL,o=grid

#RAL-LCG2
RAL-LCG2 ldap://site-bdii.gridpp.rl.ac.uk:2170/Mds-Vo-Name=RAL-LCG2,o=grid


# Appended Manual Additions

CERN-PROD\tldap://site-bdii.cern.ch:2170/mds-vo-name=CERN-PROD,o=grid # kept
"""


def test_the_updaters_file(tmp_path: Path) -> None:
    path = tmp_path / "top-urls.conf"
    path.write_text(UPDATER_FILE)
    warned: list[str] = []
    assert from_file(path, warned.append) == [
        SiteBdii(
            "UKI-LT2-QMUL",
            "ldap://bdii.esc.qmul.ac.uk:2170/mds-vo-name=UKI-LT2-QMUL,o=grid",
            "file",
        ),
        SiteBdii(
            "RAL-LCG2", "ldap://site-bdii.gridpp.rl.ac.uk:2170/Mds-Vo-Name=RAL-LCG2,o=grid", "file"
        ),
        SiteBdii("CERN-PROD", "ldap://site-bdii.cern.ch:2170/mds-vo-name=CERN-PROD,o=grid", "file"),
    ]
    assert warned == []


@pytest.mark.parametrize(
    "line",
    [
        # What the top-level BDII's provider skips too: no port, no base, another scheme,
        # no name, a name with characters outside [-.\w], a URL whose base is no DN.
        "SITE ldap://host/mds-vo-name=SITE,o=grid",
        "SITE ldap://host:2170/",
        "SITE ldaps://host:2170/mds-vo-name=SITE,o=grid",
        "ldap://host:2170/mds-vo-name=SITE,o=grid",
        "SI/TE ldap://host:2170/mds-vo-name=SITE,o=grid",
        "SITE ldap://host:2170/not-a-dn",
        "SITE ldap://host:2170/o=grid?attrs",
        # NAME must start the line (^([-.\w]+) in the provider's pattern).
        "  SITE ldap://host:2170/mds-vo-name=SITE,o=grid",
    ],
)
def test_a_line_the_provider_would_skip_is_skipped_with_a_warning(
    tmp_path: Path, line: str
) -> None:
    path = tmp_path / "urls"
    path.write_text(f"# head\nGOOD ldap://h:2170/mds-vo-name=GOOD,o=grid\n{line}\n")
    warned: list[str] = []
    assert [s.site for s in from_file(path, warned.append)] == ["GOOD"]
    assert warned == [f"{path}:3: ignored, not NAME ldap://HOST:PORT/BASE"]


def test_a_file_that_is_not_that_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("# nothing\n\n")
    with pytest.raises(InputError, match="no NAME ldap://HOST:PORT/BASE line"):
        from_file(empty, lambda m: None)
    with pytest.raises(InputError, match="cannot read the site BDII list"):
        from_file(tmp_path / "missing", lambda m: None)
    junk = tmp_path / "junk"
    junk.write_bytes(b"\xff\xfe junk\n" * 2000)
    with pytest.raises(InputError, match=r"junk:1001: more than 1000 lines"):
        from_file(junk, lambda m: None)
    long_line = tmp_path / "long"
    long_line.write_text("A ldap://h:2170/o=grid" + "x" * 100_000 + "\n")
    warned: list[str] = []
    with pytest.raises(InputError):
        from_file(long_line, warned.append)
    assert warned and all("ignored" in w for w in warned)


def test_site_url_pairs() -> None:
    assert from_pairs(
        [
            "UKI-LT2-QMUL=ldap://bdii.example.org:2170/mds-vo-name=UKI-LT2-QMUL,o=grid",
            "RAL-LCG2=site-bdii.example.org",
            "CERN=ldaps://[::1]:2636",
        ]
    ) == [
        SiteBdii(
            "UKI-LT2-QMUL", "ldap://bdii.example.org:2170/mds-vo-name=UKI-LT2-QMUL,o=grid", "option"
        ),
        # A bare host: the base a site BDII publishes under.
        SiteBdii(
            "RAL-LCG2", "ldap://site-bdii.example.org:2170/mds-vo-name=RAL-LCG2,o=grid", "option"
        ),
        SiteBdii("CERN", "ldaps://[::1]:2636/mds-vo-name=CERN,o=grid", "option"),
    ]


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("no-equals", "give SITE=URL"),
        ("=ldap://h", "give SITE=URL"),
        ("SITE=", "give SITE=URL"),
        ("ldap://h:2170/mds-vo-name=S,o=grid", "give SITE=URL"),
        ("SITE=http://h", "unknown scheme 'http'"),
        ("SITE=ldap://h:2170/o=grid??one", "leave out what follows '?'"),
    ],
)
def test_bad_pairs(pair: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        from_pairs([pair])
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"--site-bdii {pair!r}")


def service(site: str, url: str, kind: str = "bdii_site", key: bool = True) -> Entry:
    attrs: dict[str, tuple[str, ...]] = {
        "glueservicetype": (kind,),
        "glueserviceendpoint": (url,),
    }
    if key:
        attrs["glueforeignkey"] = (f"GlueSiteUniqueID={site}",)
    dn = f"GlueServiceUniqueID=x_{kind},Mds-Vo-name={site},Mds-Vo-name=local,o=grid"
    return Entry(dn, attrs, kind="glueservice")


def endpoint(site: str, url: str, interface: str = "bdii_site") -> Entry:
    dn = (
        f"GLUE2EndpointID=e,GLUE2ServiceID=s,GLUE2GroupID=resource,GLUE2DomainID={site},"
        "GLUE2GroupID=grid,o=glue"
    )
    attrs = {"glue2endpointinterfacename": (interface,), "glue2endpointurl": (url,)}
    return Entry(dn, attrs, kind="glue2endpoint")


def test_the_top_levels_own_list() -> None:
    listed = from_entries(
        [
            service("B-SITE", "ldap://b:2170/mds-vo-name=B-SITE,o=grid"),
            service("A-SITE", "ldap://a:2170/mds-vo-name=A-SITE,o=grid", key=False),
            # Not a site BDII: left out.
            service("A-SITE", "ldap://a:2170/mds-vo-name=A-SITE,o=grid", kind="bdii_top"),
            service("C-SITE", "https://c/ce-cream", kind="org.glite.ce.CREAM"),
            # Broken URLs are the top level's data: left out, never guessed at.
            service("D-SITE", "ldap://d:2170"),
            service("D-SITE", "not a url at all"),
            # The same site BDII in GLUE 2.0: once, as GLUE 1.3 names it.
            endpoint("B-SITE", "ldap://b:2170/GLUE2DomainID=B-SITE,o=glue"),
            # A site listed in GLUE 2.0 alone.
            endpoint("E-SITE", "ldap://e:2170/GLUE2DomainID=E-SITE,o=glue"),
            endpoint("F-SITE", "https://f:8443/ce", interface="org.glite.ce.CREAM"),
        ]
    )
    assert listed == [
        SiteBdii("A-SITE", "ldap://a:2170/mds-vo-name=A-SITE,o=grid"),
        SiteBdii("B-SITE", "ldap://b:2170/mds-vo-name=B-SITE,o=grid"),
        SiteBdii("E-SITE", "ldap://e:2170/GLUE2DomainID=E-SITE,o=glue"),
    ]


def test_lists_merge_once_per_site_and_server() -> None:
    top = [SiteBdii("A", "ldap://a:2170/mds-vo-name=A,o=grid")]
    given = [
        SiteBdii("a", "ldap://A:2170/mds-vo-name=a,o=grid", "option"),
        SiteBdii("A", "ldap://other:2170/mds-vo-name=A,o=grid", "option"),
    ]
    assert merge(top, given) == [
        SiteBdii("A", "ldap://a:2170/mds-vo-name=A,o=grid"),
        SiteBdii("A", "ldap://other:2170/mds-vo-name=A,o=grid", "option"),
    ]
