"""Format step: render a Table as a terminal table, lines, TSV, CSV, JSON or any tabulate
format, all from the same rows.

Published values are untrusted. Every registered format but JSON gets the Table through
``escape.escaped`` first (register does it), so each cell, title and note it prints has its
control and bidi characters escaped and visible; JSON escapes them the JSON way.

``registry`` holds the registry; ``table`` the terminal table, ``machine`` the formats for
scripts (json, csv, tsv, lines), ``tabulated`` every other tabulate format, imported only
when one of them is asked for (``every_format``).
"""

from __future__ import annotations

from . import machine, table  # noqa: F401  (each registers its formats)
from .registry import (
    FORMATS,
    STREAMS,
    Formatter,
    every_format,
    formatter,
    pieces,
    register,
    register_stream,
    render,
)

# cecap's own formats (table, lines, tsv, csv, json): their names are known without
# importing tabulate.
OWN_FORMATS: tuple[str, ...] = tuple(sorted(FORMATS))


def format_names() -> list[str]:
    """Every format's name, sorted, tabulate's too (this imports tabulate)."""
    return sorted(every_format())


__all__ = [
    "OWN_FORMATS",
    "STREAMS",
    "Formatter",
    "every_format",
    "format_names",
    "formatter",
    "pieces",
    "register",
    "register_stream",
    "render",
]
