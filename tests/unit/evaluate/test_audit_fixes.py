"""The audit's fixes (changes of the published entries) and hints (where to change the
source), alone: never advertising for a refused VO, merging per entry, middleware by CE."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.glue_ldif import CESpec

from cecap.evaluate.audit import Kind
from cecap.evaluate.audit.findings import Change, Modification
from cecap.evaluate.audit.fixes import merged
from cecap.evaluate.audit.hints import Publisher, hint, publisher
from cecap.model.glue import CE
from cecap.policy.stances import ModeAnswer, MupjSupport

from .test_audit import add, ce_dn, one_site, run, stance


def test_missing_advertisement_goes_on_the_voviews_of_vos_the_site_accepts(
    tmp_path: Path,
) -> None:
    # setuid no, log-only allowed: lhcb may use the CE, atlas may not. Publishing glexec on
    # the CE would advertise it for atlas too, which the site refuses: the views of lhcb.
    text = one_site("MIX", CESpec("q1", ["atlas", "lhcb"], capabilities=()))
    (finding,) = run(tmp_path, text, stance("MIX", setuid=ModeAnswer.NO))
    assert finding.kind is Kind.MISSING_ADVERTISEMENT
    assert finding.fix == (add("GlueVOViewLocalID=lhcb," + ce_dn("MIX", "ce.mix.org", "q1")),)


def test_near_miss_on_a_ce_of_a_refused_vo_is_deleted_only(tmp_path: Path) -> None:
    text = one_site("NO", CESpec("q1", ["atlas"], capabilities=["glexec=yes"]))
    (finding,) = run(tmp_path, text, stance("NO", MupjSupport.NO))
    dn = ce_dn("NO", "ce.no.org", "q1")
    assert finding.fix == (Change(dn, (Modification("delete", "GlueCECapability", "glexec=yes"),)),)


def test_merged_keeps_one_record_per_entry_and_each_value_once() -> None:
    a = Change("CN=X,o=grid", (Modification("delete", "GlueCECapability", "glexec=yes"),))
    b = Change("cn=x,o=grid", (Modification("add", "GlueCECapability", "glexec"),))
    c = Change("cn=y,o=grid", (Modification("add", "GlueCECapability", "glexec"),))
    d = Change("CN=X,o=grid", (Modification("add", "gluececapability", "GLEXEC"),))
    assert merged([a, b, c, d]) == (
        Change("CN=X,o=grid", (*a.modifications, *b.modifications)),
        c,
    )


def ce(unique_id: str, implementation: str = "UNDEFINED") -> CE:
    return CE(unique_id, "dn", "q", "Production", implementation, "pbs", "h", (), (), (), None, "S")


@pytest.mark.parametrize(
    ("unique_id", "implementation", "expected"),
    [
        ("ce.x.org:8443/cream-pbs-q", "CREAM", Publisher.GLITE),
        ("ce.x.org:8443/cream-pbs-q", "UNDEFINED", Publisher.GLITE),
        ("ce.x.org:2119/jobmanager-lcgpbs-q", "LCG-CE", Publisher.GLITE),
        ("ce.x.org:2119/jobmanager-lcgpbs-q", "UNDEFINED", Publisher.GLITE),
        ("gate01.aglt2.org:2119/jobmanager-condor-atlas", "UNDEFINED", Publisher.OSG),
        ("ce.x.org:2119/jobmanager-pbs-q", "Globus", Publisher.OSG),
        ("ce.x.org:2811/nordugrid-torque-q", "ARC-CE", Publisher.ARC),
        ("ce.x.org_org.nordugrid.arex", "nordugrid-arc", Publisher.ARC),
        ("ce.x.org_org.glite.ce.CREAM", "CREAM", Publisher.GLITE),
        ("ce.x.org:9619/htcondorce-condor-q", "UNDEFINED", Publisher.HTCONDOR_CE),
        ("ce.x.org_org.opensciencegrid.htcondorce", "HTCondorCE", Publisher.HTCONDOR_CE),
        ("something-else", "UNDEFINED", Publisher.UNKNOWN),
    ],
)
def test_middleware_from_what_the_ce_publishes(
    unique_id: str, implementation: str, expected: Publisher
) -> None:
    assert publisher(ce(unique_id, implementation)) is expected


def test_hints_name_each_middleware_s_own_setting() -> None:
    cream, osg = ce("h:8443/cream-pbs-q"), ce("h:2119/jobmanager-condor-q")
    arc, other = ce("h:2811/nordugrid-pbs-q"), ce("elsewhere")
    assert hint("add", cream, "glexec") == (
        "gLite (YAIM): add glexec to CE_CAPABILITY in site-info.def, then rerun YAIM on the CE"
    )
    assert hint("replace", cream, "glexec", "glexec=yes") == (
        "gLite (YAIM): write glexec instead of 'glexec=yes' in CE_CAPABILITY in"
        " site-info.def, then rerun YAIM on the CE"
    )
    assert hint("add", osg, "glexec") == (
        "OSG (GIP): set glexec_enabled = True in the [site] section of the GIP's gip.conf"
    )
    assert hint("remove", osg, "glexec").endswith(
        "glexec_enabled = False in the [site] section of the GIP's gip.conf"
    )
    # The GIP has a switch for glexec only.
    assert "see its gip.conf for htpc" in hint("add", osg, "htpc")
    assert hint("add", arc, "glexec").startswith("ARC: no arc.conf option publishes it")
    assert hint("add", other, "glexec").startswith("unknown middleware: set glexec where")
    assert hint("add", ce("h:9619/htcondorce-condor-q"), "glexec") == (
        "HTCondor-CE: set glexec where this CE's information provider (its BDII provider)"
        " is configured"
    )
