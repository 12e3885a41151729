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

import functools
import io
import itertools
from collections.abc import Callable, Iterable, Iterator

from ..rows.table import Row, Summarized, Table
from .escape import json_text, shown
from .registry import footer, raw_cell, register_stream

# Rows are written in batches of this many: few enough pieces that writing them costs
# nothing, small enough that no batch holds much of a large answer.
BATCH = 500


def _batches(texts: Iterable[str], sep: str = "\n") -> Iterator[str]:
    batch: list[str] = []
    for text in texts:
        batch.append(text)
        if len(batch) >= BATCH:
            yield sep.join(batch)
            batch = []
    if batch:
        yield sep.join(batch)


def _joined(texts: Iterable[str], sep: str = "\n") -> Iterator[str]:
    """``sep.join(texts)``, in pieces."""
    first = True
    for batch in _batches(texts, sep):
        yield batch if first else sep + batch
        first = False


def render_json(table: Table) -> Iterator[str]:
    # The document is json.dumps(doc, indent=2) of this dict with "rows" last: its head,
    # then each row dumped alone and indented to its depth, gives the same bytes.
    head = {
        "kind": table.kind,
        **{k: v for k, v in table.meta.items() if k not in ("title", "empty", "partial")},
        "partial": bool(table.meta.get("partial")),
        "partial_reason": table.meta.get("partial") or None,
        "fields": list(table.fields),
    }
    _, indented, _ = _encoders()
    text = indented(head)
    if not table.rows:
        yield json_text(text[: -len("\n}")] + ',\n  "rows": []\n}')
        return
    yield json_text(text[: -len("\n}")] + ',\n  "rows": [\n')
    keys = _json_keys(table.fields)
    rows = (_json_row(row, keys) for row in table.rows)
    for piece in _joined(rows, ",\n"):
        yield json_text(piece)
    yield "\n  ]\n}"


Encode = Callable[[object], str]


@functools.cache
def _encoders() -> tuple[Encode, Encode, Callable[[str], str]]:
    """JSON on one line, indented as json.dumps(indent=2) writes it, and of one string. The
    json module is imported when JSON is first written: the other formats have no use for
    it."""
    import json
    import json.encoder

    return (
        json.JSONEncoder(ensure_ascii=False).encode,
        json.JSONEncoder(indent=2, ensure_ascii=False).encode,
        json.encoder.encode_basestring,  # what JSONEncoder.encode does with a str, in C
    )


def _json_keys(fields: Iterable[str]) -> list[tuple[str, str]]:
    """Each field with the start of its line in a row: indented, its name encoded."""
    one_line, _, _ = _encoders()
    return [(name, f"      {one_line(name)}: ") for name in fields]


# json.dumps with indent= encodes in Python; without, in C. A row's fields are written one
# per line as indent=2 would, each value encoded alone: a string, a bool, None or an int
# as the encoder spells it (JSONEncoder.encode would set up a C encoder for each but a
# string), anything else by the C encoder, unless it is a non-empty list or mapping,
# which keeps its own indented layout.
def _json_row(row: Row, keys: list[tuple[str, str]]) -> str:
    """``json.dumps(row, indent=2)`` indented one level deeper (the rows list's), for the
    fields of ``keys`` (_json_keys)."""
    one_line, indented, string = _encoders()
    lines = []
    for name, start in keys:
        value = _json_value(row.get(name))
        if isinstance(value, str):
            text = string(value)
        elif value is None:
            text = "null"
        elif isinstance(value, bool):
            text = "true" if value else "false"
        elif type(value) is int:
            text = int.__repr__(value)
        elif isinstance(value, (dict, list, tuple)) and value:
            text = indented(value).replace("\n", "\n      ")
        else:
            text = one_line(value)
        lines.append(start + text)
    if not lines:
        return "    {}"
    return "    {\n" + ",\n".join(lines) + "\n    }"


def _json_value(value: object) -> object:
    return value.doc if isinstance(value, Summarized) else value


def _cells(table: Table, row: Row, fields: tuple[str, ...]) -> list[str]:
    # Escaped here, row by row, as register escapes a whole Table for the other formats.
    return [raw_cell(shown(row.get(f))) for f in fields]


def _records(table: Table) -> Iterator[list[str]]:
    if table.header:
        yield list(table.fields)
    for row in table.rows:
        yield _cells(table, row, table.fields)


def _with_footer(lines: Iterable[str], table: Table) -> Iterator[str]:
    # A partial result must not pass for a complete one, even in CSV and TSV.
    notes = [f"# {shown(line)}" for line in footer(table)]
    return _joined(itertools.chain(lines, notes))


def _csv_lines(records: Iterable[list[str]]) -> Iterator[str]:
    import csv  # imported when CSV is written: the other formats have no use for it

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for record in records:
        buf.seek(0)
        buf.truncate()
        writer.writerow(record)
        yield buf.getvalue()[:-1]


def render_csv(table: Table) -> Iterator[str]:
    return _with_footer(_csv_lines(_records(table)), table)


def render_tsv(table: Table) -> Iterator[str]:
    # Escaped values hold no tab or newline: a plain join is the whole TSV syntax.
    return _with_footer(("\t".join(record) for record in _records(table)), table)


def render_lines(table: Table) -> Iterator[str]:
    return _joined("\t".join(_cells(table, row, table.key_fields)) for row in table.rows)


# In the order --format's help names them, after the terminal table.
register_stream("lines", about="each row's key alone")(render_lines)
register_stream("tsv")(render_tsv)
register_stream("csv")(render_csv)
register_stream("json")(render_json)
