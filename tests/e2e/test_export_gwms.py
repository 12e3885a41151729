"""export --format glideinwms held against glideinWMS 3.4.6's own code (gwms.py): every export
parses, validates and builds a submit description whose Grid_Resource names its CE; the
GLEXEC_BIN it writes finds glexec on the worker node (glexec_setup.sh); values outside
XML 1.0 keep the document well-formed; GLUE 2.0 shares keep their queue."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from helpers.cli import run_cli
from helpers.glue2_ldif import EndpointSpec, Site2Spec, glue2_ldif
from helpers.glue_ldif import CESpec, bdii_ldif, simple_site
from helpers.gwms import gwms, need_gwms
from helpers.overlay import overlay_ldif
from helpers.paths import REPO, SAMPLE

GLUE2_SAMPLE = REPO / "examples" / "sample-glue2.ldif"
SITE = "RAL-LCG2"  # ready for cms in config/


def each_kind_ldif() -> str:
    """A CE of each kind at one site ready for cms: CREAM, lcg-CE, OSG GRAM, ARC and
    HTCondor-CE in GLUE 1.3, HTCondor-CE and ARC endpoints in GLUE 2.0."""
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
        ],
    )  # fmt: skip
    return bdii_ldif([simple_site(SITE, ces)]) + "\n" + glue2_ldif([glue2])


@pytest.fixture(scope="module")
def osg_glexec(osg_snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The OSG snapshot with glexec added to some sites: every CMS queue."""
    with gzip.open(osg_snapshot, "rt", encoding="utf-8") as f:
        cms = {
            line.split(":", 1)[1].strip()
            for line in f
            if line.startswith("GlueCEUniqueID:") and line.rstrip().endswith("-cms")
        }
    target = tmp_path_factory.mktemp("osg") / "osg-glexec.ldif"
    return overlay_ldif(osg_snapshot, target, capabilities={ce: ["glexec"] for ce in cms})


def export(source: Path, *args: str) -> tuple[str, str]:
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
    ("name", "count"), [("sample", 20), ("glue2-sample", 0), ("osg", 50), ("each-kind", 7)]
)
def test_every_export_passes_glideinwms_check(
    name: str, count: int, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    need_gwms()
    xml, err = export(_source(name, tmp_path, request))
    made = entries(xml)
    if count:
        assert len(made) >= count
    else:
        # GLUE 2.0 CREAM endpoints publish no batch system: no CREAM gatekeeper can be
        # written, and each is named on stderr instead.
        assert made == [] and err.count("no factory entry") >= 9
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
