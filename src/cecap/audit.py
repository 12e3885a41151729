"""Audit step (pure): what sites publish against what they answered -> findings with fixes."""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from .evaluate import GLEXEC, is_capability, rule_vo, served_vos, serves
from .glue import CE, GlueModel, VOView
from .glue2 import GLUE13, GLUE20, Glue2Match, Glue2Rules
from .policy import ModeAnswer, MupjSupport, Policy, SiteMapping, Stance

GLUE13_ATTRIBUTE = "GlueCECapability"
RTE_ATTRIBUTE = "GlueHostApplicationSoftwareRunTimeEnvironment"


class Severity(Enum):
    """How much a finding matters; only errors make ``cecap audit`` exit 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Kind(Enum):
    """What is wrong; the values are stable names monitoring may match on."""

    CONTRADICTS_STANCE = "contradicts-stance"
    MISSING_ADVERTISEMENT = "missing-advertisement"
    RUNTIME_ENVIRONMENT_TAG = "runtime-environment-tag"
    NEAR_MISS_CAPABILITY = "near-miss-capability"
    INCONSISTENT_QUEUES = "inconsistent-queues"
    GLUE_VERSIONS_DISAGREE = "glue-versions-disagree"
    PARTIAL_VOVIEW = "partial-voview"
    NOT_IN_PRODUCTION = "not-in-production"

    @property
    def severity(self) -> Severity:
        return _SEVERITY[self]


_SEVERITY = {
    Kind.CONTRADICTS_STANCE: Severity.ERROR,
    Kind.MISSING_ADVERTISEMENT: Severity.WARNING,
    Kind.RUNTIME_ENVIRONMENT_TAG: Severity.WARNING,
    Kind.NEAR_MISS_CAPABILITY: Severity.WARNING,
    Kind.INCONSISTENT_QUEUES: Severity.WARNING,
    Kind.GLUE_VERSIONS_DISAGREE: Severity.WARNING,
    Kind.PARTIAL_VOVIEW: Severity.INFO,
    Kind.NOT_IN_PRODUCTION: Severity.INFO,
}
_SEVERITY_ORDER = tuple(Severity)
_KIND_ORDER = tuple(Kind)

# Words after the capability's name that say "not supported": not a near miss, a "no".
_NEGATIVE = frozenset(
    {"no", "false", "off", "0", "n", "none", "not", "disabled", "unsupported", "unavailable"}
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in what a site publishes, where it is, and the change that fixes it."""

    kind: Kind
    site: str
    dn: str
    message: str
    fix: str
    glue_version: str = GLUE13

    @property
    def severity(self) -> Severity:
        return self.kind.severity


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _one_edit_apart(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :] if len(a) < len(b) else a[i + 1 :] == b[i + 1 :]


# Real BDIIs repeat the same few values (run-time environment tags above all) thousands of
# times: each is judged once.
@functools.lru_cache(maxsize=4096)
def near_miss(value: str, capability: str) -> str | None:
    """Why ``value`` looks meant as ``capability`` but is not counted; None if it is not a
    near miss (it matches, is unrelated, or says the capability is absent)."""
    text = value.strip()
    low = text.lower()
    cap = capability.strip().lower()
    if low == cap:
        return None
    if cap in low or _squash(cap) in _squash(low):
        rest = low.replace(cap, " ") if cap in low else low
        words = set(re.split(r"[^a-z0-9]+", rest)) - {""}
        if words & _NEGATIVE:
            return None
        if re.search(r"[=:]", rest):
            return f"{text!r} is a key=value pair, not the name {capability!r}"
        return f"{text!r} carries more than the name {capability!r}"
    if len(cap) >= 5 and _one_edit_apart(_squash(low), _squash(cap)):
        return f"{text!r} is a misspelling of {capability!r}"
    return None


def _vos(rules: Iterable[str]) -> list[str]:
    """VO names (lower-case) in ``VO:v`` / ``VOMS:/v/...`` rules, in order, once each."""
    return list(dict.fromkeys(vo for vo in map(rule_vo, rules) if vo))


def _view_vos(view: VOView) -> list[str]:
    # As evaluate does: a view with rules is for the VOs they name, else for its local ID.
    if view.rules:
        return _vos(view.rules)
    return [view.local_id.lower()] if view.local_id else []


def advertised_vos(ce: CE, capability: str) -> frozenset[str]:
    """The served VOs ``evaluate.advertises`` says the CE advertises ``capability`` for."""
    served = served_vos(ce)
    if _on(ce.capabilities, capability):
        return served
    views = (v for v in ce.voviews if _on(v.capabilities, capability))
    return frozenset(vo for view in views for vo in _view_vos(view)) & served


def _ce_vos(ce: CE) -> list[str]:
    return list(dict.fromkeys([*_vos(ce.rules), *(v for w in ce.voviews for v in _view_vos(w))]))


def _on(capabilities: Iterable[str], capability: str) -> bool:
    return any(is_capability(c, capability) for c in capabilities)


def _anywhere(ce: CE, capability: str) -> bool:
    return _on(ce.capabilities, capability) or any(
        _on(v.capabilities, capability) for v in ce.voviews
    )


def _join(items: Iterable[str]) -> str:
    return ", ".join(items) or "-"


def _quote(text: str) -> str:
    return f"\u201c{text}\u201d"


class _Auditor:
    def __init__(
        self, model: GlueModel, policy: Policy, capability: str, rules: Glue2Rules | None
    ) -> None:
        self.model = model
        self.policy = policy
        self.cap = capability.strip().lower()
        self.is_glexec = self.cap == GLEXEC
        self.matches: tuple[Glue2Match, ...] = rules.matches_for(self.cap) if rules else ()
        self._mappings: dict[str, SiteMapping | None] = {}
        self._rte_tags: dict[str, list[str]] = {}

    # --- what to publish, in each GLUE version's words ---

    def _match_for(self, attribute: str) -> Glue2Match | None:
        return next((m for m in self.matches if m.attribute.lower() == attribute.lower()), None)

    def publish_line(self, version: str, on_share: bool = False) -> str:
        if version != GLUE20:
            return f"{GLUE13_ATTRIBUTE}: {self.cap}"
        usable = [
            m
            for m in self.matches
            if not (on_share and m.attribute.lower().startswith("glue2endpoint"))
        ]
        if not usable:
            return f"the value glue2.yaml names for {self.cap}"
        return f"{usable[0].attribute}: {usable[0].values[0]}"

    def carried(
        self, version: str, capabilities: Iterable[str], published: Iterable[tuple[str, str]]
    ) -> list[str]:
        """The LDIF lines (attribute: value) through which an entry advertises."""
        if version != GLUE20:
            return [f"{GLUE13_ATTRIBUTE}: {c}" for c in capabilities if is_capability(c, self.cap)]
        return [
            f"{attr}: {value}"
            for attr, value in published
            if (m := self._match_for(attr)) is not None and m.matches(value)
        ]

    # --- the site's answers ---

    def stance(self, site: str) -> tuple[Stance | None, SiteMapping | None]:
        if site not in self._mappings:
            self._mappings[site] = self.policy.respondent_for(site)
        mapping = self._mappings[site]
        stance = self.policy.stances.get(mapping.respondent) if mapping else None
        return stance, mapping

    # --- checks ---

    def contradicts(self, ce: CE) -> Iterable[Finding]:
        stance, mapping = self.stance(ce.site)
        if stance is None:
            return
        scope = mapping.cluster_scope(ce.cluster_id, ce.host) if mapping else None
        carriers: list[tuple[str, list[str], list[str]]] = []
        ce_lines = self.carried(ce.glue_version, ce.capabilities, ce.published)
        if ce_lines:
            carriers.append((ce.dn, _ce_vos(ce), ce_lines))
        for view in ce.voviews:
            lines = self.carried(ce.glue_version, view.capabilities, view.published)
            if lines:
                carriers.append((view.dn or ce.dn, _view_vos(view), lines))
        for dn, vos, lines in carriers:
            refused: list[str] = []
            said = ""
            targets: list[str | None] = [*vos] or [None]
            for vo in targets:
                mupj = stance.mupj.resolve(vo, scope)
                setuid = stance.glexec_setuid.resolve(vo, scope)
                log_only = stance.glexec_log_only.resolve(vo, scope)
                if mupj is MupjSupport.NO:
                    said = f"MUPJ {_quote(stance.mupj.text)}"
                elif setuid is ModeAnswer.NO and log_only is ModeAnswer.NO:
                    said = (
                        f"setuid {_quote(stance.glexec_setuid.text)} and log-only"
                        f" {_quote(stance.glexec_log_only.text)}"
                    )
                else:
                    continue
                refused.append(vo or "any VO")
            if refused:
                yield self.finding(
                    Kind.CONTRADICTS_STANCE,
                    ce,
                    dn,
                    f"advertises glexec for {_join(refused)} but {stance.respondent} answered no:"
                    f" {said}; remove it, or update the answer in stances.yaml",
                    "; ".join(f"delete: {line}" for line in lines),
                )

    def missing(self, site: str, ces: Sequence[CE]) -> Iterable[Finding]:
        if any(_anywhere(ce, self.cap) for ce in ces):
            return
        stance, mapping = self.stance(site)
        if stance is None:
            return
        lhc = list(dict.fromkeys(e.vo.lower() for e in self.policy.experiments.values()))
        candidates: list[CE] = []
        vos_seen: dict[str, None] = {}
        for ce in ces:
            scope = mapping.cluster_scope(ce.cluster_id, ce.host) if mapping else None
            for vo in lhc:
                if not serves(ce, vo):
                    continue
                mupj = stance.mupj.resolve(vo, scope)
                modes = (
                    stance.glexec_setuid.resolve(vo, scope),
                    stance.glexec_log_only.resolve(vo, scope),
                )
                if mupj in (MupjSupport.YES, MupjSupport.CONDITIONAL) and any(
                    m.accepts for m in modes
                ):
                    if ce not in candidates:
                        candidates.append(ce)
                    vos_seen.setdefault(vo, None)
        if not candidates:
            return
        first = candidates[0]
        yield self.finding(
            Kind.MISSING_ADVERTISEMENT,
            first,
            first.dn,
            f"{stance.respondent} answered MUPJ {_quote(stance.mupj.text)} and accepts a glexec"
            f" mode, {len(candidates)} CE(s) serve {_join(vos_seen)}, but none advertises glexec",
            f"add: {self.publish_line(first.glue_version)} (on each CE that runs glexec)",
        )

    def runtime_tag(self, ce: CE) -> Iterable[Finding]:
        if ce.glue_version != GLUE13 or not ce.cluster_id or _anywhere(ce, self.cap):
            return
        cluster = self.model.clusters.get(ce.cluster_id)
        if cluster is None:
            return
        if cluster.unique_id not in self._rte_tags:
            self._rte_tags[cluster.unique_id] = [
                t
                for t in cluster.runtime_environment
                if is_capability(t, self.cap) or near_miss(t, self.cap) is not None
            ]
        tags = self._rte_tags[cluster.unique_id]
        if tags:
            yield self.finding(
                Kind.RUNTIME_ENVIRONMENT_TAG,
                ce,
                ce.dn,
                f"cluster {cluster.unique_id} publishes {self.cap} as a run-time environment tag"
                f" ({RTE_ATTRIBUTE}: {tags[0]}), which is not read as {self.cap}; the report to"
                f" the GDB chose {GLUE13_ATTRIBUTE} on the CE",
                f"add: {self.publish_line(GLUE13)}",
            )

    def near_misses(self, ce: CE) -> Iterable[Finding]:
        ce_has = _on(ce.capabilities, self.cap)
        entries: list[tuple[str, bool, bool, Iterable[str], Iterable[tuple[str, str]]]] = [
            (ce.dn, False, ce_has, ce.capabilities, ce.published)
        ]
        for view in ce.voviews:
            has = ce_has or _on(view.capabilities, self.cap)
            entries.append((view.dn or ce.dn, True, has, view.capabilities, view.published))
        for dn, on_share, has, capabilities, published in entries:
            if has:
                continue  # the entry already advertises: a stray value changes nothing
            if ce.glue_version == GLUE20:
                pairs = [
                    (attr, value)
                    for attr, value in published
                    if not ((m := self._match_for(attr)) is not None and m.matches(value))
                ]
            else:
                pairs = [(GLUE13_ATTRIBUTE, c) for c in capabilities]
            for attr, value in pairs:
                why = near_miss(value, self.cap)
                if why is None:
                    continue
                if ce.glue_version == GLUE20:
                    match = self._match_for(attr)
                    good = (
                        f"{attr}: {match.values[0]}"
                        if match
                        else self.publish_line(GLUE20, on_share)
                    )
                    rule = f"glue2.yaml counts only {_join(match.values)} there" if match else ""
                else:
                    good = self.publish_line(GLUE13)
                    rule = "values are compared whole, ignoring case and surrounding blanks"
                yield self.finding(
                    Kind.NEAR_MISS_CAPABILITY,
                    ce,
                    dn,
                    f"{attr}: {value.strip()} is not counted as {self.cap}: {why}; {rule}",
                    f"delete: {attr}: {value}; add: {good}",
                )

    def inconsistent(self, ces: Sequence[CE]) -> Iterable[Finding]:
        groups: dict[tuple[str, str, str], list[CE]] = {}
        for ce in ces:
            groups.setdefault((ce.glue_version, "host", ce.host.lower()), []).append(ce)
            if ce.cluster_id:
                groups.setdefault((ce.glue_version, "cluster", ce.cluster_id), []).append(ce)
        # Per CE, the VOs it serves and those it advertises for, as serves() and
        # advertises() decide, computed once: a host or cluster may have dozens of queues
        # and VOs.
        served = {id(ce): served_vos(ce) for ce in ces}
        advertised = {id(ce): advertised_vos(ce, self.cap) for ce in ces}
        splits: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[str, list[str]]] = {}
        for (_, what, name), members in groups.items():
            if len(members) < 2:
                continue
            vos = list(dict.fromkeys(v for ce in members for v in _ce_vos(ce)))
            for vo in vos:
                serving = [ce for ce in members if vo in served[id(ce)]]
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
            yield self.finding(
                Kind.INCONSISTENT_QUEUES,
                first,
                first.dn,
                f"on {label}, {len(yes)} queue(s) advertise {self.cap} for {_join(vos)}"
                f" ({_join(yes)}) and {len(no)} do not ({_join(no)})",
                f"add: {self.publish_line(first.glue_version)} (on {_join(no)}), or delete it"
                f" from {_join(yes)} if they do not run {self.cap}",
            )

    def partial_views(self, ce: CE) -> Iterable[Finding]:
        if _on(ce.capabilities, self.cap) or len(ce.voviews) < 2:
            return
        stance, _ = self.stance(ce.site)
        if self.is_glexec and stance is not None:
            answers = (
                stance.mupj.scopes,
                stance.glexec_setuid.scopes,
                stance.glexec_log_only.scopes,
            )
            if any(s.kind == "vo" for scopes in answers for s in scopes):
                return  # the site answered per VO: views may rightly differ
        yes = [v for v in ce.voviews if _on(v.capabilities, self.cap)]
        no = [v for v in ce.voviews if not _on(v.capabilities, self.cap)]
        if not yes or not no:
            return
        yes_vos = [vo for v in yes for vo in _view_vos(v)]
        no_vos = [vo for v in no for vo in _view_vos(v)]
        view = "share" if ce.glue_version == GLUE20 else "VOView"
        yield self.finding(
            Kind.PARTIAL_VOVIEW,
            ce,
            ce.dn,
            f"advertises {self.cap} only on the {view}s of {_join(yes_vos)}, not on those of"
            f" {_join(no_vos)}, though the site's answer does not restrict VOs",
            f"add: {self.publish_line(ce.glue_version)} (on this CE), or add:"
            f" {self.publish_line(ce.glue_version, on_share=True)} (on the {view}s of"
            f" {_join(no_vos)})",
        )

    def not_in_production(self, ce: CE) -> Iterable[Finding]:
        if not _anywhere(ce, self.cap):
            return
        experiments = list(self.policy.experiments.values())
        if any(e.targets_state(ce.state) for e in experiments):
            return
        states = _join(dict.fromkeys(s for e in experiments for s in e.states))
        if ce.glue_version == GLUE20:
            back = "GLUE2EndpointServingState: production, GLUE2EndpointHealthState: ok"
        else:
            back = "GlueCEStateStatus: Production"
        yield self.finding(
            Kind.NOT_IN_PRODUCTION,
            ce,
            ce.dn,
            f"advertises {self.cap} but its state is {ce.state or 'unpublished'}; experiments"
            f" target only {states}, so it is not used until then",
            f"none needed; it is used once it publishes {back}",
        )

    def versions_disagree(self, ces: Sequence[CE]) -> Iterable[Finding]:
        by_host: dict[str, dict[str, list[CE]]] = {}
        for ce in ces:
            by_host.setdefault(ce.host.lower(), {}).setdefault(ce.glue_version, []).append(ce)
        for trees in by_host.values():
            if GLUE13 not in trees or GLUE20 not in trees:
                continue
            said = {v: any(_anywhere(ce, self.cap) for ce in trees[v]) for v in (GLUE13, GLUE20)}
            if said[GLUE13] == said[GLUE20]:
                continue
            has, lacks = (GLUE13, GLUE20) if said[GLUE13] else (GLUE20, GLUE13)
            first = trees[lacks][0]
            yield self.finding(
                Kind.GLUE_VERSIONS_DISAGREE,
                first,
                first.dn,
                f"host {first.host} advertises {self.cap} in GLUE {has}"
                f" ({_join(ce.unique_id for ce in trees[has] if _anywhere(ce, self.cap))})"
                f" but not in GLUE {lacks} ({_join(ce.unique_id for ce in trees[lacks])})",
                f"add: {self.publish_line(lacks)}",
            )

    def finding(self, kind: Kind, ce: CE, dn: str, message: str, fix: str) -> Finding:
        return Finding(kind, ce.site, dn, message, fix, ce.glue_version)


def audit(
    model: GlueModel,
    policy: Policy,
    capability: str = GLEXEC,
    rules: Glue2Rules | None = None,
    sites: Sequence[str] = (),
) -> list[Finding]:
    """Every finding for the model's CEs (of the sites matching ``sites``, glob patterns
    ignoring case; all when empty), errors first, then by site, kind and DN.

    Stances apply to glexec only: for another capability there are no contradictions or
    missing advertisements to find.
    """
    auditor = _Auditor(model, policy, capability, rules)
    patterns = [p.strip().lower() for p in sites if p.strip()]
    ces = [
        ce
        for ce in model.ces
        if not patterns or any(fnmatch.fnmatchcase(ce.site.lower(), p) for p in patterns)
    ]
    by_site: dict[str, list[CE]] = {}
    for ce in ces:
        by_site.setdefault(ce.site, []).append(ce)
    found: list[Finding] = []
    for site, site_ces in by_site.items():
        for ce in site_ces:
            if auditor.is_glexec:
                found.extend(auditor.contradicts(ce))
            found.extend(auditor.runtime_tag(ce))
            found.extend(auditor.near_misses(ce))
            found.extend(auditor.partial_views(ce))
            found.extend(auditor.not_in_production(ce))
        if auditor.is_glexec:
            found.extend(auditor.missing(site, site_ces))
        found.extend(auditor.inconsistent(site_ces))
    # By host across sites: the two trees may name a site differently.
    found.extend(auditor.versions_disagree(ces))
    found.sort(
        key=lambda f: (
            _SEVERITY_ORDER.index(f.severity),
            f.site.lower(),
            _KIND_ORDER.index(f.kind),
            f.dn.lower(),
            f.message,
        )
    )
    return found


def worst(findings: Iterable[Finding]) -> Severity | None:
    """The most severe finding's severity, None when there is none."""
    levels = [f.severity for f in findings]
    return min(levels, key=_SEVERITY_ORDER.index) if levels else None
