"""Every tabulate format (github, grid, html, latex, ...) not registered by cecap itself."""

from __future__ import annotations

import html

from tabulate import tabulate, tabulate_formats

from ..rows.table import Table
from . import machine  # noqa: F401  registered first: cecap's tsv is not tabulate's
from .registry import FORMATS, Formatter, footer, register, table_cell

# tabulate's html escapes markup in cells itself; its unsafe* formats (unsafehtml) exist
# to let markup through, which no value read from a BDII may be: cecap does not offer them.
_HTML = ("html",)
UNSAFE = frozenset(f for f in tabulate_formats if f.startswith("unsafe"))


def _tabulate_format(fmt: str) -> Formatter:
    def render(table: Table) -> str:
        body = [[table_cell(row.get(f)) for f in table.fields] for row in table.rows]
        headers = list(table.fields) if table.header else []
        text = tabulate(body, headers=headers, tablefmt=fmt, disable_numparse=True)
        lines = footer(table)
        if fmt in _HTML:
            # Text after the table, not in an attribute: quotes need no escaping.
            lines = [html.escape(line, quote=False) for line in lines]
        return "\n".join([text, *lines]) if lines else text

    return render


for _fmt in tabulate_formats:
    if _fmt not in FORMATS and _fmt not in UNSAFE:
        register(_fmt)(_tabulate_format(_fmt))
