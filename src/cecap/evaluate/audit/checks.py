"""The audit checks, as a registry: each a small function with the finding kind it makes.

A check runs per CE, per site (the site's CEs), or once over the whole selection; checks
marked ``stances`` read the questionnaire and run for glexec only. A new check is one
function here, registered with a new Kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ...model.glue import CE, GLUE13, GLUE20
from ..stance import StanceVerdict
from .context import (
    GLUE13_ATTRIBUTE,
    RTE_ATTRIBUTE,
    Auditor,
    advertised_vos,
    anywhere,
    ce_vos,
    is_capability,
    join,
    on,
    quote,
    served_vos,
    view_vos,
)
from .findings import Finding, Kind
from .fixes import Refusals, advertise, merged, refused_vos, replace
from .hints import duplicate_hint, hint, state_hint
from .near_miss import near_miss

CeCheck = Callable[[Auditor, CE], Iterable[Finding]]
GroupCheck = Callable[[Auditor, Sequence[CE]], Iterable[Finding]]


@dataclass
class Registry:
    """Checks by scope, in the order they were registered."""

    per_ce: list[tuple[str, bool, CeCheck]] = field(default_factory=list)
    per_site: list[tuple[str, bool, GroupCheck]] = field(default_factory=list)
    whole: list[tuple[str, bool, GroupCheck]] = field(default_factory=list)

    def ce(self, name: str, stances: bool = False) -> Callable[[CeCheck], CeCheck]:
        def register(func: CeCheck) -> CeCheck:
            self.per_ce.append((name, stances, func))
            return func

        return register

    def site(self, name: str, stances: bool = False) -> Callable[[GroupCheck], GroupCheck]:
        def register(func: GroupCheck) -> GroupCheck:
            self.per_site.append((name, stances, func))
            return func

        return register

    def model(self, name: str, stances: bool = False) -> Callable[[GroupCheck], GroupCheck]:
        def register(func: GroupCheck) -> GroupCheck:
            self.whole.append((name, stances, func))
            return func

        return register

    def names(self) -> list[str]:
        return [n for group in (self.per_ce, self.per_site, self.whole) for n, _, _ in group]


CHECKS = Registry()


@CHECKS.ce("contradicts-stance", stances=True)
def contradicts(a: Auditor, ce: CE) -> Iterable[Finding]:
    """glexec advertised for a VO whose experiment the site's answers refuse: no to MUPJ,
    or no to every mode that experiment accepts (the verdicts site-refuses and
    mode-mismatch). "depends" is never a refusal."""
    stance, _ = a.stance(ce.site)
    if stance is None:
        return
    carriers: list[tuple[str, list[str], list[str]]] = []
    ce_lines = a.carried(ce.glue_version, ce.capabilities, ce.published)
    if ce_lines:
        carriers.append((ce.dn, ce_vos(ce), ce_lines))
    for view in ce.voviews:
        lines = a.carried(ce.glue_version, view.capabilities, view.published)
        if lines:
            carriers.append((view.dn or ce.dn, view_vos(view), lines))
    for dn, vos, lines in carriers:
        refused: list[str] = []
        said = ""
        targets: list[str | None] = [*vos] or [None]
        for vo in targets:
            verdict = a.stance_verdict(ce, vo)
            if verdict is StanceVerdict.REFUSES:
                said = f"MUPJ {quote(stance.mupj.text)}"
            elif verdict is StanceVerdict.MODE_MISMATCH:
                said = " and ".join(
                    f"{m.value} {quote(stance.mode_answer(m).text)}" for m in a.accepted_modes(vo)
                )
            else:
                continue
            refused.append(vo or "any VO")
        if refused:
            yield a.finding(
                Kind.CONTRADICTS_STANCE,
                ce,
                dn,
                f"advertises glexec ({join(lines)}) for {join(refused)} but"
                f" {stance.respondent} answered no:"
                f" {said}; remove it, or update the answer in stances.yaml",
                # Which of the two is right only the site knows: no change of the BDII here.
                (),
                hint("remove", ce, a.cap),
            )


@CHECKS.site("missing-advertisement", stances=True)
def missing(a: Auditor, ces: Sequence[CE]) -> Iterable[Finding]:
    """No CE of the site advertises glexec, though for an experiment whose VO a CE serves
    the answers give ready or conditional with a mode that experiment accepts allowed."""
    if not ces or any(anywhere(ce, a.cap) for ce in ces):
        return
    stance, _ = a.stance(ces[0].site)
    if stance is None:
        return
    candidates: dict[int, tuple[CE, list[str]]] = {}
    vos_seen: dict[str, None] = {}
    for ce in ces:
        if not a.targeted(ce):
            continue  # no experiment sends pilots there: nothing to advertise
        served = served_vos(ce)
        for experiment in a.policy.experiments.values():
            vo = experiment.vo.lower()
            if vo not in served:
                continue
            resolved = a.resolved(ce, vo)
            if resolved is None:
                continue
            verdict = resolved.verdict(experiment.modes)
            mode = resolved.choose_mode(experiment.modes)
            if (
                verdict in (StanceVerdict.READY, StanceVerdict.CONDITIONAL)
                and mode is not None
                and resolved.modes[mode].accepts
            ):
                candidates.setdefault(id(ce), (ce, []))[1].append(vo)
                vos_seen.setdefault(vo, None)
    if not candidates:
        return
    first = next(iter(candidates.values()))[0]
    yield a.finding(
        Kind.MISSING_ADVERTISEMENT,
        first,
        first.dn,
        f"{stance.respondent} answered MUPJ {quote(stance.mupj.text)} and accepts a glexec"
        f" mode, {len(candidates)} CE(s) serve {join(vos_seen)}, but none advertises glexec;"
        " publish it on those that run glexec",
        merged(change for ce, vos in candidates.values() for change in advertise(a, ce, vos)),
        hint("add", first, a.cap),
    )


@CHECKS.ce("runtime-environment-tag")
def runtime_tag(a: Auditor, ce: CE) -> Iterable[Finding]:
    if ce.glue_version != GLUE13 or not ce.cluster_id or anywhere(ce, a.cap):
        return
    cluster = a.model.clusters.get(ce.cluster_id)
    if cluster is None:
        return
    if cluster.unique_id not in a._rte_tags:
        a._rte_tags[cluster.unique_id] = [
            t
            for t in cluster.runtime_environment
            if is_capability(t, a.cap) or near_miss(t, a.cap) is not None
        ]
    tags = a._rte_tags[cluster.unique_id]
    if tags:
        yield a.finding(
            Kind.RUNTIME_ENVIRONMENT_TAG,
            ce,
            ce.dn,
            f"cluster {cluster.unique_id} publishes {a.cap} as a run-time environment tag"
            f" ({RTE_ATTRIBUTE}: {tags[0]}), which is not read as {a.cap}; the report to"
            f" the GDB chose {GLUE13_ATTRIBUTE} on the CE",
            advertise(a, ce),
            hint("add", ce, a.cap),
        )


@CHECKS.ce("near-miss-capability")
def near_misses(a: Auditor, ce: CE) -> Iterable[Finding]:
    ce_has = on(ce.capabilities, a.cap)
    entries: list[tuple[str, bool, bool, Iterable[str], Iterable[tuple[str, str]]]] = [
        (ce.dn, False, ce_has, ce.capabilities, ce.published)
    ]
    for view in ce.voviews:
        has = ce_has or on(view.capabilities, a.cap)
        entries.append((view.dn or ce.dn, True, has, view.capabilities, view.published))
    for dn, on_share, has, capabilities, published in entries:
        if has:
            continue  # the entry already advertises: a stray value changes nothing
        if ce.glue_version == GLUE20:
            pairs = [
                (attr, value)
                for attr, value in published
                if not ((m := a.match_for(attr)) is not None and m.matches(value))
            ]
        else:
            pairs = [(GLUE13_ATTRIBUTE, c) for c in capabilities]
        for attr, value in pairs:
            why = near_miss(value, a.cap)
            if why is None:
                continue
            if ce.glue_version == GLUE20:
                match = a.match_for(attr)
                good = (attr, match.values[0]) if match else a.publish(GLUE20, on_share)
                rule = f"glue2.yaml counts only {join(match.values)} there" if match else ""
            else:
                good = a.publish(GLUE13)
                rule = "values are compared whole, ignoring case and surrounding blanks"
            yield a.finding(
                Kind.NEAR_MISS_CAPABILITY,
                ce,
                dn,
                f"{attr}: {value.strip()} is not counted as {a.cap}: {why}; {rule}",
                replace(a, ce, dn, (attr, value), good),
                hint("replace", ce, a.cap, value.strip()),
            )


@CHECKS.site("inconsistent-queues")
def inconsistent(a: Auditor, ces: Sequence[CE]) -> Iterable[Finding]:
    # Only queues an experiment targets are compared: a Draining or Closed queue is not
    # used, and glexec is never added to one (see not-in-production).
    ces = [ce for ce in ces if a.targeted(ce)]
    groups: dict[tuple[str, str, str], list[CE]] = {}
    for ce in ces:
        groups.setdefault((ce.glue_version, "host", ce.host.lower()), []).append(ce)
        if ce.cluster_id:
            groups.setdefault((ce.glue_version, "cluster", ce.cluster_id), []).append(ce)
    # Per CE, the VOs it serves and those it advertises for, as serves() and
    # advertises() decide, computed once: a host or cluster may have dozens of queues
    # and VOs.
    served = {id(ce): served_vos(ce) for ce in ces}
    advertised = {id(ce): advertised_vos(ce, a.cap) for ce in ces}
    named = {id(ce): ce_vos(ce) for ce in ces}
    # A queue whose site's answers refuse glexec for the VO rightly lacks it.
    refuses = Refusals(a)
    splits: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[str, list[str]]] = {}
    for (_, what, name), members in groups.items():
        if len(members) < 2:
            continue
        # A split needs a queue that advertises for the VO: only those VOs are looked at.
        some = set().union(*(advertised[id(ce)] for ce in members))
        if not some:
            continue
        vos = [v for v in dict.fromkeys(v for ce in members for v in named[id(ce)]) if v in some]
        for vo in vos:
            serving = [ce for ce in members if vo in served[id(ce)] and not refuses(ce, vo)]
            yes = tuple(ce.unique_id for ce in serving if vo in advertised[id(ce)])
            no = tuple(ce.unique_id for ce in serving if vo not in advertised[id(ce)])
            if yes and no:
                label = f"{what} {members[0].host if what == 'host' else name}"
                found = splits.setdefault((yes, no), (label, []))[1]
                if vo not in found:  # the host and the cluster are often the same queues
                    found.append(vo)
    by_id = {ce.unique_id: ce for ce in ces}
    for (yes, no), (label, vos) in splits.items():
        first = by_id[no[0]]
        yield a.finding(
            Kind.INCONSISTENT_QUEUES,
            first,
            first.dn,
            f"on {label}, {len(yes)} queue(s) advertise {a.cap} for {join(vos)}"
            f" ({join(yes)}) and {len(no)} do not ({join(no)}); publish it on those, or"
            f" delete it from the others if they do not run {a.cap}",
            merged(change for uid in no for change in advertise(a, by_id[uid], vos)),
            hint("add", first, a.cap),
        )


@CHECKS.ce("partial-voview")
def partial_views(a: Auditor, ce: CE) -> Iterable[Finding]:
    if on(ce.capabilities, a.cap) or len(ce.voviews) < 2:
        return
    stance, _ = a.stance(ce.site)
    if a.is_glexec and stance is not None:
        answers = (
            stance.mupj.scopes,
            stance.glexec_setuid.scopes,
            stance.glexec_log_only.scopes,
        )
        if any(s.kind == "vo" for scopes in answers for s in scopes):
            return  # the site answered per VO: views may rightly differ
    yes = [v for v in ce.voviews if on(v.capabilities, a.cap)]
    # The views of VOs the site's answers refuse rightly lack it (the fixes put it on the
    # others' views for that reason).
    refused = refused_vos(a, ce)
    no = [
        v for v in ce.voviews if not on(v.capabilities, a.cap) and not set(view_vos(v)) <= refused
    ]
    if not yes or not no:
        return
    yes_vos = [vo for v in yes for vo in view_vos(v)]
    no_vos = [vo for v in no for vo in view_vos(v)]
    view = "share" if ce.glue_version == GLUE20 else "VOView"
    yield a.finding(
        Kind.PARTIAL_VOVIEW,
        ce,
        ce.dn,
        f"advertises {a.cap} only on the {view}s of {join(yes_vos)}, not on those of"
        f" {join(no_vos)}, though the site's answer does not restrict VOs; publish it on"
        f" those {view}s too, or on the CE",
        advertise(a, ce, no_vos, views_only=True),
        hint("add", ce, a.cap),
    )


@CHECKS.ce("not-in-production")
def not_in_production(a: Auditor, ce: CE) -> Iterable[Finding]:
    if not anywhere(ce, a.cap):
        return
    experiments = list(a.policy.experiments.values())
    if any(e.targets_state(ce.state) for e in experiments):
        return
    states = join(dict.fromkeys(s for e in experiments for s in e.states))
    if ce.glue_version == GLUE20:
        back = "GLUE2EndpointServingState: production, GLUE2EndpointHealthState: ok"
    else:
        back = "GlueCEStateStatus: Production"
    yield a.finding(
        Kind.NOT_IN_PRODUCTION,
        ce,
        ce.dn,
        f"advertises {a.cap} but its state is {ce.state or 'unpublished'}; experiments"
        f" target only {states}, so it is not used until it publishes {back}",
        (),
        state_hint(),
    )


@CHECKS.model("glue-versions-disagree")
def versions_disagree(a: Auditor, ces: Sequence[CE]) -> Iterable[Finding]:
    by_host: dict[str, dict[str, list[CE]]] = {}
    for ce in ces:
        if not a.targeted(ce):
            continue  # as inconsistent-queues: only queues an experiment targets count
        by_host.setdefault(ce.host.lower(), {}).setdefault(ce.glue_version, []).append(ce)
    for trees in by_host.values():
        if GLUE13 not in trees or GLUE20 not in trees:
            continue
        said = {v: any(anywhere(ce, a.cap) for ce in trees[v]) for v in (GLUE13, GLUE20)}
        if said[GLUE13] == said[GLUE20]:
            continue
        has, lacks = (GLUE13, GLUE20) if said[GLUE13] else (GLUE20, GLUE13)
        first = trees[lacks][0]
        yield a.finding(
            Kind.GLUE_VERSIONS_DISAGREE,
            first,
            first.dn,
            f"host {first.host} advertises {a.cap} in GLUE {has}"
            f" ({join(ce.unique_id for ce in trees[has] if anywhere(ce, a.cap))})"
            f" but not in GLUE {lacks} ({join(ce.unique_id for ce in trees[lacks])})",
            merged(change for ce in trees[lacks] for change in advertise(a, ce)),
            hint("add", first, a.cap),
        )


@CHECKS.model("duplicate-ce")
def duplicate_ce(a: Auditor, ces: Sequence[CE]) -> Iterable[Finding]:
    """One CE unique ID published under two or more DNs (two sites' subtrees): each copy is
    its own CE with its own site's answers.  The copies are ordered by site and DN across
    the whole model; each copy after the first gets one finding, under its own site."""
    copies: dict[tuple[str, str], list[CE]] = {}
    for ce in a.model.ces:
        copies.setdefault((ce.glue_version, ce.unique_id), []).append(ce)
    selected = {id(ce) for ce in ces}
    for group in copies.values():
        if len({ce.dn.lower() for ce in group}) < 2:
            continue
        first, *others = sorted(group, key=lambda ce: (ce.site.lower(), ce.dn.lower()))
        for ce in others:
            if id(ce) not in selected or ce.dn.lower() == first.dn.lower():
                continue
            yield a.finding(
                Kind.DUPLICATE_CE,
                ce,
                ce.dn,
                f"CE {ce.unique_id} is published by site {ce.site} here and by site"
                f" {first.site} at {first.dn}; cecap reads each copy as its own CE, with"
                " its own site's answers; publish it from one site only",
                (),
                duplicate_hint(),
            )
