"""The VO feed as the experiments' readers load it, on the sample and the OSG 2008
snapshot: one test per rule the readers apply, each citing the reader's file and line
(CMSCompOps/MonitoringScripts at 9a7b66c: vofeed/vofeed.py load() and flavour2category,
siteStatus/data_writer.py sswp_vofeed(); ARGOeu/argo-egi-connectors at 8c21a91:
bin/topology-vo-connector.py VOReader._parse), and every feed well-formed to xmllint."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.config_files import copy_config, edit
from helpers.overlay import overlay_ldif
from helpers.paths import SAMPLE
from helpers.xmllint import xmllint

from cecap import __version__
from cecap.policy.load import default_config_dir, load_policy
from cecap.policy.site_names_load import load_site_names

OSG_GLEXEC = (
    "red.unl.edu:2119/jobmanager-pbs-cms",
    "cit-gatekeeper.ultralight.org:2119/jobmanager-condor-cms",
    "ce01.cmsaf.mit.edu:2119/jobmanager-condor-cms",
    "gate01.aglt2.org:2119/jobmanager-condor-atlas",
)
# vofeed/vofeed.py lines 112-121 (flavour2category): the flavours whose category is CE;
# any other flavour's category is "" (lines 123-126).
CE_FLAVOURS = {"CE", "CREAM-CE", "ARC-CE", "HTCONDOR-CE"}


def test_xmllint_refuses_a_broken_feed() -> None:
    with pytest.raises(AssertionError):
        xmllint("<root><atp_site name='a'></root>")


@pytest.fixture(scope="module")
def osg(tmp_path_factory: pytest.TempPathFactory, osg_snapshot: Path) -> Path:
    return overlay_ldif(
        osg_snapshot,
        tmp_path_factory.mktemp("feed") / "osg.ldif",
        {ce: ["glexec"] for ce in OSG_GLEXEC},
    )


def feed(source: Path, *args: str | Path) -> tuple[ET.Element, str, str]:
    done = run_cli("testlist", "--bdii", source, "-e", "cms", "--format", "vofeed", *args)
    assert done.code == 0, done.err
    xmllint(done.out)
    return ET.fromstring(done.out), done.out, done.err


def rows(source: Path) -> list[dict[str, object]]:
    done = run_cli("testlist", "--bdii", source, "-e", "cms", "--format", "json")
    assert done.code == 0, done.err
    return list(json.loads(done.out)["rows"])


def cms_site(atp_site: ET.Element) -> str | None:
    """What vofeed.load() (vofeed/vofeed.py lines 163-170) and sswp_vofeed()
    (siteStatus/data_writer.py lines 1671-1679) key a site on: the name of its first
    group of type CMS_Site; a site without one is skipped."""
    for group in atp_site.findall("group"):
        if group.get("type") == "CMS_Site":
            return group.get("name")
    return None


@pytest.fixture(params=["sample", "osg"])
def source(request: pytest.FixtureRequest) -> Path:
    return SAMPLE if request.param == "sample" else request.getfixturevalue("osg")


def test_site_key_every_site_is_keyed_on_its_cms_site_group(source: Path) -> None:
    # vofeed/vofeed.py lines 163-170, siteStatus/data_writer.py lines 1671-1679.
    root, _, err = feed(source)
    names = load_site_names(default_config_dir(), load_policy(default_config_dir()).experiments)
    grid = list(dict.fromkeys(str(r["site"]) for r in rows(source)))
    loaded = {}
    for atp_site in root.findall("atp_site"):
        key = cms_site(atp_site)
        if key is not None:
            loaded[atp_site.get("name")] = key
            types = [g.get("type") for g in atp_site.findall("group")]
            assert types.count("CMS_Site") == 1
    expected = {g: n.name for g in grid if (n := names.name_of("cms", g)) is not None}
    assert loaded == expected
    assert len(loaded) >= 3  # the readers load the sites, not 0
    assert all(k.startswith(("T1_", "T2_")) for k in loaded.values())
    assert err == ""  # every site of these feeds is named


def test_a_site_without_a_name_is_warned_of_and_gets_no_cms_group(tmp_path: Path) -> None:
    config = copy_config(tmp_path)
    edit(config / "site_names.yaml", "      RAL-LCG2: T1_UK_RAL\n", "")
    root, _, err = feed(SAMPLE, "--config", config)
    (ral,) = [s for s in root.findall("atp_site") if s.get("name") == "RAL-LCG2"]
    assert cms_site(ral) is None  # the readers skip it (vofeed/vofeed.py line 170)
    assert {g.get("type") for g in ral.findall("group")} == {"AllGroups", "VO", "glexec"}
    assert err == (
        "cecap: warning: RAL-LCG2: no CMS name in site_names.yaml: the VO feed gives it"
        " no CMS_Site group, and CMS's readers skip it\n"
    )


def test_flavours_every_service_is_a_ce_to_the_readers(source: Path) -> None:
    # vofeed/vofeed.py lines 112-126 (flavour2category) and 184-194: a service of another
    # flavour gets category "", and its ce_resource (the queue) is not read.
    root, _, _ = feed(source)
    read = set()
    for atp_site in root.findall("atp_site"):
        for service in atp_site.findall("service"):
            assert service.get("flavour") in CE_FLAVOURS
            for resource in service.findall("ce_resource"):
                read.add((service.get("hostname"), resource.get("queue")))
    assert read == {(r["host"], r["queue"]) for r in rows(source)}


def test_version_and_last_update_in_the_header(source: Path) -> None:
    # vofeed/vofeed.py lines 609-614 (convert2XML): last_update, version, then one vo;
    # load() reads last_update with "%Y-%m-%dT%H:%M:%SZ" (lines 219-220).
    root, _, _ = feed(source)
    assert [e.tag for e in root if e.tag != "atp_site"] == [
        "title",
        "description",
        "feed_responsible",
        "last_update",
        "version",
        "vo",
    ]
    assert root.findtext("version") == f"cecap {__version__}"
    datetime.strptime(root.findtext("last_update") or "", "%Y-%m-%dT%H:%M:%SZ")


def test_one_vo_per_feed(source: Path) -> None:
    # vofeed/vofeed.py line 613: a feed is one VO's (<vo>cms</vo>).
    root, _, _ = feed(source)
    assert [v.text for v in root.findall("vo")] == ["cms"]
    vo_groups = {g.get("name") for g in root.iter("group") if g.get("type") == "VO"}
    assert vo_groups == {"cms"}
    for args in ([], ["-e", "cms", "-e", "atlas"]):
        done = run_cli("testlist", "--bdii", source, "--format", "vofeed", *args)
        assert (done.code, done.out) == (2, "")
        assert "a VO feed is one VO's: choose one experiment with -e" in done.err


def test_tier_from_the_cms_name(source: Path) -> None:
    # vofeed/vofeed.py lines 650-652 and 708-709: the tier is the site name's second
    # character, written as "Tier-N" of type CMS_Tier before the CMS_Site group.
    root, _, _ = feed(source)
    for atp_site in root.findall("atp_site"):
        groups = [(g.get("type"), g.get("name")) for g in atp_site.findall("group")]
        name = cms_site(atp_site)
        if name is None:
            continue
        at = groups.index(("CMS_Site", name))
        assert groups[at - 1] == ("CMS_Tier", f"Tier-{name[1]}")


def test_argo_reads_groups_and_endpoints_without_repeats(source: Path) -> None:
    # bin/topology-vo-connector.py lines 62-90: every atp_site has a name (67), at least
    # one group (69) with a name and a type (73, 75), and at least one service (81) with
    # a hostname and a flavour (86, 88); ARGO takes (group, type, site) per group and
    # (site, hostname, flavour) per service.
    root, _, _ = feed(source)
    sites = root.findall("atp_site")
    assert sites
    groups, endpoints = [], []
    for atp_site in sites:
        name = atp_site.get("name", "")
        assert name
        assert atp_site.findall("group") and atp_site.findall("service")
        for group in atp_site.findall("group"):
            assert group.get("name") and group.get("type")
            groups.append((group.get("name"), group.get("type"), name))
        for service in atp_site.findall("service"):
            assert service.get("hostname") and service.get("flavour")
            endpoints.append((name, service.get("hostname"), service.get("flavour")))
    assert len(groups) == len(set(groups))
    assert len(endpoints) == len(set(endpoints))
    assert len({s.get("name") for s in sites}) == len(sites)  # a site once: one VO


def test_names_from_a_cric_listing(tmp_path: Path) -> None:
    # The CRIC "site-names" rows as dmwm/WMCore keeps them (test/data/Mock/
    # CRICMockData.json): RAL-LCG2 gets T1_UK_RAL; CERN-PROD, given two CMS names, none.
    config = copy_config(tmp_path)
    rows = [
        {"alias": "RAL-LCG2", "site_name": "RAL", "type": "lcg"},
        {"alias": "T1_UK_RAL", "site_name": "RAL", "type": "cms"},
        {"alias": "CERN-PROD", "site_name": "CERN Tier-0", "type": "lcg"},
        {"alias": "T0_CH_CERN", "site_name": "CERN Tier-0", "type": "cms"},
        {"alias": "CERN-PROD", "site_name": "CERN Tier-2", "type": "lcg"},
        {"alias": "T2_CH_CERN", "site_name": "CERN Tier-2", "type": "cms"},
    ]
    (config / "cric.json").write_text(json.dumps(rows), encoding="utf-8")
    (config / "site_names.yaml").write_text(
        "experiments:\n  cms:\n    cric: cric.json\n", encoding="utf-8"
    )
    root, _, err = feed(SAMPLE, "--config", config)
    keys = {s.get("name"): cms_site(s) for s in root.findall("atp_site")}
    assert keys["RAL-LCG2"] == "T1_UK_RAL"
    assert keys["CERN-PROD"] is None
    assert (
        "cecap: warning: CERN-PROD: no CMS name in site_names.yaml (the CRIC listing gives"
        " several: T0_CH_CERN, T2_CH_CERN): the VO feed gives it no CMS_Site group" in err
    )
