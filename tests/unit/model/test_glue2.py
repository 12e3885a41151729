"""GLUE 2.0 into the model: endpoints, shares, policies, sites, states; --glue selection;
glue2.yaml checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.glue2_ldif import EndpointSpec, Site2Spec, glue2_ldif
from helpers.glue_ldif import CESpec, bdii_ldif, simple_site

from cecap.errors import ConfigError, InputError
from cecap.model.glue import GlueModel
from cecap.model.glue2 import Glue2Collector, glue13_state, host_of, wanted
from cecap.model.questions import advertises, serves
from cecap.model.select import select_glue
from cecap.policy.glue2_load import load_glue2
from cecap.policy.glue2_rules import Glue2Match, Glue2Rules
from cecap.policy.load import default_config_dir
from cecap.sources.base import read_model
from cecap.sources.ldif import LdifReader

RULES = load_glue2(default_config_dir())


def model_of(
    tmp_path: Path, text: str, capability: str = "glexec", rules: Glue2Rules = RULES
) -> GlueModel:
    path = tmp_path / "bdii.ldif"
    path.write_text(text)
    reader = LdifReader(path, wanted(("1.3", "2.0"), rules, [capability]))
    return read_model(reader, Glue2Collector(rules, [capability]))


def test_endpoint_becomes_a_ce_with_shares_as_views(tmp_path: Path) -> None:
    ep = EndpointSpec(
        "ce1.a.org", ["atlas", "cms"], capabilities=(), share_other_info={"cms": ["GLEXEC=yes"]}
    )
    model = model_of(tmp_path, glue2_ldif([Site2Spec("SITE-A", [ep])]))
    assert model.glue_versions == ("2.0",)
    (ce,) = model.ces
    assert ce.glue_version == "2.0"
    assert ce.unique_id == "ce1.a.org_org.glite.ce.CREAM"
    assert ce.dn == (
        "GLUE2EndpointID=ce1.a.org_org.glite.ce.CREAM,GLUE2ServiceID=ce1.a.org_ComputingElement,"
        "GLUE2GroupID=resource,GLUE2DomainID=SITE-A,GLUE2GroupID=grid,o=glue"
    )
    assert (ce.site, ce.host, ce.state, ce.implementation) == (
        "SITE-A",
        "ce1.a.org",
        "Production",
        "CREAM",
    )
    assert ce.rules == ("VO:atlas", "VO:cms")
    # The job-execution capability every CREAM CE publishes is not glexec.
    assert ce.capabilities == ()
    assert [(v.local_id, v.rules, v.capabilities) for v in ce.voviews] == [
        ("atlas_ce1.a.org_ComputingElement", ("VO:atlas",), ()),
        ("cms_ce1.a.org_ComputingElement", ("VO:cms",), ("glexec",)),
    ]
    assert advertises(ce, "cms") and not advertises(ce, "atlas")
    assert serves(ce, "atlas") and not serves(ce, "lhcb")


@pytest.mark.parametrize(
    ("capabilities", "other_info", "counted"),
    [
        (["glexec"], [], True),
        (["GLExec"], [], True),
        (["  GLEXEC  "], [], True),
        (["GLEXEC=yes"], [], True),
        ([], ["GLEXEC=yes"], True),
        ([], ["glexec=YES"], True),
        ([], ["glexec"], True),
        (["glexec=true"], [], False),
        ([], ["GLEXEC=no"], False),
        (["glexec-enabled"], [], False),
        ([], [], False),
    ],
)
def test_glexec_per_default_glue2_yaml(
    tmp_path: Path, capabilities: list[str], other_info: list[str], counted: bool
) -> None:
    ep = EndpointSpec("ce1.a.org", ["atlas"], capabilities=capabilities, other_info=other_info)
    (ce,) = model_of(tmp_path, glue2_ldif([Site2Spec("S", [ep])])).ces
    assert advertises(ce, "atlas") is counted


def test_glue2_yaml_decides_where_to_look(tmp_path: Path) -> None:
    rules = Glue2Rules({"glexec": (Glue2Match("GLUE2EntityOtherInfo", ("MUPJ=glexec",)),)})
    text = glue2_ldif(
        [
            Site2Spec(
                "S",
                [
                    EndpointSpec("a.org", ["atlas"], capabilities=["glexec"]),
                    EndpointSpec("b.org", ["atlas"], capabilities=(), other_info=["mupj=GLEXEC"]),
                ],
            )
        ]
    )
    ces = model_of(tmp_path, text, rules=rules).ces
    assert [(ce.host, ce.capabilities) for ce in ces] == [("a.org", ()), ("b.org", ("glexec",))]
    # The attributes looked at are kept for the audit, as published.
    assert ces[1].published == (("GLUE2EntityOtherInfo", "mupj=GLEXEC"),)


def test_other_capability_uses_other_capabilities_rules(tmp_path: Path) -> None:
    text = glue2_ldif(
        [
            Site2Spec(
                "S",
                [
                    EndpointSpec("a.org", ["atlas"], capabilities=["htpc"]),
                    EndpointSpec("b.org", ["atlas"], capabilities=(), other_info=["HTPC=yes"]),
                    EndpointSpec("c.org", ["atlas"], capabilities=["glexec"]),
                ],
            )
        ]
    )
    ces = model_of(tmp_path, text, capability="htpc").ces
    assert [(ce.host, ce.capabilities) for ce in ces] == [
        ("a.org", ("htpc",)),
        ("b.org", ("htpc",)),
        ("c.org", ()),
    ]


def test_site_falls_back_to_the_domain_in_the_dn(tmp_path: Path) -> None:
    text = glue2_ldif([Site2Spec("SITE-B", [EndpointSpec("ce.b.org", ["cms"])])])
    # Without the service entry there is no GLUE2ServiceAdminDomainForeignKey to follow.
    blocks = [b for b in text.split("\n\n") if "GLUE2ComputingService\n" not in b]
    (ce,) = model_of(tmp_path, "\n\n".join(blocks)).ces
    assert ce.site == "SITE-B"


def test_policies_found_by_parent_dn_without_foreign_keys(tmp_path: Path) -> None:
    text = glue2_ldif(
        [Site2Spec("S", [EndpointSpec("ce.s.org", ["lhcb"], rules=["VOMS:/lhcb/Role=pilot"])])]
    )
    text = "\n".join(line for line in text.splitlines() if "PolicyEndpointForeignKey" not in line)
    (ce,) = model_of(tmp_path, text).ces
    assert ce.rules == ("VOMS:/lhcb/Role=pilot",)
    assert serves(ce, "lhcb")


@pytest.mark.parametrize(
    ("serving", "health", "state"),
    [
        ("production", "ok", "Production"),
        ("production", "warning", "Production"),
        ("Production", "OK", "Production"),
        ("draining", "ok", "Draining"),
        ("queueing", "ok", "Queueing"),
        ("closed", "ok", "Closed"),
        ("production", "critical", "Production (health critical)"),
        ("production", "unknown", "Production (health unknown)"),
        ("production", "", "Production (health unpublished)"),
        ("", "ok", "unpublished"),
        ("testing", "ok", "testing"),
    ],
)
def test_state_mapping(serving: str, health: str, state: str) -> None:
    assert glue13_state(serving, health) == state


@pytest.mark.parametrize(
    ("url", "endpoint_id", "host"),
    [
        ("https://ce.x.org:8443/ce-cream/services", "whatever", "ce.x.org"),
        ("gsiftp://CE.X.ORG:2811/jobs", "whatever", "ce.x.org"),
        ("", "ce.y.org_org.glite.ce.CREAM", "ce.y.org"),
        ("not a url", "ce.z.org:8443", "ce.z.org"),
    ],
)
def test_host_of(url: str, endpoint_id: str, host: str) -> None:
    assert host_of(url, endpoint_id) == host


def both_trees(tmp_path: Path) -> GlueModel:
    text13 = bdii_ldif(
        [simple_site("SITE-A", [CESpec("q1", ["atlas"]), CESpec("q2", ["cms"])], host="ce1.a.org")]
    )
    text2 = glue2_ldif(
        [
            Site2Spec(
                "SITE-A",
                [EndpointSpec("CE1.a.org", ["atlas", "cms"]), EndpointSpec("ce2.a.org", ["cms"])],
            )
        ]
    )
    return model_of(tmp_path, text13 + "\n" + text2)


def test_both_counts_a_ce_published_in_both_trees_once(tmp_path: Path) -> None:
    model = both_trees(tmp_path)
    assert model.glue_versions == ("1.3", "2.0")
    ids = lambda m: [(ce.glue_version, ce.unique_id) for ce in m.ces]  # noqa: E731
    assert ids(select_glue(model, None)) == [
        ("1.3", "ce1.a.org:8443/cream-pbs-q1"),
        ("1.3", "ce1.a.org:8443/cream-pbs-q2"),
        ("2.0", "ce2.a.org_org.glite.ce.CREAM"),
    ]
    assert ids(select_glue(model, "both")) == ids(select_glue(model, None))
    assert ids(select_glue(model, "1")) == ids(select_glue(model, None))[:2]
    assert ids(select_glue(model, "2")) == [
        ("2.0", "CE1.a.org_org.glite.ce.CREAM"),
        ("2.0", "ce2.a.org_org.glite.ce.CREAM"),
    ]
    assert len(select_glue(model, None, count_twice=True).ces) == 4


def test_asking_for_a_missing_tree_is_an_error(tmp_path: Path) -> None:
    model = model_of(tmp_path, bdii_ldif([simple_site("S", [CESpec("q", ["atlas"])])]))
    assert model.glue_versions == ("1.3",)
    assert len(select_glue(model, None).ces) == 1
    for choice in ("2", "both"):
        with pytest.raises(InputError) as err:
            select_glue(model, choice)
        assert str(err.value) == (
            f"{tmp_path / 'bdii.ldif'}: holds no GLUE 2.0 (o=glue) computing entries; use --glue 1"
        )


def test_wanted_adds_configured_attributes() -> None:
    rules = Glue2Rules({"glexec": (Glue2Match("GLUE2ComputingShareTag", ("glexec",)),)})
    got = wanted(("2.0",), rules, ["glexec"])
    assert "gluece" not in got
    assert "glue2computingsharetag" in got["glue2computingshare"]
    assert "glue2computingsharetag" in got["glue2computingendpoint"]
    assert "glue2computingsharetag" not in got["glue2accesspolicy"]
    assert set(wanted(("1.3",), rules, ["glexec"])) == {
        "gluece",
        "gluevoview",
        "gluecluster",
        "gluesubcluster",
        "gluesite",
    }


# --- glue2.yaml ---------------------------------------------------------------------------


def test_shipped_glue2_yaml() -> None:
    rules = load_glue2(default_config_dir())
    assert rules.matches_for("glexec") == (
        Glue2Match("GLUE2EndpointCapability", ("glexec", "GLEXEC=yes")),
        Glue2Match("GLUE2EntityOtherInfo", ("GLEXEC=yes", "glexec")),
    )
    assert rules.matches_for("HTPC") == (
        Glue2Match("GLUE2EndpointCapability", ("htpc", "htpc=yes")),
        Glue2Match("GLUE2EntityOtherInfo", ("htpc=yes", "htpc")),
    )


def test_config_folder_without_glue2_yaml_uses_the_shipped_one(tmp_path: Path) -> None:
    rules = load_glue2(tmp_path)
    assert rules.source == str(default_config_dir() / "glue2.yaml")
    assert rules.matches_for("glexec") == RULES.matches_for("glexec")


def test_shipped_batch_systems() -> None:
    # The BLAH words a CREAM CE ID holds, each with the product names that mean it.
    assert set(RULES.batch_systems.values()) == {"pbs", "lsf", "sge", "slurm", "condor"}
    assert RULES.batch_system("Torque") == "pbs"
    assert RULES.batch_system("") is None


def test_a_folder_s_glue2_yaml_names_its_own_batch_systems_or_takes_the_shipped(
    tmp_path: Path,
) -> None:
    (tmp_path / "glue2.yaml").write_text("capabilities: {}\n")
    assert load_glue2(tmp_path).batch_systems == RULES.batch_systems
    (tmp_path / "glue2.yaml").write_text(
        "capabilities: {}\nbatch_systems:\n  pbs: [PBS Works]\n  ll: [LoadLeveler]\n"
    )
    rules = load_glue2(tmp_path)
    assert rules.batch_systems == {"pbsworks": "pbs", "loadleveler": "ll"}
    assert rules.batch_system("Load Leveler") == "ll"
    assert rules.batch_system("Torque") is None
    (tmp_path / "glue2.yaml").write_text("capabilities: {}\nbatch_systems:\n")
    assert load_glue2(tmp_path).batch_systems == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("capabilities: [1]\n", "capabilities: expected a mapping, found list"),
        ("other: 1\ncapabilities: {}\n", "top level: unknown key 'other'"),
        (
            "capabilities:\n  GLEXEC: [{attribute: GLUE2EndpointCapability, values: [x]}]\n",
            "capabilities.GLEXEC: capability names are lower-case words",
        ),
        (
            "capabilities:\n  glexec: [{attribute: GlueCECapability, values: [glexec]}]\n",
            "capabilities.glexec[0].attribute: 'GlueCECapability' is not a GLUE 2.0 attribute name",
        ),
        (
            "capabilities:\n  glexec: [{attribute: GLUE2EndpointCapability, values: []}]\n",
            "capabilities.glexec[0].values: name at least one value",
        ),
        (
            "capabilities:\n  glexec: [{attribute: GLUE2EndpointCapability}]\n",
            "capabilities.glexec[0]: missing key 'values'",
        ),
        ("capabilities:\n  glexec: []\n", "capabilities.glexec: expected a non-empty list"),
        (
            "capabilities: {}\nother_capabilities:\n"
            "  - {attribute: GLUE2EndpointCapability, values: [htpc]}\n",
            "other_capabilities[0].values: each list needs a value with {name}",
        ),
        ("capabilities: {\n", "line 2, column 1: invalid YAML"),
        (
            "capabilities: {}\nbatch_systems: [pbs]\n",
            "batch_systems: expected a mapping, found list",
        ),
        (
            "capabilities: {}\nbatch_systems:\n  PBS: [torque]\n",
            "batch_systems.PBS: a batch system is a lower-case word of letters and digits",
        ),
        (
            "capabilities: {}\nbatch_systems:\n  pbs-x: [torque]\n",
            "batch_systems.pbs-x: a batch system is a lower-case word",
        ),
        (
            "capabilities: {}\nbatch_systems:\n  pbs: []\n",
            "batch_systems.pbs: name at least one GLUE2ManagerProductName",
        ),
        (
            "capabilities: {}\nbatch_systems:\n  pbs: [' - ']\n",
            "batch_systems.pbs: ' - ' is no product name",
        ),
        (
            "capabilities: {}\nbatch_systems:\n  pbs: [torque]\n  slurm: [Torque]\n",
            "batch_systems.slurm: 'Torque' is listed under 'pbs' already",
        ),
        (
            "capabilities: {}\nbatch_systems:\n  pbs: torque\n",
            "batch_systems.pbs: expected a list of strings",
        ),
    ],
)
def test_glue2_yaml_errors_name_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "glue2.yaml").write_text(text)
    with pytest.raises(ConfigError) as err:
        load_glue2(tmp_path)
    assert str(err.value).startswith(f"{tmp_path / 'glue2.yaml'}: ")
    assert message in str(err.value)


def test_reading_a_model_leaves_no_reference_cycle(tmp_path: Path) -> None:
    """What a read collects (the builder, its collectors, every entry they hold) is freed
    by reference counting once the model is built: a cycle among them would keep it all
    until the cycle collector, which cecap pauses while a command runs, walks it."""
    import gc
    import weakref

    from cecap.model.glue13 import ModelBuilder

    path = tmp_path / "bdii.ldif"
    glue13 = bdii_ldif([simple_site("S", [CESpec("q", ["atlas", "cms"])])])
    glue20 = glue2_ldif([Site2Spec("SITE-B", [EndpointSpec("ce1.b.org", ["cms"])])])
    path.write_text(glue13 + "\n" + glue20.split("\n\n", 1)[1])
    reader = LdifReader(path, wanted(("1.3", "2.0"), RULES, ["glexec"]))
    enabled = gc.isenabled()
    gc.disable()
    try:
        collector = Glue2Collector(RULES, ["glexec"])
        builder = ModelBuilder(collector)
        for entry in reader.entries():
            builder.add(entry)
        model = builder.build(reader.origin, reader.partial)
        assert model.glue_versions == ("1.3", "2.0")
        gone = [weakref.ref(builder), weakref.ref(collector)]
        del builder, collector
        assert [ref() for ref in gone] == [None, None]
    finally:
        if enabled:
            gc.enable()
