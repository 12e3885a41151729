"""The options of the commands that read a BDII: --bdii and what goes with it, --glue and
--capability, --site and --ce, each family parsed into one typed settings object."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import click
import click.shell_completion

from ..errors import UsageError
from ..evaluate.selection import Selection
from ..model.select import GLUE_CHOICES
from ..policy.stances import GLEXEC
from ..sources.base import (
    DEFAULT_BASE,
    DEFAULT_CA_DIR,
    DEFAULT_MAX_READ_MIB,
    DEFAULT_TIMEOUT,
    SourceSettings,
)
from ..sources.endpoints import ENV_INFOSYS
from .options import F, Seconds, with_options

# A bound an operator will never need to exceed; beyond it a value is a typo (nan too:
# options.Seconds refuses it).
MAX_TIMEOUT = 86400.0  # a day
# How many site BDIIs are read at once, and the bound on reading them all.
DEFAULT_JOBS = 20
MAX_JOBS = 1000
DEFAULT_DEADLINE = 600.0
MAX_READ_MIB = 1 << 20  # a TiB


@dataclass(frozen=True)
class SourceOptions:
    """--bdii, --base, --timeout, --ca-dir and --allow-partial."""

    bdii: tuple[str, ...] = ()
    settings: SourceSettings = field(default_factory=SourceSettings)
    allow_partial: bool = False


@dataclass(frozen=True)
class GlueOptions:
    """--glue and --capability."""

    glue: str | None = None  # None: every tree the source holds
    capability: str = GLEXEC


def _snapshot_files(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    # Shell completion offers files for --bdii: a snapshot is one; a BDII's host name is
    # nothing the shell can know.
    return [click.shell_completion.CompletionItem(incomplete, type="file")]


def source_options(func: F) -> F:
    """The command receives ``source: SourceOptions``."""

    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> Any:
        kwargs["source"] = SourceOptions(
            bdii=kwargs.pop("bdii"),
            settings=SourceSettings(
                base=kwargs.pop("base"),
                timeout=kwargs.pop("timeout"),
                ca_dir=kwargs.pop("ca_dir"),
                max_read_mib=kwargs.pop("max_read"),
            ),
            allow_partial=kwargs.pop("allow_partial"),
        )
        return func(*args, **kwargs)

    options = [
        click.option(
            "--bdii",
            "bdii",
            multiple=True,
            metavar="SOURCE",
            shell_complete=_snapshot_files,
            help="HOST[:PORT] (port 2170), ldap://HOST[:PORT][/DN], ldaps://HOST[:PORT][/DN]"
            " (the DN is the search base) or an LDIF snapshot (plain or .gz). Repeat it or"
            f" separate with commas for a failover list (default: ${ENV_INFOSYS}).",
        ),
        click.option(
            "--base",
            default=DEFAULT_BASE,
            show_default=True,
            metavar="DN",
            help="Search base on a live BDII (mds-vo-name=SITE,o=grid for a site BDII);"
            " an LDAP URL's DN wins over it.",
        ),
        click.option(
            "--timeout",
            type=Seconds(MAX_TIMEOUT),
            default=DEFAULT_TIMEOUT,
            show_default=True,
            metavar="SECONDS",
            help="Give up on an endpoint after this long (connect and all searches;"
            f" at most {MAX_TIMEOUT:g}).",
        ),
        click.option(
            "--ca-dir",
            "ca_dir",
            envvar="X509_CERT_DIR",
            default=DEFAULT_CA_DIR,
            show_default=True,
            metavar="DIR",
            help="Hashed CA directory that ldaps:// servers are verified against"
            " (default: $X509_CERT_DIR, else the path shown).",
        ),
        click.option(
            "--max-read",
            "max_read",
            type=click.IntRange(min=1, max=MAX_READ_MIB),
            default=DEFAULT_MAX_READ_MIB,
            show_default=True,
            metavar="MIB",
            help="Give up on an endpoint that sends more than this many MiB in one read"
            " (a server streaming without end); raise it for a BDII that large.",
        ),
        click.option(
            "--allow-partial",
            is_flag=True,
            help="Exit 0 even when the information system cut the answer short"
            " (the output still says it is partial).",
        ),
    ]
    return cast(F, with_options(command, options))


# --glue alone, for commands that read glexec only (testlist, page); the command receives
# ``glue``: "1", "2", "both" or None (every tree the source holds).
glue_option = click.option(
    "--glue",
    type=click.Choice(sorted(GLUE_CHOICES)),
    default=None,
    help="Read GLUE 1.3 (o=grid), GLUE 2.0 (o=glue) or both (default: every tree the"
    " source holds; a CE published in both counts once, from GLUE 1.3).",
)


def glue_options(func: F) -> F:
    """The command receives ``glue: GlueOptions``."""

    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> Any:
        capability = kwargs.pop("capability").strip().lower()
        if not capability or any(c.isspace() for c in capability):
            raise UsageError("--capability: give one GlueCECapability name, e.g. glexec or htpc")
        kwargs["glue"] = GlueOptions(kwargs.pop("glue"), capability)
        return func(*args, **kwargs)

    options = [
        glue_option,
        click.option(
            "--capability",
            default=GLEXEC,
            show_default=True,
            metavar="NAME",
            help="The GlueCECapability to look for (htpc, ...); stances and modes apply to"
            " glexec only.",
        ),
    ]
    return cast(F, with_options(command, options))


@dataclass(frozen=True, slots=True)
class SiteReads:
    """How the site BDIIs are read: ``jobs`` at once, all within ``deadline`` seconds."""

    jobs: int = DEFAULT_JOBS
    deadline: float = DEFAULT_DEADLINE


def site_reads_options(flag_help: str | None = None) -> Callable[[F], F]:
    """--jobs and --deadline; the command receives ``site_reads: SiteReads``. With
    ``flag_help``, the command reads the site BDIIs only when asked, by a --site-bdiis
    flag of that help: it receives None without the flag, and --jobs or --deadline
    without it is a usage error."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def command(*args: Any, **kwargs: Any) -> Any:
            jobs, deadline = kwargs.pop("jobs"), kwargs.pop("deadline")
            asked = kwargs.pop("from_sites", True)
            if not asked and (jobs is not None or deadline is not None):
                raise UsageError(
                    "--jobs and --deadline say how to read the site BDIIs:"
                    " give --site-bdiis too, or leave them out"
                )
            kwargs["site_reads"] = (
                SiteReads(
                    DEFAULT_JOBS if jobs is None else jobs,
                    DEFAULT_DEADLINE if deadline is None else deadline,
                )
                if asked
                else None
            )
            return func(*args, **kwargs)

        with_flag = "" if flag_help is None else " (with --site-bdiis)"
        options = [
            click.option(
                "--jobs",
                type=click.IntRange(min=1, max=MAX_JOBS),
                default=None,
                metavar="N",
                help=f"Site BDIIs read at once{with_flag}. [default: {DEFAULT_JOBS}]",
            ),
            click.option(
                "--deadline",
                type=Seconds(MAX_TIMEOUT),
                default=None,
                metavar="SECONDS",
                help=f"Bound on reading all the site BDIIs{with_flag}: one not read by then"
                f" is reported as such. [default: {DEFAULT_DEADLINE:g}]",
            ),
        ]
        if flag_help is not None:
            options.insert(
                0, click.option("--site-bdiis", "from_sites", is_flag=True, help=flag_help)
            )
        return cast(F, with_options(command, options))

    return decorate


def selection_options(where: str = "in the source") -> Callable[[F], F]:
    """--site and --ce; the command receives ``selection: Selection``. ``where`` says in
    --help what the patterns are matched against."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def command(*args: Any, **kwargs: Any) -> Any:
            picked = {}
            for option, key in (("--site", "site_patterns"), ("--ce", "ce_patterns")):
                patterns = tuple(p.strip() for p in kwargs.pop(key))
                if not all(patterns):
                    raise UsageError(f"{option}: give a name or a shell pattern, not nothing")
                picked[option] = patterns
            kwargs["selection"] = Selection(sites=picked["--site"], ces=picked["--ce"])
            return func(*args, **kwargs)

        options = [
            click.option(
                "--site",
                "site_patterns",
                multiple=True,
                metavar="PATTERN",
                help="Only CEs of a site whose name matches (GlueSiteName; shell patterns"
                f" like 'UKI-*', any case; repeatable). Matching nothing {where} is an error.",
            ),
            click.option(
                "--ce",
                "ce_patterns",
                multiple=True,
                metavar="PATTERN",
                help="Only CEs whose GlueCEUniqueID matches (shell patterns like"
                f" 'ce01.example.org:*', any case; repeatable). Matching nothing {where} is"
                " an error.",
            ),
        ]
        return cast(F, with_options(command, options))

    return decorate
