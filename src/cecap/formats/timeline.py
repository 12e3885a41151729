"""The history's own format, ``timeline`` (``cecap history``'s default): one fixed line per
recorded change of a CE's verdict, or per run (``--runs``), for people and for grep."""

from __future__ import annotations

from ..rows.table import Row, Table
from ..text import visible
from .registry import FIELDS, register

TIMELINE = "timeline"
ABOUT = "one line per change, or with --runs per run"


def _visible(row: Row) -> Row:
    # Site names and CE IDs are what sites publish: printed, they must not drive the
    # terminal; the history keeps them raw (as the formats do, see cecap.formats.escape).
    return {key: visible(value) if isinstance(value, str) else value for key, value in row.items()}


@register(TIMELINE, kinds=("history",), raw=True, refuses=(FIELDS,), about=ABOUT)
def history_lines(table: Table) -> str:
    """One line per change: when, which run, which CE, and its verdict before → after."""
    if not table.rows:
        return visible(f"no {table.meta.get('empty', 'recorded change')}")
    out = []
    for row in map(_visible, table.rows):
        before, after = row["verdict_before"], row["verdict"]
        change = f"{after} (first recorded)" if before is None else f"{before} → {after}"
        if before == after and row["mode_before"] != row["mode"]:
            change += f" (mode {row['mode_before'] or '-'} → {row['mode'] or '-'})"
        if row["site_before"] is not None and row["site_before"] != row["site"]:
            change += f" (site {row['site_before']} → {row['site']})"
        out.append(
            f"{row['time']}  run {row['run']}  {row['experiment']}  {row['site']}  {row['ce']}"
            f"  {change}"
        )
    return "\n".join(out)


@register(TIMELINE, kinds=("runs",), raw=True, refuses=(FIELDS,), about=ABOUT)
def runs_lines(table: Table) -> str:
    if not table.rows:
        return visible(f"no {table.meta.get('empty', 'recorded run')}")
    return "\n".join(
        f"run {r['run']}  {r['time']}  {r['command']}  {r['source']}  {r['experiments']}"
        for r in map(_visible, table.rows)
    )
