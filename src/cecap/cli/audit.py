"""The `audit` command: what each site should fix in what it publishes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from ..errors import EXIT_FINDINGS, EXIT_OK, UsageError
from ..evaluate.audit import Severity, audit, worst
from ..evaluate.audit.resource import at_resource_bdii
from ..evaluate.selection import Selection, require_in_model
from ..formats.fixes import DATABASES, LDIF, fixes_ldif  # (registers the audit's own format)
from ..formats.output import output_target, write_atomically
from ..history.paths import state_path
from ..history.results import observed_modes
from ..model.glue import GlueModel
from ..model.select import GLUE_CHOICES
from ..policy.glue2_load import load_glue2
from ..policy.load import config_dir, load_policy
from ..policy.stances import has_stances
from ..rows.audit import AUDIT_FIELDS, audit_table
from .common import load_model, source_meta
from .options import OutputOptions, config_option, debug_option, output_options, state_option
from .output import emit
from .source_options import (
    GlueOptions,
    SourceOptions,
    glue_options,
    selection_options,
    source_options,
)


@click.command(name="audit")
@source_options
@selection_options()
@glue_options
@output_options(AUDIT_FIELDS, kinds=("audit",))
@click.option(
    "--fixes-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    metavar="DIR",
    help="Also write the fixes as one LDIF file per BDII database, each with the bind it"
    " needs: DIR/grid.ldif (GLUE 1.3, o=grid) and DIR/glue.ldif (GLUE 2.0, o=glue); the"
    " file of a tree --glue leaves out says so and changes nothing.",
)
@click.option(
    "--dn-as-read",
    is_flag=True,
    help="Give DNs as the BDII read holds them, instead of as the resource BDII that"
    " publishes each entry holds them (Mds-Vo-name=resource,o=grid;"
    " GLUE2GroupID=resource,o=glue).",
)
@state_option
@config_option
@debug_option
def audit_command(
    source: SourceOptions,
    selection: Selection,
    glue: GlueOptions,
    output: OutputOptions,
    fixes_dir: Path | None,
    dn_as_read: bool,
    state: Path | None,
    config: Path | None,
) -> int:
    """Publication audit: one finding per problem in what sites publish, with the fix
    (LDIF for ldapmodify) and a hint (where the site sets it at the source).

    Errors: glexec advertised against the site's own answer. Warnings: glexec
    missing, published as a run-time environment tag or a near-miss value,
    queues or GLUE versions that disagree. Information: glexec on some VOViews
    only, or on a CE that is not in production. With glexec test results imported
    (cecap results import), also the mode tests see: an error where they see log-only
    and the site answered setuid only, information where the site allowed both. Exit 1
    when there is an error finding, so a site can run it from its monitoring.

    DNs are given as the resource BDII that publishes each entry holds them, whatever
    BDII was read (--dn-as-read: as read), and the fixes are one plan: applied
    together, they leave nothing more to fix. --format ldif prints the fixes of the
    one GLUE tree read (--glue 1 or 2, or a source of one) as one LDIF file for
    ldapmodify; --fixes-dir DIR writes one file per BDII database.
    """
    if fixes_dir is not None:
        _check_fixes_dir(fixes_dir, output)
    folder = config_dir(config)
    policy = load_policy(folder)
    rules = load_glue2(folder)
    model = load_model(source, glue, config, count_twice=True)
    capability = glue.capability
    # The whole model stays: some checks compare a selected CE with ones outside.
    require_in_model(selection, model)
    observed = (
        observed_modes(
            state_path(state),
            (ce for ce in model.ces if selection.keeps_ce(ce)),
            policy.experiments.values(),
        )
        if has_stances(capability)
        else {}
    )
    findings = audit(model, policy, capability, rules, selection, observed)
    if not dn_as_read:
        findings = at_resource_bdii(findings)
    meta = {
        **source_meta(model),
        "capability": capability,
        "empty": "findings: what the sites publish matches what they answered"
        if selection.everything
        else "findings for the chosen CEs",
    }
    trees = _trees(model, glue)
    if fixes_dir is not None:
        # Both files, always: one a run that read the other tree only left is replaced.
        for tree, database in DATABASES.items():
            text = fixes_ldif(findings, meta, tree, as_read=dn_as_read, read=tree in trees)
            write_atomically(fixes_dir / f"{database.name}.ldif", [text])
    fixes = {"findings": findings, "trees": trees, "as_read": dn_as_read}
    table = replace(audit_table(findings, meta), extra=fixes)
    code = emit(table, output, model, source.allow_partial)
    if code != EXIT_OK:
        return code
    return EXIT_FINDINGS if worst(findings) is Severity.ERROR else EXIT_OK


def _trees(model: GlueModel, glue: GlueOptions) -> tuple[str, ...]:
    """The GLUE versions read: those --glue asks for, else those the source holds (GLUE 1.3
    alone for a source without a single computing entry)."""
    if glue.glue is not None:
        return GLUE_CHOICES[glue.glue]
    return tuple(v for v in GLUE_CHOICES["both"] if v in model.glue_versions) or GLUE_CHOICES["1"]


def _check_fixes_dir(fixes_dir: Path, output: OutputOptions) -> None:
    """Before the work: --fixes-dir goes without --format ldif, and its files can be written."""
    if output.fmt == LDIF:
        raise UsageError(
            "--format ldif prints one LDIF file and --fixes-dir writes one per database:"
            " give one of them"
        )
    for database in DATABASES.values():
        output_target(fixes_dir / f"{database.name}.ldif")
