"""What the commands that ask the site BDIIs share: the list the top level publishes, and
reading them all at once as site-bdiis does, with progress on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

import click

from ..evaluate.site_bdiis import from_site_bdiis
from ..model.glue import GlueModel
from ..model.select import select_glue
from ..sources.base import EntrySource, ReadRequest, Source, SourceSettings
from ..sources.ldap import LdapReader
from ..sources.site_bdiis import Progress, SiteRead, read_site, read_sites
from ..sources.site_list import LIST_FILTERS, LIST_WANTED, SiteBdii, read_list
from ..text import visible
from .common import read_first
from .source_options import SiteReads, SourceOptions

T = TypeVar("T")


def listed_by_top(source: SourceOptions) -> list[SiteBdii]:
    """The site BDIIs the first top level of --bdii that answers lists."""
    return read_first(source, _site_list)


def _site_list(found: Source) -> list[SiteBdii]:
    # A live BDII is asked for the site BDIIs' own entries only.
    assert isinstance(found, EntrySource), found
    reader = found.reader(LIST_WANTED)
    if isinstance(reader, LdapReader):
        reader.special = {cls: (None, filterstr) for cls, filterstr in LIST_FILTERS.items()}
    return read_list(reader)


def read_all(
    sites: Sequence[SiteBdii],
    request: ReadRequest,
    settings: SourceSettings,
    digest: Callable[[GlueModel], T],
    reads: SiteReads,
) -> list[SiteRead[T]]:
    """Every site BDII read at once (``reads.jobs`` at most, all within
    ``reads.deadline``), each kept as ``digest`` of it."""

    def read(site: SiteBdii, left: float) -> SiteRead[T]:
        return read_site(site, request, settings, digest, left)

    return read_sites(sites, read, jobs=reads.jobs, deadline=reads.deadline, progress=_progress())


def merged_with_sites(
    top: GlueModel,
    sites: Sequence[SiteBdii],
    request: ReadRequest,
    settings: SourceSettings,
    reads: SiteReads,
) -> tuple[GlueModel, list[SiteRead[GlueModel]]]:
    """Every site BDII read at once, and the top level's model with each site whose BDII
    answered taken from that BDII (``SiteRead.digest``, its model) instead."""
    done = read_all(sites, request, settings, lambda model: select_glue(model, None), reads)
    answered = {r.listed.site.lower(): r.digest for r in done if r.digest is not None}
    return from_site_bdiis(top, answered), done


def silent(reads: Sequence[SiteRead[T]]) -> list[str]:
    """``SITE (why)`` for each site BDII that did not answer."""
    return [f"{r.listed.site} ({r.why.value})" for r in reads if r.why is not None]


def _progress() -> Callable[[Progress], None] | None:
    """Progress on stderr, rewritten in place, when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: Progress) -> None:
        text = f"cecap: site BDIIs: {done.done} done, {done.failed} failed, {done.left} left"
        end = "\n" if done.left == 0 else ""
        click.echo(f"\r\x1b[K{visible(text)}{end}", err=True, nl=False)

    return show
