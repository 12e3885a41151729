"""Rows step for `cecap site-bdiis`: one row per site BDII, what it answered and how the
top-level BDII's copy of the site differs from it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ..evaluate.site_bdiis import MISSING, ONLY_IN_TOP, Difference, SiteCes, compare
from ..sources.site_bdiis import SiteRead
from ..text import stamp
from .table import Column, Lines, Row, Table

# The kinds of difference that are a whole CE, present in one copy only.
WHOLE = (MISSING, ONLY_IN_TOP)

SITE_BDII_FIELDS = (
    "site",
    "url",
    "listed_by",
    "reachable",
    "why",
    "entries",
    "updated",
    "freshness",
    "ces",
    "ces_unknown",
    "missing_from_top",
    "only_in_top",
    "different",
    "differences",
    "seconds",
    "message",
)


def _difference(d: Difference) -> str:
    if d.kind in WHOLE:
        return f"{d.ce}: {d.kind}"
    return f"{d.ce}: {d.kind} {d.top} in the top level, {d.site} in the site BDII"


def _counts(differences: list[Difference] | None) -> dict[str, int | None]:
    """How many CEs are missing from the top, only in it, and different in both."""
    if differences is None:
        return {"missing_from_top": None, "only_in_top": None, "different": None}
    kinds = [d.kind for d in differences]
    return {
        "missing_from_top": kinds.count(MISSING),
        "only_in_top": kinds.count(ONLY_IN_TOP),
        "different": len({d.ce.lower() for d in differences if d.kind not in WHOLE}),
    }


def site_bdii_row(read: SiteRead[SiteCes], top: Mapping[str, SiteCes] | None, now: datetime) -> Row:
    """``top``: the top level's CEs per site (lower-case), None when no top level was
    read (the comparison's fields are then null)."""
    ces = read.digest
    differences = None
    if ces is not None and top is not None:
        differences = compare(ces, top.get(read.listed.site.lower()))
    return {
        "site": read.listed.site,
        "url": read.listed.url,
        "listed_by": read.listed.listed_by,
        "reachable": read.why is None,
        "why": None if read.why is None else read.why.value,
        "entries": read.entries if read.why is None else None,
        "updated": stamp(read.updated) if read.updated else None,
        "freshness": max(0, int((now - read.updated).total_seconds())) if read.updated else None,
        "ces": ces.published if ces is not None else None,
        "ces_unknown": ces.unknown if ces is not None else None,
        **_counts(differences),
        "differences": Lines("\n".join(map(_difference, differences))) if differences else None,
        "seconds": round(read.seconds, 3),
        "message": read.message or (f"partial answer: {read.partial}" if read.partial else None),
    }


def site_bdii_table(
    reads: Iterable[SiteRead[SiteCes]],
    top: Mapping[str, SiteCes] | None,
    meta: Mapping[str, Any],
    now: datetime | None = None,
) -> Table:
    moment = now or datetime.now(UTC)
    return Table(
        kind="site-bdiis",
        fields=SITE_BDII_FIELDS,
        rows=[site_bdii_row(read, top, moment) for read in reads],
        compact=(
            Column("site", "site"),
            Column("reachable", "up"),
            Column("why", "why", spill=6),
            Column("entries", "entries", spill=4),
            Column("freshness", "fresh s", spill=3),
            Column("ces", "CEs", spill=5),
            Column("ces_unknown", "unknown", spill=2),
            Column("missing_from_top", "not in top", spill=1),
            Column("only_in_top", "only top", spill=1),
            Column("different", "differ", spill=1),
        ),
        note_fields=("differences", "message"),
        meta=meta,
        key=("site", "url"),
    )
