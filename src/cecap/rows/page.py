"""The readiness page's data: the report's, the sites', the stances' and the audit's rows,
regrouped for the page (headlines, the site x experiment matrix, CE rows per site, charts'
counts, the history's series). Values stay as published: the page's renderer makes every
one it prints visible and HTML-escaped."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..evaluate.reliable import Reliability
from ..evaluate.verdicts import VERDICT_RANK, Verdict
from ..history.series import RunCounts, Series
from ..policy.stances import Experiment
from .table import Row, Table

# The matrix group of the sites no questionnaire answer covers.
NO_ANSWER = "no questionnaire answer"
# A matrix cell where no CE of the site serves the experiment's VO.
NOT_SERVED = "no CE"

READY = Verdict.READY.value
CONDITIONAL = Verdict.CONDITIONAL.value


@dataclass(frozen=True)
class Previous:
    """What the previous recorded run counted for an experiment."""

    run: int
    time: datetime
    ready: int
    conditional: int
    reliable: int | None = None


@dataclass(frozen=True)
class Headline:
    """One experiment's counts. ``reliable``: CEs reliable with glexec, as `report
    --reliable` lists them; None while no CE of the experiment has a glexec test result in
    its window (the page then leaves it out)."""

    key: str
    name: str
    vo: str
    serving: int
    ready: int
    conditional: int
    previous: Previous | None
    reliable: int | None = None

    @property
    def ready_change(self) -> int | None:
        return None if self.previous is None else self.ready - self.previous.ready

    @property
    def reliable_change(self) -> int | None:
        """None unless both this count and the previous run's are known."""
        if self.reliable is None or self.previous is None or self.previous.reliable is None:
            return None
        return self.reliable - self.previous.reliable


@dataclass(frozen=True)
class SiteRow:
    """One BDII site in the matrix: its readiness per experiment key (NOT_SERVED when no
    CE of the site serves that experiment's VO), and its CEs' report rows."""

    site: str
    anchor: str
    cells: Mapping[str, str]
    ces: list[Row]
    findings: list[Row] = field(default_factory=list)
    # With page --site-bdiis: what the site's own BDII said (None: not asked, or not listed).
    bdii: SiteBdiiSaid | None = None


@dataclass(frozen=True)
class SiteBdiiSaid:
    """A site BDII's answer as the page says it: whether it answered, and its freshness."""

    text: str
    answered: bool


def _age(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86400} days"


def site_bdii_said(row: Row) -> SiteBdiiSaid:
    """A `site-bdiis` row (a site BDII) as one sentence of the page."""
    if not row["reachable"]:
        return SiteBdiiSaid(f"Its site BDII did not answer ({row['why']}).", False)
    if row["updated"] is None:
        return SiteBdiiSaid("Its site BDII answered; it publishes no update time.", True)
    return SiteBdiiSaid(
        f"Its site BDII answered; last updated {row['updated']}"
        f" ({_age(int(row['freshness']))} before this page).",
        True,
    )


@dataclass(frozen=True)
class Point:
    """One recorded run in the line chart."""

    time: datetime
    ready: int
    reliable: int | None = None


@dataclass(frozen=True)
class PageData:
    """Everything the page shows."""

    meta: Mapping[str, Any]
    experiments: list[Experiment]
    headlines: list[Headline]
    groups: list[tuple[str, list[SiteRow]]]
    verdicts: list[str]  # the verdicts in the charts and legend, best first
    counts: Mapping[str, Mapping[str, int]]  # experiment key -> verdict -> CEs
    series: Mapping[str, list[Point]]  # experiment key -> one point per recorded run
    stances: list[Row]
    findings: int  # how many audit findings in all
    sites_with_findings: list[SiteRow]
    # `summary`'s headline per experiment key and its rows (None: not given).
    tests: TestsShown | None = None


@dataclass(frozen=True)
class TestsShown:
    """What `summary` shows, as the page shows it: the window, each experiment's
    headline, and every tested CE's row."""

    window: str
    since: str
    until: str
    headlines: Mapping[str, str]
    rows: list[Row]


def tests_shown(summary: Table) -> TestsShown:
    """The summary's Table, as `summary --format json` holds it."""
    meta = summary.meta
    return TestsShown(
        meta["window"], meta["since"], meta["until"], dict(meta["headlines"]), summary.rows
    )


def page_data(
    experiments: Sequence[Experiment],
    report: Table,
    sites: Table,
    stances: Table,
    audit: Table,
    history: Series,
    meta: Mapping[str, Any],
    judged: Mapping[tuple[str, str], Reliability] | None = None,
    summary: Table | None = None,
    site_bdiis: Table | None = None,
) -> PageData:
    """The page from the tables of `report --all`, `sites`, `stances` and `audit`;
    ``judged``: each (experiment, CE)'s reliability, as report reads it (None: no
    history); ``summary``: the Table of `summary`, what the glexec tests show;
    ``site_bdiis``: the table of `site-bdiis`, each site's own BDII (None: not asked)."""
    report_rows, site_rows = report.rows, sites.rows
    keys = [e.key for e in experiments]
    counts: dict[str, Counter[str]] = {k: Counter() for k in keys}
    now: dict[str, dict[str, str]] = {k: {} for k in keys}
    ces: dict[str, list[Row]] = {}
    for row in report_rows:
        counts[row["experiment"]][row["verdict"]] += 1
        now[row["experiment"]][row["ce"]] = row["verdict"]
        ces.setdefault(row["site"], []).append(row)
    findings: dict[str, list[Row]] = {}
    for row in audit.rows:
        findings.setdefault(row["site"], []).append(row)
    rows = _site_rows(site_rows, keys, ces, findings)
    if site_bdiis is not None:
        said = {row["site"].lower(): site_bdii_said(row) for row in site_bdiis.rows}
        rows = {
            site: dataclasses.replace(row, bdii=said.get(site.lower()))
            for site, row in rows.items()
        }
    groups: dict[str, dict[str, SiteRow]] = {}
    for row in site_rows:
        groups.setdefault(row["respondent"] or NO_ANSWER, {})[row["site"]] = rows[row["site"]]
    ordered = sorted((g for g in groups if g != NO_ANSWER), key=str.lower)
    if NO_ANSWER in groups:
        ordered.append(NO_ANSWER)
    used = {v for c in counts.values() for v in c}
    skip = _this_answer(history, now)
    return PageData(
        meta=meta,
        experiments=list(experiments),
        headlines=[
            _headline(e, counts[e.key], _previous(history, e.key, skip), _reliable(judged, e.key))
            for e in experiments
        ],
        groups=[(g, sorted(groups[g].values(), key=lambda m: m.site.lower())) for g in ordered],
        verdicts=[v.value for v in VERDICT_RANK if v.value in used],
        counts={k: dict(c) for k, c in counts.items()},
        series={
            k: [Point(r.time, r.counts.get(READY, 0), r.reliable) for r in history.runs.get(k, [])]
            for k in keys
        },
        stances=stances.rows,
        findings=len(audit.rows),
        sites_with_findings=[rows[s] for s in sorted(rows, key=str.lower) if rows[s].findings],
        tests=None if summary is None else tests_shown(summary),
    )


def _site_rows(
    site_rows: list[Row],
    keys: Sequence[str],
    ces: Mapping[str, list[Row]],
    findings: Mapping[str, list[Row]],
) -> dict[str, SiteRow]:
    cells: dict[str, dict[str, str]] = {}
    for row in site_rows:
        cells.setdefault(row["site"], {})[row["experiment"]] = row["readiness"]
    return {
        site: SiteRow(
            site=site,
            # Anchors are cecap's own (a number), never a published name.
            anchor=f"site-{number}",
            cells={k: found.get(k, NOT_SERVED) for k in keys},
            ces=ces.get(site, []),
            findings=findings.get(site, []),
        )
        for number, (site, found) in enumerate(cells.items(), start=1)
    }


def _reliable(judged: Mapping[tuple[str, str], Reliability] | None, key: str) -> int | None:
    """The experiment's CEs reliable with glexec; None when none has a result to judge."""
    mine = [r for (e, _), r in (judged or {}).items() if e == key]
    if not any(r.reliable is not None for r in mine):
        return None
    return sum(r.reliable is True for r in mine)


def _headline(
    experiment: Experiment,
    counts: Mapping[str, int],
    previous: Previous | None,
    reliable: int | None,
) -> Headline:
    return Headline(
        key=experiment.key,
        name=experiment.name,
        vo=experiment.vo,
        serving=sum(counts.values()),
        ready=sum(n for v, n in counts.items() if Verdict(v).counts_ready),
        conditional=counts.get(CONDITIONAL, 0),
        previous=previous,
        reliable=reliable,
    )


def _this_answer(history: Series, now: Mapping[str, Mapping[str, str]]) -> int | None:
    """The last recorded run when it recorded this very answer, for every experiment it
    covered (a check just before the page): the page compares with the run before it.
    One run for the whole page, so that every experiment's card counts from the same."""
    last = max((runs[-1].run for runs in history.runs.values() if runs), default=None)
    if last is None:
        return None
    covered = [k for k in now if (runs := history.runs.get(k)) and runs[-1].run == last]
    same = all(dict(history.last.get(k, {})) == dict(now[k]) for k in covered)
    return last if same else None


def _previous(history: Series, key: str, skip: int | None) -> Previous | None:
    """The run to compare with: the experiment's last recorded run, but ``skip``."""
    runs = [r for r in history.runs.get(key, []) if r.run != skip]
    if not runs:
        return None
    last: RunCounts = runs[-1]
    return Previous(
        last.run,
        last.time,
        last.counts.get(READY, 0),
        last.counts.get(CONDITIONAL, 0),
        last.reliable,
    )
