"""The publication audit (pure): what sites publish against what they answered -> findings."""

from __future__ import annotations

from collections.abc import Mapping, Set

from ...model.glue import CE, GlueModel
from ...policy.glue2_rules import Glue2Rules
from ...policy.stances import GLEXEC, Policy
from ..observed import Observation
from ..selection import Selection
from . import mode_checks  # noqa: F401  (registers the mode checks)
from .checks import CHECKS
from .context import Auditor, advertised_vos
from .findings import Finding, Kind, Severity, sort_key, worst
from .near_miss import near_miss
from .plan import one_pass

__all__ = [
    "CHECKS",
    "Finding",
    "Kind",
    "Severity",
    "advertised_vos",
    "audit",
    "near_miss",
    "worst",
]


def audit(
    model: GlueModel,
    policy: Policy,
    capability: str = GLEXEC,
    rules: Glue2Rules | None = None,
    selection: Selection | None = None,
    observed: Mapping[tuple[str, str], Observation] | None = None,
) -> list[Finding]:
    """Every finding for the model's CEs (those ``selection`` keeps; all when None),
    errors first, then by site, kind and DN; their fixes are one plan (audit.plan): once
    all are applied, the checks find nothing more to fix.

    Stances apply to glexec only: for another capability the checks that read them
    (contradictions, missing advertisements) do not run. ``observed``: per (experiment,
    CE), the glexec mode its test results show, which the mode checks compare with the
    site's answers.
    """

    def run(state: GlueModel, sites: Set[str] | None = None) -> list[Finding]:
        # After the first run, only the checks whose findings a fix can carry matter.
        return _findings(Auditor(state, policy, capability, rules, observed), selection, sites)

    found = run(model)
    if not any(f.fix for f in found):
        return found
    return one_pass(found, model, run, Auditor(model, policy, capability, rules, observed))


def _findings(
    auditor: Auditor, selection: Selection | None, sites: Set[str] | None = None
) -> list[Finding]:
    """The checks' findings for the CEs ``selection`` keeps; given ``sites``, only those of
    the checks whose findings can have a fix, for those sites' CEs (a round of the plan)."""
    model = auditor.model
    ces = [
        ce
        for ce in model.ces
        if (selection is None or selection.keeps_ce(ce)) and (sites is None or ce.site in sites)
    ]
    by_site: dict[str, list[CE]] = {}
    for ce in ces:
        by_site.setdefault(ce.site, []).append(ce)

    def runs(name: str, stances: bool) -> bool:
        if sites is not None and not Kind(name).fixable:
            return False
        return auditor.is_glexec or not stances

    per_ce = [check for name, stances, check in CHECKS.per_ce if runs(name, stances)]
    per_site = [check for name, stances, check in CHECKS.per_site if runs(name, stances)]
    found: list[Finding] = []
    for site_ces in by_site.values():
        for ce in site_ces:
            for ce_check in per_ce:
                found.extend(ce_check(auditor, ce))
        for site_check in per_site:
            found.extend(site_check(auditor, site_ces))
    # By host across sites: the two trees may name a site differently.
    for name, stances, whole in CHECKS.whole:
        if runs(name, stances):
            found.extend(whole(auditor, ces))
    found.sort(key=sort_key)
    return found
