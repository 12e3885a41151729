"""cecap audit, --glue and --capability end to end: crafted GLUE 1.3 + 2.0 snapshots, exit
codes, every format, and the real OSG 2008 snapshot with an htpc overlay."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.every_kind import TWO, every_kind_ldif, write_config
from helpers.glue2_ldif import endpoint_dn
from helpers.glue_ldif import CESpec, bdii_ldif, ce_id, simple_site
from helpers.overlay import overlay_ldif
from helpers.paths import SAMPLE

from cecap.formats import format_names

ALL_KINDS = {
    "contradicts-stance": "error",
    "missing-advertisement": "warning",
    "runtime-environment-tag": "warning",
    "near-miss-capability": "warning",
    "inconsistent-queues": "warning",
    "glue-versions-disagree": "warning",
    "partial-voview": "info",
    "not-in-production": "info",
}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path / "config")


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    path = tmp_path / "every-kind.ldif"
    path.write_text(every_kind_ldif())
    return path


def test_audit_finds_every_kind_and_exits_1(snapshot: Path, config: Path) -> None:
    result = run_cli("audit", "--bdii", snapshot, "--config", config, "--format", "json")
    assert result.code == 1, result.err
    assert result.err == ""
    doc = json.loads(result.out)
    assert (doc["kind"], doc["partial"], doc["capability"], doc["source"]) == (
        "audit",
        False,
        "glexec",
        str(snapshot),
    )
    assert doc["fields"] == ["severity", "kind", "site", "glue", "dn", "message", "fix", "hint"]
    got = [(r["severity"], r["kind"], r["site"], r["glue"]) for r in doc["rows"]]
    assert got == [
        ("error", "contradicts-stance", "NOPE", "1.3"),
        ("warning", "near-miss-capability", "NEAR", "1.3"),
        ("warning", "inconsistent-queues", "SPLIT", "1.3"),
        ("warning", "glue-versions-disagree", "TWO", "2.0"),
        ("warning", "missing-advertisement", "WILLING", "1.3"),
        ("warning", "runtime-environment-tag", "WILLING", "1.3"),
        ("info", "not-in-production", "DRAIN", "1.3"),
        ("info", "partial-voview", "PART", "1.3"),
    ]
    assert {r["kind"]: r["severity"] for r in doc["rows"]} == ALL_KINDS
    by_kind = {r["kind"]: r for r in doc["rows"]}
    # As the resource BDII of the endpoint holds it, not as the top-level BDII read does.
    top_level = endpoint_dn(TWO, TWO.endpoints[0])
    assert top_level.endswith(",GLUE2GroupID=resource,GLUE2DomainID=TWO,GLUE2GroupID=grid,o=glue")
    assert by_kind["glue-versions-disagree"]["dn"] == top_level.replace(
        ",GLUE2DomainID=TWO,GLUE2GroupID=grid,o=glue", ",o=glue"
    )
    two = by_kind["glue-versions-disagree"]["dn"]
    assert by_kind["glue-versions-disagree"]["fix"] == (
        f"dn: {two}\nchangetype: modify\nadd: GLUE2EndpointCapability\n"
        "GLUE2EndpointCapability: glexec\n-"
    )
    assert by_kind["contradicts-stance"]["dn"] == (
        f"GlueCEUniqueID={ce_id('ce01.nope.example.org', 'q1')},Mds-Vo-name=resource,o=grid"
    )
    # Only the site knows whether the BDII or its answer is wrong: no LDIF, a hint only.
    assert by_kind["contradicts-stance"]["fix"] is None
    assert by_kind["contradicts-stance"]["hint"] == (
        "gLite (YAIM): remove glexec from CE_CAPABILITY in site-info.def, then rerun YAIM on the CE"
    )


def test_audit_table_and_site_filter(snapshot: Path, config: Path) -> None:
    # DNs as the top-level snapshot holds them: long enough to wrap.
    args = ("audit", "--bdii", snapshot, "--config", config, "--site", "will*", "--dn-as-read")
    result = run_cli(*args, env={"COLUMNS": "80"})
    # Only warnings for the chosen site: a site's monitoring stays green.
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    # Each finding's severity, kind, site and DN on its row's line (what tells the rows
    # apart); the GLUE version in its note.
    assert lines[:6] == [
        "#  severity  kind                     site     dn",
        "-  --------  -----------------------  -------  " + "-" * 33,
        # Too long for what is left of 80: the DN wraps, after an RDN, and an RDN too
        # long for a line after its port's colon.
        "1  warning   missing-advertisement    WILLING  GlueCEUniqueID=ce.willing.org:",
        "                                               8443/cream-pbs-q1,",
        "                                               Mds-Vo-name=WILLING,",
        "                                               Mds-Vo-name=local,o=grid",
    ]
    assert "  1. glue: 1.3" in lines
    # The fix as LDIF, one line of it per note line.
    assert "     add: GlueCECapability\n     GlueCECapability: glexec\n     -\n" in result.out
    # Only a fix's LDIF line is longer than 80: whole, so that it can be pasted.
    dn = "GlueCEUniqueID=ce.willing.org:8443/cream-pbs-q1,Mds-Vo-name=WILLING,Mds-Vo-name=local,o=grid"
    assert f"     dn: {dn}" in lines
    assert all(len(line) <= 80 or line.startswith("     dn: ") for line in lines)
    # A wide terminal has every column, and each row one line.
    wide = run_cli(*args, env={"COLUMNS": "160"}).out.splitlines()
    assert wide[2].split() == ["1", "warning", "missing-advertisement", "WILLING", "1.3", dn]
    assert wide[3].split()[:3] == ["2", "warning", "runtime-environment-tag"]
    assert max(len(line) for line in wide) <= 160
    # A site that is not there is an error, not a clean audit.
    none = run_cli("audit", "--bdii", snapshot, "--config", config, "--site", "WILLIN")
    assert (none.code, none.out, none.err) == (
        2,
        "",
        f"cecap: error: --site 'WILLIN': no site in {snapshot} matches; closest: WILLING\n",
    )


def test_audit_exit_0_on_a_clean_snapshot(tmp_path: Path, config: Path) -> None:
    path = tmp_path / "clean.ldif"
    path.write_text(bdii_ldif([simple_site("WILLING", [CESpec("q1", ["atlas", "cms"])])]))
    result = run_cli("audit", "--bdii", path, "--config", config, "--format", "csv")
    assert (result.code, result.out, result.err) == (
        0,
        "severity,kind,site,glue,dn,message,fix,hint\n",
        "",
    )


def test_audit_partial_answer_exits_3_unless_allowed(tmp_path: Path, config: Path) -> None:
    path = tmp_path / "cut.ldif"
    path.write_text(
        bdii_ldif([simple_site("NOPE", [CESpec("q1", ["atlas"])])])
        + "\n# search result\nsearch: 2\nresult: 4 Size limit exceeded\n"
    )
    result = run_cli("audit", "--bdii", path, "--config", config, "--format", "json")
    assert result.code == 3
    assert json.loads(result.out)["partial"] is True
    assert "partial answer" in result.err
    allowed = run_cli("audit", "--bdii", path, "--config", config, "--allow-partial")
    # The answer is still marked partial; the error finding decides the exit code.
    assert allowed.code == 1
    assert "PARTIAL: " in allowed.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--glue", "2"], "holds no GLUE 2.0 (o=glue) computing entries; try --glue 1"),
        (["--glue", "both"], "holds no GLUE 2.0 (o=glue) computing entries; use --glue 1"),
        (["--capability", " "], "--capability: give one GlueCECapability name"),
        (["--capability", "glexec yes"], "--capability: give one GlueCECapability name"),
    ],
)
def test_audit_bad_usage_exits_2(
    tmp_path: Path, config: Path, args: list[str], message: str
) -> None:
    path = tmp_path / "only13.ldif"
    path.write_text(bdii_ldif([simple_site("NOPE", [CESpec("q1", ["atlas"])])]))
    result = run_cli("audit", "--bdii", path, "--config", config, *args)
    assert result.code == 2
    assert result.out == ""
    assert result.err.count("\n") == 1 and message in result.err


def test_audit_bad_input_exits_2(tmp_path: Path, config: Path) -> None:
    garbled = tmp_path / "garbled.ldif"
    garbled.write_text("dn: o=grid\nobjectClass: organization\nthis is not ldif\n")
    result = run_cli("audit", "--bdii", garbled, "--config", config)
    assert result.code == 2
    assert result.err == f"cecap: error: {garbled}: line 3: not an LDIF line: 'this is not ldif'\n"
    (config / "glue2.yaml").write_text("capabilities:\n  glexec: [{attribute: GLUE2Foo}]\n")
    good = tmp_path / "good.ldif"
    good.write_text(bdii_ldif([simple_site("NOPE", [CESpec("q1", ["atlas"])])]))
    result = run_cli("audit", "--bdii", good, "--config", config)
    assert result.code == 2
    assert result.err == (
        f"cecap: error: {config / 'glue2.yaml'}: capabilities.glexec[0]: missing key 'values'\n"
    )


def test_audit_unavailable_bdii_exits_3(config: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Bound but not listening: the connection is refused at once.
    result = run_cli("audit", "--bdii", f"127.0.0.1:{port}", "--config", config, "--timeout", "5")
    assert result.code == 3
    assert result.out == ""
    assert f"ldap://127.0.0.1:{port}: cannot connect" in result.err


@pytest.mark.parametrize("fmt", format_names())
def test_audit_every_format(snapshot: Path, config: Path, fmt: str) -> None:
    result = run_cli("audit", "--bdii", snapshot, "--config", config, "--format", fmt)
    assert "Traceback" not in result.err, result.err
    assert result.code == 1, result.err
    # Every format carries every finding: each kind and site appears.
    for kind in ALL_KINDS:
        assert kind in result.out


# --- --glue on report and sites ---------------------------------------------------------------


def test_report_glue_choices(snapshot: Path, config: Path) -> None:
    def ces(*args: str) -> list[tuple[str, str, str]]:
        result = run_cli(
            "report",
            "--bdii",
            snapshot,
            "--config",
            config,
            "-e",
            "atlas",
            "--format",
            "json",
            *args,
        )
        assert result.code == 0, result.err
        return [(r["site"], r["ce"], r["verdict"]) for r in json.loads(result.out)["rows"]]

    two13 = ("TWO", ce_id("ce.two.org", "q1"), "no-stance")
    only2 = ("ONLY2", "ce.only2.org_org.glite.ce.CREAM", "no-stance")
    two2 = ("TWO", "ce.two.org_org.glite.ce.CREAM", "not-advertised")
    both = ces("--all")
    # GLUE 1.3 for the host published in both trees, GLUE 2.0 for the endpoint it lacks.
    assert [r[0] for r in both] == ["NOPE", "ONLY2", "PART", "SPLIT", "SPLIT", "TWO", "WILLING"]
    assert only2 in both and two13 in both and two2 not in both
    assert ces("--all", "--glue", "both") == both
    assert ces("--all", "--glue", "1") == [r for r in both if r != only2]
    assert ces("--all", "--glue", "2") == [only2, two2]


def test_sites_on_glue2_only(snapshot: Path, config: Path) -> None:
    result = run_cli(
        "sites", "--bdii", snapshot, "--config", config, "--glue", "2", "--format", "json"
    )
    assert result.code == 0, result.err
    got = [
        (r["site"], r["experiment"], r["ces_advertising"], r["readiness"])
        for r in json.loads(result.out)["rows"]
    ]
    assert got == [
        ("ONLY2", "atlas", 1, "no-stance"),
        ("ONLY2", "cms", 1, "no-stance"),
        ("TWO", "atlas", 0, "not-advertised"),
    ]


def test_report_reads_glue2_yaml_from_the_config_folder(snapshot: Path, config: Path) -> None:
    def only2(*args: str) -> list[str]:
        result = run_cli(
            "report", "--bdii", snapshot, "--config", config, "--all", "--glue", "2", "-e", "cms",
            "--format", "json", *args,
        )  # fmt: skip
        assert result.code == 0, result.err
        return [r["verdict"] for r in json.loads(result.out)["rows"] if r["site"] == "ONLY2"]

    # ONLY2 publishes GLUE2EndpointCapability: glexec, which the shipped glue2.yaml counts.
    assert only2() == ["no-stance"]
    (config / "glue2.yaml").write_text(
        "capabilities:\n  glexec: [{attribute: GLUE2EntityOtherInfo, values: [MUPJ=glexec]}]\n"
    )
    assert only2() == ["not-advertised"]


# --- --capability on the real OSG 2008 snapshot ------------------------------------------------

HTPC = {
    "red.unl.edu:2119/jobmanager-pbs-cms": ["htpc"],
    "red.unl.edu:2119/jobmanager-pbs-cmsprod": ["HTPC"],
    "osg-gw-2.t2.ucsd.edu:2119/jobmanager-condor-engage": ["htpc=yes"],
}


@pytest.fixture
def osg_htpc(osg_snapshot: Path, tmp_path: Path) -> Path:
    return overlay_ldif(
        osg_snapshot,
        tmp_path / "osg-htpc.ldif",
        capabilities=HTPC,
        states={"red.unl.edu:2119/jobmanager-pbs-cmsprod": "Draining"},
    )


def test_report_capability_htpc_on_osg(osg_htpc: Path) -> None:
    result = run_cli("report", "--bdii", osg_htpc, "--capability", "htpc", "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["capability"] == "htpc"
    rows = [
        (r["experiment"], r["site"], r["ce"], r["verdict"], r["mode"], r["fail_closed"])
        for r in doc["rows"]
    ]
    # Nebraska's cms queue serves every VO on its rules (cms and atlas among them); the
    # draining one is left out; UCSD's "htpc=yes" does not count.
    assert rows == [
        ("atlas", "Nebraska", "red.unl.edu:2119/jobmanager-pbs-cms", "advertised", None, None),
        ("cms", "Nebraska", "red.unl.edu:2119/jobmanager-pbs-cms", "advertised", None, None),
    ]
    every = run_cli(
        "report",
        "--bdii",
        osg_htpc,
        "--capability",
        "htpc",
        "--all",
        "-e",
        "cms",
        "--format",
        "json",
    )
    verdicts = {r["verdict"] for r in json.loads(every.out)["rows"]}
    assert verdicts == {"advertised", "not-advertised", "not-in-production"}


def test_report_capability_htpc_on_the_sample() -> None:
    # As the README shows it: the sample's OSG CE advertises htpc (any case counts).
    for args in ([], ["--all"]):
        result = run_cli(
            "report", "--bdii", SAMPLE, "--capability", "HTPC", "--format", "json", *args
        )
        assert result.code == 0, result.err
        advertised = [
            (r["site"], r["ce"])
            for r in json.loads(result.out)["rows"]
            if r["verdict"] == "advertised"
        ]
        assert advertised == [("Nebraska", "red.unl.edu:2119/jobmanager-pbs-cms")]


def test_report_capability_without_any_advertisement() -> None:
    result = run_cli("report", "--bdii", SAMPLE, "--capability", "CVMFS")
    assert (result.code, result.out, result.err) == (
        0,
        "no CE advertises cvmfs in a state the experiments target (use --all to see every CE"
        " serving the VO)\n",
        "",
    )


def test_sites_capability_htpc_on_osg(osg_htpc: Path) -> None:
    result = run_cli(
        "sites", "--bdii", osg_htpc, "--capability", "htpc", "-e", "cms", "--format", "json"
    )
    assert result.code == 0, result.err
    by_site = {r["site"]: r for r in json.loads(result.out)["rows"]}
    nebraska = by_site["Nebraska"]
    assert (
        nebraska["respondent"],
        nebraska["mupj"],
        nebraska["glexec_setuid"],
        nebraska["ces_serving"],
        nebraska["ces_advertising"],
        nebraska["ces_ready"],
        nebraska["readiness"],
    ) == ("USCMS-T2-Nebraska", None, None, 8, 2, 1, "advertised")
    assert by_site["UCSDT2"]["readiness"] == "not-advertised"
    assert {r["readiness"] for r in by_site.values()} == {"advertised", "not-advertised"}
    table = run_cli("sites", "--bdii", osg_htpc, "--capability", "htpc", "-e", "cms")
    assert table.out.splitlines()[0].split() == [
        "site",
        "exp",
        "CEs",
        "htpc",
        "ready",
        "cond",
        "readiness",
    ]


def test_audit_capability_htpc_on_osg(osg_htpc: Path) -> None:
    result = run_cli("audit", "--bdii", osg_htpc, "--capability", "htpc", "--format", "json")
    # No stances for htpc, so nothing contradicts: warnings and information only.
    assert result.code == 0, result.err
    got = [
        (r["severity"], r["kind"], r["site"], r["dn"].split(",")[0])
        for r in json.loads(result.out)["rows"]
        if r["kind"] != "duplicate-ce"  # the two-site queues: see test_audit_glexec_on_osg_2008
    ]
    assert got == [
        (
            "warning",
            "inconsistent-queues",
            "Nebraska",
            "GlueCEUniqueID=red.unl.edu:2119/jobmanager-pbs-atlas",
        ),
        (
            "warning",
            "near-miss-capability",
            "UCSDT2",
            "GlueCEUniqueID=osg-gw-2.t2.ucsd.edu:2119/jobmanager-condor-engage",
        ),
        (
            "info",
            "not-in-production",
            "Nebraska",
            "GlueCEUniqueID=red.unl.edu:2119/jobmanager-pbs-cmsprod",
        ),
    ]


def test_audit_glexec_on_osg_2008(osg_snapshot: Path) -> None:
    # 2008: no CE advertised glexec yet, so every respondent that said yes is missing it.
    result = run_cli("audit", "--bdii", osg_snapshot, "--format", "json")
    assert result.code == 0, result.err
    found = json.loads(result.out)["rows"]
    assert {(r["severity"], r["kind"]) for r in found} == {
        ("warning", "missing-advertisement"),
        ("warning", "duplicate-ce"),
    }
    # The queues GRASE-CCR-U2 and NYSGRID-CCR-U2 both publish (3), and Purdue-Lear and
    # Purdue-Steele (4): one duplicate-ce warning per second copy, under its own site.
    duplicates = [r for r in found if r["kind"] == "duplicate-ce"]
    assert sorted({r["site"] for r in duplicates}) == ["NYSGRID-CCR-U2", "Purdue-Steele"]
    assert len(duplicates) == 7
    rows = [r for r in found if r["kind"] == "missing-advertisement"]
    sites = [r["site"] for r in rows]
    assert len(sites) == len(set(sites)) == 28
    # Purdue-Lear's and Purdue-Steele's cms_grid, their only CMS queue, is Closed: glexec
    # added there would only make it not-in-production, so neither site is missing it.
    assert not {"Purdue-Lear", "Purdue-Steele"} & set(sites)
    assert {"Nebraska", "AGLT2", "USCMS-FNAL-WC1-CE", "UCSDT2"} <= set(sites)
