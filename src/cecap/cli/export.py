"""The `export` command: the verdicts as pilot systems read them (a glideinWMS factory
configuration, or per-queue flags)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from ..errors import UsageError
from ..evaluate.assess import assess
from ..evaluate.factory import reliable_flags
from ..evaluate.verdicts import Verdict
from ..formats.glideinwms import DEFAULT_SCHEDD  # (registers export's own format)
from ..history.paths import state_path
from ..history.results import reliability
from ..policy.load import config_dir, load_policy
from ..rows.pilots import GLEXEC_VERDICTS, QUEUE_FIELDS, queue_table
from .common import load_model, pick_experiments, source_meta
from .options import (
    OutputOptions,
    config_option,
    debug_option,
    experiment_option,
    output_options,
    state_option,
    verdict_option,
)
from .output import emit
from .source_options import GlueOptions, SourceOptions, source_options

JSON = "json"


@click.command(name="export")
@source_options
@experiment_option
@click.option(
    "--glexec-bin",
    "--glexec-path",
    "glexec_bin",
    default=None,
    metavar="VALUE",
    help="GLEXEC_BIN of the entries whose CE is ready, or with --reliable reliable (every"
    " other entry: NONE), instead of the value chosen by the CE's middleware (OSG on an OSG"
    " GRAM CE, glite on CREAM and the lcg-CE, auto elsewhere; see docs/pilots.md): a path,"
    " OSG, glite or auto.",
)
@click.option(
    "--schedd",
    default=DEFAULT_SCHEDD,
    show_default=True,
    metavar="NAME",
    help="schedd_name of every entry (the factory's schedd that submits the pilots).",
)
@verdict_option(
    "Pilots use glexec on the CEs with this verdict (default: ready; --verdict"
    " ready,conditional adds the conditional ones)"
)
@click.option(
    "--ready-only", is_flag=True, help="Only the entries (or rows) whose pilots may use glexec."
)
@click.option(
    "--reliable",
    "only_reliable",
    is_flag=True,
    help="Pilots use glexec only where it is reliable (ready through the experiment's window"
    " and its glexec tests passing, see `cecap results import`), not wherever it is ready.",
)
@state_option
@output_options(QUEUE_FIELDS, kinds=("export",), default=JSON)
@config_option
@debug_option
def export_command(
    source: SourceOptions,
    experiments: tuple[str, ...],
    glexec_bin: str | None,
    schedd: str,
    verdicts: frozenset[Verdict] | None,
    ready_only: bool,
    only_reliable: bool,
    state: Path | None,
    output: OutputOptions,
    config: Path | None,
) -> int:
    """Every CE serving each experiment's VO, for the pilot system: where pilots may use
    glexec (the verdict is ready) and where not.

    --format glideinwms prints one glideinWMS factory configuration (the v3_4_6 schema) to
    diff against the factory's own: GLEXEC_BIN is where glideinWMS finds glexec on the
    CE's worker nodes (or --glexec-bin) where the CE is ready (with --reliable: reliable;
    with --verdict: of those verdicts), NONE elsewhere. Every other format prints the
    per-queue flags (json unless told), with reliable from the history's glexec test
    results (null without a history or results).
    """
    if glexec_bin is not None and (
        not glexec_bin.strip() or glexec_bin.strip().upper() == "NONE" or " " in glexec_bin.strip()
    ):
        raise UsageError(
            "--glexec-bin: give where glexec is on the worker nodes (a path, OSG, glite or auto)"
        )
    if verdicts and only_reliable:
        raise UsageError(
            "--verdict and --reliable both choose where pilots use glexec: give one of them"
        )
    allowed = verdicts or GLEXEC_VERDICTS
    policy = load_policy(config_dir(config))
    chosen = pick_experiments(policy, experiments)
    model = load_model(
        source, GlueOptions(), config, vos=[e.vo for e in chosen], runtime_environment=False
    )
    results = assess(model, policy, chosen)
    judged = reliability(state_path(state), results, chosen, required=only_reliable)
    flags = None if judged is None else reliable_flags(judged)
    meta = {**source_meta(model), "empty": "CE serves the chosen experiments' VOs"}
    table = queue_table(results, meta, flags, only_reliable, allowed)
    if ready_only:
        table.rows[:] = [row for row in table.rows if row["glexec"]]
    factory = {
        "assessments": results,
        "glexec_bin": glexec_bin.strip() if glexec_bin else None,
        "schedd": schedd,
        "ready_only": ready_only,
        "reliability": flags,
        "reliable_only": only_reliable,
        "verdicts": allowed,
    }
    return emit(replace(table, extra=factory), output, model, source.allow_partial)
