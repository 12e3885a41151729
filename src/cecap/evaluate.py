"""Evaluation step (pure): CEs x stances x experiment policy -> one verdict per CE and VO."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from .glue import CE, GlueModel
from .policy import (
    BypassAnswer,
    Experiment,
    GlexecMode,
    ModeAnswer,
    MupjSupport,
    Policy,
    SiteMapping,
    Stance,
)

GLEXEC = "glexec"


class Verdict(Enum):
    """What an experiment may do with a CE; the order of the rules is the order here."""

    NOT_ADVERTISED = "not-advertised"
    NOT_IN_PRODUCTION = "not-in-production"
    NO_STANCE = "no-stance"
    SITE_REFUSES = "site-refuses"
    MODE_MISMATCH = "mode-mismatch"
    CONDITIONAL = "conditional"
    READY = "ready"
    # For capabilities other than glexec, which have no stances or modes.
    ADVERTISED = "advertised"


# Best first: the word a site gets when its CEs have different verdicts.
VERDICT_RANK: tuple[Verdict, ...] = (
    Verdict.READY,
    Verdict.ADVERTISED,
    Verdict.CONDITIONAL,
    Verdict.NO_STANCE,
    Verdict.MODE_MISMATCH,
    Verdict.SITE_REFUSES,
    Verdict.NOT_IN_PRODUCTION,
    Verdict.NOT_ADVERTISED,
)


@dataclass(frozen=True, slots=True)
class Assessment:
    """The verdict for one experiment on one CE serving its VO."""

    experiment: Experiment
    ce: CE
    respondent: str | None
    verdict: Verdict
    mode: GlexecMode | None
    fail_closed: bool
    reason: str


def vo_matches(rule: str, vo: str) -> bool:
    """``VO:v``, ``VOMS:/v`` or ``VOMS:/v/...``, VO names compared case-insensitively."""
    kind, sep, value = rule.strip().partition(":")
    if not sep:
        return False
    kind = kind.strip().lower()
    value = value.strip().lower()
    vo = vo.lower()
    if kind == "vo":
        return value == vo
    if kind == "voms":
        return value == "/" + vo or value.startswith("/" + vo + "/")
    return False


@functools.lru_cache(maxsize=4096)  # a BDII repeats the same few rules on every CE
def rule_vo(rule: str) -> str | None:
    """The VO (lower-case) that ``vo_matches`` matches ``rule`` to, or None for no VO."""
    kind, sep, value = rule.strip().partition(":")
    if not sep:
        return None
    kind = kind.strip().lower()
    value = value.strip().lower()
    if kind == "vo":
        return value
    if kind == "voms" and value.startswith("/"):
        return value[1:].split("/", 1)[0]
    return None


def served_vos(ce: CE) -> frozenset[str]:
    """Every VO (lower-case) the CE serves: named by its rules or its VOViews' rules."""
    rules = [*ce.rules, *(r for view in ce.voviews for r in view.rules)]
    return frozenset(vo for vo in map(rule_vo, rules) if vo is not None)


def serves(ce: CE, vo: str) -> bool:
    return vo.lower() in served_vos(ce)


def is_capability(value: str, capability: str) -> bool:
    """A published value names ``capability``: case and surrounding blanks do not count.

    That is the schema's match rule for GlueCECapability (caseIgnoreIA5), and glue2.yaml's.
    """
    return value.strip().lower() == capability.lower()


def advertises(ce: CE, vo: str, capability: str = GLEXEC) -> bool:
    """The capability is on the CE itself or on its VOView for the VO."""
    if any(is_capability(c, capability) for c in ce.capabilities):
        return True
    return any(
        any(is_capability(c, capability) for c in view.capabilities)
        for view in ce.voviews
        if _view_is_for(view.rules, view.local_id, vo)
    )


def _view_is_for(rules: Sequence[str], local_id: str, vo: str) -> bool:
    if rules:
        return any(vo_matches(r, vo) for r in rules)
    return local_id.lower() == vo.lower()


def _published_as(ce: CE, capability: str) -> str:
    if ce.glue_version == "2.0":
        return f"{capability} (GLUE 2.0, as glue2.yaml defines it)"
    return f"GlueCECapability: {capability}"


def _quote(text: str) -> str:
    return f"\u201c{text}\u201d"


def choose_mode(
    experiment: Experiment, setuid: ModeAnswer, log_only: ModeAnswer
) -> GlexecMode | None:
    """First accepted mode the site allows or requires; else the first it left open."""
    answers = {GlexecMode.SETUID: setuid, GlexecMode.LOG_ONLY: log_only}
    for mode in experiment.modes:
        if answers[mode].accepts:
            return mode
    for mode in experiment.modes:
        if answers[mode] is ModeAnswer.DEPENDS:
            return mode
    return None


def assess_ce(
    ce: CE,
    experiment: Experiment,
    stance: Stance | None,
    mapping: SiteMapping | None,
    capability: str = GLEXEC,
) -> Assessment:
    """Apply the verdict rules in order; the first that applies wins."""
    vo = experiment.vo
    is_glexec = capability.lower() == GLEXEC

    def verdict(
        v: Verdict, reason: str, mode: GlexecMode | None = None, closed: bool = True
    ) -> Assessment:
        return Assessment(
            experiment, ce, stance.respondent if stance else None, v, mode, closed, reason
        )

    if not advertises(ce, vo, capability):
        return verdict(
            Verdict.NOT_ADVERTISED,
            f"CE does not publish {_published_as(ce, capability)} for VO {vo}",
        )
    if not experiment.targets_state(ce.state):
        return verdict(
            Verdict.NOT_IN_PRODUCTION,
            f"CE state is {ce.state or 'unpublished'}; {experiment.name} targets only"
            f" {', '.join(experiment.states)}",
        )
    if not is_glexec:
        return verdict(Verdict.ADVERTISED, f"CE publishes {_published_as(ce, capability)}")
    if stance is None:
        return verdict(
            Verdict.NO_STANCE,
            f"site {ce.site} has no answer to the MUPJ questionnaire on record"
            " (no respondent in sites.yaml matches it)",
        )
    scope = mapping.cluster_scope(ce.cluster_id, ce.host) if mapping else None
    mupj = stance.mupj.resolve(vo, scope)
    setuid = stance.glexec_setuid.resolve(vo, scope)
    log_only = stance.glexec_log_only.resolve(vo, scope)
    bypass = stance.bypass_on_error.resolve(vo, scope)
    fail_closed = bypass is not BypassAnswer.YES
    mode = choose_mode(experiment, setuid, log_only)
    where = f" ({scope} cluster)" if scope else ""

    if mupj is MupjSupport.NO:
        return verdict(
            Verdict.SITE_REFUSES,
            f"site refuses multi-user pilot jobs{where}: {_quote(stance.mupj.text)}",
        )
    answers = {GlexecMode.SETUID: setuid, GlexecMode.LOG_ONLY: log_only}
    texts = {
        GlexecMode.SETUID: stance.glexec_setuid.text,
        GlexecMode.LOG_ONLY: stance.glexec_log_only.text,
    }
    accepted = " or ".join(m.value for m in experiment.modes)
    if all(answers[m] is ModeAnswer.NO for m in experiment.modes):
        said = "; ".join(f"{m.value}: {_quote(texts[m])}" for m in experiment.modes)
        return verdict(
            Verdict.MODE_MISMATCH,
            f"{experiment.name} accepts glexec {accepted} only; site answered{where} {said}",
        )
    if mupj in (MupjSupport.CONDITIONAL, MupjSupport.DEPENDS):
        return verdict(
            Verdict.CONDITIONAL,
            f"site{where}: {_quote(stance.mupj.text)}",
            mode,
            fail_closed,
        )
    if mode is None or not answers[mode].accepts:
        unsettled = "; ".join(
            f"{m.value}: {_quote(texts[m])}"
            for m in experiment.modes
            if answers[m] is not ModeAnswer.NO
        )
        return verdict(
            Verdict.CONDITIONAL,
            f"site has not settled glexec {accepted}{where}: {unsettled}",
            mode,
            fail_closed,
        )
    pilot = (
        "pilot must fail closed if glexec errors"
        if fail_closed
        else "pilot may run the payload itself if glexec errors"
    )
    return verdict(
        Verdict.READY,
        f"site {answers[mode].value}s glexec {mode.value}{where}"
        f" ({_quote(texts[mode])}); {pilot} (bypass: {_quote(stance.bypass_on_error.text)})",
        mode,
        fail_closed,
    )


def assess(
    model: GlueModel,
    policy: Policy,
    experiments: Iterable[Experiment],
    capability: str = GLEXEC,
) -> list[Assessment]:
    """One assessment per (experiment, CE serving the experiment's VO), in a stable order."""
    mapping_of: dict[str, SiteMapping | None] = {}
    out: list[Assessment] = []
    # Each CE's rules are read once, not once per experiment.
    served = [served_vos(ce) for ce in model.ces]
    for experiment in experiments:
        vo = experiment.vo.lower()
        for ce, vos in zip(model.ces, served, strict=True):
            if vo not in vos:
                continue
            if ce.site not in mapping_of:
                mapping_of[ce.site] = policy.respondent_for(ce.site)
            mapping = mapping_of[ce.site]
            stance = policy.stances.get(mapping.respondent) if mapping else None
            out.append(assess_ce(ce, experiment, stance, mapping, capability))
    return out


@dataclass(frozen=True, slots=True)
class SiteSummary:
    """One BDII site's readiness for one experiment."""

    site: str
    experiment: Experiment
    stance: Stance | None
    serving: int
    advertising: int
    ready: int
    conditional: int
    readiness: Verdict


def summarize_sites(assessments: Iterable[Assessment], policy: Policy) -> list[SiteSummary]:
    """Per (site, experiment) counts and the best verdict among the site's CEs."""
    groups: dict[tuple[str, str], list[Assessment]] = {}
    for a in assessments:
        groups.setdefault((a.ce.site, a.experiment.key), []).append(a)
    out = []
    for (site, _), items in groups.items():
        first = items[0]
        verdicts = [a.verdict for a in items]
        out.append(
            SiteSummary(
                site=site,
                experiment=first.experiment,
                stance=policy.stances.get(first.respondent) if first.respondent else None,
                serving=len(items),
                advertising=sum(v is not Verdict.NOT_ADVERTISED for v in verdicts),
                ready=sum(v in (Verdict.READY, Verdict.ADVERTISED) for v in verdicts),
                conditional=verdicts.count(Verdict.CONDITIONAL),
                readiness=min(verdicts, key=VERDICT_RANK.index),
            )
        )
    out.sort(key=lambda s: (s.site.lower(), s.experiment.key))
    return out
