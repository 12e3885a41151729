"""The registry of formats, and the spellings of a value they share.

A format is a function ``Table -> str``, or, for one that can write rows as they come
(``stream=True``: json, csv, tsv, lines), ``Table -> Iterator[str]``: the text in pieces
that joined are the document, so no whole output document is ever held in memory.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

from ..rows.table import Table
from .escape import escaped

Formatter = Callable[[Table], str]
Streamer = Callable[[Table], Iterator[str]]
# The formats registered so far: cecap's own from the start, tabulate's once
# cecap.formats.every_format has loaded them (ask it, not this, for every name).
FORMATS: dict[str, Formatter] = {}
# The formats that write row by row, by name; each is in FORMATS too, joined.
STREAMS: dict[str, Streamer] = {}


def register(
    name: str, *, raw: bool = False, lines: bool = False
) -> Callable[[Formatter], Formatter]:
    """Register a format; it is given the Table escaped (see .escape) unless ``raw``, for a
    format that escapes values its own way (JSON); ``lines``: it shows a ``Lines`` value
    line by line."""

    def wrap(func: Formatter) -> Formatter:
        FORMATS[name] = func if raw else _escaping(func, lines)
        return FORMATS[name]

    return wrap


def _escaping(func: Formatter, lines: bool) -> Formatter:
    @functools.wraps(func)
    def render(table: Table) -> str:
        return func(escaped(table, lines))

    return render


def register_stream(name: str) -> Callable[[Streamer], Streamer]:
    """Register a format that writes its rows as they come; it escapes each value itself
    (see .escape.shown), row by row, instead of being given an escaped copy of the Table."""

    def wrap(func: Streamer) -> Streamer:
        STREAMS[name] = func
        FORMATS[name] = lambda table: "".join(func(table))
        return func

    return wrap


def table_cell(value: Any) -> Any:
    """A value as tables spell it, for people: ``-`` for none, yes and no."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def raw_cell(value: Any) -> str:
    """A value as the machine formats spell it: empty for none, true and false (as JSON)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def footer(table: Table) -> list[str]:
    """cecap's own lines after the rows: a partial answer must not pass for a whole one."""
    partial = table.meta.get("partial")
    return [f"PARTIAL: {partial}"] if partial else []
