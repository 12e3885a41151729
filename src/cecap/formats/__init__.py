"""Format step: write a Table as a terminal table, lines, TSV, CSV, JSON or any tabulate
format, all from the same rows; and the documents one command writes for another program
or person (the VO feed, the audit's LDIF, the factory configuration, the Nagios output,
explain's blocks, the history's timeline), each a format of that command's Table.

Published values are untrusted. Every registered format gets the Table through
``escape.escaped`` first (register does it) unless it escapes them its own way (JSON,
XML, LDIF), so each cell, title and note it prints has its control and bidi characters
escaped and visible.

``registry`` holds the registry; ``table`` the terminal table, ``machine`` the formats for
scripts (json, csv, tsv, lines), ``tabulated`` every other tabulate format, imported only
when one of them is asked for (``every_format``). A command's own formats are in a module
each, imported by the command that offers them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ..rows.table import Table

# Each registers its formats: the terminal table first, as --format's help names it first.
from . import table as _terminal  # noqa: F401

# isort: split
from . import machine as _machine  # noqa: F401
from .registry import FORMATS, OWN, STREAMS, Format, Formatter, register, register_stream

# The formats cecap writes itself for every Table (table, lines, tsv, csv, json): their
# names are known without importing tabulate.
CECAP_FORMATS: tuple[str, ...] = tuple(FORMATS)


def every_format() -> Mapping[str, Format]:
    """Every format for any Table by name, tabulate's too.

    cecap's own formats are registered when this package is imported; tabulate's only
    here, the first time one is asked for or every name is listed: importing tabulate
    (and the importlib.metadata it imports) takes longer than the rest of a quick command
    such as ``cecap stances``.
    """
    from . import tabulated  # noqa: F401  (registers every tabulate format on import)

    return FORMATS


def find(name: str, kind: str = "") -> Format:
    """The format called ``name`` for a Table of this kind: the kind's own, else one for
    every Table (cecap's, else tabulate's); KeyError when there is none."""
    own = OWN.get(kind, {}).get(name)
    if own is not None:
        return own
    found = FORMATS.get(name)
    return found if found is not None else every_format()[name]


def render(name: str, table: Table) -> str:
    return find(name, table.kind).render(table)


def pieces(name: str, table: Table) -> Iterator[str]:
    """The text of ``table`` in format ``name``, in pieces (see Format.pieces)."""
    return find(name, table.kind).pieces(table)


def format_names() -> list[str]:
    """The name of every format for any Table, sorted, tabulate's too (this imports
    tabulate)."""
    return sorted(every_format())


__all__ = [
    "CECAP_FORMATS",
    "STREAMS",
    "Format",
    "Formatter",
    "every_format",
    "find",
    "format_names",
    "pieces",
    "register",
    "register_stream",
    "render",
]
