"""Every tabulate format (github, grid, html, latex, ...) not registered by cecap itself."""

from __future__ import annotations

import html
from typing import Any

from tabulate import tabulate, tabulate_formats

from ..rows.table import Table
from . import machine  # noqa: F401  registered first: cecap's tsv is not tabulate's
from .registry import FORMATS, Formatter, footer, register, table_cell

# tabulate's html escapes markup in cells itself; unsafehtml does not, and published
# values are no markup, so cecap escapes it there (and in the footer of both).
_UNESCAPED_HTML = ("unsafehtml",)
_HTML = ("html", *_UNESCAPED_HTML)


def _markup(cell: Any) -> Any:
    return html.escape(cell, quote=True) if isinstance(cell, str) else cell


def _tabulate_format(fmt: str) -> Formatter:
    def render(table: Table) -> str:
        body = [[table_cell(row.get(f)) for f in table.fields] for row in table.rows]
        headers = list(table.fields) if table.header else []
        if fmt in _UNESCAPED_HTML:
            body = [[_markup(c) for c in cells] for cells in body]
            headers = [_markup(h) for h in headers]
        text = tabulate(body, headers=headers, tablefmt=fmt, disable_numparse=True)
        lines = footer(table)
        if fmt in _HTML:
            # Text after the table, not in an attribute: quotes need no escaping.
            lines = [html.escape(line, quote=False) for line in lines]
        return "\n".join([text, *lines]) if lines else text

    return render


for _fmt in tabulate_formats:
    if _fmt not in FORMATS:
        register(_fmt)(_tabulate_format(_fmt))
