"""The snapshot command: save what cecap reads from a BDII as an LDIF file."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import EXIT_OK, SourceUnavailable, UsageError
from ..formats.output import STDOUT, output_target
from ..formats.snapshot import snapshot_wanted, write_snapshot
from ..model.entry import Entry
from ..model.glue import GLUE13, GLUE20
from ..model.select import GLUE_CHOICES, missing_trees
from ..policy.glue2_load import load_glue2
from ..policy.load import config_dir
from ..sources.base import EntrySource, Source
from .common import read_first
from .options import config_option, debug_option
from .output import warn
from .source_options import SourceOptions, source_options

# The entries that make a tree worth saving: without them its CEs are not there.
_COMPUTING = {GLUE13: "gluece", GLUE20: "glue2computingendpoint"}


@click.command()
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
    # A str, not a Path: Path("./-") is Path("-"), and ./- names a file, - stdout.
    type=click.Path(allow_dash=True),
    metavar="FILE",
    help="Where to write the LDIF. A regular file (or a new one, in a folder that exists;"
    " folders are never made) is replaced atomically, keeping its permissions; a symlink"
    " writes the file it points to and stays; a device or FIFO is written directly; -"
    " writes plain LDIF to stdout (the summary then goes to stderr). gzip when FILE ends"
    " in .gz. A directory is refused.",
)
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Say what was written (on stdout; on stderr with -o -). Without it a snapshot that"
    " succeeds prints nothing, so cron mails only its failures.",
)
@config_option
@debug_option
def snapshot(
    source: SourceOptions,
    glue: str | None,
    output: str,
    verbose: bool,
    config: Path | None,
) -> int:
    """Save the entries and attributes cecap reads as an LDIF snapshot.

    The file is what `cecap report --bdii FILE` reads, and `ldapadd -c` loads it into a
    BDII (GLUE 2.0 entries with the attributes GLUE20.schema requires). Every GLUE 2.0
    attribute the glue2.yaml of --config looks in is kept. A partial answer is not written
    unless --allow-partial (then the file says so).
    """
    to_stdout = output == STDOUT
    target = Path(output) if to_stdout or Path(output) != Path(STDOUT) else Path.cwd() / output
    output_target(target)  # a bad --output fails before the source is read
    # glue2.yaml names the GLUE 2.0 attributes a capability is looked for in: keep them all.
    versions = GLUE_CHOICES[glue or "both"]
    wanted = snapshot_wanted(versions, load_glue2(config_dir(config)))

    def fetch(found: Source) -> tuple[list[Entry], str | None, str]:
        if not isinstance(found, EntrySource):
            raise UsageError(f"{found.origin}: snapshot saves LDAP or LDIF sources only")
        reader = found.reader(wanted)
        entries = list(reader.entries())
        return entries, reader.partial, reader.origin

    entries, partial, origin = read_first(source, fetch)
    if partial and not source.allow_partial:
        raise SourceUnavailable(
            f"{origin}: partial answer: {partial}; no snapshot written"
            " (--allow-partial writes it, marked partial)"
        )
    if glue is not None and not partial:
        held = [v for v in versions if any(_COMPUTING[v] in e.objectclasses for e in entries)]
        missing_trees(origin, held, glue, ": no snapshot written")
    result = write_snapshot(target, entries, source=origin, partial=partial)
    endpoints = f", {result.endpoints} GLUE 2.0 endpoints" if result.endpoints else ""
    if verbose:
        # With -o -, stdout holds the LDIF alone.
        click.echo(
            f"wrote {'stdout' if to_stdout else result.path}: {result.entries} entries"
            f" ({result.ces} CEs{endpoints}) from {origin}",
            err=to_stdout,
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
