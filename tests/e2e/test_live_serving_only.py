"""A live report asks a real BDII for the CEs that serve its VOs only, and answers as the
snapshot of the same BDII does: CEs that serve a VO through a VOView alone included, and
every CE still there for --site and --ce."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.bdii_server import BDIIServer
from helpers.cli import run_cli
from helpers.glue_ldif import CESpec, bdii_ldif, simple_site

from cecap.sources.ldap import LdapReader
from cecap.sources.ldap_filters import ce_id_filter, serving_filter

Make = Callable[..., BDIIServer]

SITE = "CERN-PROD"
HOST = "ce01.cern-prod.example.org"
CMS = f"{HOST}:8443/cream-pbs-cmsq"  # its own rules name cms
VIEW_ONLY = f"{HOST}:8443/cream-pbs-mixed"  # its rules name atlas; a VOView names cms
DTEAM = f"{HOST}:8443/cream-pbs-dteamq"  # serves neither


@pytest.fixture
def mixed_bdii(bdii_factory: Make, tmp_path: Path) -> tuple[BDIIServer, Path]:
    ces = [
        CESpec("cmsq", ["cms"], unique_id=CMS),
        CESpec("mixed", ["cms"], rules=["VO:atlas"], unique_id=VIEW_ONLY),
        CESpec("dteamq", ["dteam"], unique_id=DTEAM),
    ]
    ldif = tmp_path / "mixed.ldif"
    ldif.write_text(bdii_ldif([simple_site(SITE, ces, host=HOST)]))
    server = bdii_factory()
    server.load(ldif)
    return server, ldif


def ce_ids(reader: LdapReader) -> list[str]:
    found = [e.first("glueceuniqueid") or "" for e in reader.entries() if e.kind == "gluece"]
    assert reader.partial is None
    return found


def test_the_server_sends_the_serving_ces_and_those_a_voview_names(
    mixed_bdii: tuple[BDIIServer, Path],
) -> None:
    server, _ = mixed_bdii
    narrowed = LdapReader(server.host, server.port, timeout=10, vos=["cms"], serving_only=True)
    # The filter's CE first; the CE only its VOView names comes from the search by ID.
    assert ce_ids(narrowed) == [CMS, VIEW_ONLY]
    every = LdapReader(server.host, server.port, timeout=10, vos=["cms"])
    assert sorted(ce_ids(every)) == sorted([CMS, VIEW_ONLY, DTEAM])
    # The filters as the server reads them: ldapsearch finds the same CEs with them.
    assert server.count(serving_filter(["cms"])) == 1
    assert server.count(serving_filter(["cms", "atlas"])) == 2
    assert server.count(ce_id_filter([DTEAM, VIEW_ONLY])) == 2


def rows(*args: str | Path) -> list[tuple[str, str, str]]:
    result = run_cli("report", "--all", "--format", "json", *args)
    assert result.code == 0, result.err
    return [(r["vo"], r["ce"], r["verdict"]) for r in json.loads(result.out)["rows"]]


def test_a_live_report_is_the_snapshot_report(mixed_bdii: tuple[BDIIServer, Path]) -> None:
    server, ldif = mixed_bdii
    live = rows("-e", "cms", "--bdii", server.url)
    assert live == rows("-e", "cms", "--bdii", ldif)
    assert [ce for _, ce, _ in live] == [CMS, VIEW_ONLY]
    both = rows("-e", "cms,atlas", "--bdii", server.url)
    assert both == rows("-e", "cms,atlas", "--bdii", ldif)


def test_a_ce_named_with_ce_is_found_though_it_serves_none_of_the_vos(
    mixed_bdii: tuple[BDIIServer, Path],
) -> None:
    server, ldif = mixed_bdii
    for source in (server.url, str(ldif)):
        result = run_cli("report", "-e", "cms", "--all", "--ce", DTEAM, "--bdii", source)
        assert result.code == 0, result.err
        assert "no CE in" not in result.err
        assert DTEAM not in result.out
