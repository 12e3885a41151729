"""export --format glideinwms held against glideinWMS 3.4.6's own code (gwms.py): every export
parses, validates and builds a submit description whose Grid_Resource names its CE; the
GLEXEC_BIN it writes finds glexec on the worker node (glexec_setup.sh); values outside
XML 1.0 keep the document well-formed; GLUE 2.0 shares keep their queue, and a GLUE 2.0
CREAM endpoint's gatekeeper names the batch system its service's manager publishes."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from helpers.bdii_server import BDIIServer
from helpers.cli import run_cli
from helpers.glue2_ldif import EndpointSpec, Site2Spec, glue2_ldif
from helpers.glue_ldif import CESpec, bdii_ldif, simple_site
from helpers.gwms import gwms, need_gwms
from helpers.paths import REPO, SAMPLE
from helpers.readme import readme_block

from .test_pilots import osg_glexec

__all__ = ["osg_glexec"]  # the fixture, shared with test_pilots

GLUE2_SAMPLE = REPO / "examples" / "sample-glue2.ldif"
Make = Callable[..., BDIIServer]
SITE = "RAL-LCG2"  # ready for cms in config/


def each_kind_ldif() -> str:
    """A CE of each kind at one site ready for cms: CREAM, lcg-CE, OSG GRAM, ARC and
    HTCondor-CE in GLUE 1.3, HTCondor-CE, ARC and CREAM endpoints in GLUE 2.0."""
    ces = [
        CESpec("cms", ["cms"], host="cream.rl.example.org"),
        CESpec("cms", ["cms"], host="lcg.rl.example.org", implementation="LCG-CE",
               unique_id="lcg.rl.example.org:2119/jobmanager-lcgpbs-cms"),
        CESpec("cms", ["cms"], host="gram.rl.example.org", implementation="UNDEFINED",
               unique_id="gram.rl.example.org:2119/jobmanager-condor-cms"),
        CESpec("cms", ["cms"], host="arc.rl.example.org", implementation="ARC-CE",
               unique_id="arc.rl.example.org:2811/nordugrid-torque-cms"),
        CESpec("cms", ["cms"], host="htc.rl.example.org", implementation="HTCondorCE",
               unique_id="htc.rl.example.org:9619/htcondorce-condor-cms"),
    ]  # fmt: skip
    glue2 = Site2Spec(
        SITE,
        [
            EndpointSpec("htc2.rl.example.org", ["cms"], interface="org.opensciencegrid.htcondorce",
                         implementation="HTCondorCE", url="htc2.rl.example.org:9619"),
            EndpointSpec("arc2.rl.example.org", ["cms"], interface="org.nordugrid.gridftpjob",
                         implementation="nordugrid-arc",
                         url="gsiftp://arc2.rl.example.org:2811/jobs"),
            # CREAM with its batch system in its service's manager (SLURM as the site
            # wrote it), two queues for CMS.
            EndpointSpec("cream2.rl.example.org", ["cms"], managers=["SLURM"],
                         queues={"cms": ["cms", "cms_long"]}),
        ],
    )  # fmt: skip
    return bdii_ldif([simple_site(SITE, ces)]) + "\n" + glue2_ldif([glue2])


def export(source: Path | str, *args: str) -> tuple[str, str]:
    result = run_cli("export", "--format", "glideinwms", "--bdii", source, *args)
    assert result.code == 0, result.err
    return result.out, result.err


def entries(xml: str) -> list[ET.Element]:
    return list(ET.fromstring(xml).iter("entry"))


def glexec_bin(entry: ET.Element) -> str:
    (value,) = [a.get("value", "") for a in entry.iter("attr") if a.get("name") == "GLEXEC_BIN"]
    return value


def check(xml: str, tmp_path: Path) -> list[dict[str, object]]:
    fragment = tmp_path / "fragment.xml"
    fragment.write_text(xml)
    code, rows, err = gwms("check", fragment)
    assert code == 0, (err, [r for r in rows if r.get("problems")])
    return rows


def _source(name: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    if name == "sample":
        return SAMPLE
    if name == "glue2-sample":
        return GLUE2_SAMPLE
    if name == "osg":
        return Path(request.getfixturevalue("osg_glexec"))
    path = tmp_path / "each-kind.ldif"
    path.write_text(each_kind_ldif())
    return path


@pytest.mark.parametrize(
    ("name", "count"), [("sample", 20), ("glue2-sample", 18), ("osg", 50), ("each-kind", 9)]
)
def test_every_export_passes_glideinwms_check(
    name: str, count: int, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    need_gwms()
    xml, _ = export(_source(name, tmp_path, request))
    made = entries(xml)
    assert len(made) >= count
    rows = {r["name"]: r for r in check(xml, tmp_path)}
    assert set(rows) == {e.get("name") for e in made}
    for entry in made:
        row = rows[entry.get("name")]
        grid = f"{entry.get('gridtype')} {entry.get('gatekeeper')}"
        assert row["submit"]["Grid_Resource"] == grid  # type: ignore[index]
        assert row["gatekeeper"] == entry.get("gatekeeper")


def test_a_ce_of_each_kind_gets_its_grid_type_gatekeeper_and_glexec_bin(tmp_path: Path) -> None:
    path = tmp_path / "each-kind.ldif"
    path.write_text(each_kind_ldif())
    xml, _ = export(path, "-e", "cms")
    got = {
        (e.get("gridtype"), e.get("gatekeeper"), e.get("rsl"), glexec_bin(e)) for e in entries(xml)
    }
    assert got == {
        ("cream", "cream.rl.example.org:8443/cream-pbs-cms", None, "glite"),
        ("gt2", "lcg.rl.example.org:2119/jobmanager-lcgpbs", "(queue=cms)(jobtype=single)",
         "glite"),
        ("gt2", "gram.rl.example.org:2119/jobmanager-condor", "(queue=cms)(jobtype=single)",
         "OSG"),
        ("nordugrid", "arc.rl.example.org", "(queue=cms)", "auto"),
        ("condor", "htc.rl.example.org htc.rl.example.org:9619", None, "auto"),
        ("condor", "htc2.rl.example.org htc2.rl.example.org:9619", None, "auto"),
        # A GLUE 2.0 share keeps its queue (GLUE2ComputingShareMappingQueue).
        ("nordugrid", "arc2.rl.example.org", "(queue=cms)", "auto"),
        # A GLUE 2.0 CREAM endpoint: its manager's batch system, an entry per queue.
        ("cream", "cream2.rl.example.org:8443/cream-slurm-cms", None, "glite"),
        ("cream", "cream2.rl.example.org:8443/cream-slurm-cms_long", None, "glite"),
    }  # fmt: skip


def _setup(value: str, *args: str) -> dict[str, object]:
    code, (row,), err = gwms("glexec-setup", value, *args)
    assert row["rc"] == code, err
    return row


def test_the_osg_glexec_bin_works_on_an_osg_worker_node(osg_glexec: Path) -> None:
    need_gwms()
    xml, _ = export(osg_glexec, "-e", "cms", "--ready-only")
    values = {glexec_bin(e) for e in entries(xml)}
    assert values == {"OSG"}
    at = "/opt/osg/glexec/sbin/glexec"
    row = _setup("OSG", "--at", at, "--env", "OSG_GLEXEC_LOCATION")
    assert row["rc"] == 0 and str(row["glexec"]).endswith(at)
    # What cecap wrote before, a fixed path, fails on that node.
    assert _setup("/usr/sbin/glexec", "--at", at, "--env", "OSG_GLEXEC_LOCATION")["rc"] != 0


def test_the_glite_glexec_bin_works_on_a_glite_worker_node() -> None:
    need_gwms()
    xml, _ = export(SAMPLE, "-e", "cms", "--ready-only")
    assert {glexec_bin(e) for e in entries(xml)} == {"glite"}
    row = _setup("glite", "--at", "/usr/sbin/glexec", "--env", "GLEXEC_LOCATION")
    assert row["rc"] == 0 and str(row["glexec"]).endswith("/usr/sbin/glexec")


@pytest.mark.parametrize(
    ("at", "env"),
    [
        ("/opt/osg/glexec/sbin/glexec", "OSG_GLEXEC_LOCATION"),
        ("/usr/sbin/glexec", "GLEXEC_LOCATION"),
    ],
)
def test_auto_works_on_either_node(at: str, env: str) -> None:
    need_gwms()
    row = _setup("auto", "--at", at, "--env", env)
    assert row["rc"] == 0 and str(row["glexec"]).endswith(at)


def test_a_value_outside_xml_1_0_keeps_the_export_well_formed(tmp_path: Path) -> None:
    need_gwms()
    hostile = tmp_path / "hostile.ldif"
    hostile.write_text(
        SAMPLE.read_text().replace("cream-pbs-grid1000M", "cream-pbs-grid1000M\ufffe")
    )
    xml, _ = export(hostile, "-e", "cms")
    assert "\ufffe" not in xml
    assert "cream-pbs-grid1000M\\ufffe" in xml
    out = tmp_path / "export.xml"
    out.write_text(xml)
    if not shutil.which("xmllint"):
        pytest.skip(
            "xmllint is not installed (apt-get install libxml2-utils; scripts/test.sh does)"
        )
    lint = subprocess.run(["xmllint", "--noout", str(out)], capture_output=True, check=False)
    assert lint.returncode == 0, lint.stderr
    check(xml, tmp_path)


def _json_rows(source: Path, *args: str) -> list[dict[str, object]]:
    result = run_cli("export", "--format", "json", "--bdii", source, *args)
    assert result.code == 0, result.err
    rows: list[dict[str, object]] = json.loads(result.out)["rows"]
    return rows


def test_the_readme_s_glue2_export_gives_cream_entries() -> None:
    (line,) = [
        line
        for line in readme_block("GLUE 2.0: `--glue`", "sample-glue2.ldif").splitlines()
        if line.startswith("cecap export ")
    ]
    # The README's commands run from the repository root.
    args = [REPO / a if a.startswith("examples/") else a for a in shlex.split(line)[1:]]
    result = run_cli(*args)
    assert result.code == 0, result.err
    gatekeepers = sorted(str(e.get("gatekeeper")) for e in entries(result.out))
    assert len(gatekeepers) == 7 and all(":8443/cream-pbs-cms" in g for g in gatekeepers)


def test_the_glue2_sample_exports_a_cream_entry_per_endpoint_and_queue(tmp_path: Path) -> None:
    need_gwms()
    xml, err = export(GLUE2_SAMPLE)
    assert "no factory entry" not in err
    # Each entry's Grid_Resource names its CE: the endpoint's host, the batch system its
    # manager publishes (torque, written pbs) and its share's queue for the VO.
    rows = _json_rows(GLUE2_SAMPLE)
    assert {r["lrms"] for r in rows} == {"pbs"}
    expected = sorted(f"cream {r['host']}:8443/cream-pbs-{r['queue']}" for r in rows)
    got = sorted(str(r["submit"]["Grid_Resource"]) for r in check(xml, tmp_path))  # type: ignore[index]
    assert got == expected and len(got) == 18


# GLUE 2.0 CREAM endpoints at a site ready for cms, in every shape their managers and
# shares come in: (host, managers, cms queues, the warning export gives, if any).
CREAM2_SHAPES = [
    ("torque.rl.example.org", ["Torque"], ["cms"], None),
    ("lsf.rl.example.org", ["LSF", "lsf"], ["grid_cms", "cms_long"], None),
    ("sge.rl.example.org", ["Son of Grid Engine"], ["cms"], None),
    ("condor.rl.example.org", ["HTCondor"], ["cms"], None),
    ("two.rl.example.org", ["Torque", "SLURM"], ["cms"],
     "its GLUE2ComputingManagers name different batch systems ('Torque', 'SLURM')"),
    ("none.rl.example.org", [], ["cms"], "its service publishes no GLUE2ComputingManager"),
    ("blank.rl.example.org", [""], ["cms"],
     "its GLUE2ComputingManager publishes no GLUE2ManagerProductName"),
    ("odd.rl.example.org", ["LoadLeveler"], ["cms"],
     "GLUE2ManagerProductName 'LoadLeveler' names no batch system cecap knows"
     " (glue2.yaml, batch_systems)"),
    ("hostile.rl.example.org", ["torque\u202e\x07"], ["cms"],
     "GLUE2ManagerProductName 'torque\\u202e\\x07' names no batch system cecap knows"
     " (glue2.yaml, batch_systems)"),
    ("noq.rl.example.org", ["slurm"], [""],
     "a CREAM gatekeeper names the queue, and no share for cms names one"
     " (GLUE2ComputingShareMappingQueue)"),
]  # fmt: skip
CREAM2_WORDS = {"Torque": "pbs", "LSF": "lsf", "Son of Grid Engine": "sge", "HTCondor": "condor"}


# What a real BDII holds too: GLUE20.schema refuses an empty product name.
LIVE_SHAPES = [shape for shape in CREAM2_SHAPES if shape[1] != [""]]


def cream2_ldif(shapes: list[Any] = CREAM2_SHAPES, site: str = SITE) -> str:
    return glue2_ldif(
        [
            Site2Spec(
                site,
                [
                    EndpointSpec(host, ["cms"], managers=managers, queues={"cms": queues})
                    for host, managers, queues, _ in shapes
                ],
            )
        ]
    )


def cream2_expected(shapes: list[Any] = CREAM2_SHAPES) -> tuple[list[str], list[str]]:
    """The gatekeepers export writes for these shapes, and its warnings."""
    gatekeepers = sorted(
        f"{host}:8443/cream-{CREAM2_WORDS[managers[0]]}-{queue}"
        for host, managers, queues, why in shapes
        if why is None
        for queue in queues
    )
    warnings = sorted(
        f"cecap: warning: {host}_org.glite.ce.CREAM: no factory entry for CMS"
        + (f" (a CREAM gatekeeper names the batch system, and {why})" if "queue" not in why
           else f" ({why})")
        for host, _, _, why in shapes
        if why is not None
    )  # fmt: skip
    return gatekeepers, warnings


def _warned(err: str) -> list[str]:
    return sorted(line for line in err.splitlines() if "no factory entry" in line)


def test_glue2_cream_endpoints_of_every_shape(tmp_path: Path) -> None:
    need_gwms()
    source = tmp_path / "cream2.ldif"
    source.write_text(cream2_ldif())
    xml, err = export(source, "-e", "cms")
    made = entries(xml)
    gatekeepers, warnings = cream2_expected()
    assert sorted(str(e.get("gatekeeper")) for e in made) == gatekeepers
    # The escaped form of what the site published, never its control characters.
    assert _warned(err) == warnings
    assert "\u202e" not in err and "\x07" not in err
    got = sorted(str(r["submit"]["Grid_Resource"]) for r in check(xml, tmp_path))  # type: ignore[index]
    assert got == [f"cream {g}" for g in gatekeepers]
    # The per-queue flags say the same batch system and queues.
    rows = _json_rows(source, "-e", "cms")
    assert (
        sorted(
            f"{r['host']}:8443/cream-{r['lrms']}-{r['queue']}"
            for r in rows
            if r["lrms"] and r["queue"]
        )
        == gatekeepers
    )
    # `lines` gives each row's key: one line per queue, none the same (lsf has two).
    lines = run_cli("export", "--bdii", source, "-e", "cms", "--format", "lines").out
    keys = lines.splitlines()
    assert len(keys) == len(set(keys)) == len(rows)
    assert "cms\tlsf.rl.example.org_org.glite.ce.CREAM\tcms_long" in keys
    # The factory audit takes every entry export wrote as its CE's, in either CREAM form.
    factory = tmp_path / "glideinWMS.xml"
    factory.write_text(xml.replace(
        'gatekeeper="lsf.rl.example.org:8443/cream-lsf-grid_cms"',
        'gatekeeper="https://lsf.rl.example.org:8443/ce-cream/services/CREAM2 lsf grid_cms"',
    ))  # fmt: skip
    audit = run_cli(
        "audit-factory", factory, "--bdii", source, "-e", "cms", "-v", "--format", "json"
    )
    assert audit.code == 0, audit.err
    assert json.loads(audit.out)["rows"] == []
    assert f"{len(made)} entries read: {len(made)} matched, 0 not in the BDII" in audit.err


def test_ready_only_warns_only_of_entries_it_would_write(tmp_path: Path) -> None:
    # A site without a stance: nothing is ready, so --ready-only writes no entry and has
    # no entry to leave out.
    source = tmp_path / "cream2.ldif"
    source.write_text(cream2_ldif(site="EXAMPLE-UNANSWERED"))
    xml, err = export(source, "-e", "cms")
    left_out = sum(1 for shape in CREAM2_SHAPES if shape[3] is not None)
    assert len(_warned(err)) == left_out and entries(xml)
    xml, err = export(source, "-e", "cms", "--ready-only")
    assert (entries(xml), _warned(err)) == ([], [])


def test_glue2_cream_batch_systems_are_read_live(bdii_factory: Make, tmp_path: Path) -> None:
    """The managers read over LDAP from a real BDII give what the LDIF gives."""
    source = tmp_path / "cream2.ldif"
    # At a site of its own beside the sample's (one with no stance: entries without glexec).
    shapes = cream2_ldif(LIVE_SHAPES, site="EXAMPLE-UNANSWERED").replace(glue2_ldif([]), "")
    source.write_text(GLUE2_SAMPLE.read_text() + "\n" + shapes)
    server = bdii_factory()
    loaded = server.load(source)  # strict: GLUE20.schema takes every manager
    assert loaded.refused == ()
    managers = sum(len(shape[1]) for shape in LIVE_SHAPES) + 9  # + the sample's
    assert server.count("(objectClass=GLUE2ComputingManager)", base="o=glue") == managers
    live_xml, live_err = export(server.url, "-e", "cms")
    file_xml, file_err = export(source, "-e", "cms")
    gatekeepers, warnings = cream2_expected(LIVE_SHAPES)
    live = sorted(str(e.get("gatekeeper")) for e in entries(live_xml))
    assert live == sorted(str(e.get("gatekeeper")) for e in entries(file_xml))
    assert set(gatekeepers) < set(live)
    assert {g for g in live if ".rl.example.org" not in g} == {
        f"{host}:8443/cream-pbs-cms"
        for host in ("lcgce01.gridpp.rl.ac.uk", "ce.cism.ucl.ac.be", "grid-ce3.desy.de",
                     "ceprod03.grid.hep.ph.ic.ac.uk", "ce07.pic.es", "red.unl.edu",
                     "ce201.cern.ch")
    }  # fmt: skip
    assert _warned(live_err) == _warned(file_err) == warnings
