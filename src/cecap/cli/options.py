"""The options commands share, each family parsed into one typed settings object."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

import click
import click.shell_completion

from ..errors import UsageError
from ..evaluate.selection import Selection
from ..formats import OWN_FORMATS, format_names
from ..history.paths import STATE_ENV
from ..model.select import GLUE_CHOICES
from ..policy.stances import GLEXEC
from ..sources.base import DEFAULT_BASE, DEFAULT_CA_DIR, DEFAULT_TIMEOUT, SourceSettings
from ..sources.endpoints import ENV_INFOSYS

F = TypeVar("F", bound=Callable[..., Any])

# Bounds an operator will never need to exceed; beyond them a value is a typo (or nan,
# which click's range check lets through: refused below).
MAX_TIMEOUT = 86400.0  # a day
MAX_KEEP_DAYS = 36500  # a century


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


def _with_options(command: Callable[..., Any], options: Sequence[Callable[[Any], Any]]) -> Any:
    """``command`` decorated with ``options``, the first listed shown first in --help."""
    decorated = command
    for option in reversed(options):
        decorated = option(decorated)
    return decorated


def source_options(func: F) -> F:
    """The command receives ``source: SourceOptions``."""

    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> Any:
        if math.isnan(kwargs["timeout"]):
            raise UsageError(f"--timeout: give a number of seconds, 0 < SECONDS <= {MAX_TIMEOUT:g}")
        kwargs["source"] = SourceOptions(
            bdii=kwargs.pop("bdii"),
            settings=SourceSettings(
                base=kwargs.pop("base"),
                timeout=kwargs.pop("timeout"),
                ca_dir=kwargs.pop("ca_dir"),
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
            help="HOST[:PORT] (port 2170), ldap://HOST[:PORT], ldaps://HOST[:PORT] or an LDIF"
            " snapshot (plain or .gz). Repeat it or separate with commas for a failover list"
            f" (default: ${ENV_INFOSYS}).",
        ),
        click.option(
            "--base",
            default=DEFAULT_BASE,
            show_default=True,
            metavar="DN",
            help="Search base on a live BDII (mds-vo-name=SITE,o=grid for a site BDII).",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0, min_open=True, max=MAX_TIMEOUT),
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
            "--allow-partial",
            is_flag=True,
            help="Exit 0 even when the information system cut the answer short"
            " (the output still says it is partial).",
        ),
    ]
    return cast(F, _with_options(command, options))


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
    return cast(F, _with_options(command, options))


def config_option(func: F) -> F:
    return click.option(
        "--config",
        "config",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Config folder with stances.yaml, sites.yaml, experiments.yaml"
        " (default: $CECAP_CONFIG, else the shipped config).",
    )(func)


class FormatChoice(click.ParamType):
    """--format's choice, in any case: the command's own formats (``extra``), then every
    registered one, sorted.

    cecap's own formats are known without importing tabulate; tabulate's are loaded only
    for a value that is none of them, for shell completion, and for the error that lists
    every choice.
    """

    name = "choice"

    def __init__(self, extra: Sequence[str] = ()) -> None:
        self.extra = tuple(extra)
        self.own = {name.casefold(): name for name in (*self.extra, *OWN_FORMATS)}

    @functools.cached_property
    def every(self) -> click.Choice[str]:
        return click.Choice([*self.extra, *format_names()], case_sensitive=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        own = self.own.get(str(value).casefold())
        return own if own is not None else self.every.convert(value, param, ctx)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[click.shell_completion.CompletionItem]:
        return self.every.shell_complete(ctx, param, incomplete)


@dataclass(frozen=True)
class OutputOptions:
    """--format, --fields and --no-header."""

    fmt: str = "table"
    fields: tuple[str, ...] = ()  # empty: every field, in the command's order
    header: bool = True


def output_options(
    fields: Sequence[str] = (), *, default: str = "table", extra: Sequence[str] = ()
) -> Callable[[F], F]:
    """The command receives ``output: OutputOptions``. ``fields``: the command's fields,
    listed in --help and checked before the command runs (cli.common.shape checks every
    table against its own); ``extra``: formats of the command's own, besides the
    registered ones."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def command(*args: Any, **kwargs: Any) -> Any:
            chosen = _field_list(kwargs.pop("fields"))
            if fields:
                check_fields(chosen, fields)
            kwargs["output"] = OutputOptions(kwargs.pop("fmt"), chosen, kwargs.pop("header"))
            return func(*args, **kwargs)

        listed = f" Fields: {', '.join(fields)}." if fields else ""
        options = [
            click.option(
                "--format",
                "fmt",
                type=FormatChoice(extra),
                default=default,
                show_default=True,
                metavar="FMT",
                help=f"{', '.join(extra) + ', ' if extra else ''}table (fits the terminal:"
                " $COLUMNS, else its width, else 80), lines (each row's key alone), tsv,"
                " csv, json, or any tabulate format (github, grid, html, ...).",
            ),
            click.option(
                "--fields",
                "fields",
                default=None,
                metavar="A,B,...",
                help="Only these fields, in this order (every format; with lines, the"
                f" fields printed instead of the key).{listed}",
            ),
            click.option(
                "--no-header",
                "header",
                is_flag=True,
                default=True,
                flag_value=False,
                help="Leave out the header line (table, tsv, csv and the tabulate formats).",
            ),
        ]
        return cast(F, _with_options(command, options))

    return decorate


def _field_list(text: str | None) -> tuple[str, ...]:
    if text is None:
        return ()
    names = tuple(name.strip() for name in text.split(","))
    if not all(names):
        raise UsageError(f"--fields: give field names separated by commas, not {text!r}")
    return names


def check_fields(chosen: Sequence[str], fields: Sequence[str]) -> None:
    """UsageError unless every chosen name is one of ``fields``, once."""
    unknown = [name for name in chosen if name not in fields]
    if unknown:
        raise UsageError(
            f"--fields: unknown field {', '.join(map(repr, unknown))}; the fields are:"
            f" {', '.join(fields)}"
        )
    twice = sorted({name for name in chosen if chosen.count(name) > 1})
    if twice:
        raise UsageError(f"--fields: {', '.join(twice)} given twice")


def state_option(func: F) -> F:
    return click.option(
        "--state",
        "state",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        metavar="PATH",
        help=f"History database (default: ${STATE_ENV}, else $XDG_STATE_HOME/cecap/"
        "history.sqlite, else ~/.local/state/cecap/history.sqlite).",
    )(func)


def keep_days_option(func: F) -> F:
    return click.option(
        "--keep-days",
        type=click.IntRange(min=0, max=MAX_KEEP_DAYS),
        default=None,
        metavar="N",
        help="Prune recorded runs older than N days (every CE's current state stays).",
    )(func)


def experiment_option(func: F) -> F:
    return click.option(
        "--experiment",
        "-e",
        "experiments",
        multiple=True,
        metavar="NAME",
        help="atlas, cms, lhcb, alice (repeat it or separate with commas; default: all"
        " configured).",
    )(func)


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
        return cast(F, _with_options(command, options))

    return decorate


def debug_option(func: F) -> F:
    return click.option(
        "--debug", is_flag=True, help="Show a traceback on errors (for bug reports)."
    )(func)
