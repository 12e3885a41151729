"""How the top level's copy of a site differs from the site's own BDII (pure)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cecap.errors import UsageError
from cecap.evaluate.selection import Selection
from cecap.evaluate.site_bdiis import Difference, by_site, compare, pick_sites, site_ces
from cecap.model.glue import CE, GlueModel

VOS = ("atlas", "cms")


def make_ce(queue: str, site: str = "SITE", **kw: object) -> CE:
    unique_id = f"ce.{site.lower()}.org:8443/cream-pbs-{queue}"
    base = CE(
        unique_id=unique_id,
        dn=f"GlueCEUniqueID={unique_id},Mds-Vo-name={site},Mds-Vo-name=local,o=grid",
        name=queue,
        state="Production",
        implementation="CREAM",
        lrms="pbs",
        host=f"ce.{site.lower()}.org",
        rules=("VO:atlas",),
        capabilities=("glexec",),
        voviews=(),
        cluster_id=None,
        site=site,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def model(*ces: CE) -> GlueModel:
    return GlueModel("ldap://x:2170", tuple(ces))


def test_the_digest_counts_every_ce_and_those_in_state_unknown() -> None:
    found = site_ces(
        model(
            make_ce("a"),
            make_ce("b", state="Unknown"),
            make_ce("c", state=" UNKNOWN "),
            make_ce("d", rules=("VO:dteam",)),
        ),
        VOS,
        "glexec",
    )
    assert (found.published, found.unknown) == (4, 2)
    assert [f.judged for f in found.facts.values()] == [True, True, True, False]
    # --ce narrows the CEs compared, not the counts.
    narrowed = site_ces(model(make_ce("a"), make_ce("b")), VOS, "glexec", Selection(ces=("*-a",)))
    assert (narrowed.published, list(narrowed.facts)) == (2, ["ce.site.org:8443/cream-pbs-a"])


def test_every_kind_of_difference_by_ce_id_in_any_case() -> None:
    own = site_ces(
        model(
            make_ce("same"),
            make_ce("state", state="Draining"),
            make_ce("cap", capabilities=()),
            make_ce("vo", rules=("VO:dteam",)),
            make_ce("new"),
            make_ce("unjudged-here", rules=("VO:dteam",)),
        ),
        VOS,
        "glexec",
    )
    top = site_ces(
        model(
            make_ce("same", unique_id="CE.SITE.ORG:8443/cream-pbs-same"),
            make_ce("state"),
            make_ce("cap"),
            make_ce("vo"),
            make_ce("gone"),
            make_ce("unjudged-here", rules=("VO:dteam",)),
            make_ce("unjudged-top", rules=("VO:dteam",)),
        ),
        VOS,
        "glexec",
    )
    assert compare(own, top) == [
        Difference("ce.site.org:8443/cream-pbs-cap", "capability", "yes", "no"),
        Difference("ce.site.org:8443/cream-pbs-gone", "only in top", "Production", None),
        Difference("ce.site.org:8443/cream-pbs-new", "missing from top", None, "Production"),
        Difference("ce.site.org:8443/cream-pbs-state", "state", "Production", "Draining"),
        # Served by none of the VOs in the site BDII (its CE-wide capability unchanged).
        Difference("ce.site.org:8443/cream-pbs-vo", "serves", "yes", "no"),
    ]
    # Without the top level's copy of the site, every judged CE is missing from it.
    assert [d.kind for d in compare(own, None)] == ["missing from top"] * 4


def test_the_top_levels_ces_per_site_by_name_and_by_dn() -> None:
    # A CE whose site name differs from its DN's (GlueSiteName vs mds-vo-name) is found
    # under both.
    top = by_site(
        model(
            make_ce("a", site="A"),
            make_ce(
                "b", site="Bee", dn="GlueCEUniqueID=x,Mds-Vo-name=B-SITE,Mds-Vo-name=local,o=grid"
            ),
        ),
        VOS,
        "glexec",
    )
    assert sorted(top) == ["a", "b-site", "bee"]
    assert top["b-site"] == top["bee"]


def test_site_patterns_pick_among_the_listed() -> None:
    names = ["UKI-LT2-QMUL", "RAL-LCG2", "CERN-PROD"]
    assert pick_sites(Selection(), names) == [True, True, True]
    assert pick_sites(Selection(sites=("uki-*", "cern-prod")), names) == [True, False, True]
    with pytest.raises(UsageError, match="RAL-LCG"):
        pick_sites(Selection(sites=("RAL-LCG",)), names)
