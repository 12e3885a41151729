"""The glexec test results of a window read back for `summary` (and the page)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from ..evaluate.summary import CeStanding, Summary, standing, summarize, tier_label
from ..evaluate.verdicts import Assessment
from ..model.results import GlexecResult
from ..policy.site_names import SiteNames
from ..policy.stances import Experiment
from .results import of_ce, window_results
from .store import History


def summary_of(
    path: Path,
    assessments: Sequence[Assessment],
    experiments: Sequence[Experiment],
    names: SiteNames,
    since: datetime,
    until: datetime,
) -> Summary:
    """Each assessed CE's standing by its results from ``since`` to ``until``; with no
    history at ``path``, every CE untested. A reader: the database is not changed."""
    grouped: dict[str, dict[str, list[GlexecResult]]] = {e.key: {} for e in experiments}
    if path.exists():
        with History.open(path) as history:
            for e in experiments:
                grouped[e.key] = window_results(history, e.key, since, until)
    out = []
    for a in assessments:
        e = a.experiment
        found = of_ce(grouped[e.key], a.ce)
        named = names.name_of(e.key, a.ce.site)
        state, errors, oks, log_only, shown = standing(e, found)
        out.append(
            CeStanding(
                e,
                a.ce,
                named.name if named else a.ce.site,
                tier_label(named.tier if named else None),
                state,
                errors,
                oks,
                log_only,
                shown,
            )
        )
    return summarize(out, experiments, since, until)
