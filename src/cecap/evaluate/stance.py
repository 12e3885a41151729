"""A site's answers resolved once for one CE and one VO: what verdicts and the audit read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ..model.glue import CE
from ..policy.stances import (
    BypassAnswer,
    ClusterMatch,
    GlexecMode,
    ModeAnswer,
    MupjSupport,
    Scope,
    SiteMapping,
    Stance,
)


class StanceVerdict(Enum):
    """What the answers alone say for an experiment, before the CE's own facts count."""

    REFUSES = "refuses"  # MUPJ answered no
    MODE_MISMATCH = "mode-mismatch"  # no to every mode the experiment accepts
    CONDITIONAL = "conditional"  # MUPJ with a proviso or "depends", or no mode settled
    READY = "ready"


@dataclass(frozen=True, slots=True)
class ResolvedStance:
    """The four answers for one VO on one CE's cluster, scopes applied."""

    stance: Stance
    scope: str | None  # the cluster scope ("central", ...) that applied, if any
    mupj: MupjSupport
    modes: Mapping[GlexecMode, ModeAnswer]
    bypass: BypassAnswer
    # What matched the CE to its cluster scope, and per question the scoped variant that
    # gave its value (questions answered overall are left out).
    cluster: ClusterMatch | None = None
    scoped: Mapping[str, Scope[Any]] = field(default_factory=dict)

    @property
    def respondent(self) -> str:
        return self.stance.respondent

    def values(self) -> dict[str, Enum]:
        """Each question's value for this VO and cluster, by question (Stance.answers)."""
        return {
            "mupj": self.mupj,
            "glexec_setuid": self.modes[GlexecMode.SETUID],
            "glexec_log_only": self.modes[GlexecMode.LOG_ONLY],
            "bypass_on_error": self.bypass,
        }

    @property
    def fail_closed(self) -> bool:
        return self.bypass is not BypassAnswer.YES

    @property
    def where(self) -> str:
        return f" ({self.scope} cluster)" if self.scope else ""

    def text(self, mode: GlexecMode) -> str:
        return self.stance.mode_answer(mode).text

    def choose_mode(self, accepted: Sequence[GlexecMode]) -> GlexecMode | None:
        """First accepted mode the site allows or requires; else the first it left open."""
        for mode in accepted:
            if self.modes[mode].accepts:
                return mode
        for mode in accepted:
            if self.modes[mode] is ModeAnswer.DEPENDS:
                return mode
        return None

    def verdict(self, accepted: Sequence[GlexecMode]) -> StanceVerdict:
        """The answers' verdict for an experiment accepting ``accepted`` modes.

        The verdict rules and the audit both read this: a site "refuses" an experiment
        when it answered no to MUPJ or no to every mode that experiment accepts, and
        "depends" is a proviso (conditional), never a no.
        """
        if self.mupj is MupjSupport.NO:
            return StanceVerdict.REFUSES
        if all(self.modes[m] is ModeAnswer.NO for m in accepted):
            return StanceVerdict.MODE_MISMATCH
        if self.mupj in (MupjSupport.CONDITIONAL, MupjSupport.DEPENDS):
            return StanceVerdict.CONDITIONAL
        mode = self.choose_mode(accepted)
        if mode is None or not self.modes[mode].accepts:
            return StanceVerdict.CONDITIONAL
        return StanceVerdict.READY


def resolve(stance: Stance, mapping: SiteMapping | None, ce: CE, vo: str | None) -> ResolvedStance:
    """The stance for ``vo`` (None: no VO in particular) on the CE's cluster or host."""
    cluster = mapping.cluster_match(ce.cluster_id, ce.host) if mapping else None
    scope = cluster.scope if cluster else None
    scoped = {
        question: found
        for question, answer in stance.answers().items()
        if (found := answer.scope_for(vo, scope)) is not None
    }
    return ResolvedStance(
        stance=stance,
        scope=scope,
        mupj=stance.mupj.resolve(vo, scope),
        modes={mode: stance.mode_answer(mode).resolve(vo, scope) for mode in GlexecMode},
        bypass=stance.bypass_on_error.resolve(vo, scope),
        cluster=cluster,
        scoped=scoped,
    )
