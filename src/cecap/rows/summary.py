"""What `summary` shows: each tested CE's standing over the window, and per experiment
and tier the CEs and sites failing, OK and untested (the headline)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from ..evaluate.summary import Standing, Summary, Tally
from ..model.results import GlexecResult
from ..text import stamp
from .table import Column, Lines, Row, Table

SUMMARY_FIELDS = (
    "experiment",
    "tier",
    "site",
    "site_name",
    "ce",
    "status",
    "errors",
    "oks",
    "log_only",
    "last_time",
    "last_status",
    "last_output",
)
# How much of a result's output the summary shows: its lines joined, then cut.
SHORT = 160
# The window `summary` counts by default, and the page counts: CMS's coordinators' page
# read the last 12 hours (CMSCompOps/MonitoringScripts, Tests/glexec/GlexecFunctions.php,
# getMessage: time_range=last12).
DEFAULT_WINDOW = timedelta(hours=12)


def window_text(window: timedelta) -> str:
    """12h, 7d, 90m: a window as --window takes it."""
    seconds = int(window.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds // 60}m"


def shortened(result: GlexecResult | None) -> str | None:
    """What a result said (its summary, then its output) on one line, cut to SHORT."""
    if result is None:
        return None
    lines = [" ".join(line.split()) for line in result.text.splitlines()]
    text = " / ".join(line for line in lines if line)
    return text if len(text) <= SHORT else text[: SHORT - 1] + "\u2026"


def _tier_name(tier: str) -> str:
    return "unknown tier" if tier == "unknown" else f"T{tier}s"


def headline(tallies: list[Tally]) -> str:
    """``T1s failing 1/2, T2s failing 2/5, sites OK 4, untested 1``: the sites of one
    experiment, as CMS's coordinators headlined them."""
    parts = [
        f"{_tier_name(t.tier)} failing {t.sites[Standing.FAILING]}/{t.sites_tested}"
        for t in tallies
    ]
    ok = sum(t.sites[Standing.OK] for t in tallies)
    untested = sum(t.sites[Standing.UNTESTED] for t in tallies)
    return ", ".join([*parts, f"sites OK {ok}", f"untested {untested}"])


def _tally(t: Tally) -> Row:
    return {
        "experiment": t.experiment.key,
        "tier": t.tier,
        **{f"ces_{s.value}": t.ces[s] for s in Standing},
        **{f"sites_{s.value}": t.sites[s] for s in Standing},
    }


def summary_table(summary: Summary, meta: Mapping[str, Any], window: str) -> Table:
    rows = [
        {
            "experiment": s.experiment.key,
            "tier": s.tier,
            "site": s.ce.site,
            "site_name": s.name,
            "ce": s.ce.unique_id,
            "status": s.standing.value,
            "errors": s.errors,
            "oks": s.oks,
            "log_only": s.log_only,
            "last_time": stamp(s.shown.time) if s.shown else None,
            "last_status": s.shown.status.value if s.shown else None,
            "last_output": shortened(s.shown),
        }
        for s in summary.ces
    ]
    experiments = list(dict.fromkeys(t.experiment for t in summary.tallies))
    headlines = {
        e.key: headline([t for t in summary.tallies if t.experiment is e]) for e in experiments
    }
    return Table(
        kind="summary",
        fields=SUMMARY_FIELDS,
        rows=rows,
        compact=(
            # The experiment and the CE tell rows apart (a CE is tested for each
            # experiment): they stay; the experiment's name for the site is in the CE's
            # note when the terminal is narrow.
            Column("experiment", "exp"),
            Column("tier", "tier", spill=3),
            Column("site_name", "site", spill=4),
            Column("ce", "ce"),
            Column("status", "status"),
            Column("last_status", "last", spill=2),
            Column("last_time", "at", spill=1),
        ),
        note_fields=("last_output",),
        meta={
            **meta,
            "title": Lines(
                "\n".join(
                    f"{e.name}: {headlines[e.key]} (the {window} to {stamp(summary.until)})"
                    for e in experiments
                )
            ),
            "window": window,
            "since": stamp(summary.since),
            "until": stamp(summary.until),
            "headlines": headlines,
            "tallies": [_tally(t) for t in summary.tallies],
        },
        key=("ce",),
    )
