"""The audit checks that compare the glexec mode tests saw with what the site answered."""

from __future__ import annotations

from collections.abc import Iterable

from ...model.glue import CE
from ...policy.stances import GlexecMode, ModeAnswer
from ...text import stamp
from ..observed import Observation, ObservedMode
from .checks import CHECKS
from .context import Auditor, quote
from .findings import Finding, Kind


def _log_only(a: Auditor, ce: CE) -> Iterable[tuple[str, str, Observation]]:
    """Per experiment whose tests see the CE in log-only mode: its name, its VO and what
    they saw."""
    for e in a.policy.experiments.values():
        seen = a.observed.get((e.key, ce.unique_id))
        if seen is not None and seen.mode is ObservedMode.LOG_ONLY:
            yield e.name, e.vo.lower(), seen


def _evidence(seen: Observation) -> str:
    newest = seen.evidence[0].result
    line = f" ({quote(seen.quote)})" if seen.quote else ""
    return f"last at {stamp(newest.time)}, {newest.status.value}{line}"


@CHECKS.ce("mode-contradicts-stance", stances=True)
def mode_contradicts(a: Auditor, ce: CE) -> Iterable[Finding]:
    """Tests see glexec in log-only mode where the site answered setuid only (setuid
    allowed or required, log-only no)."""
    for name, vo, seen in _log_only(a, ce):
        found = a.resolved(ce, vo)
        if found is None:
            continue
        setuid, log_only = found.modes[GlexecMode.SETUID], found.modes[GlexecMode.LOG_ONLY]
        if not setuid.accepts or log_only is not ModeAnswer.NO:
            continue
        yield a.finding(
            Kind.MODE_CONTRADICTS_STANCE,
            ce,
            ce.dn,
            f"{name}'s glexec tests see log-only mode ({_evidence(seen)}) but"
            f" {found.respondent} answered setuid only{found.where}: setuid"
            f" {quote(found.text(GlexecMode.SETUID))}, log-only"
            f" {quote(found.text(GlexecMode.LOG_ONLY))}; configure glexec to switch"
            " identity (setuid) on the worker nodes, or update the answer in stances.yaml",
            (),
            "",
        )


@CHECKS.ce("mode-observed", stances=True)
def mode_observed(a: Auditor, ce: CE) -> Iterable[Finding]:
    """Tests see glexec in log-only mode where the site allowed both modes: what the site
    answered allows it, and the experiments that accept setuid only learn it here."""
    for name, vo, seen in _log_only(a, ce):
        found = a.resolved(ce, vo)
        if found is None:
            continue
        if not all(found.modes[m].accepts for m in GlexecMode):
            continue
        yield a.finding(
            Kind.MODE_OBSERVED,
            ce,
            ce.dn,
            f"{name}'s glexec tests see log-only mode ({_evidence(seen)});"
            f" {found.respondent} allows both modes{found.where}",
            (),
            "",
        )
