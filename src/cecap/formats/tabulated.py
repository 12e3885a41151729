"""The tabulate formats (github, grid, html, latex, ...) cecap offers: those that show a
published value as text, never as markup."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from tabulate import tabulate, tabulate_formats

from ..rows.table import Table
from . import machine  # noqa: F401  registered first: cecap's tsv is not tabulate's
from .escape import latex_text, markdown_text
from .registry import FORMATS, Formatter, footer, register, table_cell

# tabulate writes a cell's text as it is in every format but html and the latex ones
# (tabulate 0.10's README: "latex_raw behaves like latex but does not escape LaTeX
# commands and special characters"; unsafehtml is html unescaped). So cecap offers only
# the formats where that is safe, or where it escapes the cells itself, named here: a
# format tabulate adds later is offered once it is known to be one of these.
# For terminals and plain text: no markup (control characters are escaped, as in every
# format).
PLAIN = frozenset(
    {
        "plain",
        "simple",
        "grid",
        "simple_grid",
        "rounded_grid",
        "heavy_grid",
        "mixed_grid",
        "double_grid",
        "fancy_grid",
        "outline",
        "simple_outline",
        "rounded_outline",
        "heavy_outline",
        "mixed_outline",
        "double_outline",
        "fancy_outline",
        "psql",
        "presto",
        "pretty",
    }
)
# Markup that tabulate escapes in the cells: cecap escapes its own lines after the table.
HTML = frozenset({"html"})
LATEX = frozenset({"latex", "latex_booktabs", "latex_longtable"})
# Markdown tables (GitHub's and Pandoc's): cecap escapes every cell the Markdown way, so
# raw HTML, a link or a "|" in a value stays text in its cell.
MARKDOWN = frozenset({"github", "pipe", "colon_grid"})
SAFE = PLAIN | HTML | LATEX | MARKDOWN
# Not offered: tabulate's formats that write a cell's markup raw (unsafehtml, latex_raw;
# asciidoc, jira, mediawiki, moinmoin, orgtbl, rst, textile, youtrack: "|" ends a cell
# and their markup runs), and any format not named above.
UNSAFE = frozenset(tabulate_formats) - SAFE


def _as_is(value: Any) -> Any:
    return value


def _markdown_cell(value: Any) -> Any:
    return markdown_text(value) if isinstance(value, str) else value


def _html_line(line: str) -> str:
    # Text after the table, not in an attribute: quotes need no escaping.
    return html.escape(line, quote=False)


def _tabulate_format(fmt: str) -> Formatter:
    cell: Callable[[Any], Any] = _markdown_cell if fmt in MARKDOWN else _as_is
    line: Callable[[str], str] = (
        _html_line
        if fmt in HTML
        else latex_text
        if fmt in LATEX
        else markdown_text
        if fmt in MARKDOWN
        else str
    )

    def render(table: Table) -> str:
        body = [[cell(table_cell(row.get(f))) for f in table.fields] for row in table.rows]
        # Headers are cecap's own field names: text in every format.
        headers = list(table.fields) if table.header else []
        text = tabulate(body, headers=headers, tablefmt=fmt, disable_numparse=True)
        after = [line(said) for said in footer(table)]
        return "\n".join([text, *after]) if after else text

    return render


for _fmt in tabulate_formats:
    if _fmt not in FORMATS and _fmt in SAFE:
        register(_fmt)(_tabulate_format(_fmt))
