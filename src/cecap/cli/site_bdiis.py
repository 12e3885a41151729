"""`cecap site-bdiis`: ask every site BDII a top-level BDII lists, at once, what it
publishes, and how the top level's copy of each site differs from it."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import click

from ..errors import UsageError
from ..evaluate.selection import Selection
from ..evaluate.site_bdiis import SiteCes, by_site, pick_sites, site_ces
from ..model.glue import GlueModel
from ..model.select import GLUE_CHOICES, select_glue
from ..policy.glue2_load import load_glue2
from ..policy.load import config_dir, load_policy
from ..rows.site_bdiis import SITE_BDII_FIELDS, site_bdii_table
from ..sources.base import ReadRequest
from ..sources.endpoints import ENV_INFOSYS
from ..sources.site_list import SiteBdii, from_file, from_pairs, merge
from .common import load_model, pick_experiments
from .options import OutputOptions, config_option, debug_option, experiment_option, output_options
from .output import emit, warn
from .site_reads import listed_by_top, read_all
from .source_options import (
    GlueOptions,
    SiteReads,
    SourceOptions,
    glue_options,
    selection_options,
    site_reads_options,
    source_options,
)


@click.command("site-bdiis")
@source_options
@click.option(
    "--urls",
    "urls_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Read the site BDIIs listed in FILE too, in the format the top-level BDII's"
    " updater writes (glite-info-update-endpoints: NAME ldap://HOST:PORT/BASE per line).",
)
@click.option(
    "--site-bdii",
    "pairs",
    multiple=True,
    metavar="SITE=URL",
    help="Read this site BDII too (URL: ldap://HOST:PORT/mds-vo-name=SITE,o=grid, or"
    " HOST[:PORT] for that base; repeatable).",
)
@site_reads_options()
@experiment_option
@selection_options("in the list of site BDIIs (--ce: among the CEs compared)")
@glue_options
@output_options(SITE_BDII_FIELDS)
@config_option
@debug_option
def site_bdiis(
    source: SourceOptions,
    urls_file: Path | None,
    pairs: tuple[str, ...],
    site_reads: SiteReads,
    experiments: tuple[str, ...],
    selection: Selection,
    glue: GlueOptions,
    output: OutputOptions,
    config: Path | None,
) -> int:
    """Ask every site BDII a top-level BDII lists, at once: one row per site BDII.

    The list comes from the top level (--bdii, else $LCG_GFAL_INFOSYS: its GlueService
    and GLUE2Endpoint entries of type bdii_site), from --urls and from --site-bdii. Each
    row says whether the site BDII answered and why not (refused, timeout, not LDAP,
    TLS, base missing, deadline), its entries, its freshness (the age of its o=infosys
    update statistics), its CEs and those in state Unknown, and, for the CEs serving the
    experiments' VOs, how the top level's copy differs: CEs missing from the top, CEs
    only in the top (stale), and CEs whose state, capability or VOs differ.
    """
    policy = load_policy(config_dir(config))
    vos = [e.vo for e in pick_experiments(policy, experiments)]
    capability = glue.capability
    given = from_pairs(pairs)
    if urls_file is not None:
        given = merge(given, from_file(urls_file, warn))
    top_items = source.bdii or ((os.environ[ENV_INFOSYS],) if os.environ.get(ENV_INFOSYS) else ())
    if not top_items and not given:
        raise UsageError(
            "no site BDII to read: give the top-level BDII (--bdii, or set"
            f" {ENV_INFOSYS}), --urls FILE or --site-bdii SITE=URL"
        )
    top: dict[str, SiteCes] | None = None
    # What the output needs of the top level: its origin and whether it answered in full
    # (its CEs, reduced to ``top``, are not kept while the site BDIIs are read).
    said: GlueModel | None = None
    listed: list[SiteBdii] = []
    if top_items:
        top_source = SourceOptions(top_items, source.settings, source.allow_partial)
        listed = listed_by_top(top_source)
        model = load_model(top_source, glue, config, runtime_environment=False)
        top = by_site(model, vos, capability, selection)
        said = dataclasses.replace(model, ces=(), clusters={})
        del model
    sites = merge(listed, given)
    kept = pick_sites(selection, [s.site for s in sites])
    sites = [s for s, keep in zip(sites, kept, strict=True) if keep]
    request = ReadRequest(
        versions=GLUE_CHOICES[glue.glue or "both"],
        rules=load_glue2(config_dir(config)),
        capabilities=(capability,),
        runtime_environment=False,
    )

    def digest(model: GlueModel) -> SiteCes:
        return site_ces(select_glue(model, None), vos, capability, selection)

    reads = read_all(sites, request, source.settings, digest, site_reads)
    meta = {
        "source": said.origin if said else None,
        "partial": said.partial if said else None,
        "capability": capability,
        "sites": len(reads),
        "answered": sum(1 for r in reads if r.why is None),
        "empty": "site BDII listed",
    }
    table = site_bdii_table(reads, top, meta)
    return emit(table, output, said, source.allow_partial)
