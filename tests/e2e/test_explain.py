"""cecap explain through the CLI: each fact the verdict rules read, each rule's outcome, and
a final verdict that is report's for every CE and experiment (sample and OSG 2008)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.glue_ldif import CESpec, ClusterSpec, SiteSpec, bdii_ldif, ce_id, simple_site
from helpers.overlay import overlay_ldif
from helpers.paths import SAMPLE

from cecap.evaluate.rules import RULES

RULE_NAMES = [name for name, _ in RULES]
# glexec on a few ATLAS and CMS queues of the OSG snapshot, as the golden tests have it.
OSG_GLEXEC = (
    "gate01.aglt2.org:2119/jobmanager-condor-atlas",
    "gridgk01.racf.bnl.gov:2119/jobmanager-condor-atlas",
    "tier2-osg.uchicago.edu:2119/jobmanager-condor-atlas",
    "red.unl.edu:2119/jobmanager-pbs-cms",
    "cit-gatekeeper.ultralight.org:2119/jobmanager-condor-cms",
    "ce01.cmsaf.mit.edu:2119/jobmanager-condor-cms",
)
VERDICT_FIELDS = ("experiment", "site", "ce", "verdict", "mode", "fail_closed", "reason")


def json_rows(*args: str | Path) -> list[dict[str, object]]:
    done = run_cli(*args, "--format", "json")
    assert done.code == 0, done.err
    return list(json.loads(done.out)["rows"])


def verdicts(rows: list[dict[str, object]]) -> Counter[tuple[object, ...]]:
    return Counter(tuple(r[f] for f in VERDICT_FIELDS) for r in rows)


def agree(source: Path, *args: str) -> int:
    """explain and report --all give the same verdicts; the number of them."""
    report = json_rows("report", "--bdii", source, "--all", *args)
    explained = json_rows("explain", "--bdii", source, "--site", "*", *args)
    served = [r for r in explained if r["serves"]]
    assert verdicts(served) == verdicts(report)
    for row in served:
        rules = row["rules"]
        assert isinstance(rules, list)
        assert [r["rule"] for r in rules] == RULE_NAMES
        applied = [r for r in rules if r["outcome"] == "applies"]
        assert [r["verdict"] for r in applied] == [row["verdict"]]
        assert applied[0]["reason"] == row["reason"]
    # What report leaves out is what the CE does not serve: no verdict, no rules.
    for row in explained:
        if not row["serves"]:
            assert (row["verdict"], row["rules"]) == (None, [])
            assert not any(r["serves_vo"] for r in row["access_rules"])  # type: ignore[union-attr]
    return len(report)


def test_explain_agrees_with_report_on_the_sample() -> None:
    assert agree(SAMPLE) == 22
    assert agree(SAMPLE, "--capability", "htpc") == 22


def test_explain_agrees_with_report_on_the_osg_snapshot(osg_snapshot: Path, tmp_path: Path) -> None:
    overlay = overlay_ldif(
        osg_snapshot, tmp_path / "osg.ldif", {ce: ["glexec"] for ce in OSG_GLEXEC}
    )
    count = agree(overlay)
    assert count > 200
    report = json_rows("report", "--bdii", overlay, "--all")
    assert {r["verdict"] for r in report} >= {"ready", "conditional", "not-advertised"}


# -- each fact, on crafted sites -------------------------------------------------------------

STANCES = """\
respondents:
  - name: OWN
    mupj: {text: "yes", value: "yes"}
    glexec_setuid:
      text: "allow, but not for CMS"
      value: "allow"
      scopes:
        - {vo: cms, value: "no"}
    glexec_log_only: {text: "no", value: "no"}
    bypass_on_error: {text: "no", value: "no"}
  - name: CENTRAL
    mupj:
      text: "local cluster: yes; central cluster: no"
      value: "yes"
      scopes:
        - {cluster: central, value: "no"}
    glexec_setuid: {text: "require", value: "require"}
    glexec_log_only: {text: "no", value: "no"}
    bypass_on_error: {text: "yes, for now", value: "yes"}
"""
SITES = """\
respondents:
  CENTRAL:
    sites: ["CENT-*"]
    clusters:
      central: ["central-*.example.org"]
"""
EXPERIMENTS = """\
experiments:
  atlas: {vo: atlas, modes: [setuid]}
  cms: {vo: cms, modes: [setuid]}
"""
OWN_Q1 = ce_id("ce01.own.example.org", "q1")
OWN_Q2 = ce_id("ce01.own.example.org", "q2")
CENTRAL_CE = ce_id("central-1.example.org", "q1")
NOBODY_CE = ce_id("ce01.nobody.example.org", "q1")


@pytest.fixture
def crafted(tmp_path: Path) -> tuple[Path, Path]:
    config = tmp_path / "config"
    config.mkdir()
    (config / "stances.yaml").write_text(STANCES)
    (config / "sites.yaml").write_text(SITES)
    (config / "experiments.yaml").write_text(EXPERIMENTS)
    own = simple_site(
        "OWN",
        [
            # glexec on the atlas VOView only; a near miss on the cms one.
            CESpec(
                "q1",
                ["atlas", "cms"],
                capabilities=("CPUScalingReferenceSI00=1000",),
                view_capabilities={"atlas": ["glexec"], "cms": ["glexec-enabled"]},
            ),
            CESpec("q2", ["cms"], rules=["VOMS:/cms/Role=pilot"]),
        ],
    )
    central = SiteSpec("CENT-1", [ClusterSpec("central-1.example.org", [CESpec("q1", ["atlas"])])])
    nobody = simple_site("NOBODY", [CESpec("q1", ["atlas"], state="Draining")])
    snapshot = tmp_path / "crafted.ldif"
    snapshot.write_text(bdii_ldif([own, central, nobody]))
    return snapshot, config


def explained(crafted: tuple[Path, Path], ce: str, experiment: str) -> dict[str, object]:
    snapshot, config = crafted
    (row,) = json_rows(
        "explain", "--bdii", snapshot, "--config", config, "--ce", ce, "-e", experiment
    )
    return row


def outcomes(row: dict[str, object]) -> list[str]:
    return [r["outcome"] for r in row["rules"]]  # type: ignore[index, union-attr]


def test_capability_values_and_which_counted(crafted: tuple[Path, Path]) -> None:
    atlas = explained(crafted, OWN_Q1, "atlas")
    assert atlas["capabilities"] == [
        {
            "on": "CE",
            "value": "CPUScalingReferenceSI00=1000",
            "names_capability": False,
            "for_vo": True,
            "counts": False,
        },
        {
            "on": "VOView atlas",
            "value": "glexec",
            "names_capability": True,
            "for_vo": True,
            "counts": True,
        },
        {
            "on": "VOView cms",
            "value": "glexec-enabled",
            "names_capability": False,
            "for_vo": False,
            "counts": False,
        },
    ]
    assert (atlas["verdict"], atlas["mode"], atlas["fail_closed"]) == ("ready", "setuid", True)
    assert atlas["access_rules"] == [
        {"on": "CE", "rule": "VO:atlas", "vo": "atlas", "serves_vo": True},
        {"on": "CE", "rule": "VO:cms", "vo": "cms", "serves_vo": False},
        {"on": "VOView atlas", "rule": "VO:atlas", "vo": "atlas", "serves_vo": True},
        {"on": "VOView cms", "rule": "VO:cms", "vo": "cms", "serves_vo": False},
    ]
    cms = explained(crafted, OWN_Q1, "cms")
    assert [c["counts"] for c in cms["capabilities"]] == [False, False, False]  # type: ignore[union-attr]
    assert cms["verdict"] == "not-advertised"
    assert outcomes(cms) == ["applies"] + ["not tried"] * (len(RULE_NAMES) - 1)


def test_respondent_by_own_name_and_a_vo_scoped_answer(crafted: tuple[Path, Path]) -> None:
    row = explained(crafted, OWN_Q2, "cms")
    assert (row["respondent"], row["matched_by"]) == ("OWN", {"how": "own name", "entry": None})
    assert row["access_rules"] == [
        {"on": "CE", "rule": "VOMS:/cms/Role=pilot", "vo": "cms", "serves_vo": True},
        {"on": "VOView cms", "rule": "VO:cms", "vo": "cms", "serves_vo": True},
    ]
    setuid = row["answers"][1]  # type: ignore[index]
    assert setuid == {
        "question": "glexec_setuid",
        "text": "allow, but not for CMS",
        "value": "allow",
        "scope": {"kind": "vo", "name": "cms", "value": "no"},
        "resolved": "no",
    }
    assert row["cluster_scope"] is None
    assert (row["verdict"], row["accepted_modes"]) == ("mode-mismatch", ["setuid"])
    assert outcomes(row) == ["does not apply"] * 5 + ["applies", "not tried", "not tried"]


def test_respondent_by_pattern_and_a_cluster_scope(crafted: tuple[Path, Path]) -> None:
    row = explained(crafted, CENTRAL_CE, "atlas")
    assert (row["site"], row["respondent"], row["matched_by"]) == (
        "CENT-1",
        "CENTRAL",
        {"how": "sites.yaml pattern", "entry": "CENT-*"},
    )
    assert row["cluster_scope"] == {
        "scope": "central",
        "name": "central-1.example.org",
        "pattern": "central-*.example.org",
    }
    assert [(a["question"], a["value"], a["resolved"]) for a in row["answers"]] == [  # type: ignore[union-attr]
        ("mupj", "yes", "no"),
        ("glexec_setuid", "require", "require"),
        ("glexec_log_only", "no", "no"),
        ("bypass_on_error", "yes", "yes"),
    ]
    assert row["verdict"] == "site-refuses"
    assert row["reason"] == (
        "site refuses multi-user pilot jobs (central cluster):"
        " \u201clocal cluster: yes; central cluster: no\u201d"
    )


def test_no_respondent_and_the_state(crafted: tuple[Path, Path]) -> None:
    row = explained(crafted, NOBODY_CE, "atlas")
    assert (row["state"], row["targets_states"]) == ("Draining", ["Production"])
    assert (row["respondent"], row["matched_by"], row["answers"]) == (None, None, [])
    assert row["verdict"] == "not-in-production"
    rules = row["rules"]
    assert rules[1] == {  # type: ignore[index]
        "rule": "not-in-production",
        "reads": ["state"],
        "outcome": "applies",
        "verdict": "not-in-production",
        "reason": "CE state is Draining; ATLAS targets only Production",
    }


def test_the_table_shows_one_block_per_ce_and_experiment(crafted: tuple[Path, Path]) -> None:
    snapshot, config = crafted
    done = run_cli("explain", "--bdii", snapshot, "--config", config, "--site", "CENT-*")
    assert (done.code, done.err) == (0, "")
    assert done.out == (
        f"{CENTRAL_CE}  atlas (VO atlas)\n"
        "  site       CENT-1: respondent CENTRAL, by sites.yaml pattern 'CENT-*'\n"
        "  state      Production; atlas targets Production\n"
        "  serves     VO atlas through VO:atlas (CE), VO:atlas (VOView atlas)\n"
        "  glexec     CE: glexec (counts)\n"
        "  cluster    central: central-1.example.org matches sites.yaml\n"
        "             'central-*.example.org'\n"
        "  modes      atlas accepts glexec setuid\n"
        "  answers\n"
        "    mupj            no \u201clocal cluster: yes; central cluster: no\u201d (overall yes;\n"
        "                    the cluster central answer applies)\n"
        "    glexec_setuid   require \u201crequire\u201d\n"
        "    glexec_log_only no \u201cno\u201d\n"
        "    bypass_on_error yes \u201cyes, for now\u201d\n"
        "  rules\n"
        "    1. not-advertised: does not apply (reads capabilities)\n"
        "    2. not-in-production: does not apply (reads state)\n"
        "    3. advertised: does not apply (reads capability)\n"
        "    4. no-stance: does not apply (reads respondent)\n"
        "    5. site-refuses: applies (reads mupj) \u2192 site-refuses\n"
        "    6. mode-mismatch: not tried\n"
        "    7. conditional: not tried\n"
        "    8. ready: not tried\n"
        "  verdict    site-refuses, fail closed: no\n"  # the site answered yes to bypass
        "  reason     site refuses multi-user pilot jobs (central cluster): \u201clocal\n"
        "             cluster: yes; central cluster: no\u201d\n"
    )
    assert max(len(line) for line in done.out.splitlines()) <= 79


def test_experiments_a_ce_does_not_serve(crafted: tuple[Path, Path]) -> None:
    snapshot, config = crafted
    base = ("explain", "--bdii", snapshot, "--config", config, "--ce", OWN_Q2)
    # Without -e: only the experiments whose VO the CE serves.
    assert [r["experiment"] for r in json_rows(*base)] == ["cms"]
    # Named: explained too, without a verdict.
    atlas, cms = json_rows(*base, "-e", "atlas,cms")
    assert (atlas["serves"], atlas["verdict"], cms["serves"]) == (False, None, True)
    text = run_cli(*base, "-e", "atlas").out
    assert text == (
        f"{OWN_Q2}  atlas (VO atlas)\n"
        "  site       OWN: respondent OWN, by its own name\n"
        "  state      Production; atlas targets Production\n"
        "  serves     not VO atlas; its rules name cms\n"
        "  glexec     CE: glexec (counts)\n"
        "  verdict    the CE does not serve VO atlas: no verdict (a report leaves it\n"
        "             out)\n"
    )


def test_explain_needs_ces_that_are_there(crafted: tuple[Path, Path]) -> None:
    snapshot, config = crafted
    base = ("explain", "--bdii", snapshot, "--config", config)
    done = run_cli(*base)
    assert (done.code, done.err) == (
        2,
        "cecap: error: explain: name the CEs with --ce PATTERN (or --site PATTERN)\n",
    )
    done = run_cli(*base, "--ce", "central-2.example.org:*")
    assert (done.code, done.out) == (2, "")
    assert done.err.startswith("cecap: error: --ce 'central-2.example.org:*': no CE in")
    assert done.err.endswith(f"matches; closest: {CENTRAL_CE}\n")
    done = run_cli(*base, "--ce", OWN_Q2, "-e", "cmss")
    assert (
        done.err
        == "cecap: error: unknown experiment 'cmss'; did you mean cms? configured: atlas, cms\n"
    )


def test_published_values_are_escaped(tmp_path: Path) -> None:
    hostile = simple_site("EVIL\x1b[2J", [CESpec("q1", ["atlas"], capabilities=["glexec\x07"])])
    snapshot = tmp_path / "evil.ldif"
    snapshot.write_text(bdii_ldif([hostile]))
    done = run_cli("explain", "--bdii", snapshot, "--site", "evil*")
    assert done.code == 0, done.err
    assert "\x1b" not in done.out and "\x07" not in done.out
    assert "EVIL\\x1b[2J" in done.out and "glexec\\x07" in done.out
