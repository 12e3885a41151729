"""summary's own formats, --format markdown and --format twiki: the weekly report's block,
the headline per experiment and the failing CEs, ready to paste.

As CMS's coordinators' page gave its summary (CMSCompOps/MonitoringScripts,
Tests/glexec/glexec.php: "T1s failing", "T2s failing", "Sites ok"), with each failing CE
and its last output. Every value a site or a test chose is made visible and its markup
escaped, so a result's output cannot end a table cell or start a link.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ..rows.table import Row, Table
from ..text import visible
from .escape import markdown_text
from .registry import FIELDS, register

MARKDOWN = "markdown"
TWIKI = "twiki"
# TWiki: "|" ends a cell, "%" starts a variable, "<" a tag, "[[" a link, and a word of
# capitals (WikiWord) becomes a link unless "<nop>" comes before it.
_TWIKI = {"|": "&#124;", "%": "&#37;", "<": "&lt;", ">": "&gt;", "[": "&#91;", "&": "&amp;"}
_WIKIWORD = re.compile(r"\b([A-Z]+[a-z]+[A-Z][A-Za-z0-9]*)")
_STARTS = re.compile(r"^([*_=])|([*_=])$")


def _md(value: Any) -> str:
    return markdown_text(visible("" if value is None else str(value)))


def _tw(value: Any) -> str:
    text = visible("" if value is None else str(value))
    text = "".join(_TWIKI.get(c, c) for c in text)
    text = _WIKIWORD.sub(r"<nop>\1", text)
    # A cell starting or ending with *, _ or = would be bold, italic or fixed.
    return _STARTS.sub(lambda m: f"&#{ord(m.group())};", text)


def _failing(table: Table, experiment: str) -> list[Row]:
    return [r for r in table.rows if r["experiment"] == experiment and r["status"] == "failing"]


def _block(
    table: Table,
    escape: Callable[[Any], str],
    heading: Callable[[str], str],
    item: Callable[[str], str],
    header: Callable[[list[str]], list[str]],
    row: Callable[[list[str]], str],
) -> str:
    meta: Mapping[str, Any] = table.meta
    names: Mapping[str, str] = meta.get("names", {})
    out: list[str] = []
    for key, line in meta.get("headlines", {}).items():
        out.append(
            heading(
                f"glexec summary: {escape(names.get(key, key))}, the {escape(meta['window'])}"
                f" to {escape(meta['until'])}"
            )
        )
        out.append("")
        out.extend(item(escape(part)) for part in line.split(", "))
        failing = _failing(table, key)
        out.append("")
        if not failing:
            out.append(escape("No CE failing."))
        else:
            out.extend(header(["tier", "site", "CE", "last", "output"]))
            for r in failing:
                cells = [
                    r["tier"],
                    r["site_name"],
                    r["ce"],
                    f"{r['last_status']} at {r['last_time']}",
                ]
                out.append(row([*map(escape, cells), escape(r["last_output"])]))
        out.append("")
    if meta.get("partial"):
        out.append(escape(f"PARTIAL: {meta['partial']}"))
    return "\n".join(out).rstrip("\n")


@register(
    MARKDOWN,
    kinds=("summary",),
    raw=True,
    refuses=(FIELDS,),
    about="the weekly report's block in Markdown",
)
def markdown(table: Table) -> str:
    """The block as Markdown (GitHub's and CommonMark's tables)."""
    return _block(
        table,
        _md,
        lambda text: f"### {text}",
        lambda text: f"- {text}",
        lambda names: [f"| {' | '.join(names)} |", f"|{'---|' * len(names)}"],
        lambda cells: f"| {' | '.join(cells)} |",
    )


@register(TWIKI, kinds=("summary",), raw=True, refuses=(FIELDS,), about="the same in TWiki markup")
def twiki(table: Table) -> str:
    """The block as TWiki markup (CMS's weekly reports' wiki)."""
    return _block(
        table,
        _tw,
        lambda text: f"---+++ {text}",
        lambda text: f"   * {text}",
        lambda names: [f"| {' | '.join(f'*{n}*' for n in names)} |"],
        lambda cells: f"| {' | '.join(cells)} |",
    )
