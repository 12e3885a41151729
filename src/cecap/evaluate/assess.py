"""Evaluation (pure): CEs x stances x experiment policy -> one assessment per CE and VO."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..model.glue import CE, GlueModel
from ..model.questions import GLEXEC, served_vos
from ..policy.stances import Experiment, Policy, SiteMapping, Stance, has_stances
from .reliable import Reliability
from .rules import Case, Outcome, first_outcome
from .stance import resolve
from .verdicts import Assessment, Verdict


def case_for(
    ce: CE,
    experiment: Experiment,
    stance: Stance | None,
    mapping: SiteMapping | None,
    capability: str = GLEXEC,
) -> Case:
    """What the verdict rules look at for one CE and experiment: the stance resolved."""
    with_stances = has_stances(capability)
    resolved = resolve(stance, mapping, ce, experiment.vo) if stance and with_stances else None
    return Case(ce, experiment, capability, stance, resolved)


def fail_closed(case: Case, verdict: Verdict) -> bool | None:
    """Whether a pilot must stop when glexec fails internally: the site's answer alone,
    the same whatever the experiment. True unless the site answered yes to running the
    payload itself (no answer, or an unknown one, is the safe side); None where glexec is
    not in use: the CE does not advertise it for the VO, or another capability is asked."""
    if not has_stances(case.capability) or verdict is Verdict.NOT_ADVERTISED:
        return None
    return case.resolved.fail_closed if case.resolved is not None else True


def assessment(case: Case, outcome: Outcome) -> Assessment:
    """The assessment a Case gets from the outcome of its verdict rule."""
    return Assessment(
        case.experiment,
        case.ce,
        case.stance.respondent if case.stance else None,
        outcome.verdict,
        outcome.mode,
        fail_closed(case, outcome.verdict),
        outcome.reason,
    )


def assess_ce(
    ce: CE,
    experiment: Experiment,
    stance: Stance | None,
    mapping: SiteMapping | None,
    capability: str = GLEXEC,
) -> Assessment:
    """Apply the verdict rules in order; the first that applies wins."""
    case = case_for(ce, experiment, stance, mapping, capability)
    return assessment(case, first_outcome(case))


class Respondents:
    """Each BDII site's respondent (its sites.yaml mapping and stance), looked up once."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._found: dict[str, tuple[SiteMapping | None, Stance | None]] = {}

    def of(self, site: str) -> tuple[SiteMapping | None, Stance | None]:
        if site not in self._found:
            mapping = self.policy.respondent_for(site)
            stance = self.policy.stances.get(mapping.respondent) if mapping else None
            self._found[site] = (mapping, stance)
        return self._found[site]

    def case(self, ce: CE, experiment: Experiment, capability: str) -> Case:
        mapping, stance = self.of(ce.site)
        return case_for(ce, experiment, stance, mapping, capability)


def assess(
    model: GlueModel,
    policy: Policy,
    experiments: Iterable[Experiment],
    capability: str = GLEXEC,
) -> list[Assessment]:
    """One assessment per (experiment, CE serving the experiment's VO), in a stable order."""
    respondents = Respondents(policy)
    out: list[Assessment] = []
    # Each CE's rules are read once, not once per experiment.
    served = [served_vos(ce) for ce in model.ces]
    for experiment in experiments:
        vo = experiment.vo.lower()
        for ce, vos in zip(model.ces, served, strict=True):
            if vo in vos:
                case = respondents.case(ce, experiment, capability)
                out.append(assessment(case, first_outcome(case)))
    return out


@dataclass(frozen=True, slots=True)
class ReportSelection:
    """The assessments a report shows, and what to say when there are none."""

    assessments: list[Assessment]
    empty: str


def select_for_report(
    assessments: list[Assessment],
    capability: str,
    *,
    show_all: bool,
    min_stable: int | None,
    stable: Mapping[tuple[str, str], int] | None,
    verdicts: frozenset[Verdict] | None = None,
) -> ReportSelection:
    """Usable verdicts by default, every one with ``show_all``, those of ``verdicts``
    (``--verdict``), or the CEs ready for at least ``min_stable`` recorded runs
    (``stable``: runs per (experiment, CE))."""
    if verdicts:
        names = " or ".join(v.value for v in Verdict if v in verdicts)
        return ReportSelection([a for a in assessments if a.verdict in verdicts], f"CE is {names}")
    if min_stable is not None and stable is not None:
        chosen = [
            a
            for a in assessments
            if a.verdict is Verdict.READY
            and stable[(a.experiment.key, a.ce.unique_id)] >= min_stable
        ]
    elif show_all:
        chosen = assessments
    else:
        chosen = [a for a in assessments if a.verdict.usable]
    if min_stable is not None:
        empty = f"CE has been ready for {min_stable} recorded runs or more"
    elif show_all:
        empty = "CE serves the chosen experiments' VOs"
    elif has_stances(capability):
        empty = "CE is ready or conditional (use --all to see every CE serving the VO)"
    else:
        empty = (
            f"CE advertises {capability} in a state the experiments target"
            " (use --all to see every CE serving the VO)"
        )
    return ReportSelection(chosen, empty)


def only_reliable_ces(
    shown: ReportSelection, judged: Mapping[tuple[str, str], Reliability]
) -> ReportSelection:
    """Of the CEs shown, those reliable with glexec: the list to switch pilots to."""
    chosen = [
        a
        for a in shown.assessments
        if (r := judged.get((a.experiment.key, a.ce.unique_id))) is not None and r.reliable
    ]
    return ReportSelection(chosen, "CE is reliable with glexec (see cecap results import)")


def reliable_per_site(
    assessments: Iterable[Assessment], judged: Mapping[tuple[str, str], Reliability]
) -> dict[tuple[str, str], int]:
    """Per (site, experiment): how many of its CEs are reliable with glexec."""
    out: dict[tuple[str, str], int] = {}
    for a in assessments:
        r = judged.get((a.experiment.key, a.ce.unique_id))
        if r is not None and r.reliable:
            key = (a.ce.site, a.experiment.key)
            out[key] = out.get(key, 0) + 1
    return out


@dataclass(frozen=True, slots=True)
class SiteSummary:
    """One BDII site's readiness for one experiment.

    ``stance`` is None when the site did not answer, or for a capability the
    questionnaire did not ask about.
    """

    site: str
    experiment: Experiment
    respondent: str | None
    stance: Stance | None
    serving: int
    advertising: int
    ready: int
    conditional: int
    readiness: Verdict


def summarize_sites(
    assessments: Iterable[Assessment], policy: Policy, capability: str = GLEXEC
) -> list[SiteSummary]:
    """Per (site, experiment) counts and the best verdict among the site's CEs."""
    groups: dict[tuple[str, str], list[Assessment]] = {}
    for a in assessments:
        groups.setdefault((a.ce.site, a.experiment.key), []).append(a)
    out = []
    for (site, _), items in groups.items():
        first = items[0]
        verdicts = [a.verdict for a in items]
        stance = policy.stances.get(first.respondent) if first.respondent else None
        out.append(
            SiteSummary(
                site=site,
                experiment=first.experiment,
                respondent=first.respondent,
                stance=stance if has_stances(capability) else None,
                serving=len(items),
                advertising=sum(v is not Verdict.NOT_ADVERTISED for v in verdicts),
                ready=sum(v.counts_ready for v in verdicts),
                conditional=verdicts.count(Verdict.CONDITIONAL),
                readiness=min(verdicts, key=lambda v: v.rank),
            )
        )
    out.sort(key=lambda s: (s.site.lower(), s.experiment.key))
    return out
