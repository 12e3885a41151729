"""The `audit` command: what each site should fix in what it publishes."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import EXIT_FINDINGS, EXIT_OK, UsageError
from ..evaluate.audit import Severity, audit, worst
from ..evaluate.selection import Selection, require_in_model
from ..policy.glue2_load import load_glue2
from ..policy.load import config_dir, load_policy
from ..rows.audit import AUDIT_FIELDS, audit_table
from ..rows.fixes import fixes_ldif
from .common import load_model, source_meta
from .options import OutputOptions, config_option, debug_option, output_options
from .output import emit, partial_exit
from .source_options import (
    GlueOptions,
    SourceOptions,
    glue_options,
    selection_options,
    source_options,
)

# Every fix as one LDIF file for ldapmodify, instead of the findings.
LDIF = "ldif"


@click.command(name="audit")
@source_options
@selection_options()
@glue_options
@output_options(AUDIT_FIELDS, extra=(LDIF,))
@config_option
@debug_option
def audit_command(
    source: SourceOptions,
    selection: Selection,
    glue: GlueOptions,
    output: OutputOptions,
    config: Path | None,
    debug: bool,
) -> int:
    """Publication audit: one finding per problem in what sites publish, with the fix
    (LDIF for ldapmodify) and a hint (where the site sets it at the source).

    Errors: glexec advertised against the site's own answer. Warnings: glexec
    missing, published as a run-time environment tag or a near-miss value,
    queues or GLUE versions that disagree. Information: glexec on some VOViews
    only, or on a CE that is not in production. Exit 1 when there is an error
    finding, so a site can run it from its monitoring. --format ldif prints every
    fix as one LDIF file: cecap audit --format ldif | ldapmodify ...
    """
    folder = config_dir(config)
    policy = load_policy(folder)
    rules = load_glue2(folder)
    model = load_model(source, glue, config, count_twice=True)
    capability = glue.capability
    # The whole model stays: some checks compare a selected CE with ones outside.
    require_in_model(selection, model)
    findings = audit(model, policy, capability, rules, selection)
    meta = {
        **source_meta(model),
        "capability": capability,
        "empty": "findings: what the sites publish matches what they answered"
        if selection.everything
        else "findings for the chosen CEs",
    }
    if output.fmt == LDIF:
        if output.fields or not output.header:
            raise UsageError("--fields and --no-header do not apply to --format ldif")
        click.echo(fixes_ldif(findings, meta), nl=False)
        code = partial_exit(model, source.allow_partial)
    else:
        code = emit(audit_table(findings, meta), output, model, source.allow_partial)
    if code != EXIT_OK:
        return code
    return EXIT_FINDINGS if worst(findings) is Severity.ERROR else EXIT_OK
