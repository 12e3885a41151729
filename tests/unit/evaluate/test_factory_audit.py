"""The factory audit's checks, and where glexec test results (reliability) plug in."""

from __future__ import annotations

import pytest

from cecap.evaluate.audit.findings import Severity
from cecap.evaluate.factory import FactoryKind, audit_factory
from cecap.evaluate.verdicts import Assessment, Verdict
from cecap.model.glue import GlueModel, VOView
from cecap.sources.factory import FactoryEntry, Submission

from .test_evaluate import ATLAS, make_ce

CE_ID = "ce.example.org:8443/cream-pbs-q"
NOT_UNDERSTOOD = FactoryKind.ENTRY_NOT_UNDERSTOOD
NOT_IN_BDII = FactoryKind.ENTRY_NOT_IN_BDII


def run(glexec: str, verdict: Verdict, reliability: dict[tuple[str, str], bool] | None):  # type: ignore[no-untyped-def]
    ce = make_ce()
    entry = FactoryEntry("E", "cream", CE_ID, None, True, (("GLEXEC_BIN", glexec),))
    a = Assessment(ATLAS, ce, "SITE", verdict, None, None, "why")
    audit = audit_factory([entry], GlueModel("t", (ce,)), [a], [ATLAS], reliability)
    assert (audit.read, audit.matched, audit.not_in_bdii, audit.not_understood) == (1, 1, 0, 0)
    return [f.kind for f in audit.findings]


def test_refused_verdicts_are_errors() -> None:
    for verdict in (Verdict.SITE_REFUSES, Verdict.NOT_ADVERTISED, Verdict.NO_STANCE):
        assert run("OSG", verdict, None) == [FactoryKind.GLEXEC_WHERE_REFUSED]
    assert run("NONE", Verdict.SITE_REFUSES, None) == []


def test_glexec_where_conditional_is_a_warning_quoting_the_proviso() -> None:
    assert run("OSG", Verdict.CONDITIONAL, None) == [FactoryKind.GLEXEC_WHERE_CONDITIONAL]
    assert run("NONE", Verdict.CONDITIONAL, None) == []
    ce = make_ce()
    a = Assessment(ATLAS, ce, "SITE", Verdict.CONDITIONAL, None, None, "site: 'after May'")
    entry = FactoryEntry("E", "cream", CE_ID, None, True, (("GLEXEC_BIN", "glite"),))
    (finding,) = audit_factory([entry], GlueModel("t", (ce,)), [a], [ATLAS]).findings
    assert finding.severity is Severity.WARNING
    assert "conditional: site: 'after May'" in finding.message


@pytest.mark.parametrize(
    ("gridtype", "gatekeeper", "glexec", "kind", "severity", "counts"),
    [
        ("ec2", "https://ec2.example.org", "OSG", NOT_UNDERSTOOD, Severity.ERROR, (0, 0, 1)),
        ("ec2", "https://ec2.example.org", "NONE", NOT_UNDERSTOOD, Severity.WARNING, (0, 0, 1)),
        ("cream", "ce.example.org:8443/cream-pbs", "OSG", NOT_UNDERSTOOD, Severity.ERROR,
         (0, 0, 1)),
        ("gt2", "ce.example.org red.unl.edu", "NONE", NOT_UNDERSTOOD, Severity.WARNING,
         (0, 0, 1)),
        ("cream", "other.example.org:8443/cream-pbs-q", "OSG", NOT_IN_BDII, Severity.WARNING,
         (0, 1, 0)),
        ("cream", "https://ce.example.org:8443/ce-cream/services/CREAM2 pbs q", "NONE",
         FactoryKind.GLEXEC_AVAILABLE, Severity.INFO, (1, 0, 0)),
    ],
)  # fmt: skip
def test_no_entry_is_passed_over(
    gridtype: str,
    gatekeeper: str,
    glexec: str,
    kind: FactoryKind,
    severity: Severity,
    counts: tuple[int, int, int],
) -> None:
    ce = make_ce()
    a = Assessment(ATLAS, ce, "SITE", Verdict.READY, None, None, "why")
    entry = FactoryEntry("E", gridtype, gatekeeper, None, True, (("GLEXEC_BIN", glexec),), "f.xml")
    audit = audit_factory([entry], GlueModel("t", (ce,)), [a], [ATLAS])
    (finding,) = audit.findings
    assert (finding.kind, finding.severity) == (kind, severity)
    assert (audit.read, (audit.matched, audit.not_in_bdii, audit.not_understood)) == (1, counts)
    if kind is not FactoryKind.GLEXEC_AVAILABLE:
        assert finding.message.startswith(f"f.xml: entry 'E': gatekeeper {gatekeeper!r}")


def test_an_entry_set_is_judged_on_every_entry_in_it() -> None:
    ce = make_ce()
    a = Assessment(ATLAS, ce, "SITE", Verdict.SITE_REFUSES, None, None, "no")
    members = (
        Submission("A", "cream", "other.example.org:8443/cream-pbs-q", None),
        Submission("B", "cream", CE_ID, None),
    )
    entry = FactoryEntry(
        "A", "cream", members[0].gatekeeper, None, True, (("GLEXEC_BIN", "OSG"),), "s.xml",
        "SET", members,
    )  # fmt: skip
    audit = audit_factory([entry], GlueModel("t", (ce,)), [a], [ATLAS])
    kinds = [f.kind for f in audit.findings]
    assert kinds == [FactoryKind.GLEXEC_WHERE_REFUSED, NOT_IN_BDII]
    assert audit.findings[1].message.startswith(
        "s.xml: entry set 'SET' (entry 'A' of the set): gatekeeper"
    )


def test_not_reliable_only_with_results() -> None:
    assert run("/usr/sbin/glexec", Verdict.READY, None) == []
    assert run("/usr/sbin/glexec", Verdict.READY, {}) == []
    assert run("/usr/sbin/glexec", Verdict.READY, {("atlas", CE_ID): True}) == []
    assert run("/usr/sbin/glexec", Verdict.READY, {("atlas", CE_ID): False}) == [
        FactoryKind.GLEXEC_NOT_RELIABLE
    ]


def test_available_when_ready_or_reliable() -> None:
    assert run("NONE", Verdict.READY, None) == [FactoryKind.GLEXEC_AVAILABLE]
    assert run("NONE", Verdict.CONDITIONAL, {("atlas", CE_ID): True}) == [
        FactoryKind.GLEXEC_AVAILABLE
    ]
    assert run("NONE", Verdict.CONDITIONAL, None) == []


def test_a_glue2_endpoint_takes_the_queues_of_its_shares() -> None:
    arc = make_ce(
        unique_id="arc.example.se_org.nordugrid.gridftpjob",
        implementation="nordugrid-arc",
        host="arc.example.se",
        glue_version="2.0",
        voviews=(VOView("atlas_share", ("VO:atlas",), (), queue="atlas_q"),),
    )
    a = Assessment(ATLAS, arc, "SITE", Verdict.READY, None, None, "why")

    def kinds(rsl: str | None) -> list[FactoryKind]:
        entry = FactoryEntry("E", "nordugrid", "arc.example.se", rsl, True, (), "f.xml")
        return [
            f.kind for f in audit_factory([entry], GlueModel("t", (arc,)), [a], [ATLAS]).findings
        ]

    assert kinds("(queue=atlas_q)") == [FactoryKind.GLEXEC_AVAILABLE]
    assert kinds(None) == [FactoryKind.GLEXEC_AVAILABLE]
    assert kinds("(queue=other)") == [NOT_IN_BDII]
