"""The audit's fixes as one plan: applied together (to the LDIF text, as ldapmodify would),
the audit finds nothing more to fix and nothing it did not find before."""

from __future__ import annotations

import re
from pathlib import Path

from helpers.glue2_ldif import EndpointSpec, Site2Spec, endpoint_dn, glue2_ldif
from helpers.glue_ldif import CESpec, ClusterSpec, SiteSpec, bdii_ldif
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cecap.evaluate.audit import CHECKS, Finding, Kind
from cecap.policy.stances import ModeAnswer, MupjSupport, Stance

from .test_audit import add, ce_dn, one_site, run, stance


def applied_text(text: str, findings: list[Finding]) -> str:
    """``text`` with every fix applied to its entries, each modification once (as one LDIF
    file of merged records applies them); an add of a value the entry has fails, as
    ldapmodify's does."""
    blocks = text.split("\n\n")
    where = {}
    for i, block in enumerate(blocks):
        found = re.match(r"dn: (.*)", block.lstrip("\n"))
        if found:
            where[found.group(1).lower()] = i
    seen = set()
    for f in findings:
        for change in f.fix:
            i = where[change.dn.lower()]
            body = blocks[i].rstrip("\n")
            tail = blocks[i][len(body) :]
            lines = body.split("\n")
            for m in change.modifications:
                key = (change.dn.lower(), m.operation, m.attribute.lower(), m.value.lower())
                if key in seen:
                    continue
                seen.add(key)
                line = f"{m.attribute}: {m.value}"
                if m.operation == "add":
                    assert line.lower() not in [x.lower() for x in lines], (change.dn, line)
                    lines.append(line)
                else:
                    assert line.lower() in [x.lower() for x in lines], (change.dn, line)
                    lines = [x for x in lines if x.lower() != line.lower()]
            blocks[i] = "\n".join(lines) + tail
    return "\n\n".join(blocks)


def where(findings: list[Finding]) -> set[tuple[str, str, str]]:
    return {(f.kind.value, f.site, f.dn) for f in findings}


def test_a_queue_made_to_advertise_takes_its_hosts_other_queues_along(tmp_path: Path) -> None:
    # q1 advertises for atlas and cms; q2 serves cms and dteam without it. Added on q2 it
    # advertises for dteam too, which q3 serves without it: the plan adds it there as well.
    text = one_site(
        "CHAIN",
        CESpec("q1", ["atlas", "cms"]),
        CESpec("q2", ["cms", "dteam"], capabilities=()),
        CESpec("q3", ["dteam"], capabilities=()),
    )
    (finding,) = run(tmp_path, text, stance("CHAIN"))
    assert finding.kind is Kind.INCONSISTENT_QUEUES
    assert finding.fix == (
        add(ce_dn("CHAIN", "ce.chain.org", "q2")),
        add(ce_dn("CHAIN", "ce.chain.org", "q3")),
    )
    assert finding.message.endswith(
        "; the fix also changes 1 more entry, so that the queues and GLUE versions still"
        " agree once it is applied"
    )
    assert run(tmp_path, applied_text(text, [finding]), stance("CHAIN")) == []


def test_glexec_is_never_added_to_a_queue_no_experiment_targets(tmp_path: Path) -> None:
    text = one_site(
        "SHUT",
        CESpec("q1", ["cms"], capabilities=()),
        CESpec("q2", ["cms"], capabilities=(), state="Closed"),
    )
    (finding,) = run(tmp_path, text, stance("SHUT"))
    assert finding.kind is Kind.MISSING_ADVERTISEMENT
    assert finding.fix == (add(ce_dn("SHUT", "ce.shut.org", "q1")),)
    # Not compared either: a Closed queue without glexec beside one with it is no split.
    assert run(tmp_path, applied_text(text, [finding]), stance("SHUT")) == []


def test_a_queue_whose_answers_refuse_the_vo_is_not_compared(tmp_path: Path) -> None:
    # The site refuses setuid, which ATLAS needs: q2 rightly lacks glexec for atlas.
    text = one_site(
        "HALF",
        CESpec("q1", ["lhcb"]),
        CESpec("q2", ["atlas", "lhcb"], capabilities=()),
    )
    (finding,) = run(tmp_path, text, stance("HALF", setuid=ModeAnswer.NO))
    assert finding.kind is Kind.INCONSISTENT_QUEUES
    assert finding.fix == (add("GlueVOViewLocalID=lhcb," + ce_dn("HALF", "ce.half.org", "q2")),)
    assert run(tmp_path, applied_text(text, [finding]), stance("HALF", setuid=ModeAnswer.NO)) == []


VOS = ("atlas", "cms", "lhcb", "dteam")
CAPABILITIES = ((), ("glexec",), ("glexec-enabled",))
STATES = ("Production", "Production", "Draining", "Closed")


@st.composite
def sites(draw: st.DrawFn) -> tuple[str, list[Stance]]:
    """A few sites of one or two hosts, each with queues of random VOs, states and
    capabilities (on the CE or on one VO's view), and random answers."""
    specs = []
    names = []
    for s in range(draw(st.integers(1, 3))):
        name = f"S{s}"
        names.append(name)
        clusters = []
        for h in range(draw(st.integers(1, 2))):
            host = f"ce{h}.s{s}.org"
            ces = []
            for q in range(draw(st.integers(1, 4))):
                vos = draw(st.lists(st.sampled_from(VOS), min_size=1, max_size=3, unique=True))
                view = draw(st.sampled_from(((), vos[:1])))
                caps = draw(st.sampled_from(CAPABILITIES))
                ces.append(
                    CESpec(
                        f"q{q}",
                        vos,
                        state=draw(st.sampled_from(STATES)),
                        capabilities=() if view else caps,
                        view_capabilities={v: caps for v in view},
                        host=host,
                    )
                )
            clusters.append(ClusterSpec(host, ces))
        specs.append(SiteSpec(name, clusters))
    answers = draw(
        st.lists(
            st.tuples(
                st.sampled_from(list(MupjSupport)),
                st.sampled_from(list(ModeAnswer)),
                st.sampled_from(list(ModeAnswer)),
            ),
            min_size=len(names),
            max_size=len(names),
        )
    )
    stances = [stance(n, m, s, lo) for n, (m, s, lo) in zip(names, answers, strict=True)]
    return bdii_ldif(specs), stances


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sites())
def test_one_pass_leaves_nothing_to_fix_and_finds_nothing_new(
    tmp_path: Path,
    drawn: tuple[str, list[Stance]],
) -> None:
    text, stances = drawn
    before = run(tmp_path, text, *stances)
    after = run(tmp_path, applied_text(text, before), *stances)
    assert [f for f in after if f.fix] == []
    assert where(after) <= where(before)


def test_every_check_is_a_kind_and_only_those_without_a_change_have_no_fix() -> None:
    assert sorted(CHECKS.names()) == sorted(k.value for k in Kind)
    # As the README's table says: none for these five, a change of the BDII for the rest
    # (what tests see of glexec's mode is the worker nodes' configuration).
    assert {k for k in Kind if not k.fixable} == {
        Kind.CONTRADICTS_STANCE,
        Kind.DUPLICATE_CE,
        Kind.NOT_IN_PRODUCTION,
        Kind.MODE_CONTRADICTS_STANCE,
        Kind.MODE_OBSERVED,
    }


def test_glexec_added_in_glue_13_takes_the_hosts_glue_2_endpoint_along(tmp_path: Path) -> None:
    # The host's GLUE 2.0 endpoint is under another admin domain (a site named otherwise in
    # the two trees): the site's missing glexec, added in GLUE 1.3, makes the host's GLUE
    # versions disagree, which the same plan settles.
    text = one_site("PAIR", CESpec("q1", ["cms"], capabilities=()))
    text += "\n" + glue2_ldif(
        [Site2Spec("PAIR-2", [EndpointSpec("ce.pair.org", ["cms"], capabilities=())])]
    )
    (finding,) = run(tmp_path, text, stance("PAIR"))
    endpoint = endpoint_dn(
        Site2Spec("PAIR-2", []), EndpointSpec("ce.pair.org", ["cms"], capabilities=())
    )
    assert finding.kind is Kind.MISSING_ADVERTISEMENT
    assert finding.fix == (
        add(ce_dn("PAIR", "ce.pair.org", "q1")),
        add(endpoint, "GLUE2EndpointCapability"),
    )
    assert run(tmp_path, applied_text(text, [finding]), stance("PAIR")) == []
