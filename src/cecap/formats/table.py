"""The terminal table: every row on one line with its identifier, in the terminal's width.

A Table's ``compact`` columns are shown in order. Columns that stay (spill 0: the CE, the
DN, the site, the verdict) are always on the row's line; when the width (``Table.width``,
the terminal's) is too small for every column, the others move into the row's numbered
note below the table, spill 1 first, until the row fits. With --fields only the first
column named stays whatever the width, and what spills is always the last ones named.
Only when the columns that stay do not fit by themselves does the widest of them wrap
(after commas, slashes and blanks first).
Long fields (``note_fields``: reasons, messages, fixes) are always notes.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator, Sequence

from ..rows.table import Column, Lines, Table
from .registry import footer, register, table_cell

SEP = "  "
# A column that must wrap keeps at least this many characters a line.
MIN_WRAP = 10
# Where a cell may wrap, best first: after a comma, a slash or a blank; then after an
# equals sign or a colon; then after a dot or a hyphen.
_BREAKS = (re.compile(r"(?<=[,/\s])"), re.compile(r"(?<=[=:])"), re.compile(r"(?<=[.-])"))
# A DN in a note's text (one that ends in o=grid or o=glue, as the BDII's do): kept on one
# line there, blanks in its values included, so it can be pasted.
_DN = re.compile(r"(?:[A-Za-z][\w-]*=[^,=\n]*,)+[oO]=(?:grid|glue)\b")
# Stands for a DN's blank while a note is wrapped: values are escaped before, so no value
# holds a NUL of its own.
_NBSP = "\x00"


@register("table", lines=True, about="fits the terminal: $COLUMNS, else its width, else 80")
def render_table(table: Table) -> str:
    out: list[str] = []
    title = table.meta.get("title")
    if title:
        out.append(str(title))
    if table.rows:
        out.extend(_grid(table))
    else:
        out.append(f"no {table.meta.get('empty', 'rows')}")
    out.extend(footer(table))
    return "\n".join(out)


def _grid(table: Table) -> list[str]:
    cells = {
        c.field: [str(table_cell(row.get(c.field))) for row in table.rows] for c in table.compact
    }
    widths = {
        c.field: max([len(c.header) if table.header else 0, *map(len, cells[c.field])])
        for c in table.compact
    }
    long_text = [
        [
            v if isinstance(v := row[f], str) else str(v)
            for f in table.note_fields
            if row.get(f) not in (None, "")
        ]
        for row in table.rows
    ]
    number_width = len(str(len(table.rows)))
    shown = _fit(table.compact, widths, table.width, number_width, any(long_text), table.named)
    spilled = [c for c in table.compact if c not in shown]
    notes = [
        ([SEP.join(f"{c.header}: {cells[c.field][i]}" for c in spilled)] if spilled else []) + texts
        for i, texts in enumerate(long_text)
    ]
    numbered = any(notes)
    heads = [c.header for c in shown]
    columns = [cells[c.field] for c in shown]
    sizes = [widths[c.field] for c in shown]
    if numbered:
        count = iter(range(1, len(notes) + 1))
        heads = ["#", *heads]
        columns = [[str(next(count)) if note else "" for note in notes], *columns]
        sizes = [max(1, len(str(sum(map(bool, notes))))), *sizes]
    sizes = _wrapped(sizes, table.width)
    out = []
    if table.header:
        out.append(_line(heads, sizes))
        out.append(SEP.join("-" * size for size in sizes))
    for values in zip(*columns, strict=True):
        parts = [_wrap(value, size) for value, size in zip(values, sizes, strict=True)]
        for n in range(max(map(len, parts))):
            out.append(_line([p[n] if n < len(p) else "" for p in parts], sizes))
    if numbered:
        out.append("")
        out.extend(_notes([note for note in notes if note], table.width))
    return out


def _fit(
    columns: Sequence[Column],
    widths: dict[str, int],
    width: int,
    number_width: int,
    noted: bool,
    strict: bool = False,
) -> list[Column]:
    """The columns that stay on the row's line, in order: all of them if they fit in
    ``width``, else without the spilling ones, lowest spill first, until they fit. Then
    the room left takes back spilled columns that fit, unless ``strict`` (columns --fields
    named): there the spilled ones stay exactly those of lowest spill, so a narrow column
    named late never stays while a wider one named before it spills."""
    kept = list(columns)

    def used() -> int:
        total = sum(widths[c.field] for c in kept) + len(SEP) * (len(kept) - 1)
        # Spilling makes notes, and the notes a "#" column.
        if noted or len(kept) < len(columns):
            total += number_width + len(SEP)
        return total

    spilled = []
    for column in sorted((c for c in columns if c.spill), key=lambda c: c.spill):
        if used() <= width or len(kept) == 1:
            break
        kept.remove(column)
        spilled.append(column)
    # What room is left takes back the spilled columns that fit, the last spilled first.
    for column in reversed(spilled):
        kept.append(column)
        if used() > width:
            kept.remove(column)
            if strict:
                break
    return [c for c in columns if c in kept]


def _wrapped(sizes: list[int], width: int) -> list[int]:
    """``sizes`` with the widest column narrowed so the row fits ``width``, if it can."""
    over = sum(sizes) + len(SEP) * (len(sizes) - 1) - width
    if over <= 0:
        return sizes
    widest = max(range(len(sizes)), key=lambda i: sizes[i])
    narrowed = list(sizes)
    narrowed[widest] = max(MIN_WRAP, sizes[widest] - over)
    return narrowed


def _wrap(text: str, size: int) -> list[str]:
    """``text`` in lines of at most ``size``, broken after a comma, a slash or a blank where
    it can (a DN wraps at its RDNs, a CE ID after its port); a piece still too long breaks
    after an equals sign or a colon, then after a dot or a hyphen, and only then anywhere.
    Linear in the text's length, however long."""
    if len(text) <= size:
        return [text]
    lines: list[str] = []
    line = ""
    for piece in _pieces(text, size, 0):
        if line and len(line) + len(piece) > size:
            lines.append(line.rstrip())
            line = ""
        line += piece
    if line:
        lines.append(line.rstrip())
    return lines


def _pieces(text: str, size: int, level: int) -> Iterator[str]:
    """``text`` cut after the break characters of ``level`` (finer ones only in a part
    still longer than ``size``), every piece at most ``size`` long."""
    if len(text) <= size:
        yield text
    elif level == len(_BREAKS):
        yield from (text[at : at + size] for at in range(0, len(text), size))
    else:
        for part in _BREAKS[level].split(text):
            yield from _pieces(part, size, level + 1)


def _line(values: Sequence[str], sizes: Sequence[int]) -> str:
    return SEP.join(v.ljust(s) for v, s in zip(values, sizes, strict=True)).rstrip()


def _notes(notes: list[list[str]], width: int) -> list[str]:
    out = []
    for number, note in enumerate(notes, start=1):
        prefix = f"{number:>3}. "
        for value in note:
            if isinstance(value, Lines):
                # An LDIF record: each line as it is, never wrapped, so it can be pasted.
                for text in value.split("\n"):
                    out.append(f"{prefix}{text}".rstrip())
                    prefix = "     "
                continue
            for text in value.split("\n"):
                out.append(_fill(text, width, prefix))
                prefix = "     "
    return out


def _fill(text: str, width: int, prefix: str) -> str:
    """``text`` wrapped at blanks only: a word longer than the line (a DN, a CE ID) stays
    whole on a line of its own, and a DN's blanks do not break it."""
    kept = _DN.sub(lambda found: found.group().replace(" ", _NBSP), text) if "=" in text else text
    filled = textwrap.fill(
        kept,
        width=max(width - 1, MIN_WRAP + 5),
        initial_indent=prefix,
        subsequent_indent="     ",
        break_on_hyphens=False,
        break_long_words=False,
    )
    return filled.replace(_NBSP, " ") if kept is not text else filled
