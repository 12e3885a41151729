"""GLUE 2.0 on a real BDII: fixtures the server accepts under GLUE20.schema, read back live
(o=grid and o=glue) with the same verdicts and findings as from their LDIF."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.bdii_server import BDIIServer
from helpers.cli import run_cli
from helpers.every_kind import write_config
from helpers.glue2_ldif import EndpointSpec, Site2Spec, endpoint_dn, glue2_ldif
from helpers.glue_ldif import CESpec, bdii_ldif, simple_site
from helpers.paths import REPO, SAMPLE

from cecap.model.glue2 import GLUE2_WANTED
from cecap.sources.ldap import LdapReader

Make = Callable[..., BDIIServer]

GLUE13_SITES = [
    simple_site("WILLING", [CESpec("q1", ["atlas", "cms"])], host="ce.willing.org"),
    simple_site("NOPE", [CESpec("q1", ["atlas"], capabilities=())], host="ce.nope.org"),
]
GLUE2_SITES = [
    Site2Spec(
        "WILLING",
        [
            # The GLUE 1.3 twin advertises glexec; this endpoint does not: the trees disagree.
            EndpointSpec("ce.willing.org", ["atlas", "cms"], capabilities=()),
            EndpointSpec("ce2.willing.org", ["atlas"], capabilities=(), other_info=["GLEXEC=yes"]),
            EndpointSpec("ce3.willing.org", ["atlas"], serving="draining"),
        ],
    ),
    Site2Spec(
        "NOPE",
        [
            EndpointSpec(
                "ce2.nope.org",
                ["atlas", "lhcb"],
                capabilities=(),
                share_other_info={"lhcb": ["glexec"]},
            )
        ],
    ),
]


@pytest.fixture
def trees(tmp_path: Path) -> Path:
    path = tmp_path / "both.ldif"
    path.write_text(bdii_ldif(GLUE13_SITES) + "\n" + glue2_ldif(GLUE2_SITES))
    return path


@pytest.fixture
def live(bdii_factory: Make, trees: Path) -> BDIIServer:
    server = bdii_factory()
    # strict: the server must accept every entry, GLUE 2.0 ones under GLUE20.schema.
    loaded = server.load(trees)
    assert loaded.refused == ()
    assert server.count("(objectClass=GLUE2ComputingEndpoint)", base="o=glue") == 4
    assert server.count("(objectClass=GLUE2MappingPolicy)", base="o=glue") == 6
    assert server.count("(objectClass=GlueCE)") == 2
    return server


def run_json(*args: str | Path, code: int = 0) -> dict[str, Any]:
    result = run_cli(*args, "--format", "json")
    assert result.code == code, result.err
    doc: dict[str, Any] = json.loads(result.out)
    assert doc["partial"] is False
    return doc


def verdicts(doc: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(r["experiment"], r["site"], r["ce"], r["verdict"]) for r in doc["rows"]]


def test_glue2_live_verdicts_match_the_ldif(live: BDIIServer, trees: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config")
    args = ("report", "--config", config, "--all", "--glue", "2", "-e", "atlas", "-e", "lhcb")
    from_live = run_json(*args, "--bdii", live.url)
    from_ldif = run_json(*args, "--bdii", trees)
    assert verdicts(from_live) == verdicts(from_ldif)
    assert verdicts(from_live) == [
        ("atlas", "NOPE", "ce2.nope.org_org.glite.ce.CREAM", "not-advertised"),
        ("atlas", "WILLING", "ce.willing.org_org.glite.ce.CREAM", "not-advertised"),
        ("atlas", "WILLING", "ce2.willing.org_org.glite.ce.CREAM", "ready"),
        ("atlas", "WILLING", "ce3.willing.org_org.glite.ce.CREAM", "not-in-production"),
        ("lhcb", "NOPE", "ce2.nope.org_org.glite.ce.CREAM", "site-refuses"),
    ]
    by_ce = {r["ce"]: r for r in from_live["rows"] if r["experiment"] == "atlas"}
    assert by_ce["ce3.willing.org_org.glite.ce.CREAM"]["state"] == "Draining"


def test_both_trees_live_count_each_ce_once(live: BDIIServer, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config")
    doc = run_json("report", "--bdii", live.url, "--config", config, "--all", "-e", "atlas")
    # ce.willing.org is in both trees: GLUE 1.3 stands for it.
    assert verdicts(doc) == [
        ("atlas", "NOPE", "ce.nope.org:8443/cream-pbs-q1", "not-advertised"),
        ("atlas", "NOPE", "ce2.nope.org_org.glite.ce.CREAM", "not-advertised"),
        ("atlas", "WILLING", "ce.willing.org:8443/cream-pbs-q1", "ready"),
        ("atlas", "WILLING", "ce2.willing.org_org.glite.ce.CREAM", "ready"),
        ("atlas", "WILLING", "ce3.willing.org_org.glite.ce.CREAM", "not-in-production"),
    ]
    only13 = run_json(
        "report", "--bdii", live.url, "--config", config, "--all", "-e", "atlas", "--glue", "1"
    )
    assert verdicts(only13) == [verdicts(doc)[0], verdicts(doc)[2]]


def test_live_audit_finds_the_trees_disagree(live: BDIIServer, trees: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config")
    args = ("audit", "--config", config)
    # NOPE advertises glexec on a GLUE 2.0 share although it answered no: exit 1.
    from_live = run_json(*args, "--bdii", live.url, code=1)
    from_ldif = run_json(*args, "--bdii", trees, code=1)
    assert from_live["rows"] == from_ldif["rows"]
    got = [(r["severity"], r["kind"], r["site"], r["glue"]) for r in from_live["rows"]]
    assert got == [
        ("error", "contradicts-stance", "NOPE", "2.0"),
        ("warning", "glue-versions-disagree", "WILLING", "2.0"),
        # NOPE's other shares rightly lack glexec (it refuses MUPJ): no partial-voview.
        ("info", "not-in-production", "WILLING", "2.0"),
    ]
    disagree = from_live["rows"][1]
    # As the endpoint's resource BDII holds it (GLUE2GroupID=resource,o=glue).
    assert disagree["dn"] == endpoint_dn(GLUE2_SITES[0], GLUE2_SITES[0].endpoints[0]).replace(
        ",GLUE2GroupID=resource,GLUE2DomainID=WILLING,GLUE2GroupID=grid,o=glue",
        ",GLUE2GroupID=resource,o=glue",
    )
    assert disagree["fix"] == (
        f"dn: {disagree['dn']}\nchangetype: modify\nadd: GLUE2EndpointCapability\n"
        "GLUE2EndpointCapability: glexec\n-"
    )
    contradiction = from_live["rows"][0]
    assert (contradiction["fix"], contradiction["hint"][:14]) == (None, "gLite (YAIM): ")
    assert "(GLUE2EntityOtherInfo: glexec)" in contradiction["message"]


def test_glue2_asked_of_a_bdii_without_it(bdii_factory: Make, tmp_path: Path) -> None:
    server = bdii_factory()
    server.load_text(bdii_ldif(GLUE13_SITES))
    config = write_config(tmp_path / "config")
    # The o=glue tree is there but empty: by default cecap reads what exists.
    doc = run_json("report", "--bdii", server.url, "--config", config, "--all", "-e", "atlas")
    assert [r["ce"] for r in doc["rows"]] == [
        "ce.nope.org:8443/cream-pbs-q1",
        "ce.willing.org:8443/cream-pbs-q1",
    ]
    result = run_cli("report", "--bdii", server.url, "--config", config, "--glue", "2")
    assert result.code == 2
    assert result.err == (
        f"cecap: error: {server.url}: holds no GLUE 2.0 (o=glue) computing entries; try --glue 1\n"
    )


def test_a_missing_glue2_base_is_no_tree_not_an_error(bdii_factory: Make) -> None:
    server = bdii_factory()
    reader = LdapReader(
        server.host,
        server.port,
        wanted=GLUE2_WANTED,
        glue2_base="GLUE2GroupID=absent,o=glue",
        timeout=10,
    )
    assert list(reader.entries()) == []
    assert reader.partial is None


GLUE2_SAMPLE = REPO / "examples" / "sample-glue2.ldif"


def readiness(*args: str | Path) -> list[tuple[str, str, str]]:
    doc = run_json("sites", *args)
    return [(r["site"], r["experiment"], r["readiness"]) for r in doc["rows"]]


def test_shipped_glue2_sample_loads_and_says_what_the_glue13_one_says(
    bdii_factory: Make,
) -> None:
    server = bdii_factory()
    # strict: every entry of the shipped sample is valid under GLUE20.schema.
    assert server.load(GLUE2_SAMPLE).refused == ()
    # One endpoint per CE host of sample-bdii.ldif.
    assert server.count("(objectClass=GLUE2ComputingEndpoint)", base="o=glue") == 9
    live = run_json("report", "--bdii", server.url, "--glue", "2", "--all")
    assert live["rows"] == run_json("report", "--bdii", GLUE2_SAMPLE, "--all")["rows"]
    # The same sites and CEs in the other GLUE version: the same readiness per site.
    assert readiness("--bdii", GLUE2_SAMPLE) == readiness("--bdii", SAMPLE)
    htpc = run_json("report", "--bdii", GLUE2_SAMPLE, "--capability", "htpc")
    assert [(r["site"], r["verdict"]) for r in htpc["rows"]] == [("Nebraska", "advertised")]
