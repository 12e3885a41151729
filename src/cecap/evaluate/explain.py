"""Why a CE has its verdict for an experiment (pure): every verdict rule in order with its
outcome, and the facts the rules read, taken from the code that makes the verdict.

The verdict is the one ``assess`` gives: the Case comes from the same Respondents and
case_for, the rules' outcomes from ``rules.tried``, the assessment from ``assessment``.
The facts come from the functions the rules call (capability_values for advertises,
access_rules for served_vos, SiteMapping.match for the respondent, the resolved stance's
cluster match and scoped answers), so an explanation cannot disagree with a report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..model.glue import CE, GlueModel
from ..model.questions import (
    GLEXEC,
    AccessRule,
    CapabilityValue,
    access_rules,
    capability_values,
    served_vos,
)
from ..policy.stances import Experiment, Policy, SiteMatch
from .assess import Respondents, assessment
from .rules import RULES, Step, tried
from .stance import ResolvedStance
from .verdicts import Assessment


@dataclass(frozen=True)
class Explanation:
    """One CE and experiment: what the verdict rules read, and what each made of it."""

    ce: CE
    experiment: Experiment
    capability: str
    rules: tuple[AccessRule, ...]  # every access rule of the CE and its VOViews
    capabilities: tuple[CapabilityValue, ...]  # every value, and which counted
    site: SiteMatch | None  # how the site came to its respondent; None: it did not
    resolved: ResolvedStance | None  # None: no respondent, or not glexec
    steps: tuple[Step, ...]  # the rules tried, up to the one that applied
    untried: tuple[str, ...]  # the rules after it
    assessment: Assessment | None  # None: the CE does not serve the VO (no verdict)

    @property
    def serves(self) -> bool:
        return self.assessment is not None

    @property
    def serving(self) -> tuple[AccessRule, ...]:
        """The access rules that make the CE serve the experiment's VO."""
        vo = self.experiment.vo.lower()
        return tuple(r for r in self.rules if r.vo == vo)


def explain(
    model: GlueModel,
    policy: Policy,
    experiments: Iterable[Experiment],
    capability: str = GLEXEC,
    *,
    unserved: bool = False,
) -> list[Explanation]:
    """One explanation per CE of ``model`` and experiment whose VO it serves, CE by CE.

    A CE that does not serve an experiment's VO gets no verdict (a report leaves it out)
    and no rules, only the VOs its rules name instead: explained when ``unserved``, or
    when the CE serves none of the experiments' VOs.
    """
    chosen = list(experiments)
    respondents = Respondents(policy)
    out = []
    for ce in model.ces:
        rules = tuple(access_rules(ce))
        served = served_vos(ce)
        mapping, _ = respondents.of(ce.site)
        site = mapping.match(ce.site) if mapping else None
        shows_unserved = unserved or not any(e.vo.lower() in served for e in chosen)
        for experiment in chosen:
            values = tuple(capability_values(ce, experiment.vo, capability))
            if experiment.vo.lower() not in served:
                if not shows_unserved:
                    continue
                out.append(
                    Explanation(ce, experiment, capability, rules, values, site, None, (), (), None)
                )
                continue
            case = respondents.case(ce, experiment, capability)
            steps = tuple(tried(case))
            outcome = steps[-1].outcome
            assert outcome is not None  # tried() ends with the rule that applied
            untried = tuple(name for name, _ in RULES[len(steps) :])
            out.append(
                Explanation(
                    ce,
                    experiment,
                    capability,
                    rules,
                    values,
                    site,
                    case.resolved,
                    steps,
                    untried,
                    assessment(case, outcome),
                )
            )
    return out
