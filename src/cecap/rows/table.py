"""One Table type: rows plus what formats need to show them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]


@dataclass(frozen=True)
class Table:
    """Rows plus what formats need to show them: field order and the terminal layout."""

    kind: str
    fields: tuple[str, ...]
    rows: list[Row]
    # (field, header, max width) for the 80-column terminal table.
    compact: tuple[tuple[str, str, int], ...]
    # Long fields shown under the terminal table, one numbered note per row, instead of
    # in columns that would not fit 80 characters.
    note_fields: tuple[str, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
