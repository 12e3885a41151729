"""What every command that prints rows shares: writing a Table as the output options say,
warnings on stderr, and the partial-answer rule. It reads no source, so a command that
prints the config alone (`cecap stances`) imports only this."""

from __future__ import annotations

import dataclasses
import os
import sys
from typing import TYPE_CHECKING

import click

from ..errors import EXIT_OK, EXIT_UNAVAILABLE
from ..formats import find
from ..rows.table import DEFAULT_WIDTH, Table
from ..text import visible
from .options import OutputOptions, check_fields, check_refused

if TYPE_CHECKING:
    from ..model.glue import GlueModel


def warn(message: str) -> None:
    # Warnings quote what a server or a file said: shown escaped, as every output is.
    click.echo(f"cecap: warning: {visible(message)}", err=True)


def shape(table: Table, output: OutputOptions) -> Table:
    """``table`` as --fields and --no-header chose it, for the terminal's width ($COLUMNS,
    else the terminal's, else 80 when the output is no terminal)."""
    if output.fields:
        check_fields(output.fields, table.fields)
        table = table.choose(output.fields)
    return dataclasses.replace(table, header=output.header, width=terminal_width())


def terminal_width() -> int:
    """$COLUMNS, else the width of the terminal on stdout, else DEFAULT_WIDTH: the columns
    of shutil.get_terminal_size, without importing shutil (and the compression modules it
    imports) into every command that prints rows."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    stdout = sys.__stdout__
    if stdout is None:
        return DEFAULT_WIDTH
    try:
        return os.get_terminal_size(stdout.fileno()).columns or DEFAULT_WIDTH
    except (ValueError, OSError):  # stdout closed, detached, or no terminal
        return DEFAULT_WIDTH


def emit(
    table: Table,
    output: OutputOptions,
    model: GlueModel | None = None,
    allow_partial: bool = False,
) -> int:
    """Print ``table`` in the chosen format (one for every Table, or the Table's kind's
    own); a partial answer exits 3 unless ``allow_partial``."""
    fmt = find(output.fmt, table.kind)
    check_refused(fmt, output)
    shaped = shape(table, output)
    for message in fmt.warnings(shaped) if fmt.warnings else ():
        warn(message)
    wrote = False
    # Written piece by piece as the format makes them (rows as they come, for the formats
    # for scripts): the whole document is never held.
    for text in fmt.pieces(shaped):
        if text:
            click.echo(text, nl=False)
            wrote = True
    # Nothing to print is no line at all: `while read` must see no empty key.
    if wrote:
        click.echo("")
    return partial_exit(model, allow_partial)


def partial_exit(model: GlueModel | None, allow_partial: bool) -> int:
    """After the output: a partial answer is a warning, and exit 3 unless allowed."""
    if model is not None and model.partial:
        warn(f"{model.origin}: partial answer: {model.partial}")
        return EXIT_OK if allow_partial else EXIT_UNAVAILABLE
    return EXIT_OK
