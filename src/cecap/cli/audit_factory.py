"""The `audit-factory` command: a glideinWMS factory's glexec settings against the
verdicts."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import EXIT_FINDINGS, EXIT_OK
from ..evaluate.assess import assess
from ..evaluate.audit import Severity
from ..evaluate.factory import audit_factory, reliable_flags, worst_factory
from ..history.paths import state_path
from ..history.results import reliability
from ..policy.load import config_dir, load_policy
from ..rows.pilots import FACTORY_FIELDS, factory_table
from ..sources.factory import read_factory
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
from .source_options import GlueOptions, SourceOptions, source_options


@click.command(name="audit-factory")
@click.argument("factory", type=click.Path(exists=True, path_type=Path))
@source_options
@experiment_option
@state_option
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Say on stderr how many entries were read, matched, not in the BDII and not"
    " understood. Without it stderr holds only warnings and errors, so cron mails only"
    " what needs a look (with --format lines a clean audit prints nothing at all).",
)
@output_options(FACTORY_FIELDS)
@config_option
@debug_option
def audit_factory_command(
    factory: Path,
    source: SourceOptions,
    experiments: tuple[str, ...],
    state: Path | None,
    verbose: bool,
    output: OutputOptions,
    config: Path | None,
) -> int:
    """Audit a glideinWMS factory configuration against the CEs' verdicts, read as
    glideinWMS reads it (FACTORY: its glideinWMS.xml, or the folder holding it; with every
    config.d/*.xml beside it): one finding per entry, experiment and CE.

    Errors: glexec-where-refused (GLEXEC_BIN set where the verdict is site-refuses,
    mode-mismatch, not-advertised, not-in-production or no-stance); entry-not-understood
    with GLEXEC_BIN set (a grid type or gatekeeper cecap cannot match to a CE). Warnings:
    entry-not-understood without glexec, entry-not-in-bdii (the gatekeeper matches no CE),
    glexec-where-conditional (GLEXEC_BIN set where the verdict is conditional),
    glexec-not-reliable (GLEXEC_BIN set on a ready CE whose glexec test results in the
    history do not make it reliable). Information: glexec-available (GLEXEC_BIN is NONE on
    a ready or reliable CE). -v says on stderr how many entries were read, matched, not in
    the BDII and not understood. Exit 1 when there is an error, so it can guard a factory
    reconfiguration in CI.
    """
    entries = read_factory(factory)
    policy = load_policy(config_dir(config))
    chosen = pick_experiments(policy, experiments)
    model = load_model(
        source, GlueOptions(), config, vos=[e.vo for e in chosen], runtime_environment=False
    )
    results = assess(model, policy, chosen)
    judged = reliability(state_path(state), results, chosen)
    flags = None if judged is None else reliable_flags(judged)
    audit = audit_factory(entries, model, results, chosen, flags)
    findings = audit.findings
    meta = {
        **source_meta(model),
        "factory": str(factory),
        "empty": "findings: the factory's glexec settings match the verdicts",
    }
    code = emit(factory_table(findings, meta), output, model, source.allow_partial)
    if verbose:
        click.echo(f"cecap: {audit.summary}", err=True)
    if code != EXIT_OK:
        return code
    return EXIT_FINDINGS if worst_factory(findings) is Severity.ERROR else EXIT_OK
