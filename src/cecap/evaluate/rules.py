"""The verdict rules: an ordered registry of small functions; the first that applies wins.

A rule takes a Case (the CE, the experiment, the capability and the resolved stance) and
returns an Outcome, or None when it does not apply. A new verdict is a new rule here and
a new member of Verdict (with its rank); nothing else changes. Each rule names what it
reads (READS); ``tried`` gives every rule's outcome up to the first that applies, which
is what both the verdict and ``cecap explain`` come from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..model.glue import CE, GLUE20
from ..model.questions import advertises
from ..policy.stances import Experiment, GlexecMode, ModeAnswer, MupjSupport, Stance, has_stances
from .stance import ResolvedStance, StanceVerdict
from .verdicts import Verdict


@dataclass(frozen=True, slots=True)
class Case:
    """What the rules look at for one (CE, experiment)."""

    ce: CE
    experiment: Experiment
    capability: str
    stance: Stance | None
    resolved: ResolvedStance | None  # None without a stance, or for a capability without


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: Verdict
    reason: str
    mode: GlexecMode | None = None


Rule = Callable[[Case], Outcome | None]
RULES: list[tuple[str, Rule]] = []
# What each rule reads, by rule name: "capabilities" (the values on the CE and its
# VOViews), "state" (the CE's), "capability" (whether it has questionnaire stances),
# "respondent" (the site's), and the answers "mupj", "modes" (those for the modes the
# experiment accepts) and "bypass_on_error".
READS: dict[str, tuple[str, ...]] = {}


def rule(name: str, reads: tuple[str, ...]) -> Callable[[Rule], Rule]:
    """Register a rule after those already registered."""

    def register(func: Rule) -> Rule:
        RULES.append((name, func))
        READS[name] = reads
        return func

    return register


@dataclass(frozen=True, slots=True)
class Step:
    """One rule tried on a Case: its outcome, None when it did not apply."""

    rule: str
    reads: tuple[str, ...]
    outcome: Outcome | None


def get(name: str) -> Rule:
    for found, func in RULES:
        if found == name:
            return func
    raise KeyError(name)


def tried(case: Case) -> list[Step]:
    """Each rule in order, up to and with the first that applies (the verdict's)."""
    steps = []
    for name, func in RULES:
        outcome = func(case)
        steps.append(Step(name, READS[name], outcome))
        if outcome is not None:
            return steps
    raise AssertionError("the last verdict rule always applies")  # pragma: no cover


def first_outcome(case: Case) -> Outcome:
    """The outcome of the first rule that applies: ``tried(case)[-1].outcome``, without
    the steps (the report asks it of every CE)."""
    for _, func in RULES:
        outcome = func(case)
        if outcome is not None:
            return outcome
    raise AssertionError("the last verdict rule always applies")  # pragma: no cover


def published_as(ce: CE, capability: str) -> str:
    if ce.glue_version == GLUE20:
        return f"{capability} (GLUE 2.0, as glue2.yaml defines it)"
    return f"GlueCECapability: {capability}"


def quote(text: str) -> str:
    return f"\u201c{text}\u201d"


@rule("not-advertised", reads=("capabilities",))
def not_advertised(case: Case) -> Outcome | None:
    vo = case.experiment.vo
    if advertises(case.ce, vo, case.capability):
        return None
    return Outcome(
        Verdict.NOT_ADVERTISED,
        f"CE does not publish {published_as(case.ce, case.capability)} for VO {vo}",
    )


@rule("not-in-production", reads=("state",))
def not_in_production(case: Case) -> Outcome | None:
    exp = case.experiment
    if exp.targets_state(case.ce.state):
        return None
    return Outcome(
        Verdict.NOT_IN_PRODUCTION,
        f"CE state is {case.ce.state or 'unpublished'}; {exp.name} targets only"
        f" {', '.join(exp.states)}",
    )


@rule("advertised", reads=("capability",))
def advertised(case: Case) -> Outcome | None:
    if has_stances(case.capability):
        return None
    return Outcome(Verdict.ADVERTISED, f"CE publishes {published_as(case.ce, case.capability)}")


@rule("no-stance", reads=("respondent",))
def no_stance(case: Case) -> Outcome | None:
    if case.resolved is not None:
        return None
    return Outcome(
        Verdict.NO_STANCE,
        f"site {case.ce.site} has no answer to the MUPJ questionnaire on record"
        " (no respondent in sites.yaml matches it)",
    )


def _said(r: ResolvedStance, modes: tuple[GlexecMode, ...], skip_no: bool = False) -> str:
    return "; ".join(
        f"{m.value}: {quote(r.text(m))}"
        for m in modes
        if not (skip_no and r.modes[m] is ModeAnswer.NO)
    )


def _stance(case: Case) -> tuple[ResolvedStance, StanceVerdict]:
    assert case.resolved is not None  # no-stance comes first
    return case.resolved, case.resolved.verdict(case.experiment.modes)


@rule("site-refuses", reads=("mupj",))
def site_refuses(case: Case) -> Outcome | None:
    r, said = _stance(case)
    if said is not StanceVerdict.REFUSES:
        return None
    return Outcome(
        Verdict.SITE_REFUSES,
        f"site refuses multi-user pilot jobs{r.where}: {quote(r.stance.mupj.text)}",
    )


@rule("mode-mismatch", reads=("mupj", "modes"))
def mode_mismatch(case: Case) -> Outcome | None:
    r, said = _stance(case)
    if said is not StanceVerdict.MODE_MISMATCH:
        return None
    exp = case.experiment
    accepted = " or ".join(m.value for m in exp.modes)
    return Outcome(
        Verdict.MODE_MISMATCH,
        f"{exp.name} accepts glexec {accepted} only; site answered{r.where} {_said(r, exp.modes)}",
    )


@rule("conditional", reads=("mupj", "modes"))
def conditional(case: Case) -> Outcome | None:
    r, said = _stance(case)
    if said is not StanceVerdict.CONDITIONAL:
        return None
    exp = case.experiment
    mode = r.choose_mode(exp.modes)
    if r.mupj in (MupjSupport.CONDITIONAL, MupjSupport.DEPENDS):
        reason = f"site{r.where}: {quote(r.stance.mupj.text)}"
    else:
        accepted = " or ".join(m.value for m in exp.modes)
        reason = (
            f"site has not settled glexec {accepted}{r.where}: {_said(r, exp.modes, skip_no=True)}"
        )
    return Outcome(Verdict.CONDITIONAL, reason, mode)


@rule("ready", reads=("modes", "bypass_on_error"))
def ready(case: Case) -> Outcome | None:
    r, _ = _stance(case)
    mode = r.choose_mode(case.experiment.modes)
    assert mode is not None  # every other stance verdict was taken above
    pilot = (
        "pilot must fail closed if glexec errors"
        if r.fail_closed
        else "pilot may run the payload itself if glexec errors"
    )
    return Outcome(
        Verdict.READY,
        f"site {r.modes[mode].value}s glexec {mode.value}{r.where}"
        f" ({quote(r.text(mode))}); {pilot} (bypass: {quote(r.stance.bypass_on_error.text)})",
        mode,
    )
