"""cecap against a real BDII on loopback: same answers as its LDIF, failover, hangs, limits,
TLS, a server stopped mid-run, VO names that look like filter syntax, and snapshots (GLUE
1.3 and 2.0)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.bdii_server import BDIIServer, free_port, make_test_ca, missing_requirements
from helpers.cli import run_cli
from helpers.every_kind import every_kind_ldif, write_config
from helpers.glue2_ldif import EndpointSpec, Site2Spec, site2_ldif
from helpers.glue_ldif import CESpec, bdii_ldif, simple_site
from helpers.overlay import overlay_ldif
from helpers.paths import REPO, SAMPLE

from cecap.formats import format_names
from cecap.sources import ldap_client
from cecap.sources.ldap import LdapReader

Make = Callable[..., BDIIServer]

# Chosen CEs of the OSG 2008 snapshot made to advertise glexec (the file has none).
OVERLAY = {
    "gate01.aglt2.org:2119/jobmanager-condor-atlas": ["glexec"],
    "red.unl.edu:2119/jobmanager-pbs-cms": ["glexec"],
    "cit-gatekeeper.ultralight.org:2119/jobmanager-condor-cms": ["GLEXEC"],
    "cmsgrid01.hep.wisc.edu:2119/jobmanager-condor-cms": ["glexec"],
    "fermigrid1.fnal.gov:2119/jobmanager-condor-cms": ["glexec"],
}


def doc(result: Any) -> dict[str, Any]:
    assert result.code == 0, result.err
    parsed: dict[str, Any] = json.loads(result.out)
    return parsed


def rows_of(*args: str | Path, env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    parsed = doc(run_cli(*args, "--format", "json", env=env))
    assert parsed["partial"] is False
    rows: list[dict[str, Any]] = parsed["rows"]
    return rows


# --- the real OSG 2008 snapshot, live --------------------------------------------------


@pytest.fixture(scope="module")
def osg_live(
    osg_snapshot: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[BDIIServer, Path]]:
    """A BDII holding the OSG snapshot with the glexec overlay, and an LDIF of exactly what
    it holds (the overlaid file less the entries the server's schema refused)."""
    missing = missing_requirements()
    if missing:
        pytest.skip("a real BDII needs " + ", ".join(missing) + "; scripts/test.sh installs them")
    folder = tmp_path_factory.mktemp("osg-live")
    overlaid = overlay_ldif(osg_snapshot, folder / "osg-glexec.ldif", OVERLAY)
    server = BDIIServer(folder / "bdii")
    server.start()
    try:
        loaded = server.load(overlaid, strict=False)
        refused = {e.dn for e in loaded.refused}
        # The one broken subcluster (and its children) of the real file: nothing cecap needs.
        assert len(refused) == 4
        assert all("GlueSubClusterUniqueID=Dell Nodes," in dn for dn in refused)
        same = folder / "osg-glexec-as-loaded.ldif"
        blocks = overlaid.read_text(encoding="utf-8").split("\n\n")
        kept = [b for b in blocks if b.split("\n", 1)[0][len("dn: ") :] not in refused]
        assert len(blocks) - len(kept) == 4
        same.write_text("\n\n".join(kept), encoding="utf-8")
        yield server, same
    finally:
        server.stop()


def test_live_rows_equal_the_ldif_rows(osg_live: tuple[BDIIServer, Path]) -> None:
    server, ldif = osg_live
    for command in (["report", "--all"], ["sites"]):
        live = rows_of(*command, "--bdii", server.url)
        snap = rows_of(*command, "--bdii", ldif)
        assert live == snap
        assert len(live) > 50
    live_report = rows_of("report", "--bdii", f"{server.host}:{server.port}")
    assert {(r["site"], r["verdict"]) for r in live_report} == {
        ("AGLT2", "ready"),
        ("Nebraska", "ready"),
        ("CIT_CMS_T2", "conditional"),
    }


def test_snapshot_loads_into_a_fresh_bdii_and_gives_the_same_reports(
    osg_live: tuple[BDIIServer, Path], bdii_factory: Make, tmp_path: Path
) -> None:
    server, ldif = osg_live
    folder = tmp_path / "snapshots"
    folder.mkdir()
    snap = folder / "top-bdii.ldif.gz"
    snap.write_text("yesterday's snapshot\n")
    made = run_cli("snapshot", "--bdii", server.url, "-v", "-o", snap)
    assert made.code == 0, made.err
    assert made.out == f"wrote {snap}: 4260 entries (1164 CEs) from {server.url}\n"
    assert made.err == ""
    assert os.listdir(folder) == ["top-bdii.ldif.gz"]  # replaced; no temporary file left

    fresh = bdii_factory()
    loaded = fresh.load(snap)  # strict: ldapadd must accept every entry
    assert loaded.added == 4258
    assert loaded.already_present == ("o=grid", "Mds-Vo-name=local,o=grid")
    assert fresh.count("(objectClass=GlueCE)") == 1164

    for command in (["report", "--all"], ["sites"]):
        expected = rows_of(*command, "--bdii", ldif)
        assert rows_of(*command, "--bdii", fresh.url) == expected
        assert rows_of(*command, "--bdii", snap) == expected


def test_snapshot_of_a_snapshot_loads_too(bdii_factory: Make, tmp_path: Path) -> None:
    # From an LDIF source (which need not keep objectClass values) the file must still
    # satisfy the schema.
    first = tmp_path / "one.ldif"
    second = tmp_path / "two.ldif"
    assert run_cli("snapshot", "--bdii", SAMPLE, "-o", first).code == 0
    again = run_cli("snapshot", "--bdii", first, "-o", second)
    assert again.code == 0, again.err
    fresh = bdii_factory()
    fresh.load(second)
    assert rows_of("report", "--all", "--bdii", fresh.url) == rows_of(
        "report", "--all", "--bdii", SAMPLE
    )


# --- GLUE 2.0 in snapshots ------------------------------------------------------------

# Every audit finding kind in both trees, plus GLUE 2.0 endpoints that drain, are in
# critical health, or say glexec in GLUE2EntityOtherInfo or on one share only, at a site
# whose name needs escaping in a DN; their managers name batch systems in several ways.
MORE_GLUE2 = Site2Spec(
    "UKI-LT2, QMUL",
    [
        EndpointSpec(
            "ce1.qmul.ac.uk", ["atlas", "lhcb"], capabilities=(), other_info=["GLEXEC=yes"]
        ),
        EndpointSpec("ce2.qmul.ac.uk", ["atlas"], serving="draining", managers=["SLURM"]),
        EndpointSpec(
            "ce3.qmul.ac.uk",
            ["atlas", "cms"],
            health="critical",
            capabilities=(),
            share_other_info={"cms": ["glexec"]},
            managers=["Torque", "Maui"],
        ),
    ],
)
# The batch system each GLUE 2.0 CREAM endpoint's managers give (export's lrms).
GLUE2_LRMS = {
    "ce.only2.org_org.glite.ce.CREAM": "pbs",
    "ce1.qmul.ac.uk_org.glite.ce.CREAM": "pbs",
    "ce2.qmul.ac.uk_org.glite.ce.CREAM": "slurm",
    "ce3.qmul.ac.uk_org.glite.ce.CREAM": "pbs",
}
GLUE2_CES = {
    f"{host}_org.glite.ce.CREAM"
    for host in ("ce.only2.org", "ce1.qmul.ac.uk", "ce2.qmul.ac.uk", "ce3.qmul.ac.uk")
}


@pytest.fixture
def both_trees(tmp_path: Path) -> tuple[Path, Path]:
    """An LDIF with both trees, and a config folder with answers for some of its sites."""
    ldif = tmp_path / "both-trees.ldif"
    ldif.write_text(every_kind_ldif() + "\n" + site2_ldif(MORE_GLUE2))
    return ldif, write_config(tmp_path / "config")


def dn_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8").replace("\n ", "")
    return [line[len("dn: ") :] for line in text.split("\n") if line.startswith("dn: ")]


def assert_same_answers(config: Path, *sources: str | Path, glue: str = "") -> None:
    """report --all and audit give identical rows and exit codes from every source, with
    the GLUE 2.0 CEs and findings there when that tree is read."""
    flags = ["--glue", glue] if glue else []
    trees = {"": {"1.3", "2.0"}, "1": {"1.3"}, "2": {"2.0"}}[glue]
    # export reads both trees always (it has no --glue).
    for command in (["report", "--all"], ["audit"], *([["export"]] if not glue else [])):
        answers = []
        for source in sources:
            args = (*command, *flags, "--bdii", source, "--config", config, "--format", "json")
            result = run_cli(*args)
            assert result.code in (0, 1), (source, result.err)
            assert json.loads(result.out)["partial"] is False
            answers.append((result.code, json.loads(result.out)["rows"]))
        for source, answer in zip(sources[1:], answers[1:], strict=True):
            assert answer == answers[0], (command, source)
        rows = answers[0][1]
        if command[0] == "export":
            # The managers' batch system survives: every GLUE 2.0 CREAM endpoint has it.
            lrms = {r["ce"]: r["lrms"] for r in rows if r["ce"] in GLUE2_CES}
            assert lrms == GLUE2_LRMS
        elif command[0] == "report":
            ces = {r["ce"] for r in rows}
            assert ces >= GLUE2_CES if "2.0" in trees else not ces & GLUE2_CES
        else:
            assert {r["glue"] for r in rows} == trees


def test_glue2_snapshot_loads_into_a_fresh_bdii_and_gives_the_same_rows(
    bdii_factory: Make, both_trees: tuple[Path, Path], tmp_path: Path
) -> None:
    ldif, config = both_trees
    original = bdii_factory()
    original.load(ldif)  # strict
    snap = tmp_path / "both.ldif.gz"
    made = run_cli("snapshot", "--bdii", original.url, "-v", "-o", snap)
    assert made.code == 0, made.err
    assert made.out == (
        f"wrote {snap}: 92 entries (8 CEs, 5 GLUE 2.0 endpoints) from {original.url}\n"
    )
    assert made.err == ""

    fresh = bdii_factory()
    loaded = fresh.load(snap)  # strict: ldapadd must accept every entry, o=glue ones too
    assert loaded.already_present == (
        "o=glue",
        "GLUE2GroupID=grid,o=glue",
        "o=grid",
        "Mds-Vo-name=local,o=grid",
    )
    for cls, number in (
        ("GLUE2ComputingService", 5),
        ("GLUE2ComputingEndpoint", 5),
        ("GLUE2AccessPolicy", 5),
        ("GLUE2ComputingShare", 8),
        ("GLUE2MappingPolicy", 8),
        # ce3.qmul.ac.uk's service has two managers.
        ("GLUE2ComputingManager", 6),
    ):
        assert fresh.count(f"(objectClass={cls})", base="o=glue") == number, cls
        assert original.count(f"(objectClass={cls})", base="o=glue") == number, cls
    assert fresh.count("(objectClass=GlueCE)") == 8
    assert_same_answers(config, original.url, fresh.url, snap)

    # --glue 2 saves the o=glue tree only, and reads back the same.
    only2 = tmp_path / "glue2.ldif"
    made = run_cli("snapshot", "--bdii", original.url, "--glue", "2", "-v", "-o", only2)
    assert made.out == (
        f"wrote {only2}: 45 entries (0 CEs, 5 GLUE 2.0 endpoints) from {original.url}\n"
    )
    dns = dn_lines(only2)
    assert len(dns) == 45 and all(dn.endswith(",o=glue") or dn == "o=glue" for dn in dns)
    assert_same_answers(config, original.url, only2, glue="2")


def test_glue2_snapshot_of_an_ldif_with_both_trees_loads_too(
    bdii_factory: Make, both_trees: tuple[Path, Path], tmp_path: Path
) -> None:
    ldif, config = both_trees
    snap = tmp_path / "snap.ldif"
    made = run_cli("snapshot", "--bdii", ldif, "-v", "-o", snap)
    assert made.code == 0, made.err
    assert made.out == f"wrote {snap}: 92 entries (8 CEs, 5 GLUE 2.0 endpoints) from {ldif}\n"
    original = bdii_factory()
    original.load(ldif)
    fresh = bdii_factory()
    fresh.load(snap)
    # slapd hands an escaped DN back in its own spelling (UKI-LT2\2C QMUL for UKI-LT2\,
    # QMUL), so files are compared with files and servers with servers.
    assert_same_answers(config, ldif, snap)
    assert_same_answers(config, original.url, fresh.url)
    # --glue 1 leaves the o=glue tree out.
    only1 = tmp_path / "glue1.ldif"
    assert run_cli("snapshot", "--bdii", ldif, "--glue", "1", "-o", only1).code == 0
    assert not any(dn.endswith("o=glue") for dn in dn_lines(only1))
    assert_same_answers(config, ldif, only1, glue="1")


def test_a_glue_tree_the_source_lacks_is_not_saved(sample_bdii: BDIIServer, tmp_path: Path) -> None:
    out = tmp_path / "snap.ldif"
    for glue, hint in (("2", "try --glue 1"), ("both", "use --glue 1")):
        result = run_cli("snapshot", "--bdii", sample_bdii.url, "--glue", glue, "-o", out)
        assert (result.code, result.out) == (2, "")
        assert result.err == (
            f"cecap: error: {sample_bdii.url}: holds no GLUE 2.0 (o=glue) computing entries:"
            f" no snapshot written; {hint}\n"
        )
        assert not out.exists()
    # By default a snapshot saves the trees the source holds.
    assert run_cli("snapshot", "--bdii", sample_bdii.url, "-o", out).code == 0
    dns = dn_lines(out)
    assert dns and not any(dn.endswith("o=glue") for dn in dns)


# --- failover ----------------------------------------------------------------------------


@pytest.fixture
def sample_bdii(bdii_factory: Make) -> BDIIServer:
    server = bdii_factory()
    server.load(SAMPLE)
    return server


def test_failover_skips_a_dead_endpoint_with_a_warning(sample_bdii: BDIIServer) -> None:
    dead = free_port()
    result = run_cli(
        "report",
        "--all",
        "--format",
        "json",
        "--bdii",
        f"127.0.0.1:{dead}",
        "--bdii",
        sample_bdii.url,
    )
    assert doc(result)["rows"] == rows_of("report", "--all", "--bdii", SAMPLE)
    assert result.err == (
        f"cecap: warning: ldap://127.0.0.1:{dead}: cannot connect: Connection refused;"
        f" trying {sample_bdii.url}\n"
    )


def test_lcg_gfal_infosys_is_the_default_list(sample_bdii: BDIIServer) -> None:
    dead = free_port()
    env = {"LCG_GFAL_INFOSYS": f"127.0.0.1:{dead},{sample_bdii.host}:{sample_bdii.port}"}
    result = run_cli("report", "--all", "--format", "json", env=env)
    assert doc(result)["rows"] == rows_of("report", "--all", "--bdii", SAMPLE)
    assert f"ldap://127.0.0.1:{dead}: cannot connect" in result.err


def test_all_endpoints_down_is_exit_3_with_one_line_each() -> None:
    one, two = free_port(), free_port()
    result = run_cli("sites", "--bdii", f"127.0.0.1:{one},ldap://127.0.0.1:{two}")
    assert result.code == 3
    assert result.out == ""
    assert result.err.splitlines()[-3:] == [
        "cecap: error: none of the 2 information systems answered:",
        f"  ldap://127.0.0.1:{one}: cannot connect: Connection refused",
        f"  ldap://127.0.0.1:{two}: cannot connect: Connection refused",
    ]


def test_site_bdii_with_base(bdii_factory: Make, tmp_path: Path) -> None:
    # A site BDII publishes under mds-vo-name=SITE,o=grid, without the local level.
    site = simple_site("UKI-LT2-QMUL", [CESpec("grid", ["atlas", "cms"])])
    text = bdii_ldif([site]).replace(",Mds-Vo-name=local,o=grid", ",o=grid")
    text = text.replace("dn: Mds-Vo-name=local,o=grid\nobjectClass: MDS\nMds-Vo-name: local\n", "")
    ldif = tmp_path / "site.ldif"
    ldif.write_text(text)
    server = bdii_factory(top_level=False)
    server.load(ldif)
    base = "mds-vo-name=UKI-LT2-QMUL,o=grid"
    live = rows_of("report", "--all", "--bdii", server.url, "--base", base)
    assert live == rows_of("report", "--all", "--bdii", ldif)
    assert {(r["experiment"], r["site"]) for r in live} == {
        ("atlas", "UKI-LT2-QMUL"),
        ("cms", "UKI-LT2-QMUL"),
    }
    # The BDII answered: a base that is not there is the operator's to fix (exit 2).
    wrong = run_cli("report", "--bdii", server.url, "--base", "mds-vo-name=NOPE,o=grid")
    assert wrong.code == 2
    assert wrong.err == (
        f"cecap: error: {server.url}: the search base 'mds-vo-name=NOPE,o=grid' does not"
        " exist there; on a top-level BDII a site is under --base"
        " mds-vo-name=NOPE,mds-vo-name=local,o=grid (mds-vo-name=NOPE,o=grid is a site"
        " BDII's base)\n"
    )


def test_a_site_bdii_url_as_the_grid_writes_it(bdii_factory: Make, tmp_path: Path) -> None:
    # Two sites on one site-level BDII: each URL's DN (a GlueServiceEndpoint pasted as is)
    # reads its own site, in a failover list and in $LCG_GFAL_INFOSYS alike.
    sites = [
        simple_site("UKI-LT2-QMUL", [CESpec("grid", ["atlas", "cms"])]),
        simple_site("RAL-LCG2", [CESpec("lcgce", ["cms"])]),
    ]
    text = bdii_ldif(sites).replace(",Mds-Vo-name=local,o=grid", ",o=grid")
    text = text.replace("dn: Mds-Vo-name=local,o=grid\nobjectClass: MDS\nMds-Vo-name: local\n", "")
    ldif = tmp_path / "sites.ldif"
    ldif.write_text(text)
    server = bdii_factory(top_level=False)
    server.load(ldif)
    url = f"{server.url}/mds-vo-name=UKI-LT2-QMUL,o=grid"
    live = rows_of("report", "--all", "--bdii", url)
    assert {(r["experiment"], r["site"]) for r in live} == {
        ("atlas", "UKI-LT2-QMUL"),
        ("cms", "UKI-LT2-QMUL"),
    }
    assert live == rows_of(
        "report", "--all", "--bdii", server.url, "--base", "mds-vo-name=UKI-LT2-QMUL,o=grid"
    )
    # The URL's base wins over --base; a dead endpoint before it in one comma list fails
    # over to it, its commas intact.
    dead = free_port()
    listed = run_cli(
        "report",
        "--all",
        "--format",
        "json",
        "--base",
        "mds-vo-name=RAL-LCG2,o=grid",
        "--bdii",
        f"ldap://127.0.0.1:{dead}/mds-vo-name=RAL-LCG2,o=grid,{url}",
    )
    assert doc(listed)["rows"] == live
    assert listed.err == (
        f"cecap: warning: ldap://127.0.0.1:{dead}: cannot connect: Connection refused;"
        f" trying {server.url}\n"
    )
    env = {"LCG_GFAL_INFOSYS": f"{server.url}/mds-vo-name=RAL-LCG2,o=grid"}
    other = rows_of("report", "--all", env=env)
    assert {(r["experiment"], r["site"]) for r in other} == {("cms", "RAL-LCG2")}
    # A site that is not there: the base the URL named is the one said to be missing.
    wrong = run_cli("report", "--bdii", f"{server.url}/mds-vo-name=NOPE,o=grid")
    assert wrong.code == 2
    assert "the search base 'mds-vo-name=NOPE,o=grid' does not exist there" in wrong.err


def test_a_site_base_on_a_top_level_bdii_names_the_local_level(sample_bdii: BDIIServer) -> None:
    # The sample's sites are under mds-vo-name=SITE,mds-vo-name=local,o=grid.
    site_base = run_cli(
        "sites", "--bdii", sample_bdii.url, "--base", "Mds-Vo-name=CERN-PROD,o=grid"
    )
    assert site_base.code == 2
    assert site_base.out == ""
    assert "a site is under --base mds-vo-name=CERN-PROD,mds-vo-name=local,o=grid" in (
        site_base.err
    )
    base = "mds-vo-name=CERN-PROD,mds-vo-name=local,o=grid"
    right = rows_of("report", "--all", "--bdii", sample_bdii.url, "--base", base)
    assert right
    assert {r["site"] for r in right} == {"CERN-PROD"}
    other = run_cli("sites", "--bdii", sample_bdii.url, "--base", "o=nowhere")
    assert other.code == 2
    assert other.err == (
        f"cecap: error: {sample_bdii.url}: the search base 'o=nowhere' does not exist there;"
        " check --base (o=grid; on a top-level BDII a site is under"
        " mds-vo-name=SITE,mds-vo-name=local,o=grid, on a site BDII mds-vo-name=SITE,o=grid)\n"
    )


# --- a server that never answers ------------------------------------------------------


def test_a_hanging_server_ends_at_the_timeout_with_exit_3(
    silent_server: tuple[int, list[socket.socket]],
) -> None:
    port, accepted = silent_server
    started = time.monotonic()
    result = run_cli("report", "--bdii", f"127.0.0.1:{port}", "--timeout", "2")
    elapsed = time.monotonic() - started
    assert result.code == 3
    assert elapsed < 2 + 8  # a bound on a hang (the server never answers), not a timing
    assert len(accepted) == 1  # it did connect: the hang is after the accept
    assert result.out == ""
    assert result.err == (
        f"cecap: error: ldap://127.0.0.1:{port}: no complete answer within 2 s (--timeout),"
        " gave up waiting for the answer to the anonymous bind\n"
    )


def test_a_hanging_server_is_skipped_for_the_next(
    silent_server: tuple[int, list[socket.socket]], sample_bdii: BDIIServer
) -> None:
    port, _ = silent_server
    result = run_cli(
        "report",
        "--all",
        "--format",
        "json",
        "--timeout",
        "1",
        "--bdii",
        f"127.0.0.1:{port},{sample_bdii.url}",
    )
    assert doc(result)["rows"] == rows_of("report", "--all", "--bdii", SAMPLE)
    assert result.err == (
        f"cecap: warning: ldap://127.0.0.1:{port}: no complete answer within 1 s (--timeout),"
        f" gave up waiting for the answer to the anonymous bind; trying {sample_bdii.url}\n"
    )


# --- the server stopped in the middle of a run ----------------------------------------


# The searches go out together: the server is stopped between two of them, and cecap
# waits on the first unfinished one (its answer may or may not have come before).
LOST = r"connection lost during the Glue(CE|VOView) search: "


def stop_before_second_search(monkeypatch: pytest.MonkeyPatch, server: BDIIServer) -> list[int]:
    """Stop ``server`` for real just before cecap's second search reaches it."""
    real_send = ldap_client.Link.send_search
    ports: list[int] = []

    def send(self: Any, *args: Any, **kwargs: Any) -> Any:
        ports.append(self.socket.getpeername()[1])
        if len(ports) == 2:
            server.stop()
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(ldap_client.Link, "send_search", send)
    return ports


def test_server_stopped_mid_run_is_exit_3_and_no_report(
    sample_bdii: BDIIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ports = stop_before_second_search(monkeypatch, sample_bdii)
    code, out, err = run_cli("report", "--all", "--bdii", sample_bdii.url)
    assert len(ports) >= 2 and set(ports) == {sample_bdii.port}
    assert not sample_bdii.running
    assert code == 3
    assert out == ""
    assert re.match(f"cecap: error: {re.escape(sample_bdii.url)}: {LOST}", err), err
    assert err.count("\n") == 1


def test_server_stopped_mid_run_fails_over_from_scratch(
    bdii_factory: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = bdii_factory(), bdii_factory()
    first.load(SAMPLE)
    second.load(SAMPLE)
    stop_before_second_search(monkeypatch, first)
    code, out, err = run_cli(
        "report", "--all", "--format", "json", "--bdii", f"{first.url},{second.url}"
    )
    assert code == 0, err
    # Nothing from the first server's one finished search leaks in twice.
    assert json.loads(out)["rows"] == rows_of("report", "--all", "--bdii", SAMPLE)
    assert re.match(f"cecap: warning: {re.escape(first.url)}: {LOST}", err), err
    assert err.endswith(f"; trying {second.url}\n")


# --- a server-side size limit --------------------------------------------------------------


@pytest.fixture
def limited_bdii(bdii_factory: Make) -> BDIIServer:
    server = bdii_factory(sizelimit=8)
    server.load(SAMPLE)
    return server


def test_size_limit_is_partial_in_every_format(limited_bdii: BDIIServer) -> None:
    reason = "the server's size limit stopped the GlueCE search after 8 entries"
    for fmt in format_names():
        code, out, err = run_cli("report", "--all", "--bdii", limited_bdii.url, "--format", fmt)
        assert code == 3, fmt
        assert f"cecap: warning: {limited_bdii.url}: partial answer: {reason}" in err
        if fmt == "json":
            parsed = json.loads(out)
            assert parsed["partial"] is True
            assert reason in parsed["partial_reason"]
        elif fmt == "lines":
            # Keys alone: the warning and exit 3 say it is partial, no line in the output.
            assert out and "PARTIAL" not in out
        else:
            assert f"PARTIAL: {reason}" in out, fmt


def test_allow_partial_exits_0_but_still_says_partial(limited_bdii: BDIIServer) -> None:
    result = run_cli("sites", "--bdii", limited_bdii.url, "--format", "json", "--allow-partial")
    assert result.code == 0
    parsed = json.loads(result.out)
    assert parsed["partial"] is True
    assert "size limit" in parsed["partial_reason"]


def test_a_partial_snapshot_is_not_written_unless_allowed(
    limited_bdii: BDIIServer, tmp_path: Path
) -> None:
    folder = tmp_path / "snapshots"
    folder.mkdir()
    out = folder / "snap.ldif"
    refused = run_cli("snapshot", "--bdii", limited_bdii.url, "-o", out)
    assert refused.code == 3
    assert "no snapshot written (--allow-partial writes it, marked partial)" in refused.err
    assert os.listdir(folder) == []

    allowed = run_cli("snapshot", "--bdii", limited_bdii.url, "-o", out, "--allow-partial")
    assert allowed.code == 0, allowed.err
    assert "the snapshot is marked partial" in allowed.err
    reread = run_cli("report", "--bdii", out, "--format", "json")
    assert reread.code == 3
    assert json.loads(reread.out)["partial"] is True
    assert "size limit stopped the GlueCE search" in json.loads(reread.out)["partial_reason"]


# --- VO names that look like filter syntax ------------------------------------------------

ODD_VOS = ["at*as", "x)(objectClass=*", "back\\slash", "a(b)*c\\d"]


@pytest.fixture
def odd_vo_bdii(bdii_factory: Make, tmp_path: Path) -> tuple[BDIIServer, Path]:
    # One queue per VO; glexec only on the VOView, so a view the filter wrongly left out
    # would change the verdict. "atlas" is what an unescaped "at*as" would also match.
    ces = [
        CESpec(f"q{number}", [vo], capabilities=(), view_capabilities={vo: ["glexec"]})
        for number, vo in enumerate(["atlas", *ODD_VOS])
    ]
    ldif = tmp_path / "odd.ldif"
    ldif.write_text(bdii_ldif([simple_site("CERN-PROD", ces)]))
    server = bdii_factory()
    server.load(ldif)
    return server, ldif


@pytest.mark.parametrize("vo", ODD_VOS)
def test_filter_syntax_in_a_vo_name_is_matched_literally(
    odd_vo_bdii: tuple[BDIIServer, Path], vo: str
) -> None:
    server, _ = odd_vo_bdii
    reader = LdapReader(server.host, server.port, timeout=10, vos=[vo])
    views = [e for e in reader.entries() if "gluevoview" in e.objectclasses]
    assert reader.partial is None
    assert [v.first("gluevoviewlocalid") for v in views] == [vo]


def test_odd_vo_names_give_the_same_report_live(
    odd_vo_bdii: tuple[BDIIServer, Path], tmp_path: Path
) -> None:
    server, ldif = odd_vo_bdii
    config = tmp_path / "config"
    config.mkdir()
    for name in ("stances.yaml", "sites.yaml"):
        shutil.copyfile(REPO / "config" / name, config / name)
    lines = ["experiments:"]
    for number, vo in enumerate(ODD_VOS):
        lines += [f"  odd{number}:", f"    vo: {json.dumps(vo)}", "    modes: [setuid]"]
    (config / "experiments.yaml").write_text("\n".join(lines) + "\n")
    live = rows_of("report", "--all", "--bdii", server.url, "--config", config)
    assert live == rows_of("report", "--all", "--bdii", ldif, "--config", config)
    assert sorted((r["vo"], r["ce"].rsplit("-", 1)[1]) for r in live) == sorted(
        (vo, f"q{number}") for number, vo in enumerate(["atlas", *ODD_VOS]) if vo != "atlas"
    )
    # Each advertises glexec on its VOView only: the view came through the filter (else
    # "not-advertised"); CERN's answers make it conditional.
    assert {r["verdict"] for r in live} == {"conditional"}


# --- ldaps ----------------------------------------------------------------------------------


def test_ldaps_is_verified_against_the_grid_ca_directory(
    bdii_factory: Make, tmp_path: Path
) -> None:
    tls, ca_dir = make_test_ca(tmp_path / "ca")
    server = bdii_factory(tls=tls)
    server.load(SAMPLE)
    url = server.ldaps_url
    assert url is not None
    expected = rows_of("report", "--all", "--bdii", SAMPLE)
    assert rows_of("report", "--all", "--bdii", url, env={"X509_CERT_DIR": str(ca_dir)}) == expected
    assert rows_of("report", "--all", "--bdii", url, "--ca-dir", ca_dir) == expected

    _, other_ca_dir = make_test_ca(tmp_path / "other-ca")
    refused = run_cli("report", "--bdii", url, "--ca-dir", other_ca_dir)
    assert refused.code == 3
    assert refused.out == ""
    assert refused.err.startswith(
        f"cecap: error: {url}: TLS failed, the server certificate was not verified against"
        f" the CA directory {other_ca_dir} ("
    )
    assert "(certificate verify failed: " in refused.err

    missing = tmp_path / "no-such-ca-dir"
    absent = run_cli("report", "--bdii", url, "--ca-dir", missing)
    assert absent.code == 3
    assert absent.err == (
        f"cecap: error: {url}: CA directory {missing} does not exist; set X509_CERT_DIR or"
        " pass --ca-dir to a folder of hashed CA certificates\n"
    )
    plain_port = f"ldaps://{server.host}:{server.port}"
    not_tls = run_cli("report", "--bdii", plain_port, "--ca-dir", ca_dir)
    assert not_tls.code == 3
    assert not_tls.err.startswith(f"cecap: error: {plain_port}: TLS handshake failed (")


def test_ldaps_refuses_a_certificate_for_another_host(bdii_factory: Make, tmp_path: Path) -> None:
    tls, ca_dir = make_test_ca(tmp_path / "ca", names=("DNS:bdii.example.org",))
    server = bdii_factory(tls=tls)
    server.load(SAMPLE)
    assert server.ldaps_port is not None
    for host in ("127.0.0.1", "localhost"):
        url = f"ldaps://{host}:{server.ldaps_port}"
        refused = run_cli("sites", "--bdii", url, "--ca-dir", ca_dir)
        assert refused.code == 3
        assert refused.out == ""
        assert refused.err == (
            f"cecap: error: {url}: TLS failed: the server certificate is not for {host!r}\n"
        )
