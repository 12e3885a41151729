"""The formats for scripts: JSON, CSV, TSV, and lines (each row's key alone).

CSV and TSV spell values raw (true and false, an empty cell for none); their only
additions to the rows are the header line (unless --no-header) and, for a partial answer,
a last ``# PARTIAL: ...`` line. ``lines`` prints the key fields of each row and nothing
else, tab-separated, so that ``while read`` and ``comm`` see only keys: a partial answer
is said on stderr and in the exit code, never in the output.

Values are escaped as in every format (see .escape): a tab or a newline inside a value
shows as ``\\x09`` or ``\\x0a``, so each row stays one line and its columns stay where
``cut -f`` and ``awk -F'\\t'`` look.
"""

from __future__ import annotations

import csv
import io
import json

from ..rows.table import Summarized, Table
from .escape import json_text
from .registry import footer, raw_cell, register


@register("json", raw=True)
def render_json(table: Table) -> str:
    doc = {
        "kind": table.kind,
        **{k: v for k, v in table.meta.items() if k not in ("title", "empty", "partial")},
        "partial": bool(table.meta.get("partial")),
        "partial_reason": table.meta.get("partial") or None,
        "fields": list(table.fields),
        "rows": [{f: _json_value(row.get(f)) for f in table.fields} for row in table.rows],
    }
    return json_text(json.dumps(doc, indent=2, ensure_ascii=False))


def _json_value(value: object) -> object:
    return value.doc if isinstance(value, Summarized) else value


def _records(table: Table) -> list[list[str]]:
    head = [list(table.fields)] if table.header else []
    return head + [[raw_cell(row.get(f)) for f in table.fields] for row in table.rows]


def _with_footer(text: str, table: Table) -> str:
    # A partial result must not pass for a complete one, even in CSV and TSV.
    return "\n".join([*([text] if text else []), *(f"# {line}" for line in footer(table))])


@register("csv")
def render_csv(table: Table) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(_records(table))
    return _with_footer(buf.getvalue().rstrip("\n"), table)


@register("tsv")
def render_tsv(table: Table) -> str:
    # Escaped values hold no tab or newline: a plain join is the whole TSV syntax.
    text = "\n".join("\t".join(record) for record in _records(table))
    return _with_footer(text, table)


@register("lines")
def render_lines(table: Table) -> str:
    return "\n".join(
        "\t".join(raw_cell(row.get(f)) for f in table.key_fields) for row in table.rows
    )
