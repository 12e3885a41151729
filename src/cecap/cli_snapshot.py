"""The snapshot command: save what cecap reads from a BDII as an LDIF file."""

from __future__ import annotations

from pathlib import Path

import click

from .cli import cli, debug_option, read_first, source_options, warn
from .errors import EXIT_OK, SourceUnavailable
from .snapshot import SNAPSHOT_WANTED, write_snapshot
from .source import Entry, Reader


@cli.command()
@source_options
@click.option(
    "--output",
    "-o",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="LDIF file to write (gzip when it ends in .gz); replaced atomically.",
)
@debug_option
def snapshot(bdii: tuple[str, ...], allow_partial: bool, output: Path, debug: bool) -> int:
    """Save the entries and attributes cecap reads as an LDIF snapshot.

    The file is what `cecap report --bdii FILE` reads, and `ldapadd -c` loads it into a
    BDII. A partial answer is not written unless --allow-partial (then the file says so).
    """

    def fetch(reader: Reader) -> tuple[list[Entry], str | None, str]:
        entries = list(reader.entries())
        return entries, reader.partial, reader.origin

    entries, partial, origin = read_first(bdii, fetch, wanted=SNAPSHOT_WANTED)
    if partial and not allow_partial:
        raise SourceUnavailable(
            f"{origin}: partial answer: {partial}; no snapshot written"
            " (--allow-partial writes it, marked partial)"
        )
    result = write_snapshot(output, entries, source=origin, partial=partial)
    click.echo(f"wrote {result.path}: {result.entries} entries ({result.ces} CEs) from {origin}")
    if result.dropped:
        warn(
            f"{origin}: left out {len(result.dropped)} entries whose parent entry was missing"
            f" (first: {result.dropped[0]})"
        )
    if partial:
        warn(f"{origin}: partial answer: {partial}; the snapshot is marked partial")
    return EXIT_OK
