"""What commands share: reading the model from the first source that answers, choosing
experiments, and writing a table as the output options say, with the partial-answer rule."""

from __future__ import annotations

import dataclasses
import os
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import EXIT_OK, EXIT_UNAVAILABLE, InputError, UsageError
from ..evaluate.selection import closest
from ..formats import pieces
from ..model.glue import GlueModel
from ..model.select import GLUE_CHOICES, select_glue
from ..policy.load import config_dir, load_glue2
from ..policy.stances import Experiment, Policy
from ..rows.table import DEFAULT_WIDTH, Table
from ..sources.base import ReadRequest, Source
from ..sources.endpoints import ENV_INFOSYS, first_available, open_sources, split_list
from ..text import visible
from .options import GlueOptions, OutputOptions, SourceOptions, check_fields

T = TypeVar("T")

# Test hook: when set to a file path, a recording run creates that file once everything
# is written but not committed, and waits there (up to HOLD_MAX seconds) until the file
# is removed. Tests kill a run held there, or start another run meanwhile, to prove that
# a run killed mid-write leaves the database as it was and that overlapping runs queue.
HOLD_ENV = "CECAP_TEST_HOLD_BEFORE_COMMIT"
HOLD_MAX = 60.0


def before_commit() -> Callable[[], None] | None:
    """The test hook's pause, when $CECAP_TEST_HOLD_BEFORE_COMMIT asks for it."""
    marker = os.environ.get(HOLD_ENV)
    if not marker:
        return None

    def hold() -> None:
        Path(marker).touch()
        until = time.monotonic() + HOLD_MAX
        while Path(marker).exists() and time.monotonic() < until:
            time.sleep(0.02)

    return hold


def warn(message: str) -> None:
    # Warnings quote what a server or a file said: shown escaped, as every output is.
    click.echo(f"cecap: warning: {visible(message)}", err=True)


def experiment_keys(names: Sequence[str], known: Sequence[str], what: str) -> list[str]:
    """The -e values (repeated, comma-separated) as known experiment keys, each once.

    An unknown name is a UsageError that offers the closest known one; ``what`` says
    where the known names come from ("configured", "recorded").
    """
    if names and not split_list(names):
        raise UsageError(f"--experiment: give a name ({what}: {', '.join(known) or 'none'})")
    picked: dict[str, None] = {}
    for name in split_list(names):
        key = name.lower()
        if key not in known:
            near = closest(key, known)
            hint = f"did you mean {' or '.join(near)}? " if near else ""
            raise UsageError(
                f"unknown experiment {name!r}; {hint}{what}: {', '.join(known) or 'none'}"
            )
        picked.setdefault(key, None)
    return list(picked)


def pick_experiments(policy: Policy, names: Sequence[str]) -> list[Experiment]:
    if not names:
        return list(policy.experiments.values())
    keys = experiment_keys(names, list(policy.experiments), "configured")
    return [policy.experiments[key] for key in keys]


def read_first(source: SourceOptions, run: Callable[[Source], T]) -> T:
    """``run`` on the first source of --bdii (else $LCG_GFAL_INFOSYS) that answers.

    Each skipped endpoint is a warning on stderr; ``run`` starts afresh on the next one.
    """
    sources = open_sources(source.bdii, source.settings, env_default=os.environ.get(ENV_INFOSYS))

    def guarded(found: Source) -> T:
        try:
            return run(found)
        except InputError as exc:
            text = str(exc)
            raise InputError(text if found.origin in text else f"{found.origin}: {text}") from None

    return first_available(sources, guarded, warn)


def load_model(
    source: SourceOptions,
    glue: GlueOptions,
    config: Path | None,
    vos: Sequence[str] | None = None,
    *,
    count_twice: bool = False,
    runtime_environment: bool = True,
    serving_only: bool = False,
) -> GlueModel:
    """The model from the first source that answers; a failed endpoint leaves nothing behind.

    ``vos`` lets a live BDII send only the VOViews that can matter for those VOs, and
    with ``serving_only`` only the CEs that serve one of them (for a command that assesses
    no other CE and names none: nothing selected by --site or --ce).
    ``count_twice`` keeps a CE published in both trees twice (see model.select). glue2.yaml
    comes from the command's --config folder, as the rest of the config does.
    """
    request = ReadRequest(
        versions=GLUE_CHOICES[glue.glue or "both"],
        rules=load_glue2(config_dir(config)),
        capabilities=(glue.capability,),
        vos=tuple(vos) if vos is not None else None,
        runtime_environment=runtime_environment,
        serving_only=serving_only,
    )
    model = read_first(source, lambda found: found.read(request))
    return select_glue(model, glue.glue, count_twice=count_twice)


def shape(table: Table, output: OutputOptions) -> Table:
    """``table`` as --fields and --no-header chose it, for the terminal's width ($COLUMNS,
    else the terminal's, else 80 when the output is no terminal)."""
    if output.fields:
        check_fields(output.fields, table.fields)
        table = table.choose(output.fields)
    width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    return dataclasses.replace(table, header=output.header, width=width)


def emit(
    table: Table,
    output: OutputOptions,
    model: GlueModel | None = None,
    allow_partial: bool = False,
    *,
    own: Mapping[str, Callable[[Table], str]] | None = None,
) -> int:
    """Print ``table`` in the chosen format (``own``: the command's own formats, which
    print every field); a partial answer exits 3 unless ``allow_partial``."""
    if own and output.fmt in own:
        if output.fields:
            raise UsageError(f"--fields does not apply to --format {output.fmt}")
        texts = iter((own[output.fmt](table),))
    else:
        # Written piece by piece as the format makes them (rows as they come, for the
        # formats for scripts): the whole document is never held.
        texts = pieces(output.fmt, shape(table, output))
    wrote = False
    for text in texts:
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


def source_meta(model: GlueModel) -> dict[str, Any]:
    return {"source": model.origin, "partial": model.partial}
