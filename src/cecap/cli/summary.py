"""The `summary` command: what the glexec tests show, per experiment and tier, for the
coordinators' weekly report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from ..evaluate.assess import assess
from ..evaluate.selection import Selection, select_model
from ..evaluate.testlist import select_targets
from ..formats import summary as _blocks  # noqa: F401  (registers summary's own formats)
from ..history.paths import state_path
from ..history.summary import summary_of
from ..policy.load import config_dir, load_policy
from ..policy.reliable import parse_window
from ..policy.site_names_load import load_site_names
from ..policy.stances import GLEXEC
from ..rows.summary import SUMMARY_FIELDS, summary_table, window_text
from .common import load_model, pick_experiments, source_meta
from .options import (
    OutputOptions,
    config_option,
    debug_option,
    experiment_option,
    output_options,
    state_option,
)
from .output import emit
from .source_options import (
    GlueOptions,
    SourceOptions,
    glue_option,
    selection_options,
    source_options,
)


def _window(_ctx: click.Context, _param: click.Parameter, value: str) -> timedelta:
    try:
        return parse_window(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _now(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not ISO 8601 (2010-04-01T12:00:00Z)") from None
    if moment.tzinfo is None:
        raise click.BadParameter(f"{value!r} has no zone: add Z or +01:00")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise click.BadParameter(f"{value!r} is out of range once in UTC") from None


@click.command(name="summary")
@source_options
@experiment_option
@selection_options()
@glue_option
@click.option(
    "--window",
    default="12h",
    show_default=True,
    metavar="SPAN",
    callback=_window,
    help="The results counted: those of the last SPAN (30m, 12h, 7d).",
)
@click.option(
    "--now",
    default=None,
    metavar="TIME",
    callback=_now,
    help="The end of the window (ISO 8601 with a zone; default: now).",
)
@state_option
@output_options(SUMMARY_FIELDS, kinds=("summary",))
@config_option
@debug_option
def summary(
    source: SourceOptions,
    experiments: tuple[str, ...],
    selection: Selection,
    glue: str | None,
    window: timedelta,
    now: datetime | None,
    state: Path | None,
    output: OutputOptions,
    config: Path | None,
) -> int:
    """What the glexec tests show: per experiment and tier, the CEs and sites failing,
    OK and untested over the window, each failing CE with its last output, shortened.

    The CEs are those testlist lists (advertising glexec, ready or conditional); their
    results are those `cecap results import` recorded in the history. A CE is failing by
    its experiment's `failing` rule in experiments.yaml (CMS's coordinators' by default:
    errors at least its OKs over the window, a result showing log-only mode no error);
    a site is failing when one of its CEs is. The tier is the digit of the experiment's
    name for the site (site_names.yaml: T2_US_Nebraska is tier 2), else unknown.
    --format markdown and --format twiki give a block to paste into a weekly report.
    """
    folder = config_dir(config)
    policy = load_policy(folder)
    chosen = pick_experiments(policy, experiments)
    names = load_site_names(folder, policy.experiments)
    model = load_model(
        source,
        GlueOptions(glue, GLEXEC),
        config,
        vos=[e.vo for e in chosen],
        runtime_environment=False,
    )
    targets = select_targets(assess(select_model(selection, model), policy, chosen, GLEXEC))
    until = now or datetime.now(UTC)
    found = summary_of(
        state_path(state), [t.assessment for t in targets], chosen, names, until - window, until
    )
    meta = {
        **source_meta(model),
        "names": {e.key: e.name for e in chosen},
        "empty": "CE advertises glexec and is ready or conditional for the chosen experiments",
    }
    table = summary_table(found, meta, window_text(window))
    return emit(table, output, model, source.allow_partial)
