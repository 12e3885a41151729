"""The VO feed: the header a real feed has, one atp_site per site and experiment, and
well-formed XML whatever a site published."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

from cecap.rows.table import Table
from cecap.rows.testlist import TESTLIST_FIELDS
from cecap.rows.vofeed import vofeed_xml
from cecap.text import visible

WHEN = datetime(2010, 3, 24, 12, 0, 5, tzinfo=UTC)


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


def _feed(rows: list[dict[str, Any]], vos: list[str], responsible: str = "") -> ET.Element:
    table = Table("testlist", TESTLIST_FIELDS, rows, (), meta={"source": "x.ldif"})
    return ET.fromstring(vofeed_xml(table, vos, WHEN, responsible))


def test_header_as_the_cms_feed_writes_it() -> None:
    root = _feed([], ["cms"], "/DC=ch/DC=cern/CN=Some <One>")
    assert root.tag == "root"
    assert [e.tag for e in root] == [
        "title",
        "description",
        "feed_responsible",
        "last_update",
        "vo",
    ]
    assert root.findtext("feed_responsible") == 'DN="/DC=ch/DC=cern/CN=Some [One]"'
    assert root.findtext("last_update") == "2010-03-24T12:00:05Z"
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
        _row(experiment="atlas", vo="atlas"),
    ]
    root = _feed(rows, ["cms", "atlas"])
    assert [v.text for v in root.findall("vo")] == ["cms", "atlas"]
    sites = root.findall("atp_site")
    assert [s.get("name") for s in sites] == ["RAL-LCG2", "Nebraska", "RAL-LCG2"]
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
        ("RAL-LCG2", "AllGroups"),
        ("cms", "VO"),
        ("glexec-ready", "glexec"),
        ("glexec-conditional", "glexec"),
    ]
    (osg,) = sites[1].findall("service")
    assert [r.attrib for r in osg.findall("ce_resource")] == [{"batch_system": "pbs"}]
    assert [(g.get("name"), g.get("type")) for g in sites[2].findall("group")][1] == (
        "atlas",
        "VO",
    )


def test_a_hostile_site_name_gives_well_formed_xml() -> None:
    hostile = 'A<b>&c"d\x1b[2J\x00\x07\u202e\ufffeE'
    text = vofeed_xml(
        Table("testlist", TESTLIST_FIELDS, [_row(site=hostile, host="h<&>")], ()),
        ["cms"],
        WHEN,
        "",
    )
    for char in "\x1b\x00\x07\u202e\ufffe":
        assert char not in text
    (site,) = ET.fromstring(text).findall("atp_site")
    assert site.get("name") == visible(hostile).replace("\ufffe", "\\ufffe")
    assert site.find("service").get("hostname") == "h<&>"  # type: ignore[union-attr]
    assert site.find("group").get("name") == site.get("name")  # type: ignore[union-attr]
