"""The pure audit: every finding kind on crafted GLUE 1.3 and 2.0 entries, and its absence."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from helpers.glue2_ldif import EndpointSpec, Site2Spec, endpoint_dn, glue2_ldif, share_dn
from helpers.glue_ldif import CESpec, ClusterSpec, SiteSpec, bdii_ldif, ce_id, simple_site
from helpers.overlay import overlay_ldif
from helpers.paths import SAMPLE

from cecap.evaluate.audit import Finding, Kind, Severity, advertised_vos, audit, near_miss, worst
from cecap.evaluate.audit.findings import Change, Modification
from cecap.evaluate.selection import Selection
from cecap.model.glue import GlueModel
from cecap.model.glue2 import Glue2Collector, wanted
from cecap.model.questions import advertises, served_vos, serves
from cecap.policy.glue2_load import load_glue2
from cecap.policy.load import default_config_dir
from cecap.policy.stances import (
    Answer,
    BypassAnswer,
    Experiment,
    GlexecMode,
    ModeAnswer,
    MupjSupport,
    Policy,
    Scope,
    SiteMapping,
    Stance,
)
from cecap.sources.base import read_model
from cecap.sources.ldif import LdifReader

RULES = load_glue2(default_config_dir())
EXPERIMENTS = {
    "atlas": Experiment("atlas", "ATLAS", "atlas", (GlexecMode.SETUID,)),
    "cms": Experiment("cms", "CMS", "cms", (GlexecMode.SETUID,)),
    "lhcb": Experiment("lhcb", "LHCb", "lhcb", (GlexecMode.SETUID, GlexecMode.LOG_ONLY)),
}


def stance(
    name: str,
    mupj: MupjSupport = MupjSupport.YES,
    setuid: ModeAnswer = ModeAnswer.ALLOW,
    log_only: ModeAnswer = ModeAnswer.ALLOW,
    mupj_scopes: Sequence[Scope[MupjSupport]] = (),
) -> Stance:
    return Stance(
        name,
        Answer(f"{mupj.value}, says {name}", mupj, tuple(mupj_scopes)),
        Answer(setuid.value, setuid),
        Answer(log_only.value, log_only),
        Answer("no", BypassAnswer.NO),
    )


def policy(*stances: Stance) -> Policy:
    return Policy(
        {s.respondent: s for s in stances},
        tuple(SiteMapping(s.respondent) for s in stances),
        EXPERIMENTS,
    )


def model_of(tmp_path: Path, text: str, capability: str = "glexec") -> GlueModel:
    path = tmp_path / "bdii.ldif"
    path.write_text(text)
    reader = LdifReader(path, wanted(("1.3", "2.0"), RULES, [capability]))
    return read_model(reader, Glue2Collector(RULES, [capability]))


def run(
    tmp_path: Path,
    text: str,
    *stances: Stance,
    capability: str = "glexec",
    sites: Sequence[str] = (),
) -> list[Finding]:
    model = model_of(tmp_path, text, capability)
    return audit(model, policy(*stances), capability, RULES, Selection(sites=tuple(sites)))


def kinds(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.severity.value, f.kind.value, f.site) for f in findings]


YAIM = "gLite (YAIM): {} glexec {} CE_CAPABILITY in site-info.def, then rerun YAIM on the CE"
YAIM_ADD = YAIM.format("add", "to")
YAIM_REMOVE = YAIM.format("remove", "from")


def add(dn: str, attribute: str = "GlueCECapability", value: str = "glexec") -> Change:
    return Change(dn, (Modification("add", attribute, value),))


def replaced(
    dn: str, wrong: str, attribute: str = "GlueCECapability", right: str = "glexec"
) -> Change:
    return Change(
        dn, (Modification("delete", attribute, wrong), Modification("add", attribute, right))
    )


def ce_dn(site: str, host: str, queue: str) -> str:
    return f"GlueCEUniqueID={ce_id(host, queue)},Mds-Vo-name={site},Mds-Vo-name=local,o=grid"


def one_site(name: str, *ces: CESpec, rte: Sequence[str] = ("LCG-2",)) -> str:
    host = f"ce.{name.lower()}.org"
    return bdii_ldif([SiteSpec(name, [ClusterSpec(host, list(ces), runtime_environment=rte)])])


# --- clean -----------------------------------------------------------------------------------


def test_a_site_that_publishes_what_it_said_has_no_findings(tmp_path: Path) -> None:
    text = one_site("GOOD", CESpec("q1", ["atlas", "cms"]), CESpec("q2", ["atlas", "cms"]))
    text += "\n" + glue2_ldif([Site2Spec("GOOD", [EndpointSpec("ce.good.org", ["atlas", "cms"])])])
    assert run(tmp_path, text, stance("GOOD")) == []


# --- contradicts-stance ----------------------------------------------------------------------


def test_advertising_while_refusing_mupj_is_an_error(tmp_path: Path) -> None:
    text = one_site("NOPE", CESpec("q1", ["atlas", "cms"]))
    findings = run(tmp_path, text, stance("NOPE", MupjSupport.NO))
    assert findings == [
        Finding(
            Kind.CONTRADICTS_STANCE,
            "NOPE",
            ce_dn("NOPE", "ce.nope.org", "q1"),
            "advertises glexec (GlueCECapability: glexec) for atlas, cms but NOPE answered no:"
            " MUPJ \u201cno, says NOPE\u201d; remove it, or update the answer in stances.yaml",
            # The BDII or the answer may be wrong: no change of the BDII is proposed.
            (),
            YAIM_REMOVE,
        )
    ]
    assert findings[0].severity is Severity.ERROR


def test_advertising_while_refusing_both_modes_is_an_error(tmp_path: Path) -> None:
    text = one_site("NOMODE", CESpec("q1", ["lhcb"], capabilities=["GLEXEC"]))
    (finding,) = run(tmp_path, text, stance("NOMODE", setuid=ModeAnswer.NO, log_only=ModeAnswer.NO))
    assert finding.kind is Kind.CONTRADICTS_STANCE
    assert "setuid \u201cno\u201d and log-only \u201cno\u201d" in finding.message
    assert finding.message.startswith("advertises glexec (GlueCECapability: GLEXEC) for lhcb")
    assert (finding.fix, finding.hint) == ((), YAIM_REMOVE)
    # One mode refused is not a contradiction.
    assert run(tmp_path, text, stance("NOMODE", setuid=ModeAnswer.NO)) == []


def test_contradiction_on_a_voview_names_the_voview(tmp_path: Path) -> None:
    ce = CESpec("q1", ["atlas", "cms"], capabilities=(), view_capabilities={"cms": ["glexec"]})
    text = one_site("NOPE", ce)
    findings = run(tmp_path, text, stance("NOPE", MupjSupport.NO))
    assert [(f.kind, f.dn) for f in findings] == [
        (
            Kind.CONTRADICTS_STANCE,
            "GlueVOViewLocalID=cms," + ce_dn("NOPE", "ce.nope.org", "q1"),
        ),
        # The atlas view lacks what the cms view has, rightly: the site refuses every VO,
        # so that is no partial-voview (which would ask to add it there).
    ]
    assert "advertises glexec (GlueCECapability: glexec) for cms but" in findings[0].message


def test_vo_scoped_refusal_applies_to_that_vo_only(tmp_path: Path) -> None:
    scoped = stance("MIXED", mupj_scopes=[Scope("vo", "cms", MupjSupport.NO)])
    on_atlas_view = CESpec(
        "q1", ["atlas", "cms"], capabilities=(), view_capabilities={"atlas": ["glexec"]}
    )
    # A site that answered per VO may advertise per VO: no partial-voview either.
    assert run(tmp_path, one_site("MIXED", on_atlas_view), scoped) == []
    (finding,) = run(tmp_path, one_site("MIXED", CESpec("q1", ["atlas", "cms"])), scoped)
    assert finding.kind is Kind.CONTRADICTS_STANCE
    assert finding.message.startswith(
        "advertises glexec (GlueCECapability: glexec) for cms but MIXED answered no"
    )


def test_glue2_contradiction_names_the_value_to_delete(tmp_path: Path) -> None:
    site = Site2Spec(
        "NOPE", [EndpointSpec("ce.nope.org", ["atlas"], capabilities=(), other_info=["GLEXEC=yes"])]
    )
    (finding,) = run(tmp_path, glue2_ldif([site]), stance("NOPE", MupjSupport.NO))
    assert (finding.kind, finding.dn, finding.fix, finding.glue_version) == (
        Kind.CONTRADICTS_STANCE,
        endpoint_dn(site, site.endpoints[0]),
        (),
        "2.0",
    )
    assert "advertises glexec (GLUE2EntityOtherInfo: GLEXEC=yes) for atlas" in finding.message


def test_no_stance_no_contradiction(tmp_path: Path) -> None:
    assert run(tmp_path, one_site("UNKNOWN", CESpec("q1", ["atlas"])), stance("OTHER")) == []


# --- missing-advertisement -------------------------------------------------------------------


def test_willing_site_without_any_advertisement(tmp_path: Path) -> None:
    text = one_site(
        "WILLING", CESpec("q1", ["atlas"], capabilities=()), CESpec("q2", ["cms"], capabilities=())
    )
    findings = run(tmp_path, text, stance("WILLING", MupjSupport.CONDITIONAL, ModeAnswer.REQUIRE))
    assert findings == [
        Finding(
            Kind.MISSING_ADVERTISEMENT,
            "WILLING",
            ce_dn("WILLING", "ce.willing.org", "q1"),
            "WILLING answered MUPJ \u201cconditional, says WILLING\u201d and accepts a glexec"
            " mode, 2 CE(s) serve atlas, cms, but none advertises glexec; publish it on those"
            " that run glexec",
            (
                add(ce_dn("WILLING", "ce.willing.org", "q1")),
                add(ce_dn("WILLING", "ce.willing.org", "q2")),
            ),
            YAIM_ADD,
        )
    ]
    assert findings[0].severity is Severity.WARNING


def test_depends_is_a_proviso_so_glexec_is_expected(tmp_path: Path) -> None:
    # MUPJ "depends" is conditional for the verdicts, never a no: the audit agrees, and a
    # site that answered it and allows setuid is expected to advertise.
    text = one_site("S", CESpec("q1", ["atlas"], capabilities=()))
    found = run(tmp_path, text, stance("S", MupjSupport.DEPENDS))
    assert [f.kind for f in found] == [Kind.MISSING_ADVERTISEMENT]


@pytest.mark.parametrize(
    ("answer", "vos"),
    [
        (stance("S", MupjSupport.NO), ["atlas"]),
        (stance("S", setuid=ModeAnswer.DEPENDS, log_only=ModeAnswer.UNKNOWN), ["atlas"]),
        (stance("S"), ["dteam"]),  # serves no LHC VO
    ],
)
def test_no_missing_advertisement_when_not_expected(
    tmp_path: Path, answer: Stance, vos: list[str]
) -> None:
    text = one_site("S", CESpec("q1", vos, capabilities=()))
    assert run(tmp_path, text, answer) == []


def test_one_advertising_ce_of_the_site_is_enough(tmp_path: Path) -> None:
    text = one_site("S", CESpec("q1", ["atlas"]), CESpec("q2", ["cms"], capabilities=()))
    # q1 and q2 serve different VOs on the same host: not inconsistent queues either.
    assert run(tmp_path, text, stance("S")) == []


# --- runtime-environment-tag -----------------------------------------------------------------


@pytest.mark.parametrize("tag", ["GLEXEC", "glexec", " gLExec ", "GLEXEC-ENABLED"])
def test_glexec_as_a_runtime_environment_tag(tmp_path: Path, tag: str) -> None:
    text = one_site("RTE", CESpec("q1", ["atlas"], capabilities=["UNDEFINED"]), rte=["LCG-2", tag])
    (finding,) = [f for f in run(tmp_path, text) if f.kind is Kind.RUNTIME_ENVIRONMENT_TAG]
    assert finding.dn == ce_dn("RTE", "ce.rte.org", "q1")
    assert finding.message == (
        "cluster ce.rte.org publishes glexec as a run-time environment tag"
        f" (GlueHostApplicationSoftwareRunTimeEnvironment: {tag.strip()}), which is not read as"
        " glexec; the report to the GDB chose GlueCECapability on the CE"
    )
    assert finding.fix == (add(finding.dn),)


def test_runtime_tag_beside_the_capability_is_fine(tmp_path: Path) -> None:
    text = one_site("RTE", CESpec("q1", ["atlas"]), rte=["GLEXEC"])
    assert run(tmp_path, text) == []


# --- near-miss-capability --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("glexec=yes", "'glexec=yes' is a key=value pair, not the name 'glexec'"),
        ("glexec:yes", "'glexec:yes' is a key=value pair, not the name 'glexec'"),
        ("glexec-enabled", "'glexec-enabled' carries more than the name 'glexec'"),
        ("gLExec-setuid", "'gLExec-setuid' carries more than the name 'glexec'"),
        ("glexec_enabled", "'glexec_enabled' carries more than the name 'glexec'"),
        ("gl-exec", "'gl-exec' carries more than the name 'glexec'"),
        ("glexc", "'glexc' is a misspelling of 'glexec'"),
        ("GLEXEC", None),
        (" GLEXEC ", None),
        ("glexec=no", None),
        ("no-glexec", None),
        ("glexec disabled", None),
        ("UNDEFINED", None),
        ("htpc", None),
    ],
)
def test_near_miss_rule(value: str, why: str | None) -> None:
    assert near_miss(value, "glexec") == why


@pytest.mark.parametrize(
    "value", ["glexec=yes", "glexec-enabled", "gLExec-setuid", "glexec_enabled", "glexec:yes"]
)
def test_near_miss_on_a_ce(tmp_path: Path, value: str) -> None:
    text = one_site("NEAR", CESpec("q1", ["atlas"], capabilities=[value]))
    findings = run(tmp_path, text)
    assert findings == [
        Finding(
            Kind.NEAR_MISS_CAPABILITY,
            "NEAR",
            ce_dn("NEAR", "ce.near.org", "q1"),
            f"GlueCECapability: {value} is not counted as glexec: {near_miss(value, 'glexec')};"
            " values are compared whole, ignoring case and surrounding blanks",
            (replaced(ce_dn("NEAR", "ce.near.org", "q1"), value),),
            "gLite (YAIM): write glexec instead of"
            f" {value!r} in CE_CAPABILITY in site-info.def, then rerun YAIM on the CE",
        )
    ]


def test_blank_padded_value_counts_and_is_no_near_miss(tmp_path: Path) -> None:
    text = one_site("PAD", CESpec("q1", ["atlas"], capabilities=[" GLEXEC "]))
    model = model_of(tmp_path, text)
    assert model.ces[0].capabilities == ("GLEXEC",)
    assert audit(model, policy(stance("PAD")), "glexec", RULES) == []


def test_near_miss_beside_the_right_value_is_harmless(tmp_path: Path) -> None:
    text = one_site("BOTH", CESpec("q1", ["atlas"], capabilities=["glexec", "glexec=yes"]))
    assert run(tmp_path, text) == []


def test_near_miss_on_a_voview(tmp_path: Path) -> None:
    ce = CESpec("q1", ["atlas"], capabilities=(), view_capabilities={"atlas": ["glexec-enabled"]})
    (finding,) = run(tmp_path, one_site("NEAR", ce))
    assert finding.kind is Kind.NEAR_MISS_CAPABILITY
    assert finding.dn == "GlueVOViewLocalID=atlas," + ce_dn("NEAR", "ce.near.org", "q1")


def test_glue2_near_miss_uses_glue2_yaml_words(tmp_path: Path) -> None:
    site = Site2Spec(
        "NEAR",
        [
            EndpointSpec(
                "ce.near.org",
                ["atlas"],
                capabilities=(),
                other_info=["glexec=true"],
                share_other_info={"atlas": ["GLEXEC-enabled"]},
            )
        ],
    )
    findings = run(tmp_path, glue2_ldif([site]))
    assert [(f.kind, f.dn, f.message, f.fix) for f in findings] == [
        (
            Kind.NEAR_MISS_CAPABILITY,
            endpoint_dn(site, site.endpoints[0]),
            "GLUE2EntityOtherInfo: glexec=true is not counted as glexec: 'glexec=true' is a"
            " key=value pair, not the name 'glexec'; glue2.yaml counts only GLEXEC=yes, glexec"
            " there",
            (
                replaced(
                    endpoint_dn(site, site.endpoints[0]),
                    "glexec=true",
                    "GLUE2EntityOtherInfo",
                    "GLEXEC=yes",
                ),
            ),
        ),
        (
            Kind.NEAR_MISS_CAPABILITY,
            share_dn(site, site.endpoints[0], "atlas"),
            "GLUE2EntityOtherInfo: GLEXEC-enabled is not counted as glexec: 'GLEXEC-enabled'"
            " carries more than the name 'glexec'; glue2.yaml counts only GLEXEC=yes, glexec"
            " there",
            (
                replaced(
                    share_dn(site, site.endpoints[0], "atlas"),
                    "GLEXEC-enabled",
                    "GLUE2EntityOtherInfo",
                    "GLEXEC=yes",
                ),
            ),
        ),
    ]


# --- inconsistent-queues ---------------------------------------------------------------------


def test_queues_of_one_host_disagree_for_a_vo(tmp_path: Path) -> None:
    text = one_site(
        "SPLIT",
        CESpec("q1", ["atlas", "cms"]),
        CESpec("q2", ["atlas"], capabilities=()),
        CESpec("q3", ["cms"], capabilities=()),
    )
    findings = run(tmp_path, text, stance("SPLIT"))
    host = "ce.split.org"
    assert [(f.kind, f.dn, f.message, f.fix) for f in findings] == [
        (
            Kind.INCONSISTENT_QUEUES,
            ce_dn("SPLIT", host, "q2"),
            f"on host {host}, 1 queue(s) advertise glexec for atlas ({ce_id(host, 'q1')}) and 1"
            f" do not ({ce_id(host, 'q2')}); publish it on those, or delete it from the others"
            " if they do not run glexec",
            (add(ce_dn("SPLIT", host, "q2")),),
        ),
        (
            Kind.INCONSISTENT_QUEUES,
            ce_dn("SPLIT", host, "q3"),
            f"on host {host}, 1 queue(s) advertise glexec for cms ({ce_id(host, 'q1')}) and 1"
            f" do not ({ce_id(host, 'q3')}); publish it on those, or delete it from the others"
            " if they do not run glexec",
            (add(ce_dn("SPLIT", host, "q3")),),
        ),
    ]


def test_queues_of_one_cluster_on_two_hosts_disagree(tmp_path: Path) -> None:
    cluster = ClusterSpec(
        "cluster.x.org",
        [
            CESpec("q1", ["lhcb"], host="ce1.x.org"),
            CESpec("q2", ["lhcb"], host="ce2.x.org", capabilities=()),
        ],
    )
    findings = run(tmp_path, bdii_ldif([SiteSpec("X", [cluster])]), stance("X"))
    assert [(f.kind.value, f.message.split(",")[0]) for f in findings] == [
        ("inconsistent-queues", "on cluster cluster.x.org")
    ]


# --- partial-voview --------------------------------------------------------------------------


def test_glexec_on_some_voviews_only(tmp_path: Path) -> None:
    ce = CESpec(
        "q1", ["atlas", "cms", "lhcb"], capabilities=(), view_capabilities={"lhcb": ["glexec"]}
    )
    findings = run(tmp_path, one_site("PART", ce), stance("PART"))
    assert findings == [
        Finding(
            Kind.PARTIAL_VOVIEW,
            "PART",
            ce_dn("PART", "ce.part.org", "q1"),
            "advertises glexec only on the VOViews of lhcb, not on those of atlas, cms, though"
            " the site's answer does not restrict VOs; publish it on those VOViews too, or on"
            " the CE",
            tuple(
                add(f"GlueVOViewLocalID={vo}," + ce_dn("PART", "ce.part.org", "q1"))
                for vo in ("atlas", "cms")
            ),
            YAIM_ADD,
        )
    ]
    assert findings[0].severity is Severity.INFO


def test_glue2_partial_shares(tmp_path: Path) -> None:
    site = Site2Spec(
        "PART",
        [
            EndpointSpec(
                "ce.part.org",
                ["atlas", "cms"],
                capabilities=(),
                share_other_info={"cms": ["glexec"]},
            )
        ],
    )
    (finding,) = run(tmp_path, glue2_ldif([site]))
    assert finding.kind is Kind.PARTIAL_VOVIEW
    # On the share of atlas, with glue2.yaml's first word that a share can carry.
    assert finding.fix == (
        add(share_dn(site, site.endpoints[0], "atlas"), "GLUE2EntityOtherInfo", "GLEXEC=yes"),
    )


# --- not-in-production -----------------------------------------------------------------------


def test_advertised_on_a_draining_ce(tmp_path: Path) -> None:
    text = one_site("DRAIN", CESpec("q1", ["atlas"], state="Draining"))
    findings = run(tmp_path, text, stance("DRAIN"))
    assert findings == [
        Finding(
            Kind.NOT_IN_PRODUCTION,
            "DRAIN",
            ce_dn("DRAIN", "ce.drain.org", "q1"),
            "advertises glexec but its state is Draining; experiments target only Production,"
            " so it is not used until it publishes GlueCEStateStatus: Production",
            (),
            "nothing to configure: the CE's state comes from its batch system queue",
        )
    ]


def test_glue2_unhealthy_endpoint_is_not_in_production(tmp_path: Path) -> None:
    site = Site2Spec("SICK", [EndpointSpec("ce.sick.org", ["atlas"], health="critical")])
    (finding,) = run(tmp_path, glue2_ldif([site]), stance("SICK"))
    assert finding.kind is Kind.NOT_IN_PRODUCTION
    assert "its state is Production (health critical)" in finding.message


# --- glue-versions-disagree ------------------------------------------------------------------


def test_glue13_and_glue2_disagree_on_a_host(tmp_path: Path) -> None:
    text13 = bdii_ldif([simple_site("TWO", [CESpec("q1", ["atlas"])], host="ce.two.org")])
    site2 = Site2Spec("TWO", [EndpointSpec("ce.two.org", ["atlas"], capabilities=())])
    findings = run(tmp_path, text13 + "\n" + glue2_ldif([site2]), stance("TWO"))
    assert findings == [
        Finding(
            Kind.GLUE_VERSIONS_DISAGREE,
            "TWO",
            endpoint_dn(site2, site2.endpoints[0]),
            f"host ce.two.org advertises glexec in GLUE 1.3 ({ce_id('ce.two.org', 'q1')}) but"
            " not in GLUE 2.0 (ce.two.org_org.glite.ce.CREAM)",
            (add(endpoint_dn(site2, site2.endpoints[0]), "GLUE2EndpointCapability"),),
            YAIM_ADD,
            "2.0",
        )
    ]
    agreeing = glue2_ldif([Site2Spec("TWO", [EndpointSpec("ce.two.org", ["atlas"])])])
    assert run(tmp_path, text13 + "\n" + agreeing, stance("TWO")) == []


# --- other capabilities, site filter, order --------------------------------------------------


def test_other_capability_has_no_stance_findings(tmp_path: Path) -> None:
    text = one_site(
        "NOPE",
        CESpec("q1", ["atlas"], capabilities=["htpc"], state="Closed"),
        CESpec("q2", ["cms"], capabilities=["HTPC=yes"]),
    )
    findings = run(tmp_path, text, stance("NOPE", MupjSupport.NO), capability="htpc")
    assert [(f.kind.value, f.dn, f.fix) for f in findings] == [
        (
            "near-miss-capability",
            ce_dn("NOPE", "ce.nope.org", "q2"),
            (replaced(ce_dn("NOPE", "ce.nope.org", "q2"), "HTPC=yes", right="htpc"),),
        ),
        (
            "not-in-production",
            ce_dn("NOPE", "ce.nope.org", "q1"),
            (),
        ),
    ]


def test_site_filter_and_order(tmp_path: Path) -> None:
    text = bdii_ldif(
        [
            simple_site("b-drain", [CESpec("q", ["atlas"], state="Draining")]),
            simple_site("A-NOPE", [CESpec("q", ["atlas"])]),
            simple_site("c-near", [CESpec("q", ["atlas"], capabilities=["glexec=yes"])]),
        ]
    )
    stances = (stance("A-NOPE", MupjSupport.NO), stance("b-drain"), stance("c-near"))
    assert kinds(run(tmp_path, text, *stances)) == [
        ("error", "contradicts-stance", "A-NOPE"),
        # The near miss does not count, so the willing site advertises nothing.
        ("warning", "missing-advertisement", "c-near"),
        ("warning", "near-miss-capability", "c-near"),
        ("info", "not-in-production", "b-drain"),
    ]
    assert kinds(run(tmp_path, text, *stances, sites=["B-*", "c-near"])) == [
        ("warning", "missing-advertisement", "c-near"),
        ("warning", "near-miss-capability", "c-near"),
        ("info", "not-in-production", "b-drain"),
    ]
    findings = run(tmp_path, text, *stances)
    assert worst(findings) is Severity.ERROR
    assert worst(findings[1:]) is Severity.WARNING
    assert worst([]) is None


# --- the per-CE shortcuts the audit takes agree with the verdict rules -------------------------


def all_vos(model: GlueModel) -> set[str]:
    vos = {"atlas", "cms", "lhcb", "alice", "dteam", "ATLAS"}
    for ce in model.ces:
        for rule in [*ce.rules, *(r for v in ce.voviews for r in v.rules)]:
            vos.add(rule.partition(":")[2].strip().strip("/").split("/")[0])
        vos.update(v.local_id for v in ce.voviews)
    return vos


@pytest.mark.parametrize("source", ["sample", "osg", "crafted"])
def test_served_and_advertised_vos_agree_with_evaluate(
    source: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if source == "sample":
        model = read_model(LdifReader(SAMPLE))
    elif source == "osg":
        overlaid = overlay_ldif(
            request.getfixturevalue("osg_snapshot"),
            tmp_path / "osg.ldif",
            {"red.unl.edu:2119/jobmanager-pbs-cms": ["glexec"]},
        )
        model = read_model(LdifReader(overlaid))
    else:
        ce = CESpec(
            "q1",
            ["atlas", "cms"],
            capabilities=(),
            view_capabilities={"cms": ["glexec"]},
            rules=["VOMS:/atlas/Role=pilot", "DN:/O=x/CN=y"],
        )
        model = model_of(tmp_path, one_site("C", ce, CESpec("q2", ["lhcb"])))
    vos = all_vos(model)
    checked = 0
    for ce in model.ces:
        served, advertised = served_vos(ce), advertised_vos(ce, "glexec")
        for vo in vos:
            assert (vo.lower() in served) is serves(ce, vo), (ce.unique_id, vo)
            expected = serves(ce, vo) and advertises(ce, vo, "glexec")
            assert (vo.lower() in advertised) is expected, (ce.unique_id, vo)
            checked += expected
    assert checked > 0
