"""The audit's shared context and helpers: VOs named by rules, what to publish, answers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ...model.glue import CE, GLUE20, GlueModel, VOView
from ...model.questions import is_capability, rule_vo, served_vos

__all__ = ["is_capability", "served_vos"]
from ...policy.glue2_rules import Glue2Match, Glue2Rules
from ...policy.stances import GlexecMode, Policy, SiteMapping, Stance, has_stances
from ..observed import Observation
from ..stance import ResolvedStance, StanceVerdict, resolve
from .findings import Change, Finding, Kind

GLUE13_ATTRIBUTE = "GlueCECapability"
RTE_ATTRIBUTE = "GlueHostApplicationSoftwareRunTimeEnvironment"


def vos(rules: Iterable[str]) -> list[str]:
    """VO names (lower-case) in ``VO:v`` / ``VOMS:/v/...`` rules, in order, once each."""
    return list(dict.fromkeys(vo for vo in map(rule_vo, rules) if vo))


def view_vos(view: VOView) -> list[str]:
    # As evaluate does: a view with rules is for the VOs they name, else for its local ID.
    if view.rules:
        return vos(view.rules)
    return [view.local_id.lower()] if view.local_id else []


def advertised_vos(ce: CE, capability: str) -> frozenset[str]:
    """The served VOs ``evaluate.advertises`` says the CE advertises ``capability`` for."""
    served = served_vos(ce)
    if on(ce.capabilities, capability):
        return served
    views = (v for v in ce.voviews if on(v.capabilities, capability))
    return frozenset(vo for view in views for vo in view_vos(view)) & served


def ce_vos(ce: CE) -> list[str]:
    return list(dict.fromkeys([*vos(ce.rules), *(v for w in ce.voviews for v in view_vos(w))]))


def on(capabilities: Iterable[str], capability: str) -> bool:
    # A loop, not any(): the audit asks this of every CE and VOView, several times each.
    for value in capabilities:  # noqa: SIM110
        if is_capability(value, capability):
            return True
    return False


def anywhere(ce: CE, capability: str) -> bool:
    return on(ce.capabilities, capability) or any(
        on(v.capabilities, capability) for v in ce.voviews
    )


def join(items: Iterable[str]) -> str:
    return ", ".join(items) or "-"


def quote(text: str) -> str:
    return f"\u201c{text}\u201d"


class Auditor:
    """What every check shares: the model, the policy, the capability's words, and each
    site's answers resolved through evaluate.stance as the verdict rules resolve them."""

    def __init__(
        self,
        model: GlueModel,
        policy: Policy,
        capability: str,
        rules: Glue2Rules | None,
        observed: Mapping[tuple[str, str], Observation] | None = None,
    ) -> None:
        self.model = model
        # Per (experiment, CE): the glexec mode its imported test results show.
        self.observed = observed or {}
        self.policy = policy
        self.cap = capability.strip().lower()
        self.is_glexec = has_stances(self.cap)
        self.matches: tuple[Glue2Match, ...] = rules.matches_for(self.cap) if rules else ()
        self._mappings: dict[str, SiteMapping | None] = {}
        self._rte_tags: dict[str, list[str]] = {}
        self._targeted: dict[str, bool] = {}

    # --- what to publish, in each GLUE version's words ---

    def match_for(self, attribute: str) -> Glue2Match | None:
        return next((m for m in self.matches if m.attribute.lower() == attribute.lower()), None)

    def publish(self, version: str, on_share: bool = False) -> tuple[str, str] | None:
        """The (attribute, value) that advertises the capability in this GLUE version, on a
        CE or (``on_share``) a VOView or share; None when glue2.yaml names none."""
        if version != GLUE20:
            return GLUE13_ATTRIBUTE, self.cap
        usable = [
            m
            for m in self.matches
            if not (on_share and m.attribute.lower().startswith("glue2endpoint"))
        ]
        return (usable[0].attribute, usable[0].values[0]) if usable else None

    def publish_line(self, version: str, on_share: bool = False) -> str:
        line = self.publish(version, on_share)
        return f"{line[0]}: {line[1]}" if line else f"the value glue2.yaml names for {self.cap}"

    def carried(
        self, version: str, capabilities: Iterable[str], published: Iterable[tuple[str, str]]
    ) -> list[str]:
        """The LDIF lines (attribute: value) through which an entry advertises."""
        if version != GLUE20:
            return [f"{GLUE13_ATTRIBUTE}: {c}" for c in capabilities if is_capability(c, self.cap)]
        return [
            f"{attr}: {value}"
            for attr, value in published
            if (m := self.match_for(attr)) is not None and m.matches(value)
        ]

    def targeted(self, ce: CE) -> bool:
        """Whether an experiment targets the CE's state: the audit never adds the capability
        to a CE no experiment sends pilots to (it would only make it not-in-production),
        and compares only such queues with each other."""
        state = ce.state.strip().lower()
        if state not in self._targeted:
            self._targeted[state] = any(
                e.targets_state(ce.state) for e in self.policy.experiments.values()
            )
        return self._targeted[state]

    # --- the site's answers ---

    def stance(self, site: str) -> tuple[Stance | None, SiteMapping | None]:
        if site not in self._mappings:
            self._mappings[site] = self.policy.respondent_for(site)
        mapping = self._mappings[site]
        stance = self.policy.stances.get(mapping.respondent) if mapping else None
        return stance, mapping

    def resolved(self, ce: CE, vo: str | None) -> ResolvedStance | None:
        stance, mapping = self.stance(ce.site)
        return resolve(stance, mapping, ce, vo) if stance is not None else None

    def accepted_modes(self, vo: str | None) -> tuple[GlexecMode, ...]:
        """The glexec modes an experiment of ``vo`` accepts; every mode for a VO that no
        configured experiment uses (nothing narrows what it may run)."""
        if vo is not None:
            for experiment in self.policy.experiments.values():
                if experiment.vo.lower() == vo:
                    return experiment.modes
        return tuple(GlexecMode)

    def stance_verdict(self, ce: CE, vo: str | None) -> StanceVerdict | None:
        """What the site's answers say for ``vo`` on this CE (None: no answers)."""
        found = self.resolved(ce, vo)
        return found.verdict(self.accepted_modes(vo)) if found is not None else None

    def finding(
        self, kind: Kind, ce: CE, dn: str, message: str, fix: tuple[Change, ...], hint: str
    ) -> Finding:
        return Finding(kind, ce.site, dn, message, fix, hint, ce.glue_version)
