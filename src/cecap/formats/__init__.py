"""Format step: render a Table as a terminal table, JSON, CSV or any tabulate format.

Published values are untrusted. Every registered format but JSON gets the Table through
``escape.escaped`` first (register does it), so each cell, title and note it prints has its
control and bidi characters escaped and visible; JSON escapes them the JSON way.
"""

from __future__ import annotations

import csv
import functools
import html
import io
import json
import textwrap
from collections.abc import Callable
from typing import Any

from tabulate import tabulate, tabulate_formats

from ..rows.table import Table
from .escape import escaped, json_text

Formatter = Callable[[Table], str]
FORMATS: dict[str, Formatter] = {}


def register(name: str, *, raw: bool = False) -> Callable[[Formatter], Formatter]:
    """Register a format; it is given the Table escaped (see .escape) unless ``raw``, for a
    format that escapes values its own way (JSON)."""

    def wrap(func: Formatter) -> Formatter:
        FORMATS[name] = func if raw else _escaping(func)
        return FORMATS[name]

    return wrap


def _escaping(func: Formatter) -> Formatter:
    @functools.wraps(func)
    def render(table: Table) -> str:
        return func(escaped(table))

    return render


def _cell(value: Any) -> Any:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _footer(table: Table) -> list[str]:
    lines = []
    partial = table.meta.get("partial")
    if partial:
        lines.append(f"PARTIAL: {partial}")
    return lines


@register("table")
def render_table(table: Table) -> str:
    """Readable in 80 columns: compact columns, long text as numbered notes below."""
    out: list[str] = []
    title = table.meta.get("title")
    if title:
        out.append(str(title))
    if not table.rows:
        out.append(f"no {table.meta.get('empty', 'rows')}")
    else:
        fields = [f for f, _, _ in table.compact]
        headers = [h for _, h, _ in table.compact]
        widths: list[int | None] = [w for _, _, w in table.compact]
        body = [[_cell(row[f]) for f in fields] for row in table.rows]
        notes = [[str(row[f]) for f in table.note_fields if row.get(f)] for row in table.rows]
        if any(notes):
            headers = ["#", *headers]
            widths = [None, *widths]
            numbers = iter(range(1, len(notes) + 1))
            body = [
                [next(numbers) if note else "", *cells]
                for note, cells in zip(notes, body, strict=True)
            ]
        out.append(
            tabulate(
                body, headers=headers, tablefmt="simple", maxcolwidths=widths, disable_numparse=True
            )
        )
        numbered = [note for note in notes if note]
        if numbered:
            out.append("")
        for number, note in enumerate(numbered, start=1):
            prefix = f"{number:>3}. "
            for text in note:
                out.append(
                    textwrap.fill(
                        text,
                        width=79,
                        initial_indent=prefix,
                        subsequent_indent="     ",
                        break_on_hyphens=False,
                    )
                )
                prefix = "     "
    out.extend(_footer(table))
    return "\n".join(out)


@register("json", raw=True)
def render_json(table: Table) -> str:
    doc = {
        "kind": table.kind,
        **{k: v for k, v in table.meta.items() if k not in ("title", "empty", "partial")},
        "partial": bool(table.meta.get("partial")),
        "partial_reason": table.meta.get("partial") or None,
        "fields": list(table.fields),
        "rows": [{f: row.get(f) for f in table.fields} for row in table.rows],
    }
    return json_text(json.dumps(doc, indent=2, ensure_ascii=False))


@register("csv")
def render_csv(table: Table) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(table.fields)
    for row in table.rows:
        writer.writerow(["" if row.get(f) is None else row.get(f) for f in table.fields])
    text = buf.getvalue().rstrip("\n")
    # A partial result must not pass for a complete one, even in CSV.
    for line in _footer(table):
        text += f"\n# {line}"
    return text


# tabulate's html escapes markup in cells itself; unsafehtml does not, and published
# values are no markup, so cecap escapes it there (and in the footer of both).
_UNESCAPED_HTML = ("unsafehtml",)
_HTML = ("html", *_UNESCAPED_HTML)


def _markup(cell: Any) -> Any:
    return html.escape(cell, quote=True) if isinstance(cell, str) else cell


def _tabulate_format(fmt: str) -> Formatter:
    def render(table: Table) -> str:
        body = [[_cell(row.get(f)) for f in table.fields] for row in table.rows]
        headers = list(table.fields)
        if fmt in _UNESCAPED_HTML:
            body = [[_markup(c) for c in cells] for cells in body]
            headers = [_markup(h) for h in headers]
        text = tabulate(body, headers=headers, tablefmt=fmt, disable_numparse=True)
        footer = _footer(table)
        if fmt in _HTML:
            # Text after the table, not in an attribute: quotes need no escaping.
            footer = [html.escape(line, quote=False) for line in footer]
        return "\n".join([text, *footer]) if footer else text

    return render


for _fmt in tabulate_formats:
    if _fmt not in FORMATS:
        register(_fmt)(_tabulate_format(_fmt))


def render(name: str, table: Table) -> str:
    return FORMATS[name](table)
