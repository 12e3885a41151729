"""The reading commands: `report` (verdict per CE) and `sites` (per site)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError
from ..evaluate.assess import (
    assess,
    only_reliable_ces,
    reliable_per_site,
    select_for_report,
    summarize_sites,
)
from ..evaluate.selection import Selection, select_model
from ..evaluate.verdicts import Assessment, Verdict
from ..history.paths import state_path
from ..history.record import record_run, stable_counts
from ..history.results import reliability
from ..model.glue import GlueModel
from ..model.select import GLUE_CHOICES
from ..policy.glue2_load import load_glue2
from ..policy.load import config_dir, load_policy
from ..policy.stances import Experiment, Policy, has_stances
from ..rows.report import REPORT_FIELDS, SITE_FIELDS, report_table, site_table, with_read_from
from ..sources.base import ReadRequest
from .common import load_model, pick_experiments, source_meta
from .options import (
    OutputOptions,
    config_option,
    debug_option,
    experiment_option,
    keep_days_option,
    output_options,
    state_option,
    verdict_option,
)
from .output import emit, warn
from .source_options import (
    GlueOptions,
    SiteReads,
    SourceOptions,
    glue_options,
    selection_options,
    site_reads_options,
    source_options,
)


@click.command()
@source_options
@experiment_option
@selection_options()
@verdict_option(
    "Only CEs with this verdict (--verdict ready: where pilots may use glexec now); default:"
    " ready and conditional"
)
@click.option(
    "--all", "show_all", is_flag=True, help="Every CE serving the VO, not only usable ones."
)
@click.option(
    "--min-stable",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Only CEs ready for at least N consecutive recorded runs (see --record).",
)
@click.option(
    "--reliable",
    "only_reliable",
    is_flag=True,
    help="Only CEs reliable with glexec (ready through the experiment's window and its"
    " glexec tests passing, see `cecap results import`): the CEs to switch to.",
)
@click.option(
    "--record", is_flag=True, help="Record this run's verdicts in the history (as check does)."
)
@site_reads_options(
    "Judge each site's CEs from its own BDII (those the top level lists, read at once"
    " as `cecap site-bdiis` reads them) where it answers, else from the top level;"
    " read_from says which."
)
@state_option
@keep_days_option
@glue_options
@output_options(REPORT_FIELDS)
@config_option
@debug_option
def report(
    source: SourceOptions,
    experiments: tuple[str, ...],
    selection: Selection,
    verdicts: frozenset[Verdict] | None,
    show_all: bool,
    min_stable: int | None,
    only_reliable: bool,
    record: bool,
    site_reads: SiteReads | None,
    state: Path | None,
    keep_days: int | None,
    glue: GlueOptions,
    output: OutputOptions,
    config: Path | None,
) -> int:
    """Verdict per CE: where each experiment may send glexec workflows now.

    By default only CEs whose verdict is ready or conditional are shown (--verdict ready:
    only those where pilots may use glexec now; --all: every CE serving the VO).
    stable_runs says for how many consecutive recorded runs a CE has had its verdict.
    """
    if verdicts and (show_all or min_stable is not None):
        raise UsageError("--verdict chooses the CEs shown: leave out --all and --min-stable")
    if keep_days is not None and not record:
        raise UsageError(
            "--keep-days prunes the history when this run is recorded: give --record too"
        )
    policy = load_policy(config_dir(config))
    chosen = pick_experiments(policy, experiments)
    capability = glue.capability
    if not has_stances(capability) and (record or min_stable is not None or only_reliable):
        raise UsageError(
            "--record, --min-stable and --reliable follow glexec verdicts only; leave out"
            " --capability"
        )
    if record and site_reads:
        raise UsageError(
            "--record keeps what the top level says run by run: leave out --site-bdiis"
        )
    read_from: dict[tuple[str, str], str] | None = None
    if site_reads:
        model, results, read_from = _assessed_per_site(
            source, glue, config, selection, policy, chosen, site_reads
        )
    else:
        model, results = _assessed(source, glue, config, selection, policy, chosen)
    history = state_path(state)
    if record and model.partial:
        warn(f"{model.origin}: partial answer not recorded in the history")
    elif record:
        record_run(
            history,
            results,
            [e.key for e in chosen],
            command="report",
            source=model.origin,
            lock_timeout=source.settings.timeout,
            keep_days=keep_days,
            selection=selection,
        )
    stable = (
        stable_counts(history, results, required=min_stable is not None)
        if has_stances(capability)
        else None
    )
    judged = (
        reliability(history, results, chosen, required=only_reliable)
        if has_stances(capability)
        else None
    )
    shown = select_for_report(
        results,
        capability,
        show_all=show_all,
        min_stable=min_stable,
        stable=stable,
        verdicts=verdicts,
    )
    if only_reliable and judged is not None:
        shown = only_reliable_ces(shown, judged)
    meta = {**source_meta(model), "capability": capability, "empty": shown.empty}
    table = report_table(shown.assessments, meta, stable, judged)
    if read_from is not None:
        table = with_read_from(table, read_from)
    return emit(table, output, model, source.allow_partial)


@click.command()
@source_options
@experiment_option
@selection_options()
@verdict_option("Only sites whose readiness (the best verdict among their CEs) is this")
@state_option
@glue_options
@output_options(SITE_FIELDS)
@config_option
@debug_option
def sites(
    source: SourceOptions,
    experiments: tuple[str, ...],
    selection: Selection,
    verdicts: frozenset[Verdict] | None,
    state: Path | None,
    glue: GlueOptions,
    output: OutputOptions,
    config: Path | None,
) -> int:
    """Site readiness list: per site and experiment, its answers and its CEs' verdicts
    (ces_reliable: how many are reliable with glexec, from the history's test results)."""
    policy = load_policy(config_dir(config))
    chosen = pick_experiments(policy, experiments)
    capability = glue.capability
    model, results = _assessed(source, glue, config, selection, policy, chosen)
    summaries = summarize_sites(results, policy, capability)
    if verdicts:
        summaries = [s for s in summaries if s.readiness in verdicts]
    reliable = None
    if has_stances(capability):
        judged = reliability(state_path(state), results, chosen)
        reliable = None if judged is None else reliable_per_site(results, judged)
    meta = {
        **source_meta(model),
        "capability": capability,
        "empty": "site has a CE serving the chosen VOs"
        if not verdicts
        else "site's readiness is " + " or ".join(v.value for v in Verdict if v in verdicts),
    }
    table = site_table(summaries, meta, capability, reliable)
    return emit(table, output, model, source.allow_partial)


def _assessed(
    source: SourceOptions,
    glue: GlueOptions,
    config: Path | None,
    selection: Selection,
    policy: Policy,
    chosen: list[Experiment],
) -> tuple[GlueModel, list[Assessment]]:
    """The model (the CEs serving the experiments' VOs, unless --site or --ce selects) and
    the selected CEs' assessments."""
    model = load_model(
        source,
        glue,
        config,
        vos=[e.vo for e in chosen],
        runtime_environment=False,
        serving_only=selection.everything,
    )
    return model, assess(select_model(selection, model), policy, chosen, glue.capability)


def _assessed_per_site(
    source: SourceOptions,
    glue: GlueOptions,
    config: Path | None,
    selection: Selection,
    policy: Policy,
    chosen: list[Experiment],
    site_reads: SiteReads,
) -> tuple[GlueModel, list[Assessment], dict[tuple[str, str], str]]:
    """``_assessed`` with each site judged from its own BDII where it answers; and per
    (site, CE) judged from a site BDII, that BDII's URL."""
    # Only the site BDIIs need the LDAP client: a report on a file does not import it.
    from .site_reads import listed_by_top, merged_with_sites, silent

    vos = [e.vo for e in chosen]
    top = load_model(source, glue, config, vos=vos, runtime_environment=False)
    request = ReadRequest(
        versions=GLUE_CHOICES[glue.glue or "both"],
        rules=load_glue2(config_dir(config)),
        capabilities=(glue.capability,),
        vos=tuple(vos),
        runtime_environment=False,
    )
    model, reads = merged_with_sites(
        top, listed_by_top(source), request, source.settings, site_reads
    )
    missed = silent(reads)
    if missed:
        warn(
            f"{len(missed)} of {len(reads)} site BDIIs did not answer; their CEs are judged"
            f" from the top level: {', '.join(missed)}"
        )
    read_from = {
        (ce.site, ce.unique_id): r.listed.url for r in reads if r.digest for ce in r.digest.ces
    }
    return model, assess(select_model(selection, model), policy, chosen, glue.capability), read_from
