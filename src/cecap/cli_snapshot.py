"""The snapshot command: save what cecap reads from a BDII as an LDIF file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from .cli import cli, config_option, debug_option, read_first, source_options, warn
from .config import config_dir, load_glue2
from .errors import EXIT_OK, InputError, SourceUnavailable
from .glue2 import GLUE13, GLUE20, GLUE_CHOICES
from .snapshot import snapshot_wanted, write_snapshot
from .source import Entry, Reader

# The entries that make a tree worth saving: without them its CEs are not there.
_COMPUTING = {
    GLUE13: ("gluece", "GLUE 1.3 (o=grid)"),
    GLUE20: ("glue2computingendpoint", "GLUE 2.0 (o=glue)"),
}


@cli.command()
@source_options
@click.option(
    "--glue",
    type=click.Choice(sorted(GLUE_CHOICES)),
    default=None,
    help="Save GLUE 1.3 (o=grid), GLUE 2.0 (o=glue) or both (default: every tree the"
    " source holds).",
)
@click.option(
    "--output",
    "-o",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="LDIF file to write (gzip when it ends in .gz); replaced atomically.",
)
@config_option
@debug_option
def snapshot(
    bdii: tuple[str, ...],
    allow_partial: bool,
    glue: str | None,
    output: Path,
    config: Path | None,
    debug: bool,
) -> int:
    """Save the entries and attributes cecap reads as an LDIF snapshot.

    The file is what `cecap report --bdii FILE` reads, and `ldapadd -c` loads it into a
    BDII (GLUE 2.0 entries with the attributes GLUE20.schema requires). Every GLUE 2.0
    attribute the glue2.yaml of --config looks in is kept. A partial answer is not written
    unless --allow-partial (then the file says so).
    """
    # glue2.yaml names the GLUE 2.0 attributes a capability is looked for in: keep them all.
    versions = GLUE_CHOICES[glue or "both"]
    wanted = snapshot_wanted(versions, load_glue2(config_dir(config)))

    def fetch(reader: Reader) -> tuple[list[Entry], str | None, str]:
        entries = list(reader.entries())
        return entries, reader.partial, reader.origin

    entries, partial, origin = read_first(bdii, fetch, wanted=wanted)
    if partial and not allow_partial:
        raise SourceUnavailable(
            f"{origin}: partial answer: {partial}; no snapshot written"
            " (--allow-partial writes it, marked partial)"
        )
    if glue is not None and not partial:
        _check_trees(entries, versions, glue, origin)
    result = write_snapshot(output, entries, source=origin, partial=partial)
    endpoints = f", {result.endpoints} GLUE 2.0 endpoints" if result.endpoints else ""
    click.echo(
        f"wrote {result.path}: {result.entries} entries ({result.ces} CEs{endpoints}) from {origin}"
    )
    if result.incomplete:
        warn(
            f"{origin}: left out {len(result.incomplete)} GLUE 2.0 entries that lack attributes"
            f" the schema requires (first: {result.incomplete[0]})"
        )
    if result.dropped:
        warn(
            f"{origin}: left out {len(result.dropped)} entries whose parent entry was missing"
            f" (first: {result.dropped[0]})"
        )
    if partial:
        warn(f"{origin}: partial answer: {partial}; the snapshot is marked partial")
    return EXIT_OK


def _check_trees(entries: Sequence[Entry], versions: Sequence[str], glue: str, origin: str) -> None:
    """A tree asked for with --glue that the source lacks is an error, as for report: a
    snapshot without it would be mistaken for one of a BDII where no CE publishes there."""
    held = {v for v in versions if any(_COMPUTING[v][0] in e.objectclasses for e in entries)}
    missing = [v for v in versions if v not in held]
    if not missing:
        return
    if held:
        hint = f"; use --glue {'1' if GLUE13 in held else '2'}"
    elif glue in ("1", "2"):
        # Only the asked-for tree was read: whether the other exists is not known.
        hint = f"; try --glue {'2' if glue == '1' else '1'}"
    else:
        hint = ""
    trees = " or ".join(_COMPUTING[v][1] for v in missing)
    raise InputError(f"{origin}: holds no {trees} computing entries: no snapshot written{hint}")
