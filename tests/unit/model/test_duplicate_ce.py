"""One CE published by two sites (the OSG 2008 u2-grid case): each site's copy is its own
CE with that site's VOViews and stance, whatever the entry order, and a duplicate-ce
finding names both DNs."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from helpers.glue_ldif import TOP, CESpec, ClusterSpec, SiteSpec, bdii_ldif, ce_id

from cecap.evaluate.audit import Kind, Severity, audit
from cecap.evaluate.selection import Selection
from cecap.model.glue import GlueModel
from cecap.policy.stances import (
    Answer,
    BypassAnswer,
    Experiment,
    GlexecMode,
    ModeAnswer,
    MupjSupport,
    Policy,
    SiteMapping,
    Stance,
)
from cecap.sources.base import read_model
from cecap.sources.ldif import LdifReader

HOST = "u2.example.org"
SHARED_ID = "shared.example.org"  # GlueSiteUniqueID and cluster ID both sites publish
EXPERIMENTS = {
    "atlas": Experiment("atlas", "ATLAS", "atlas", (GlexecMode.SETUID,)),
    "cms": Experiment("cms", "CMS", "cms", (GlexecMode.SETUID,)),
}


def two_sites(first: str = "ALPHA", second: str = "BETA") -> str:
    """ALPHA publishes q1 (atlas, glexec) and q2; BETA publishes q1 again (cms, no glexec)."""
    alpha = SiteSpec(
        first,
        [ClusterSpec(HOST, [CESpec("q1", ["atlas"]), CESpec("q2", ["atlas"])])],
        unique_id=SHARED_ID,
    )
    beta = SiteSpec(
        second, [ClusterSpec(HOST, [CESpec("q1", ["cms"], capabilities=())])], unique_id=SHARED_ID
    )
    return bdii_ldif([alpha, beta])


def shuffled(text: str, seed: int) -> str:
    """The same entries in another order (the o=grid and local entries first, as LDIF
    does not need, but a BDII dump has them)."""
    entries = [e.strip() + "\n" for e in text.split("\n\n") if e.strip()]
    top = len([e for e in TOP.split("\n\n") if e.strip()])
    head, rest = entries[:top], entries[top:]
    random.Random(seed).shuffle(rest)
    return "\n".join(head + rest)


def model_of(tmp_path: Path, text: str, name: str = "bdii.ldif") -> GlueModel:
    path = tmp_path / name
    path.write_text(text)
    return read_model(LdifReader(path))


def stance(name: str, mupj: MupjSupport) -> Stance:
    return Stance(
        name,
        Answer(mupj.value, mupj),
        Answer("allow", ModeAnswer.ALLOW),
        Answer("allow", ModeAnswer.ALLOW),
        Answer("no", BypassAnswer.NO),
    )


def policy(*stances: Stance) -> Policy:
    return Policy(
        {s.respondent: s for s in stances},
        tuple(SiteMapping(s.respondent) for s in stances),
        EXPERIMENTS,
    )


def dn(site: str, queue: str) -> str:
    return f"GlueCEUniqueID={ce_id(HOST, queue)},Mds-Vo-name={site},Mds-Vo-name=local,o=grid"


def test_each_site_keeps_its_copy_with_its_own_voviews(tmp_path: Path) -> None:
    model = model_of(tmp_path, two_sites())
    q1 = ce_id(HOST, "q1")
    copies = [ce for ce in model.ces if ce.unique_id == q1]
    assert [(ce.site, ce.dn) for ce in copies] == [
        ("ALPHA", dn("ALPHA", "q1")),
        ("BETA", dn("BETA", "q1")),
    ]
    alpha, beta = copies
    assert [v.local_id for v in alpha.voviews] == ["atlas"]
    assert [v.local_id for v in beta.voviews] == ["cms"]
    assert all(",Mds-Vo-name=ALPHA," in v.dn for v in alpha.voviews)
    assert all(",Mds-Vo-name=BETA," in v.dn for v in beta.voviews)
    assert alpha.capabilities == ("glexec",)
    assert beta.capabilities == ()
    assert model.sites == ("ALPHA", "BETA")


def test_site_name_comes_from_the_copy_s_own_subtree(tmp_path: Path) -> None:
    # Both publish GlueSiteUniqueID=shared.example.org; the later site must not borrow
    # the earlier one's GlueSiteName (nor the other way round when the order flips).
    for first, second in (("ALPHA", "BETA"), ("BETA", "ALPHA")):
        model = model_of(tmp_path, two_sites(first, second), f"{first}.ldif")
        sites = {ce.dn: ce.site for ce in model.ces}
        assert sites[dn("ALPHA", "q1")] == "ALPHA"
        assert sites[dn("BETA", "q1")] == "BETA"


@pytest.mark.parametrize("seed", range(6))
def test_entry_order_does_not_matter(tmp_path: Path, seed: int) -> None:
    text = two_sites()
    want = model_of(tmp_path, text, "in-order.ldif")
    got = model_of(tmp_path, shuffled(text, seed), f"shuffled-{seed}.ldif")
    assert got.ces == want.ces
    assert got.sites == want.sites
    assert got.clusters == want.clusters
    answers = policy(stance("ALPHA", MupjSupport.YES), stance("BETA", MupjSupport.NO))
    assert audit(got, answers) == audit(want, answers)


def test_reversed_site_order_gives_the_same_model(tmp_path: Path) -> None:
    # BETA's entries first: on a live BDII the order is not up to cecap.
    want = model_of(tmp_path, two_sites(), "ab.ldif")
    text = two_sites()
    entries = [e.strip() + "\n" for e in text.split("\n\n") if e.strip()]
    top = len([e for e in TOP.split("\n\n") if e.strip()])
    beta_first = sorted(entries[top:], key=lambda e: "Mds-Vo-name=BETA" not in e)
    got = model_of(tmp_path, "\n".join(entries[:top] + beta_first), "ba.ldif")
    assert got.ces == want.ces


def test_duplicate_ce_finding_once_under_the_later_site(tmp_path: Path) -> None:
    model = model_of(tmp_path, two_sites())
    found = [f for f in audit(model, policy()) if f.kind is Kind.DUPLICATE_CE]
    assert len(found) == 1
    (f,) = found
    assert f.severity is Severity.WARNING
    assert (f.site, f.dn) == ("BETA", dn("BETA", "q1"))
    assert dn("ALPHA", "q1") in f.message
    # No change of the BDII fixes it: the site BDIIs' sources do.
    assert f.fix == ()
    assert f.hint.startswith("publish the CE from one site only: drop its resource BDII")
    # The site filter selects the copy's own site: ALPHA alone has no duplicate finding.
    assert not [
        g
        for g in audit(model, policy(), selection=Selection(sites=("ALPHA",)))
        if g.kind is Kind.DUPLICATE_CE
    ]
    assert [
        g.dn
        for g in audit(model, policy(), selection=Selection(sites=("BETA",)))
        if g.kind is Kind.DUPLICATE_CE
    ] == [f.dn]


def test_each_copy_is_judged_by_its_own_site_s_answers(tmp_path: Path) -> None:
    # ALPHA said no and advertises glexec on q1: a contradiction at ALPHA only. BETA's
    # copy does not advertise, so BETA's "no" contradicts nothing.
    model = model_of(tmp_path, two_sites())
    answers = policy(stance("ALPHA", MupjSupport.NO), stance("BETA", MupjSupport.NO))
    contradictions = [f for f in audit(model, answers) if f.kind is Kind.CONTRADICTS_STANCE]
    assert {(f.site, f.dn) for f in contradictions} == {
        ("ALPHA", dn("ALPHA", "q1")),
        ("ALPHA", dn("ALPHA", "q2")),
    }


def test_inconsistent_queues_names_only_the_site_s_own_vos(tmp_path: Path) -> None:
    # q1 and q2 at ALPHA both advertise for atlas; BETA's cms VOView must not turn up
    # in ALPHA's queues (it did when VOViews were joined by CE ID alone).
    model = model_of(tmp_path, two_sites())
    for f in audit(model, policy()):
        if f.site == "ALPHA":
            assert "cms" not in f.message, f


def test_voview_outside_its_ce_goes_to_the_copy_in_its_own_site(tmp_path: Path) -> None:
    # A VOView whose DN is not under a CE entry is joined by GlueChunkKey, within its
    # own site's subtree.
    q1 = ce_id(HOST, "q1")
    text = two_sites().replace(
        f"dn: GlueVOViewLocalID=cms,GlueCEUniqueID={q1},Mds-Vo-name=BETA,",
        "dn: GlueVOViewLocalID=cms,Mds-Vo-name=BETA,",
    )
    assert "dn: GlueVOViewLocalID=cms,Mds-Vo-name=BETA," in text
    model = model_of(tmp_path, text)
    by_dn = {ce.dn: ce for ce in model.ces}
    assert [v.local_id for v in by_dn[dn("BETA", "q1")].voviews] == ["cms"]
    assert [v.local_id for v in by_dn[dn("ALPHA", "q1")].voviews] == ["atlas"]


def test_one_site_one_copy_no_finding(tmp_path: Path) -> None:
    text = bdii_ldif([SiteSpec("ALPHA", [ClusterSpec(HOST, [CESpec("q1", ["atlas"])])])])
    model = model_of(tmp_path, text)
    assert len(model.ces) == 1
    assert not [f for f in audit(model, policy()) if f.kind is Kind.DUPLICATE_CE]
