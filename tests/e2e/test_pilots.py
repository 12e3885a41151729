"""export --format glideinwms|json and audit-factory through the CLI, on the real OSG 2008
snapshot with glexec overlaid on its CMS CEs, and on factory files the tests write."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from helpers.cli import run_cli
from helpers.overlay import overlay_ldif
from helpers.paths import SAMPLE

READY = "red.unl.edu:2119/jobmanager-pbs-cms"  # Nebraska: ready once it advertises glexec
REFUSED = "cmsgrid01.hep.wisc.edu:2119/jobmanager-condor-cms"  # GLOW: mode-mismatch
# The attributes glideinWMS v3_4_6's factory schema gives every entry.
ENTRY_ATTRIBUTES = {
    "name",
    "auth_method",
    "enabled",
    "gatekeeper",
    "gridtype",
    "schedd_name",
    "trust_domain",
    "verbosity",
    "work_dir",
}
ATTR_ATTRIBUTES = {
    "name",
    "const",
    "glidein_publish",
    "job_publish",
    "parameter",
    "publish",
    "type",
    "value",
}


@pytest.fixture(scope="module")
def osg_glexec(osg_snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The OSG snapshot with every CMS queue advertising glexec."""
    with gzip.open(osg_snapshot, "rt", encoding="utf-8") as f:
        cms = {
            line.split(":", 1)[1].strip()
            for line in f
            if line.startswith("GlueCEUniqueID:") and line.rstrip().endswith("-cms")
        }
    target = tmp_path_factory.mktemp("osg") / "osg-glexec.ldif"
    return overlay_ldif(osg_snapshot, target, capabilities={ce: ["glexec"] for ce in cms})


def entries(xml: str) -> dict[str, ET.Element]:
    root = ET.fromstring(xml)
    assert root.tag == "glidein"
    return {e.get("gatekeeper", "") + " " + e.get("rsl", ""): e for e in root.iter("entry")}


def attrs(entry: ET.Element) -> dict[str, str]:
    return {a.get("name", ""): a.get("value", "") for a in entry.findall("attrs/attr")}


def test_export_osg_is_a_factory_configuration(osg_glexec: Path) -> None:
    result = run_cli("export", "--format", "glideinwms", "--bdii", osg_glexec, "-e", "cms")
    assert result.code == 0, result.err
    found = entries(result.out)
    names = [e.get("name") for e in found.values()]
    assert len(names) == len(set(names)) > 50
    for entry in found.values():
        assert set(entry.attrib) >= ENTRY_ATTRIBUTES, entry.attrib
        for attr in entry.findall("attrs/attr"):
            assert set(attr.attrib) == ATTR_ATTRIBUTES
        assert set(attrs(entry)) == {"GLEXEC_BIN", "GLIDEIN_Site", "GLIDEIN_Supported_VOs"}
    ready = found["red.unl.edu:2119/jobmanager-pbs (queue=cms)(jobtype=single)"]
    assert ready.get("gridtype") == "gt2"
    assert ready.get("work_dir") == "OSG"
    # An OSG GRAM CE: glexec where the OSG worker node says ($OSG_GLEXEC_LOCATION).
    assert attrs(ready) == {
        "GLEXEC_BIN": "OSG",
        "GLIDEIN_Site": "Nebraska",
        "GLIDEIN_Supported_VOs": "CMS",
    }
    refused = found["cmsgrid01.hep.wisc.edu:2119/jobmanager-condor (queue=cms)(jobtype=single)"]
    assert attrs(refused)["GLEXEC_BIN"] == "NONE"
    # A CE ID without a batch system has no gatekeeper: said on stderr, not guessed.
    assert "rocks-fe.cise-nsf.gov:2119/jobmanager--cms: no factory entry" in result.err
    # Stable across runs: the same document twice.
    again = run_cli("export", "--format", "glideinwms", "--bdii", osg_glexec, "-e", "cms")
    assert again.out == result.out


@pytest.mark.parametrize(
    ("option", "value"),
    [("--glexec-bin", "/opt/glite/sbin/glexec"), ("--glexec-bin", "auto"),
     ("--glexec-path", "/usr/sbin/glexec")],
)  # fmt: skip
def test_export_ready_only_and_glexec_bin(osg_glexec: Path, option: str, value: str) -> None:
    result = run_cli(
        "export", "--format", "glideinwms", "--bdii", osg_glexec, "-e", "cms",
        "--ready-only", option, value,
    )  # fmt: skip
    assert result.code == 0, result.err
    values = {attrs(e)["GLEXEC_BIN"] for e in entries(result.out).values()}
    assert values == {value}
    assert len(entries(result.out)) == 14


@pytest.mark.parametrize("value", ["", " ", "NONE", "none", "/usr/sbin/glexec extra"])
def test_export_refuses_a_glexec_bin_that_is_none(value: str) -> None:
    result = run_cli("export", "--format", "glideinwms", "--bdii", SAMPLE, "--glexec-bin", value)
    assert result.code == 2
    assert "--glexec-bin: give where glexec is on the worker nodes" in result.err


def test_export_then_audit_factory_finds_no_error(osg_glexec: Path, tmp_path: Path) -> None:
    factory = tmp_path / "glideinWMS.xml"
    exported = run_cli("export", "--format", "glideinwms", "--bdii", osg_glexec)
    factory.write_text(exported.out)
    result = run_cli("audit-factory", factory, "--bdii", osg_glexec, "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["rows"] == []


def factory_file(path: Path, entries: list[tuple[str, str, str, str, str]]) -> Path:
    """A factory configuration with entries (name, gridtype, gatekeeper, rsl, GLEXEC_BIN)."""
    body = "".join(
        f'<entry name="{name}" gridtype="{gridtype}" gatekeeper="{gatekeeper}" rsl="{rsl}"'
        ' enabled="True"><attrs>'
        f'<attr name="GLEXEC_BIN" value="{glexec}"/>'
        '<attr name="GLIDEIN_Supported_VOs" value="CMS"/>'
        "</attrs></entry>"
        for name, gridtype, gatekeeper, rsl, glexec in entries
    )
    path.write_text(f"<glidein><entries>{body}</entries></glidein>\n")
    return path


def test_audit_factory_finds_every_kind(osg_glexec: Path, tmp_path: Path) -> None:
    factory = factory_file(
        tmp_path / "glideinWMS.xml",
        [
            ("GLOW", "gt2", "cmsgrid01.hep.wisc.edu:2119/jobmanager-condor",
             "(queue=cms)(jobtype=single)", "OSG"),
            ("GONE", "gt2", "gone.example.org:2119/jobmanager-pbs",
             "(queue=cms)(jobtype=single)", "/usr/sbin/glexec"),
            ("UNL", "gt2", "red.unl.edu/jobmanager-pbs", "(queue=cms)", "NONE"),
        ],
    )  # fmt: skip
    result = run_cli("audit-factory", factory, "--bdii", osg_glexec, "--format", "lines")
    assert result.code == 1, result.err
    assert result.out.splitlines() == [
        "GLOW\tglexec-where-refused\tcms",
        "GONE\tentry-not-in-bdii\tCMS",
        "UNL\tglexec-available\tcms",
    ]
    rows = json.loads(
        run_cli("audit-factory", factory, "--bdii", osg_glexec, "--format", "json").out
    )["rows"]
    assert [(r["entry"], r["severity"], r["ce"], r["verdict"]) for r in rows] == [
        ("GLOW", "error", REFUSED, "mode-mismatch"),
        ("GONE", "warning", None, None),
        ("UNL", "info", READY, "ready"),
    ]


def test_audit_factory_every_format(tmp_path: Path) -> None:
    factory = factory_file(
        tmp_path / "f.xml",
        [("GONE", "cream", "gone.example.org:8443/cream-pbs-cms", "", "NONE")],
    )
    for fmt in ("table", "lines", "tsv", "csv", "json", "github"):
        result = run_cli("audit-factory", factory, "--bdii", SAMPLE, "--format", fmt)
        assert result.code == 0, (fmt, result.err)
        assert "GONE" in result.out, fmt


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<glidein><entries><entry name="&lol3;" gatekeeper="x"/></entries></glidein>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE glidein [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<glidein><entries><entry name="&secret;" gatekeeper="x"/></entries></glidein>
"""


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL], ids=["laughs", "external"])
def test_hostile_factory_is_refused(document: str, tmp_path: Path) -> None:
    factory = tmp_path / "hostile.xml"
    factory.write_text(document)
    result = run_cli("audit-factory", factory, "--bdii", SAMPLE)
    assert result.code == 2
    assert result.out == ""
    assert result.err == (
        f"cecap: error: {factory}: refused: the document declares a DTD (a factory"
        " configuration has none; entities and external references are not read)\n"
    )


def test_oversized_factory_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cecap.sources import factory as module

    monkeypatch.setattr(module, "MAX_BYTES", 1024 * 1024)
    big = tmp_path / "big.xml"
    big.write_text("<glidein>" + " " * (1024 * 1024) + "</glidein>")
    result = run_cli("audit-factory", big, "--bdii", SAMPLE)
    assert result.code == 2
    assert (
        result.err
        == f"cecap: error: {big}: refused: the factory configuration is over 1 MiB in all\n"
    )


def test_export_json_flags(tmp_path: Path) -> None:
    result = run_cli("export", "--bdii", SAMPLE, "-e", "cms")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["kind"] == "export"
    rows = {r["ce"]: r for r in doc["rows"]}
    assert rows["lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M"] == {
        "experiment": "cms",
        "vo": "cms",
        "site": "RAL-LCG2",
        "ce": "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M",
        "queue": "grid1000M",
        "host": "lcgce01.gridpp.rl.ac.uk",
        "port": 8443,
        "lrms": "pbs",
        "glexec": True,
        "verdict": "ready",
        "mode": "setuid",
        "fail_closed": True,
        "reliable": None,
    }
    assert rows["red.unl.edu:2119/jobmanager-pbs-cms"]["glexec"] is False
    only = run_cli(
        "export", "--bdii", SAMPLE, "-e", "cms", "--ready-only",
        "--format", "lines",
    )  # fmt: skip
    assert only.out == "cms\tlcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M\tgrid1000M\n"


@pytest.mark.parametrize(
    ("given", "refused"), [(["--fields", "ce"], "--fields"), (["--no-header"], "--no-header")]
)
def test_export_glideinwms_refuses_output_options(given: list[str], refused: str) -> None:
    result = run_cli("export", "--format", "glideinwms", "--bdii", SAMPLE, *given)
    assert (result.code, result.out) == (2, "")
    assert result.err == f"cecap: error: {refused} does not apply to --format glideinwms\n"


def test_export_escapes_control_characters(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.ldif"
    text = SAMPLE.read_text().replace("Nebraska", "Nebr\x1b]0;x\x07aska")
    hostile.write_text(text)
    result = run_cli("export", "--format", "glideinwms", "--bdii", hostile, "-e", "cms")
    assert result.code == 0, result.err
    assert "\x1b" not in result.out and "\x07" not in result.out
    values = [attrs(e)["GLIDEIN_Site"] for e in entries(result.out).values()]
    assert "Nebr\\x1b]0;x\\x07aska" in values
