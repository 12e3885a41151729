"""One Table type: rows plus what formats need to show them."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

Row = dict[str, Any]

# The terminal table's width when nothing says otherwise (a pipe, a cron job).
DEFAULT_WIDTH = 80


class Column(NamedTuple):
    """A column of the terminal table."""

    field: str
    header: str
    # 0: the column stays on the row's line whatever the width (the row's identifier, its
    # verdict). 1, 2, ...: when the terminal is too narrow for every column, the column
    # moves into the row's note below the table, 1 first.
    spill: int = 0


@dataclass(frozen=True)
class Table:
    """Rows plus what formats need to show them: field order, the row's key, the terminal
    layout, and the output choices (header, width) the command was given."""

    kind: str
    fields: tuple[str, ...]
    rows: list[Row]
    # The terminal table's columns, in the order shown.
    compact: tuple[Column, ...]
    # Long fields always shown under the terminal table, in the row's numbered note.
    note_fields: tuple[str, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
    # The fields that name a row, all that --format lines prints (empty: the first field).
    key: tuple[str, ...] = ()
    # Whether formats that have a header line print it (--no-header).
    header: bool = True
    # The terminal table's width in characters.
    width: int = DEFAULT_WIDTH
    # The columns are those --fields named, in its order, which is the order of what
    # matters: when the terminal is narrow only a suffix of them spills, never a column
    # named before one that stays (see choose).
    named: bool = False
    # What a command's own formats read besides the rows (the VO feed's VOs, the findings
    # whose fixes the audit's LDIF merges, ...): no format for every Table writes it.
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A Table is built by cecap's own code: a name outside ``fields`` is a bug.
        named = {c.field for c in self.compact} | set(self.note_fields) | set(self.key)
        unknown = named - set(self.fields)
        if unknown:
            raise ValueError(f"{self.kind}: not among the fields: {sorted(unknown)}")

    @property
    def key_fields(self) -> tuple[str, ...]:
        return self.key or self.fields[:1]

    def choose(self, names: Sequence[str]) -> Table:
        """The table with only the fields ``names`` (all of them fields), in that order:
        they are also its key, and its terminal columns. The order says what matters: the
        first column named always stays on the row's line, and when the terminal is narrow
        the columns spill into the row's note from the last named, so the columns that
        stay are always the first ones named (a column that stays in the command's own
        layout, the verdict, spills too when named after one that spills); a note field
        stays a note."""
        columns = {c.field: c for c in self.compact}
        shown = [n for n in names if n not in self.note_fields]
        compact = []
        for place, name in enumerate(shown):
            own = columns.get(name)
            header = own.header if own else name
            compact.append(Column(name, header, len(shown) - place if place else 0))
        notes = tuple(n for n in names if n in self.note_fields)
        if not compact:
            # Only long fields chosen: they are the columns (the widest wraps).
            compact, notes = [Column(n, n) for n in names], ()
        return dataclasses.replace(
            self,
            fields=tuple(names),
            compact=tuple(compact),
            note_fields=notes,
            key=tuple(names),
            named=True,
        )


class Lines(str):
    """A value of several lines that cecap composed (an LDIF change record), not one a site
    published: the terminal table shows each line on a line of its own, each escaped; every
    other format shows it as one value (its newlines escaped, in JSON the JSON way)."""

    __slots__ = ()


class Summarized(str):
    """A value told two ways: the text for people (the terminal table, CSV, ...) and
    ``doc``, the same as a JSON object for scripts."""

    doc: dict[str, Any]

    def __new__(cls, text: str, doc: dict[str, Any]) -> Summarized:
        value = super().__new__(cls, text)
        value.doc = doc
        return value
