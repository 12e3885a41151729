"""The `testlist` command: the CEs each experiment should run its glexec test against."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..errors import UsageError
from ..evaluate.assess import assess
from ..evaluate.selection import Selection, select_model
from ..evaluate.testlist import select_targets
from ..formats.vofeed import VOFEED  # (registers testlist's own format)
from ..policy.load import config_dir, load_policy
from ..policy.site_names_load import load_site_names
from ..policy.stances import GLEXEC
from ..rows.testlist import TESTLIST_FIELDS, testlist_table
from .common import load_model, pick_experiments, source_meta
from .options import OutputOptions, config_option, debug_option, experiment_option, output_options
from .output import emit
from .source_options import (
    GlueOptions,
    SourceOptions,
    glue_option,
    selection_options,
    source_options,
)


@click.command(name="testlist")
@source_options
@experiment_option
@selection_options()
@glue_option
@click.option(
    "--feed-responsible",
    "responsible",
    default="",
    metavar="DN",
    help="The certificate DN the VO feed names as its responsible (--format vofeed).",
)
@output_options(TESTLIST_FIELDS, kinds=("testlist",))
@config_option
@debug_option
def testlist(
    source: SourceOptions,
    experiments: tuple[str, ...],
    selection: Selection,
    glue: str | None,
    responsible: str,
    output: OutputOptions,
    config: Path | None,
) -> int:
    """What to test: per experiment, the CEs that advertise glexec and are ready or
    conditional (never site-refuses or mode-mismatch), with the mode to test and
    whether glexec fails closed there.

    --format lines prints one CE per line; --format vofeed prints the list as one
    experiment's WLCG VO feed, the XML topology SAM/ETF test frameworks read, its sites
    named as site_names.yaml names them for the experiment:
    cecap testlist -e cms --format vofeed > feed.xml
    """
    if responsible and output.fmt != VOFEED:
        raise UsageError(
            f"--feed-responsible names the VO feed's responsible: give --format {VOFEED}"
        )
    policy = load_policy(config_dir(config))
    chosen = pick_experiments(policy, experiments)
    if output.fmt == VOFEED:
        if len(chosen) != 1:
            raise UsageError(
                f"a VO feed is one VO's: choose one experiment with -e (chosen:"
                f" {', '.join(e.key for e in chosen)})"
            )
        names = load_site_names(config_dir(config), policy.experiments)
    options = GlueOptions(glue, GLEXEC)
    model = load_model(
        source, options, config, vos=[e.vo for e in chosen], runtime_environment=False
    )
    targets = select_targets(assess(select_model(selection, model), policy, chosen, GLEXEC))
    meta = {
        **source_meta(model),
        "capability": GLEXEC,
        "empty": "CE advertises glexec and is ready or conditional for the chosen experiments",
    }
    feed: dict[str, Any] = {}
    if output.fmt == VOFEED:
        (experiment,) = chosen
        feed = {
            "experiment": experiment,
            "names": names,
            "updated": datetime.now(UTC),
            "responsible": responsible,
            "version": f"cecap {__version__}",
        }
    table = replace(testlist_table(targets, meta), extra=feed)
    return emit(table, output, model, source.allow_partial)
