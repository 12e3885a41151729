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

from collections.abc import Iterator, Mapping

from ..rows.table import Table
from . import machine as _machine  # noqa: F401  (each registers its formats)
from . import table as _terminal  # noqa: F401
from .registry import FORMATS, STREAMS, Formatter, register, register_stream

# cecap's own formats (table, lines, tsv, csv, json): their names are known without
# importing tabulate.
OWN_FORMATS: tuple[str, ...] = tuple(sorted(FORMATS))


def every_format() -> Mapping[str, Formatter]:
    """Every format by name, tabulate's too.

    cecap's own formats are registered when this package is imported; tabulate's only
    here, the first time one is asked for or every name is listed: importing tabulate
    (and the importlib.metadata it imports) takes longer than the rest of a quick command
    such as ``cecap stances``.
    """
    from . import tabulated  # noqa: F401  (registers every tabulate format on import)

    return FORMATS


def formatter(name: str) -> Formatter:
    """The format called ``name``: one of cecap's own, else one of tabulate's."""
    found = FORMATS.get(name)
    return found if found is not None else every_format()[name]


def render(name: str, table: Table) -> str:
    return formatter(name)(table)


def pieces(name: str, table: Table) -> Iterator[str]:
    """The text of ``table`` in format ``name``, in pieces (one piece for a format that
    needs every row before it can write the first, such as the terminal table)."""
    stream = STREAMS.get(name)
    if stream is not None:
        return stream(table)
    return iter((formatter(name)(table),))


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
