"""The coordinators' summary (pure): per experiment and tier, the CEs and sites whose
glexec tests are failing, OK or untested over a window.

After CMS's coordinators' glexec page (CMSCompOps/MonitoringScripts,
Tests/glexec/GlexecFunctions.php): over the last 12 hours a CE's results are OKs and
errors, a result that shows log-only mode not an error (getMessage, lines 34-49); a CE is
failing when its errors are at least its OKs, one with neither not judged (getGLEXEC,
lines 95-96); a site is failing when one of its CEs is, and counted by its tier, the
digit of its CMS name (T2_US_Nebraska: lines 68-69). The rule is each experiment's
``failing`` in experiments.yaml, CMS's the default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from ..model.glue import CE
from ..model.results import GlexecResult, ResultStatus
from ..policy.stances import Experiment
from .observed import ObservedMode, shows

UNKNOWN_TIER = "unknown"


class Standing(Enum):
    """What a CE's (or a site's) results in the window say; the order is the list's."""

    FAILING = "failing"
    OK = "ok"
    UNTESTED = "untested"


@dataclass(frozen=True, slots=True)
class CeStanding:
    """One CE an experiment tests: its results in the window counted, and the result whose
    output the summary shows (a failing CE's newest error, else its newest result)."""

    experiment: Experiment
    ce: CE
    name: str  # the experiment's name for the CE's site, else the grid's
    tier: str  # "1", "2", ... or "unknown"
    standing: Standing
    errors: int
    oks: int
    log_only: int
    shown: GlexecResult | None


@dataclass(frozen=True, slots=True)
class Tally:
    """The CEs and sites of one experiment and tier, by standing."""

    experiment: Experiment
    tier: str
    ces: Mapping[Standing, int]
    sites: Mapping[Standing, int]

    @property
    def sites_tested(self) -> int:
        return self.sites[Standing.FAILING] + self.sites[Standing.OK]


@dataclass(frozen=True, slots=True)
class Summary:
    """The window, every CE's standing (failing first, then by tier, site and CE) and the
    tallies per experiment and tier."""

    since: datetime
    until: datetime
    ces: tuple[CeStanding, ...]
    tallies: tuple[Tally, ...]


def standing(
    experiment: Experiment, results: Sequence[GlexecResult]
) -> tuple[Standing, int, int, int, GlexecResult | None]:
    """A CE's standing by its experiment's rule, its errors, OKs and log-only results,
    and the result to show."""
    rule = experiment.failing
    errors: list[GlexecResult] = []
    oks = log_only = 0
    for r in results:
        seen = shows(experiment.mode_evidence, r)
        if r.status is ResultStatus.OK:
            oks += 1
        elif seen is not None and seen.mode is ObservedMode.LOG_ONLY and not rule.log_only_is_error:
            log_only += 1
        else:
            errors.append(r)
    newest = max(results, key=lambda r: r.time, default=None)
    if newest is None:
        return Standing.UNTESTED, 0, 0, 0, None
    counted = len(errors) + oks
    if counted and len(errors) / counted >= rule.min_error_ratio:
        return Standing.FAILING, len(errors), oks, log_only, max(errors, key=lambda r: r.time)
    return Standing.OK, len(errors), oks, log_only, newest


def tier_label(tier: int | None) -> str:
    return UNKNOWN_TIER if tier is None else str(tier)


def _tier_order(tier: str) -> tuple[int, str]:
    return (1, tier) if tier == UNKNOWN_TIER else (0, tier)


def summarize(
    standings: Iterable[CeStanding],
    experiments: Sequence[Experiment],
    since: datetime,
    until: datetime,
) -> Summary:
    """The standings ordered, and tallied per experiment and tier (a tier of an
    experiment shows once it has a CE; a site is failing when one of its CEs is, else OK
    when one is, else untested)."""
    order = {e.key: i for i, e in enumerate(experiments)}
    listed = sorted(
        standings,
        key=lambda s: (
            order[s.experiment.key],
            list(Standing).index(s.standing),
            _tier_order(s.tier),
            s.name.lower(),
            s.ce.unique_id,
        ),
    )
    sites: dict[tuple[str, str, str], set[Standing]] = {}
    ces: dict[tuple[str, str], dict[Standing, int]] = {}
    for s in listed:
        key = (s.experiment.key, s.tier)
        ces.setdefault(key, dict.fromkeys(Standing, 0))[s.standing] += 1
        sites.setdefault((s.experiment.key, s.tier, s.name), set()).add(s.standing)
    by_site: dict[tuple[str, str], dict[Standing, int]] = {}
    for (exp, tier, _), seen in sites.items():
        site = next(st for st in Standing if st in seen)
        by_site.setdefault((exp, tier), dict.fromkeys(Standing, 0))[site] += 1
    by_key = {e.key: e for e in experiments}
    tallies = tuple(
        Tally(by_key[exp], tier, counts, by_site[(exp, tier)])
        for exp, tier in sorted(ces, key=lambda k: (order[k[0]], _tier_order(k[1])))
        for counts in (ces[(exp, tier)],)
    )
    return Summary(since, until, tuple(listed), tallies)
