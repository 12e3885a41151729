"""Pure: what `check --site-bdiis` adds to the probe's answer: the site BDIIs that did not
answer (a count with its own Nagios ranges) and the verdicts the site BDIIs' own data
gives differently from the top level's."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .check import CheckResult
from .nagios import Perfdata, Range, State, worst
from .verdicts import Assessment


@dataclass(frozen=True)
class VerdictChange:
    """One (experiment, CE) whose verdict from its site BDII is not the top level's."""

    experiment: str
    site: str
    ce: str
    top: str | None  # None: the top level has no verdict for it (no such CE there)
    site_bdii: str | None  # None: the site BDII has none (it no longer publishes the CE)


@dataclass(frozen=True)
class SiteBdiiCheck:
    """The site BDIIs listed, those that did not answer ("SITE (why)"), and the verdicts
    that differ; ``warning``/``critical``: ranges on how many did not answer."""

    listed: int
    silent: tuple[str, ...]
    changes: tuple[VerdictChange, ...]
    warning: Range | None = None
    critical: Range | None = None

    @property
    def state(self) -> State:
        """CRITICAL or WARNING when the silent count is outside its range; a verdict that
        differs is a WARNING at least (the top level misleads about that CE)."""
        silent = len(self.silent)
        if self.critical is not None and self.critical.alerts(silent):
            return State.CRITICAL
        if self.warning is not None and self.warning.alerts(silent):
            return State.WARNING
        return State.WARNING if self.changes else State.OK


def verdict_changes(
    top: Iterable[Assessment], from_sites: Iterable[Assessment], answered: Sequence[str]
) -> list[VerdictChange]:
    """Per (experiment, CE) of the sites whose BDII answered (``answered``: lower-case
    names), the verdicts that are not the same in both answers, in that order."""
    sites = set(answered)

    def verdicts(found: Iterable[Assessment]) -> dict[tuple[str, str, str], str]:
        return {
            (a.experiment.key, a.ce.site, a.ce.unique_id): a.verdict.value
            for a in found
            if a.ce.site.lower() in sites
        }

    before, after = verdicts(top), verdicts(from_sites)
    return [
        VerdictChange(key[0], key[1], key[2], before.get(key), after.get(key))
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    ]


def _change(c: VerdictChange) -> str:
    if c.top is None:
        return f"not in the top level; {c.site_bdii} from its site BDII"
    if c.site_bdii is None:
        return f"{c.top} in the top level; no longer in its site BDII"
    return f"{c.top} in the top level, {c.site_bdii} from its site BDII"


def with_site_bdiis(result: CheckResult, found: SiteBdiiCheck) -> CheckResult:
    """The probe's answer with the site BDIIs' part: the worst state of both, the counts
    in the summary and the perfdata, one detail line per silent site BDII and change."""
    silent, changes = len(found.silent), len(found.changes)
    said = f"{silent} of {found.listed} site BDIIs silent"
    if changes:
        said += f", {changes} verdicts differ from them"
    details = [f"site BDII silent: {name}" for name in found.silent]
    details += [f"{c.experiment}: {c.ce} ({c.site}): {_change(c)}" for c in found.changes]
    perfdata = (
        Perfdata(
            "site_bdiis_silent",
            silent,
            warning=found.warning,
            critical=found.critical,
            minimum=0,
            maximum=found.listed,
        ),
        Perfdata("verdicts_differ", changes, minimum=0),
    )
    return dataclasses.replace(
        result,
        state=worst((result.state, found.state)),
        summary=f"{result.summary}; {said}",
        perfdata=(*result.perfdata, *perfdata),
        details=(*result.details, *details),
    )
