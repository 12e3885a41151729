"""`check --site-bdiis`: its options, and the site BDIIs' part of the probe's answer, read
within what is left of the check's --timeout."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from ..evaluate.assess import assess
from ..evaluate.nagios import Range
from ..evaluate.selection import Selection, only_selected
from ..evaluate.site_check import SiteBdiiCheck, verdict_changes
from ..evaluate.verdicts import Assessment
from ..model.glue import GlueModel
from ..model.select import GLUE_CHOICES
from ..policy.glue2_load import load_glue2
from ..policy.load import config_dir
from ..policy.stances import GLEXEC, Experiment, Policy
from ..sources.base import ReadRequest
from .options import F, with_options
from .source_options import SiteReads, SourceOptions

# Kept for the check itself, after the site BDIIs: deciding, writing the answer.
_MARGIN = 1.0


def _range(ctx: click.Context, param: click.Parameter, value: str | None) -> Range | None:
    if value is None:
        return None
    try:
        return Range.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


def site_bdii_options(func: F) -> F:
    """--site-bdiis and its ranges; the command receives ``from_sites``, ``sites_warning``
    and ``sites_critical``."""
    options = [
        click.option(
            "--site-bdiis",
            "from_sites",
            is_flag=True,
            help="Also ask every site BDII the top level lists (as `cecap site-bdiis`, within"
            " what is left of --timeout): the answer adds how many did not answer"
            " (site_bdiis_silent) and the verdicts their own data gives differently from"
            " the top level (verdicts_differ, a WARNING). The history records the top"
            " level's verdicts, as without it.",
        ),
        click.option(
            "--site-bdiis-warning",
            "sites_warning",
            default=None,
            metavar="RANGE",
            callback=_range,
            help="WARNING when the number of site BDIIs that did not answer is outside RANGE"
            " (e.g. 5: alerts above 5).",
        ),
        click.option(
            "--site-bdiis-critical",
            "sites_critical",
            default=None,
            metavar="RANGE",
            callback=_range,
            help="CRITICAL when that number is outside RANGE.",
        ),
    ]
    result: F = with_options(func, options)
    return result


def site_bdiis_part(
    source: SourceOptions,
    config: Path | None,
    top: GlueModel,
    top_results: Sequence[Assessment],
    selection: Selection,
    policy: Policy,
    chosen: Sequence[Experiment],
    left: Callable[[], float],
    ranges: tuple[Range | None, Range | None],
) -> SiteBdiiCheck:
    """The site BDIIs the top level lists, read at once within ``left()`` seconds less a
    margin, and the verdicts of the sites that answered, judged from their own data."""
    # Only the site BDIIs need the LDAP client: a report on a file does not import it.
    from .site_reads import listed_by_top, merged_with_sites, silent

    listed = listed_by_top(source)
    request = ReadRequest(
        versions=GLUE_CHOICES["both"],
        rules=load_glue2(config_dir(config)),
        capabilities=(GLEXEC,),
        vos=tuple(e.vo for e in chosen),
        serving_only=selection.everything,
        runtime_environment=False,
    )
    deadline = max(0.1, left() - _MARGIN)
    # Within what is left of the check's own time: Nagios kills a plugin that overruns.
    merged, reads = merged_with_sites(
        top, listed, request, source.settings, SiteReads(deadline=deadline)
    )
    judged = assess(only_selected(selection, merged), policy, list(chosen))
    answered = [r.listed.site.lower() for r in reads if r.digest is not None]
    changes = verdict_changes(top_results, judged, answered)
    return SiteBdiiCheck(len(reads), tuple(silent(reads)), tuple(changes), *ranges)


def site_meta(found: SiteBdiiCheck | None) -> dict[str, Any]:
    """What `check --format json` says of the site BDIIs (nothing without --site-bdiis)."""
    if found is None:
        return {}
    return {
        "site_bdiis": {
            "listed": found.listed,
            "silent": list(found.silent),
            "warning": None if found.warning is None else str(found.warning),
            "critical": None if found.critical is None else str(found.critical),
            "verdicts_differ": [
                {
                    "experiment": c.experiment,
                    "site": c.site,
                    "ce": c.ce,
                    "top": c.top,
                    "site_bdii": c.site_bdii,
                }
                for c in found.changes
            ],
        }
    }
