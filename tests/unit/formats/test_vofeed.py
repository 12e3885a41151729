"""The VO feed: the header a real feed has, one VO, one atp_site per grid site, the
experiment's groups by its own site names, and well-formed XML whatever a site published."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

from helpers.xmllint import xmllint

from cecap.formats.vofeed import unnamed_sites, vofeed_xml
from cecap.policy.load import default_config_dir, load_policy
from cecap.policy.site_names import SiteNames
from cecap.rows.table import Table
from cecap.rows.testlist import TESTLIST_FIELDS
from cecap.text import visible

WHEN = datetime(2010, 3, 24, 12, 0, 5, tzinfo=UTC)
EXPERIMENTS = load_policy(default_config_dir()).experiments
CMS = EXPERIMENTS["cms"]
NAMES = SiteNames({"cms": {"ral-lcg2": "T1_UK_RAL", "Nebraska": "T2_US_Nebraska"}})


def _row(**kw: Any) -> dict[str, Any]:
    row = {
        "experiment": "cms",
        "vo": "cms",
        "site": "RAL-LCG2",
        "ce": "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M",
        "host": "lcgce01.gridpp.rl.ac.uk",
        "port": 8443,
        "queue": "grid1000M",
        "batch_system": "pbs",
        "flavour": "CREAM-CE",
        "verdict": "ready",
        "mode": "setuid",
        "fail_closed": True,
    }
    row.update(kw)
    return row


def _table(rows: list[dict[str, Any]]) -> Table:
    return Table("testlist", TESTLIST_FIELDS, rows, (), meta={"source": "x.ldif"})


def _feed(
    rows: list[dict[str, Any]], responsible: str = "", names: SiteNames = NAMES
) -> ET.Element:
    text = vofeed_xml(
        _table(rows), CMS, names, updated=WHEN, responsible=responsible, version="cecap 9.9"
    )
    xmllint(text)
    return ET.fromstring(text)


def test_header_as_the_cms_feed_writes_it() -> None:
    root = _feed([], "/DC=ch/DC=cern/CN=Some <One>")
    assert root.tag == "root"
    assert [e.tag for e in root] == [
        "title",
        "description",
        "feed_responsible",
        "last_update",
        "version",
        "vo",
    ]
    assert root.findtext("feed_responsible") == 'DN="/DC=ch/DC=cern/CN=Some [One]"'
    assert root.findtext("last_update") == "2010-03-24T12:00:05Z"
    assert root.findtext("version") == "cecap 9.9"
    assert root.findtext("vo") == "cms"
    assert root.findall("atp_site") == []


def test_one_service_per_host_and_flavour_a_ce_resource_per_queue() -> None:
    rows = [
        _row(),
        _row(
            ce="lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid500M",
            queue="grid500M",
            verdict="conditional",
        ),
        _row(
            site="Nebraska",
            host="red.unl.edu",
            port=2119,
            queue=None,
            batch_system="pbs",
            flavour="CE",
            ce="red.unl.edu:2119/jobmanager-pbs",
        ),
        _row(site="UKI-LT2-IC-HEP", host="ceprod03.grid.hep.ph.ic.ac.uk"),
        _row(experiment="atlas", vo="atlas"),  # another experiment's: not in this feed
    ]
    root = _feed(rows)
    assert [v.text for v in root.findall("vo")] == ["cms"]
    sites = root.findall("atp_site")
    assert [s.get("name") for s in sites] == ["RAL-LCG2", "Nebraska", "UKI-LT2-IC-HEP"]
    ral = sites[0]
    (service,) = ral.findall("service")
    assert service.attrib == {
        "hostname": "lcgce01.gridpp.rl.ac.uk",
        "flavour": "CREAM-CE",
        "endpoint": "lcgce01.gridpp.rl.ac.uk:8443",
    }
    assert [r.attrib for r in service.findall("ce_resource")] == [
        {"batch_system": "pbs", "queue": "grid1000M"},
        {"batch_system": "pbs", "queue": "grid500M"},
    ]
    assert [(g.get("name"), g.get("type")) for g in ral.findall("group")] == [
        ("Tier-1", "CMS_Tier"),
        ("T1_UK_RAL", "CMS_Site"),
        ("T1_UK_RAL", "AllGroups"),
        ("cms", "VO"),
        ("glexec-ready", "glexec"),
        ("glexec-conditional", "glexec"),
    ]
    (osg,) = sites[1].findall("service")
    assert [r.attrib for r in osg.findall("ce_resource")] == [{"batch_system": "pbs"}]
    # A site without a CMS name: no CMS group at all, the grid's name for AllGroups.
    assert [(g.get("name"), g.get("type")) for g in sites[2].findall("group")] == [
        ("UKI-LT2-IC-HEP", "AllGroups"),
        ("cms", "VO"),
        ("glexec-ready", "glexec"),
    ]
    assert unnamed_sites(_table(rows), CMS, NAMES) == ["UKI-LT2-IC-HEP"]


def test_a_name_without_a_tier_gets_no_tier_group() -> None:
    names = SiteNames({"cms": {"RAL-LCG2": "RAL"}})
    (site,) = _feed([_row()], names=names).findall("atp_site")
    assert [g.get("type") for g in site.findall("group")][:2] == ["CMS_Site", "AllGroups"]


def test_a_hostile_site_name_gives_well_formed_xml() -> None:
    hostile = 'A<b>&c"d\x1b[2J\x00\x07\u202e\ufffeE'
    text = vofeed_xml(
        _table([_row(site=hostile, host="h<&>")]),
        CMS,
        SiteNames({"cms": {hostile: "T2_XX_Hostile"}}),
        updated=WHEN,
        responsible="",
        version="cecap 9.9",
    )
    xmllint(text)
    for char in "\x1b\x00\x07\u202e\ufffe":
        assert char not in text
    (site,) = ET.fromstring(text).findall("atp_site")
    assert site.get("name") == visible(hostile).replace("\ufffe", "\\ufffe")
    assert site.find("service").get("hostname") == "h<&>"  # type: ignore[union-attr]
    assert [g.get("name") for g in site.findall("group")][1] == "T2_XX_Hostile"
