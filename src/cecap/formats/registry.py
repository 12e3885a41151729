"""The registry of formats, and the spellings of a value they share.

A format is a function ``Table -> str``, or, for one that can write rows as they come
(``register_stream``: json, csv, tsv, lines), ``Table -> Iterator[str]``: the text in
pieces that joined are the document, so no whole output document is ever held in memory.

Most formats write any Table (``FORMATS``). A format that only one kind of Table has (a
command's own: the VO feed of ``testlist``, the audit's LDIF, the Nagios output of
``check``) is registered with ``kinds``; it reads the rows and, where the document it
writes needs more, the Table's ``extra``. A command offers its Tables' own formats and the
formats for every Table it names (cli.options.output_options); its --format help lists
them from here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..rows.table import Table
from .escape import escaped

Formatter = Callable[[Table], str]
Streamer = Callable[[Table], Iterator[str]]

# The output options a format may have no use for.
FIELDS, NO_HEADER = "--fields", "--no-header"


@dataclass(frozen=True)
class Format:
    """One way of writing a Table: its name, what --help says of it (``about``), the whole
    text (``render``) or the same in pieces (``stream``), the output options it refuses
    (a document of a fixed shape for another program has every field and no header line),
    and warnings about what it leaves out, said on stderr before it is written."""

    name: str
    render: Formatter
    about: str = ""
    stream: Streamer | None = None
    refuses: tuple[str, ...] = ()
    warnings: Callable[[Table], Iterable[str]] | None = None

    def pieces(self, table: Table) -> Iterator[str]:
        """The text in pieces (one piece for a format that needs every row before it can
        write the first, such as the terminal table)."""
        if self.stream is not None:
            return self.stream(table)
        return iter((self.render(table),))


# The formats for every Table registered so far: cecap's own from the start, tabulate's
# once cecap.formats.every_format has loaded them (ask it, not this, for every name).
FORMATS: dict[str, Format] = {}
# The formats that write row by row, by name; each is in FORMATS too.
STREAMS: dict[str, Streamer] = {}
# The formats only one kind of Table has: kind -> name -> format, in registration order.
OWN: dict[str, dict[str, Format]] = {}


def register(
    name: str,
    *,
    about: str = "",
    raw: bool = False,
    lines: bool = False,
    kinds: Sequence[str] = (),
    refuses: Sequence[str] = (),
    warnings: Callable[[Table], Iterable[str]] | None = None,
) -> Callable[[Formatter], Formatter]:
    """Register a format; it is given the Table escaped (see .escape) unless ``raw``, for a
    format that escapes values its own way (JSON, XML, LDIF); ``lines``: it shows a
    ``Lines`` value line by line. ``kinds``: the kinds of Table that have it (none: every
    Table); ``refuses``: FIELDS and NO_HEADER, when they do not apply to it."""

    def wrap(func: Formatter) -> Formatter:
        render = func if raw else _escaping(func, lines)
        found = Format(name, render, about, refuses=tuple(refuses), warnings=warnings)
        for kind in kinds:
            OWN.setdefault(kind, {})[name] = found
        if not kinds:
            FORMATS[name] = found
        return render

    return wrap


def _escaping(func: Formatter, lines: bool) -> Formatter:
    @functools.wraps(func)
    def render(table: Table) -> str:
        return func(escaped(table, lines))

    return render


def register_stream(name: str, *, about: str = "") -> Callable[[Streamer], Streamer]:
    """Register a format for every Table that writes its rows as they come; it escapes
    each value itself (see .escape.shown), row by row, instead of being given an escaped
    copy of the Table."""

    def wrap(func: Streamer) -> Streamer:
        STREAMS[name] = func
        FORMATS[name] = Format(name, lambda table: "".join(func(table)), about, func)
        return func

    return wrap


def own_formats(kinds: Sequence[str]) -> dict[str, Format]:
    """The formats only these kinds of Table have, by name, in registration order."""
    found: dict[str, Format] = {}
    for kind in kinds:
        for name, fmt in OWN.get(kind, {}).items():
            found.setdefault(name, fmt)
    return found


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
