"""What a site admin does, on real BDIIs: audit their own resource or site BDII, apply the
fixes with ldapmodify bound as each database's rootdn, audit again and find nothing left to
fix; the same with fixes computed from a top-level BDII; the OSG 2008 snapshot with glexec
on some CEs, fixed in one pass."""

from __future__ import annotations

import gzip
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.bdii_server import ROOT_PASSWORD, BDIIServer
from helpers.cli import run_cli
from helpers.layouts import Layout, relayout
from helpers.overlay import overlay_ldif
from helpers.paths import REPO, SAMPLE

Make = Callable[..., BDIIServer]
GLUE2_SAMPLE = REPO / "examples" / "sample-glue2.ldif"
RAL = "RAL-LCG2"


def rows(command: str, *args: str | Path) -> list[dict[str, Any]]:
    result = run_cli(command, *args, "--format", "json")
    assert result.code in (0, 1), result.err
    found: list[dict[str, Any]] = json.loads(result.out)["rows"]
    return found


def ldapmodify(server: BDIIServer, bind: str, path: Path) -> subprocess.CompletedProcess[str]:
    """The real ldapmodify, as a site admin runs it on their BDII."""
    return subprocess.run(
        ["ldapmodify", "-x", "-H", server.url, "-D", bind, "-w", ROOT_PASSWORD, "-f", str(path)],
        capture_output=True,
        text=True,
        env={"LDAPNOINIT": "1", "PATH": "/usr/bin:/bin"},
        check=False,
    )


def where(found: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(r["kind"], r["site"], r["dn"]) for r in found}


RAL_ENDPOINT_GLEXEC = (
    "GLUE2EndpointCapability: executionmanagement.jobexecution\n"
    "GLUE2EndpointCapability: glexec\n\n"
    "dn: GLUE2PolicyID=lcgce01.gridpp.rl.ac.uk_org.glite.ce.CREAM_Policy,"
)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's two trees in one top-level dump."""
    path = tmp_path_factory.mktemp("sample") / "sample-both.ldif"
    path.write_text(SAMPLE.read_text() + "\n" + GLUE2_SAMPLE.read_text())
    return path


@pytest.fixture(scope="module")
def top_level(tmp_path_factory: pytest.TempPathFactory, sample: Path) -> Path:
    """The same, with RAL's GLUE 2.0 endpoint advertising glexec as ``glexec-enabled``: a
    near miss, and GLUE 2.0 disagreeing with GLUE 1.3, to be fixed in its o=glue."""
    text = sample.read_text()
    assert text.count(RAL_ENDPOINT_GLEXEC) == 1
    path = tmp_path_factory.mktemp("near") / "sample-near.ldif"
    path.write_text(
        text.replace(
            RAL_ENDPOINT_GLEXEC, RAL_ENDPOINT_GLEXEC.replace(": glexec\n", ": glexec-enabled\n")
        )
    )
    return path


def ral_bdii(make: Make, top_level: Path, layout: Layout) -> BDIIServer:
    """Debian's site/resource BDII (bdii-slapd.conf) holding RAL's entries as ``layout``."""
    server = make(top_level=False)
    server.load_text(relayout(top_level.read_text(), RAL, layout))
    return server


@pytest.mark.parametrize("layout", ["resource", "site"])
@pytest.mark.parametrize("copy", ["sample", "top_level"])
def test_a_sites_own_bdii_reads_as_the_top_level_does(
    bdii_factory: Make, copy: str, layout: Layout, request: pytest.FixtureRequest
) -> None:
    top_level: Path = request.getfixturevalue(copy)
    server = ral_bdii(bdii_factory, top_level, layout)
    for command, extra in (("report", ("--all",)), ("audit", ())):
        own = rows(command, "--bdii", server.url, *extra)
        top = rows(command, "--bdii", top_level, "--site", RAL, *extra)
        assert own == top, command
        assert own and {r["site"] for r in own} == {RAL}
    verdicts = rows("report", "--bdii", server.url, "--all")
    assert {r["respondent"] for r in verdicts} == {"UKI-RAL-LCG2"}
    assert "no-stance" not in {r["verdict"] for r in verdicts}


def fixed_by_one_pass(server: BDIIServer, fixes: Path) -> None:
    """Apply DIR/grid.ldif and DIR/glue.ldif as Debian's BDII binds its databases; then
    the audit of ``server`` has no finding with a fix, and none it did not have."""
    before = rows("audit", "--bdii", server.url)
    assert [r for r in before if r["fix"]], "nothing to fix: the test would prove nothing"
    for name, bind in (("grid.ldif", "o=grid"), ("glue.ldif", "o=glue")):
        done = ldapmodify(server, bind, fixes / name)
        assert done.returncode == 0, done.stderr
    after = rows("audit", "--bdii", server.url)
    assert [r for r in after if r["fix"]] == []
    assert where(after) <= where(before)


@pytest.mark.parametrize("layout", ["resource", "site"])
def test_fixes_of_a_sites_own_bdii_apply_to_it(
    bdii_factory: Make, top_level: Path, layout: Layout, tmp_path: Path
) -> None:
    server = ral_bdii(bdii_factory, top_level, layout)
    fixes = tmp_path / "fixes"
    fixes.mkdir()
    dn_form = ("--dn-as-read",) if layout == "site" else ()
    result = run_cli("audit", "--bdii", server.url, "--fixes-dir", fixes, *dn_form)
    assert result.code == 0, result.err
    grid, glue = (fixes / "grid.ldif").read_text(), (fixes / "glue.ldif").read_text()
    # Each file names its database, the bind it needs and the BDII's own ldapmodify.
    assert "of the GLUE 1.3 database (o=grid)" in grid and " -D o=grid " in grid
    assert "of the GLUE 2.0 database (o=glue)" in glue and " -D o=glue " in glue
    assert "o=glue" not in grid.split("\n\n", 2)[2] and "o=grid" not in glue.split("\n\n", 2)[2]
    # RAL's GLUE 1.3 queues disagree; its GLUE 2.0 endpoint has a near miss and lacks
    # what GLUE 1.3 says: two findings, one record (the value added once).
    assert grid.count("\ndn: ") == 1 and glue.count("\ndn: ") == 1
    assert glue.count("\nadd: GLUE2EndpointCapability\n") == 1
    assert "\ndelete: GLUE2EndpointCapability\nGLUE2EndpointCapability: glexec-enabled\n" in glue
    fixed_by_one_pass(server, fixes)


def test_fixes_from_the_top_level_apply_to_the_resource_bdii(
    bdii_factory: Make, top_level: Path, tmp_path: Path
) -> None:
    server = ral_bdii(bdii_factory, top_level, "resource")
    fixes = tmp_path / "fixes"
    fixes.mkdir()
    result = run_cli("audit", "--bdii", top_level, "--site", RAL, "--fixes-dir", fixes)
    assert result.code == 0, result.err  # other sites' errors are not RAL's
    fixed_by_one_pass(server, fixes)
    # As read from the top level, the same DNs are not the resource BDII's: ldapmodify
    # refuses them (No such object), which is what the default spares the admin.
    as_read = tmp_path / "as-read"
    as_read.mkdir()
    run_cli("audit", "--bdii", top_level, "--site", RAL, "--fixes-dir", as_read, "--dn-as-read")
    refused = ldapmodify(server, "o=grid", as_read / "grid.ldif")
    assert refused.returncode == 32, refused.stderr


def test_format_ldif_is_one_file_per_glue_tree(
    bdii_factory: Make, top_level: Path, tmp_path: Path
) -> None:
    server = ral_bdii(bdii_factory, top_level, "resource")
    both = run_cli("audit", "--bdii", server.url, "--format", "ldif")
    assert both.code == 2 and both.out == ""
    assert both.err == (
        "cecap: error: --format ldif: the fixes go to two BDII databases, GLUE 1.3 (o=grid)"
        " and GLUE 2.0 (o=glue), each bound as its own rootdn: write one file per database"
        " with --fixes-dir DIR, or read one tree with --glue 1 or --glue 2\n"
    )
    before = rows("audit", "--bdii", server.url)
    for glue, database in (("1", "o=grid"), ("2", "o=glue")):
        one = run_cli("audit", "--bdii", server.url, "--format", "ldif", "--glue", glue)
        assert one.code == 0, one.err
        assert f"database ({database})\n" in one.out and f" -D {database} " in one.out
        assert one.out.count("\ndn: ") == 1
        path = tmp_path / f"glue{glue}.ldif"
        path.write_text(one.out)
        done = ldapmodify(server, database, path)
        assert done.returncode == 0, done.stderr
    after = rows("audit", "--bdii", server.url)
    assert [r for r in after if r["fix"]] == []
    assert where(after) <= where(before)


def test_hints_name_the_lasting_change_at_the_source(
    bdii_factory: Make, top_level: Path, osg_snapshot: Path
) -> None:
    # The fix of a resource BDII lasts until its providers refresh it: the hint says where
    # the site makes it last, as its middleware does it (RAL: CREAM, configured by YAIM).
    server = ral_bdii(bdii_factory, top_level, "resource")
    fixable = [r for r in rows("audit", "--bdii", server.url) if r["fix"]]
    assert fixable and {r["hint"] for r in fixable} == {
        "gLite (YAIM): add glexec to CE_CAPABILITY in site-info.def, then rerun YAIM on the CE",
        "gLite (YAIM): write glexec instead of 'glexec-enabled' in CE_CAPABILITY in"
        " site-info.def, then rerun YAIM on the CE",
    }
    # An OSG CE's: the GIP's switch.
    osg = [r for r in rows("audit", "--bdii", osg_snapshot) if r["fix"]]
    assert osg and {r["hint"] for r in osg} == {
        "OSG (GIP): set glexec_enabled = True in the [site] section of the GIP's gip.conf"
    }


def test_osg_snapshot_with_glexec_on_some_ces_is_fixed_in_one_pass(
    bdii_factory: Make, osg_snapshot: Path, tmp_path: Path
) -> None:
    # glexec on every third CE of the snapshot, Closed and Draining ones among them: hosts
    # whose queues disagree, sites that answered yes and publish it nowhere.
    with gzip.open(osg_snapshot, "rt") as dump:
        ids = [line[16:].strip() for line in dump if line.startswith("GlueCEUniqueID: ")]
    variant = overlay_ldif(
        osg_snapshot, tmp_path / "osg-glexec.ldif", {c: ["glexec"] for c in ids[::3]}
    )
    # slapadd loads all or nothing: leave out the four entries any BDII refuses (a
    # subcluster whose DN and GlueSubClusterUniqueID disagree, and its children).
    broken = "GlueSubClusterUniqueID=Dell Nodes,GlueClusterUniqueID=red.unl.edu,"
    blocks = variant.read_text().split("\n\n")
    kept = [b for b in blocks if broken not in b.split("\n", 1)[0]]
    assert len(blocks) - len(kept) == 4
    variant.write_text("\n\n".join(kept))
    server = BDIIServer(tmp_path / "top")
    try:
        server.bulk_load(variant)
        server.start()
        fixes = tmp_path / "fixes"
        fixes.mkdir()
        # What an earlier run may have left: replaced, never applied again.
        stale = "version: 1\n\ndn: GLUE2GroupID=resource,o=glue\nchangetype: delete\n"
        (fixes / "glue.ldif").write_text(stale)
        before = rows("audit", "--bdii", server.url, "--dn-as-read")
        fixable = [r for r in before if r["fix"]]
        assert {r["kind"] for r in fixable} == {"inconsistent-queues", "missing-advertisement"}
        result = run_cli("audit", "--bdii", server.url, "--dn-as-read", "--fixes-dir", fixes)
        assert result.code == 1, result.err  # contradictions remain: only the site knows
        assert sorted(p.name for p in fixes.iterdir()) == ["glue.ldif", "grid.ldif"]
        glue = (fixes / "glue.ldif").read_text()
        assert "\n# GLUE 2.0 was not read (--glue, or the source holds none):" in glue
        assert "dn:" not in glue
        # A top-level BDII's o=grid is a relay onto o=shadow: bound as that, as its header says.
        assert "(o=grid; on a top-level BDII o=shadow, which" in (fixes / "grid.ldif").read_text()
        done = ldapmodify(server, "o=shadow", fixes / "grid.ldif")
        assert done.returncode == 0, done.stderr
        after = rows("audit", "--bdii", server.url, "--dn-as-read")
        assert [r for r in after if r["fix"]] == []
        assert where(after) <= where(before)
        assert "not-in-production" in {r["kind"] for r in after}  # as before, none added
        assert len([r for r in after if r["kind"] == "not-in-production"]) == len(
            [r for r in before if r["kind"] == "not-in-production"]
        )
    finally:
        server.stop()


def test_fixes_dir_is_a_folder_that_exists_and_goes_without_format_ldif(tmp_path: Path) -> None:
    both = run_cli("audit", "--bdii", SAMPLE, "--format", "ldif", "--fixes-dir", tmp_path)
    assert (both.code, both.out) == (2, "")
    assert both.err == (
        "cecap: error: --format ldif prints one LDIF file and --fixes-dir writes one per"
        " database: give one of them\n"
    )
    assert list(tmp_path.iterdir()) == []
    missing = run_cli("audit", "--bdii", SAMPLE, "--fixes-dir", tmp_path / "nope")
    assert (missing.code, missing.out) == (2, "")
    assert "nope" in missing.err and not (tmp_path / "nope").exists()
    # A source of GLUE 1.3 only: its file, and GLUE 2.0's saying it was not read.
    done = run_cli("audit", "--bdii", SAMPLE, "--fixes-dir", tmp_path, "--format", "csv")
    assert done.code == 1, done.err
    grid, glue = (tmp_path / "grid.ldif").read_text(), (tmp_path / "glue.ldif").read_text()
    assert grid.count("\ndn: ") == 3 and "dn:" not in glue
