"""Rows step for `cecap report` and `cecap sites`: a verdict per CE, a summary per site."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ..evaluate.assess import SiteSummary
from ..evaluate.reliable import Reliability, results_summary
from ..evaluate.verdicts import Assessment
from ..text import stamp
from .table import Column, Summarized, Table

REPORT_FIELDS = (
    "experiment",
    "vo",
    "site",
    "respondent",
    "ce",
    "state",
    "verdict",
    "mode",
    "fail_closed",
    "reason",
    "stable_runs",
    "reliable",
    "tests",
    "observed_mode",
)


def _reliable(r: Reliability | None) -> bool | None:
    return r.reliable if r else None


def _observed(r: Reliability | None) -> str | None:
    return r.observed.mode.value if r else None


def tests_summary(r: Reliability | None, now: datetime) -> Summarized | None:
    """The ``tests`` value of a report row (and of cecap explain's evidence)."""
    text = results_summary(r, now) if r else None
    if r is None or text is None:
        return None
    doc = {
        "ok": r.ok,
        "total": r.total,
        "ratio": round(r.ratio, 4) if r.ratio is not None else None,
        "last_status": r.last_status,
        "last_time": stamp(r.last_time) if r.last_time else None,
    }
    return Summarized(text, doc)


def report_table(
    assessments: Iterable[Assessment],
    meta: Mapping[str, Any],
    stable: Mapping[tuple[str, str], int] | None = None,
    reliability: Mapping[tuple[str, str], Reliability] | None = None,
    now: datetime | None = None,
) -> Table:
    """``stable``: per (experiment, CE), how many recorded runs its verdict has held
    (None: no history, so ``stable_runs`` is null); ``reliability``: what its glexec
    test results say (None: no history, so ``reliable``, ``tests`` and ``observed_mode``
    are null)."""
    moment = now or datetime.now(UTC)
    judged = reliability or {}
    rows = [
        {
            "experiment": a.experiment.key,
            "vo": a.experiment.vo,
            "site": a.ce.site,
            "respondent": a.respondent,
            "ce": a.ce.unique_id,
            "state": a.ce.state,
            "verdict": a.verdict.value,
            "mode": a.mode.value if a.mode else None,
            # Modes and failing closed are glexec's; another capability has neither (None).
            "fail_closed": a.fail_closed,
            "reason": a.reason,
            "stable_runs": None
            if stable is None
            else stable.get((a.experiment.key, a.ce.unique_id), 0),
            "reliable": _reliable(judged.get((a.experiment.key, a.ce.unique_id))),
            "tests": tests_summary(judged.get((a.experiment.key, a.ce.unique_id)), moment),
            "observed_mode": _observed(judged.get((a.experiment.key, a.ce.unique_id))),
        }
        for a in assessments
    ]
    # With a history, how long each verdict has held: short, so it stays on the row
    # longer than the site when the terminal is narrow.
    stable_column = () if stable is None else (Column("stable_runs", "stable", spill=4),)
    reliable_column = () if reliability is None else (Column("reliable", "reliable", spill=4),)
    return Table(
        kind="report",
        fields=REPORT_FIELDS,
        rows=rows,
        compact=(
            Column("experiment", "exp"),
            Column("site", "site", spill=3),
            Column("ce", "ce"),
            Column("verdict", "verdict"),
            Column("mode", "mode", spill=2),
            Column("fail_closed", "fail closed", spill=1),
            *stable_column,
            *reliable_column,
        ),
        note_fields=("reason", "tests"),
        meta=meta,
        key=("ce",),
    )


TOP_LEVEL = "top level"


def with_read_from(table: Table, read_from: Mapping[tuple[str, str], str]) -> Table:
    """The report with ``read_from`` on each row: the site BDII its CE was judged from
    (``read_from``: per (site, CE ID)), else the top level."""
    rows = [
        {**row, "read_from": read_from.get((row["site"], row["ce"]), TOP_LEVEL)}
        for row in table.rows
    ]
    return dataclasses.replace(
        table,
        fields=(*table.fields, "read_from"),
        rows=rows,
        compact=(*table.compact, Column("read_from", "read from", spill=6)),
    )


SITE_FIELDS = (
    "site",
    "experiment",
    "respondent",
    "mupj",
    "glexec_setuid",
    "glexec_log_only",
    "bypass_on_error",
    "ces_serving",
    "ces_advertising",
    "ces_ready",
    "ces_conditional",
    "ces_reliable",
    "readiness",
)


def site_table(
    summaries: Iterable[SiteSummary],
    meta: Mapping[str, Any],
    capability: str,
    reliable: Mapping[tuple[str, str], int] | None = None,
) -> Table:
    """``reliable``: per (site, experiment), its CEs reliable with glexec (None: no
    history, so ``ces_reliable`` is null)."""
    rows = []
    for s in summaries:
        st = s.stance  # None for a capability the questionnaire did not ask about
        rows.append(
            {
                "site": s.site,
                "experiment": s.experiment.key,
                "respondent": s.respondent,
                "mupj": st.mupj.value.value if st else None,
                "glexec_setuid": st.glexec_setuid.value.value if st else None,
                "glexec_log_only": st.glexec_log_only.value.value if st else None,
                "bypass_on_error": st.bypass_on_error.value.value if st else None,
                "ces_serving": s.serving,
                "ces_advertising": s.advertising,
                "ces_ready": s.ready,
                "ces_conditional": s.conditional,
                "ces_reliable": None
                if reliable is None
                else reliable.get((s.site, s.experiment.key), 0),
                "readiness": s.readiness.value,
            }
        )
    return Table(
        kind="sites",
        fields=SITE_FIELDS,
        rows=rows,
        compact=(
            Column("site", "site"),
            Column("experiment", "exp"),
            Column("ces_serving", "CEs", spill=4),
            Column("ces_advertising", capability, spill=3),
            Column("ces_ready", "ready", spill=2),
            Column("ces_conditional", "cond", spill=1),
            Column("readiness", "readiness"),
        ),
        meta=meta,
        key=("site",),
    )
