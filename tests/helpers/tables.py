"""The rows of cecap's terminal table read back, for tests that check what each row shows."""

from __future__ import annotations

import re
from dataclasses import dataclass


def table_rows(out: str) -> list[str]:
    """The rows of a terminal table (after the header and its dashes, up to the notes), a
    row whose cells wrap joined back: each column's pieces, by the dashes' spans, then the
    cells separated by two blanks."""
    grid = read_grid(out)
    rows: list[list[str]] = []
    # A row's wrapped lines have one cell each (the column that wraps), besides no number.
    first = 1 if grid.numbered else 0
    for cells in grid.lines:
        if sum(map(bool, cells[first:])) > 1 or not rows:
            rows.append(cells)
        else:
            rows[-1] = [old + new for old, new in zip(rows[-1], cells, strict=True)]
    return ["  ".join(cells).rstrip() for cells in rows]


@dataclass(frozen=True)
class Grid:
    """A terminal table read back: its header's cells, each line under the dashes cut into
    cells by the dashes' spans (a wrapped row is several lines), and the numbered notes,
    each note's lines joined with single blanks."""

    headers: list[str]
    lines: list[list[str]]
    notes: dict[int, str]
    # The header, the dashes and the lines under them, as printed.
    text: list[str]

    @property
    def numbered(self) -> bool:
        return self.headers[:1] == ["#"]


def read_grid(out: str) -> Grid:
    lines = out.splitlines()
    dashes = next(i for i, line in enumerate(lines) if re.fullmatch(r"-+(  -+)*", line))
    spans = [m.span() for m in re.finditer(r"-+", lines[dashes])]

    def cut(line: str) -> list[str]:
        return [
            line[a : b if n < len(spans) - 1 else None].strip() for n, (a, b) in enumerate(spans)
        ]

    end = lines.index("", dashes + 1) if "" in lines[dashes + 1 :] else len(lines)
    notes: dict[int, list[str]] = {}
    number = 0
    for line in lines[end + 1 :]:
        # A note's first line starts with its number, right-aligned in 3; the others
        # with 5 blanks.
        found = re.match(r" *(\d+)\. (.*)", line)
        if line.startswith("     ") and number:
            notes[number].append(line.strip())
        elif found:
            number = int(found.group(1))
            notes[number] = [found.group(2)]
    return Grid(
        cut(lines[dashes - 1]),
        [cut(line) for line in lines[dashes + 1 : end]],
        {n: " ".join(parts) for n, parts in notes.items()},
        lines[dashes - 1 : end],
    )
