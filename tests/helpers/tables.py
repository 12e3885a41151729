"""The rows of cecap's terminal table read back, for tests that check what each row shows."""

from __future__ import annotations

import re


def table_rows(out: str) -> list[str]:
    """The rows of a terminal table (after the header and its dashes, up to the notes), a
    row whose cells wrap joined back: each column's pieces, by the dashes' spans, then the
    cells separated by two blanks."""
    lines = out.splitlines()
    dashes = next(i for i, line in enumerate(lines) if line.startswith("-"))
    spans = [m.span() for m in re.finditer(r"-+", lines[dashes])]
    end = lines.index("", dashes + 1) if "" in lines[dashes + 1 :] else len(lines)
    rows: list[list[str]] = []
    # A row's wrapped lines have one cell each (the column that wraps), besides no number.
    first = 1 if lines[dashes - 1].startswith("#") else 0
    for line in lines[dashes + 1 : end]:
        cells = [
            line[a : b if n < len(spans) - 1 else None].strip() for n, (a, b) in enumerate(spans)
        ]
        if sum(map(bool, cells[first:])) > 1 or not rows:
            rows.append(cells)
        else:
            rows[-1] = [old + new for old, new in zip(rows[-1], cells, strict=True)]
    return ["  ".join(cells).rstrip() for cells in rows]
