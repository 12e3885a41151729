"""The page command: the readiness page, one self-contained HTML file for coordinators."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..errors import InputError, UsageError
from ..evaluate.assess import assess, summarize_sites
from ..evaluate.audit import audit
from ..evaluate.site_bdiis import site_ces
from ..evaluate.testlist import select_targets
from ..formats.output import own_file_target, write_target
from ..formats.page import render_page, require_libraries
from ..history.paths import state_path
from ..history.results import reliability
from ..history.series import run_counts
from ..history.summary import summary_of
from ..model.questions import GLEXEC
from ..model.select import GLUE_CHOICES, select_glue
from ..policy.glue2_load import load_glue2
from ..policy.load import config_dir, load_policy
from ..policy.site_names_load import load_site_names
from ..policy.stances import Experiment
from ..rows.audit import audit_table
from ..rows.page import page_data
from ..rows.report import report_table, site_table
from ..rows.site_bdiis import site_bdii_table
from ..rows.stances import stance_table
from ..rows.summary import DEFAULT_WINDOW, summary_table, window_text
from ..rows.table import Table
from ..sources.base import ReadRequest
from .common import load_model, pick_experiments, source_meta
from .options import config_option, debug_option, experiment_option, state_option
from .output import partial_exit
from .source_options import (
    GlueOptions,
    SiteReads,
    SourceOptions,
    glue_option,
    site_reads_options,
    source_options,
)

PAGE = "index.html"


@click.command()
@source_options
@experiment_option
@click.option(
    "--output",
    "-o",
    "output",
    required=True,
    # A str: Path("") would be the current folder, which -o '' does not name.
    type=click.Path(file_okay=False),
    metavar="DIR",
    help=f"The folder to write {PAGE} into. DIR itself is made when its parent folder"
    " exists (never the parents); the page is replaced atomically, so a web server never"
    f" serves half of it. A {PAGE} there that is not a regular file (a symlink, a FIFO) is"
    " refused: cecap never writes through a link.",
)
@site_reads_options(
    "Also ask every site BDII the top level lists (as `cecap site-bdiis`) and show"
    " under each site whether its own BDII answered and how fresh its data is."
)
@state_option
@glue_option
@config_option
@debug_option
def page(
    source: SourceOptions,
    experiments: tuple[str, ...],
    output: str,
    site_reads: SiteReads | None,
    state: Path | None,
    glue: str | None,
    config: Path | None,
) -> int:
    """Write the readiness page: DIR/index.html, one HTML file with everything inside.

    Per experiment its ready and conditional CEs, with glexec test results its reliable
    CEs (as report --reliable lists them), and the change since the previous recorded
    run (the history of --state; a run that recorded this same answer, such as a check
    just before, is not counted as previous); the matrix of sites (grouped by
    questionnaire respondent) by experiment, each site linking to its CEs' verdicts; the
    verdict counts and, with a history, ready CEs over time as charts (dashed, the CEs
    each check found reliable); what the glexec tests show over the last 12 hours, as
    `cecap summary` says it (its headline per experiment and tier, and its list); the
    questionnaire answers; the audit findings of the CEs
    that serve the experiments' VOs (cecap audit checks every CE). It works
    from file:// and any static web server, without network. Needs Jinja2 and pygal
    (pip install 'cecap[page]', or the system's python3-jinja2 and python3-pygal). A
    partial answer writes the page with a red banner and exits 3 unless --allow-partial.
    """
    require_libraries()
    if not output.strip():
        raise UsageError("--output: name the folder to write the page into, not nothing")
    folder_named = Path(output)
    target = folder_named / PAGE
    _check_folder(folder_named)
    folder = config_dir(config)
    policy = load_policy(folder)
    chosen = pick_experiments(policy, experiments)
    # One read serves both: the audit checks each publication (a CE in both trees twice),
    # the verdicts count each CE once. Both are of the CEs serving the experiments' VOs.
    published = load_model(
        source,
        GlueOptions(glue, GLEXEC),
        config,
        vos=[e.vo for e in chosen],
        count_twice=True,
        serving_only=True,
    )
    model = select_glue(published, glue)
    results = assess(model, policy, chosen, GLEXEC)
    history = state_path(state)
    made = datetime.now(UTC)
    meta = {
        **source_meta(model),
        "capability": GLEXEC,
        "version": __version__,
        "made": made,
    }
    data = page_data(
        chosen,
        report=report_table(results, meta),
        sites=site_table(summarize_sites(results, policy, GLEXEC), meta, GLEXEC),
        stances=stance_table(policy.stances.values(), meta),
        audit=audit_table(audit(published, policy, GLEXEC, load_glue2(folder)), meta),
        history=run_counts(history),
        meta=meta,
        judged=reliability(history, results, chosen),
        summary=summary_table(
            summary_of(
                history,
                [t.assessment for t in select_targets(results)],
                chosen,
                load_site_names(folder, policy.experiments),
                made - DEFAULT_WINDOW,
                made,
            ),
            {"names": {e.key: e.name for e in chosen}},
            window_text(DEFAULT_WINDOW),
        ),
        site_bdiis=_site_bdiis(source, chosen, folder, meta, site_reads) if site_reads else None,
    )
    html = render_page(data)
    if not folder_named.is_dir():
        _make_folder(folder_named)
    # Nothing printed on success: cron mails whatever a job prints.
    write_target(own_file_target(target), [html])
    return partial_exit(model, source.allow_partial)


def _site_bdiis(
    source: SourceOptions,
    chosen: list[Experiment],
    folder: Path,
    meta: dict[str, Any],
    site_reads: SiteReads,
) -> Table:
    """Each site BDII the top level lists, read at once, as `site-bdiis` tables them."""
    # Only the site BDIIs need the LDAP client: a report on a file does not import it.
    from .site_reads import listed_by_top, read_all

    vos = [e.vo for e in chosen]
    request = ReadRequest(
        versions=GLUE_CHOICES["both"],
        rules=load_glue2(folder),
        capabilities=(GLEXEC,),
        vos=tuple(vos),
        serving_only=True,
        runtime_environment=False,
    )
    reads = read_all(
        listed_by_top(source),
        request,
        source.settings,
        lambda model: site_ces(select_glue(model, None), vos, GLEXEC),
        site_reads,
    )
    return site_bdii_table(reads, None, meta)


def _check_folder(output: Path) -> None:
    """Before the work: DIR is a folder, or a new name in a folder that exists, and its
    index.html can be written."""
    if output.is_dir():
        own_file_target(output / PAGE)
    elif output.exists() or output.is_symlink():
        raise InputError(f"cannot write {output}: not a folder")
    elif not output.parent.is_dir():
        raise InputError(
            f"cannot write {output}: folder {output.parent} does not exist (cecap makes"
            " only DIR itself)"
        )


def _make_folder(output: Path) -> None:
    try:
        os.mkdir(output)
    except FileExistsError:
        if not output.is_dir():
            raise InputError(f"cannot write {output}: not a folder") from None
    except OSError as exc:
        raise InputError(f"cannot make {output}: {exc.strerror or exc}") from None
