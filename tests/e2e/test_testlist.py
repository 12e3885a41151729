"""cecap testlist through the CLI: exactly the advertising ready and conditional CEs of
report --all, in every format; the VO feed parses back to the same CEs; a hostile site
name still gives well-formed XML."""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import run_cli
from helpers.config_files import copy_config, edit
from helpers.overlay import overlay_ldif
from helpers.paths import REPO, SAMPLE
from helpers.xmllint import xmllint

from cecap.formats import format_names
from cecap.text import visible
from e2e.test_golden import OSG_GLEXEC

TESTED = ("ready", "conditional")
GLUE2_SAMPLE = REPO / "examples" / "sample-glue2.ldif"


@pytest.fixture(scope="module")
def osg_overlay(tmp_path_factory: pytest.TempPathFactory, osg_snapshot: Path) -> Path:
    return overlay_ldif(
        osg_snapshot,
        tmp_path_factory.mktemp("testlist") / "osg.ldif",
        {ce: ["glexec"] for ce in OSG_GLEXEC},
    )


def _rows(*args: str | Path) -> list[dict[str, Any]]:
    done = run_cli(*args, "--format", "json")
    assert done.code == 0, done.err
    rows: list[dict[str, Any]] = json.loads(done.out)["rows"]
    return rows


def _report_tested(source: Path, *args: str) -> list[tuple[str, str, str]]:
    return [
        (r["experiment"], r["ce"], r["verdict"])
        for r in _rows("report", "--all", "--bdii", source, *args)
        if r["verdict"] in TESTED
    ]


@pytest.mark.parametrize("data", ["sample", "osg"])
def test_the_list_is_the_ready_and_conditional_ces_of_the_report(
    data: str, request: pytest.FixtureRequest
) -> None:
    source = SAMPLE if data == "sample" else request.getfixturevalue("osg_overlay")
    listed = _rows("testlist", "--bdii", source)
    expected = _report_tested(source)
    assert expected, "the data must hold CEs to test"
    assert [(r["experiment"], r["ce"], r["verdict"]) for r in listed] == expected
    report = {(r["experiment"], r["ce"]): r for r in _rows("report", "--all", "--bdii", source)}
    refused = [k for k, r in report.items() if r["verdict"] in ("site-refuses", "mode-mismatch")]
    assert refused or data == "osg"
    for row in listed:
        seen = report[(row["experiment"], row["ce"])]
        assert (row["mode"], row["fail_closed"], row["site"]) == (
            seen["mode"],
            seen["fail_closed"],
            seen["site"],
        )
        assert (row["experiment"], row["ce"]) not in refused
        host, _, rest = row["ce"].partition(":")
        port, _, service = rest.partition("/")
        assert (row["host"], row["port"]) == (host, int(port))
        assert service.endswith(f"-{row['batch_system']}-{row['queue']}")
    flavours = {r["flavour"] for r in listed}
    assert flavours == ({"CREAM-CE"} if data == "sample" else {"CE"})


def test_the_osg_snapshot_as_published_has_nothing_to_test(osg_snapshot: Path) -> None:
    # No OSG CE of 2008 advertised glexec: the list is empty, said in the table.
    assert _rows("testlist", "--bdii", osg_snapshot) == []
    done = run_cli("testlist", "--bdii", osg_snapshot, "--format", "lines")
    assert (done.code, done.out) == (0, "")


def test_lines_gives_one_ce_per_line() -> None:
    done = run_cli("testlist", "-e", "cms", "--bdii", SAMPLE, "--format", "lines")
    assert done.code == 0
    expected = [ce for exp, ce, _ in _report_tested(SAMPLE, "-e", "cms")]
    assert done.out.splitlines() == expected
    assert len(expected) == len(set(expected)) == 3


def test_site_and_ce_patterns_choose_what_to_test() -> None:
    done = run_cli("testlist", "--bdii", SAMPLE, "--site", "RAL-*", "--format", "lines")
    assert done.code == 0, done.err
    expected = [ce for _, ce, _ in _report_tested(SAMPLE, "--site", "RAL-LCG2")]
    assert expected and done.out.splitlines() == expected
    missing = run_cli("testlist", "--bdii", SAMPLE, "--ce", "nosuch.example.org:*")
    assert missing.code == 2
    assert missing.err.startswith("cecap: error: --ce 'nosuch.example.org:*': no CE in ")


@pytest.mark.parametrize("fmt", format_names())
def test_every_format_shows_the_list(fmt: str) -> None:
    done = run_cli("testlist", "-e", "cms", "--bdii", SAMPLE, "--format", fmt)
    assert done.code == 0, done.err
    assert "ceprod03.grid.hep.ph.ic.ac.uk" in done.out
    assert "ce.cism.ucl.ac.be" not in done.out  # site-refuses
    assert "grid-ce3.desy.de" not in done.out  # mode-mismatch


@pytest.mark.parametrize("data", ["sample", "osg"])
def test_the_vo_feed_parses_back_to_the_same_ces(data: str, request: pytest.FixtureRequest) -> None:
    source = SAMPLE if data == "sample" else request.getfixturevalue("osg_overlay")
    done = run_cli(
        "testlist",
        "--bdii",
        source,
        "-e",
        "cms",
        "--format",
        "vofeed",
        "--feed-responsible",
        "/DC=org/CN=Feed Keeper",
    )
    assert done.code == 0, done.err
    xmllint(done.out)
    root = ET.fromstring(done.out)
    assert root.findtext("feed_responsible") == 'DN="/DC=org/CN=Feed Keeper"'
    assert [v.text for v in root.findall("vo")] == ["cms"]
    got = set()
    for site in root.findall("atp_site"):
        (vo,) = [g.get("name") for g in site.findall("group") if g.get("type") == "VO"]
        for service in site.findall("service"):
            assert service.get("endpoint", "").startswith(f"{service.get('hostname')}:")
            for resource in service.findall("ce_resource"):
                got.add(
                    (
                        vo,
                        site.get("name"),
                        service.get("hostname"),
                        service.get("flavour"),
                        resource.get("queue"),
                    )
                )
    rows = _rows("testlist", "--bdii", source, "-e", "cms")
    assert got == {(r["vo"], r["site"], r["host"], r["flavour"], r["queue"]) for r in rows}
    assert len(root.findall("atp_site")) == len({(r["vo"], r["site"]) for r in rows})


def test_the_glue2_vo_feed_names_each_endpoint_s_batch_system_and_queue() -> None:
    # The GLUE 2.0 sample's CREAM endpoints: the batch system their managers publish
    # (torque, written pbs), the queue of their share for the VO.
    rows = _rows("testlist", "--bdii", GLUE2_SAMPLE, "-e", "cms")
    assert rows and {(r["flavour"], r["batch_system"], r["queue"]) for r in rows} == {
        ("CREAM-CE", "pbs", "cms")
    }
    done = run_cli("testlist", "--bdii", GLUE2_SAMPLE, "-e", "cms", "--format", "vofeed")
    assert done.code == 0, done.err
    resources = [
        (service.get("hostname"), resource.get("batch_system"), resource.get("queue"))
        for service in ET.fromstring(done.out).iter("service")
        for resource in service.findall("ce_resource")
    ]
    assert sorted(resources) == sorted((r["host"], "pbs", "cms") for r in rows)


def _hostile_sample(path: Path, hostile: str) -> Path:
    lines = []
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        if line == "GlueSiteName: RAL-LCG2":
            line = "GlueSiteName:: " + base64.b64encode(hostile.encode()).decode()
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_hostile_site_name_gives_a_well_formed_feed(tmp_path: Path) -> None:
    hostile = 'R<A>&L "\x1b[2J\x07\u202eX'
    source = _hostile_sample(tmp_path / "hostile.ldif", hostile)
    # The questionnaire's answer for RAL-LCG2 stays its answer under the hostile name.
    config = copy_config(tmp_path)
    edit(config / "sites.yaml", "sites: [RAL-LCG2]", 'sites: [RAL-LCG2, "R<A>&L *"]')
    done = run_cli(
        "testlist", "-e", "cms", "--bdii", source, "--config", config, "--format", "vofeed"
    )
    assert done.code == 0, done.err
    xmllint(done.out)
    assert not any(c in done.out for c in "\x1b\x07\u202e")
    names = [s.get("name") for s in ET.fromstring(done.out).findall("atp_site")]
    assert visible(hostile) in names


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["-e", "cms", "--format", "vofeed", "--fields", "ce"], "--fields does not apply"),
        (["--format", "vofeed", "--no-header"], "--no-header does not apply"),
        (["--feed-responsible", "/CN=x"], "give --format vofeed"),
        (["--fields", "nope"], "unknown field"),
    ],
)
def test_options_that_do_not_apply_are_usage_errors(args: list[str], says: str) -> None:
    done = run_cli("testlist", "--bdii", SAMPLE, *args)
    assert done.code == 2
    assert says in done.err
    assert done.out == ""
