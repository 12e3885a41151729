"""The options every command shares (--format, --fields and --no-header; --config, --state,
--experiment, --debug), each family parsed into one typed settings object. The options of
the commands that read a BDII are in source_options."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from ..errors import UsageError
from ..formats import CECAP_FORMATS, format_names
from ..formats.registry import FIELDS, FORMATS, NO_HEADER, Format, own_formats
from ..history.paths import STATE_ENV

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from ..evaluate.verdicts import Verdict

F = TypeVar("F", bound=Callable[..., Any])

# A bound an operator will never need to exceed; beyond it a value is a typo.
MAX_KEEP_DAYS = 36500  # a century


class Seconds(click.FloatRange):
    """A number of seconds up to ``most`` (None: no bound): above 0, or from 0 with
    ``zero`` (no wait). Unlike click's FloatRange it refuses nan, which no comparison with
    a bound fails."""

    name = "seconds"

    def __init__(self, most: float | None, *, zero: bool = False) -> None:
        super().__init__(min=0, min_open=not zero, max=most)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        seconds = super().convert(value, param, ctx)
        if math.isnan(seconds):
            low = "0 <" if self.min_open else "0 <="
            high = "" if self.max is None else f" <= {self.max:g}"
            self.fail(f"{value!r} is not a number of seconds, {low} SECONDS{high}", param, ctx)
        return seconds


def with_options(command: Callable[..., Any], options: Sequence[Callable[[Any], Any]]) -> Any:
    """``command`` decorated with ``options``, the first listed shown first in --help."""
    decorated = command
    for option in reversed(options):
        decorated = option(decorated)
    return decorated


def config_option(func: F) -> F:
    return click.option(
        "--config",
        "config",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Config folder with stances.yaml, sites.yaml, experiments.yaml"
        " (default: $CECAP_CONFIG, else /etc/cecap, else the shipped config).",
    )(func)


class FormatChoice(click.ParamType):
    """--format's choice, in any case: the formats only the command's Tables have
    (``kinds``), then those for every Table that it offers (``generic``; None: every one,
    tabulate's too).

    cecap's own formats are known without importing tabulate; tabulate's are loaded only
    for a value that is none of them, for shell completion, and for the error that lists
    every choice.
    """

    name = "choice"

    def __init__(self, kinds: Sequence[str] = (), generic: Sequence[str] | None = None) -> None:
        self.kinds = tuple(kinds)
        self.generic = None if generic is None else tuple(generic)
        self.own = tuple(own_formats(self.kinds))
        named = (*self.own, *(CECAP_FORMATS if self.generic is None else self.generic))
        self.named = {name.casefold(): name for name in named}

    @functools.cached_property
    def every(self) -> click.Choice[str]:
        rest = format_names() if self.generic is None else self.generic
        return click.Choice(list(dict.fromkeys([*self.own, *rest])), case_sensitive=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        named = self.named.get(str(value).casefold())
        return named if named is not None else self.every.convert(value, param, ctx)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        return self.every.shell_complete(ctx, param, incomplete)

    def help(self) -> str:
        """What --help says: each format offered, with what its registration says of it."""
        own = own_formats(self.kinds)
        shown = [_about(name, own[name].about) for name in self.own]
        if self.generic is None:
            shown += [_about(n, FORMATS[n].about) for n in CECAP_FORMATS if n not in own]
            return (
                ", ".join(shown)
                + ", or any tabulate format that shows values as text (github, grid, html,"
                " latex, ...)."
            )
        shown += [_about(n, FORMATS[n].about) for n in self.generic if n not in own]
        return (", ".join(shown[:-1]) + " or " + shown[-1] if len(shown) > 1 else shown[0]) + "."


def _about(name: str, about: str) -> str:
    return f"{name} ({about})" if about else name


@dataclass(frozen=True)
class OutputOptions:
    """--format, --fields and --no-header."""

    fmt: str = "table"
    fields: tuple[str, ...] = ()  # empty: every field, in the command's order
    header: bool = True


def output_options(
    fields: Sequence[str] = (),
    *,
    kinds: Sequence[str] = (),
    generic: Sequence[str] | None = None,
    default: str = "table",
) -> Callable[[F], F]:
    """The command receives ``output: OutputOptions``. ``fields``: the command's fields,
    listed in --help and checked before the command runs (cli.output.shape checks every
    table against its own); ``kinds``: the kinds of Table it prints, whose own formats
    (cecap.formats: registered with ``kinds``) it offers, its module importing them;
    ``generic``: the formats for every Table it offers (None: all of them)."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def command(*args: Any, **kwargs: Any) -> Any:
            chosen = _field_list(kwargs.pop("fields"))
            if fields:
                check_fields(chosen, fields)
            output = OutputOptions(kwargs.pop("fmt"), chosen, kwargs.pop("header"))
            # Before the command's work: tabulate's formats refuse nothing, so they are not
            # loaded for this.
            named = own_formats(kinds).get(output.fmt) or FORMATS.get(output.fmt)
            if named is not None:
                check_refused(named, output)
            kwargs["output"] = output
            return func(*args, **kwargs)

        listed = f" Fields: {', '.join(fields)}." if fields else ""
        choice = FormatChoice(kinds, generic)
        options = [
            click.option(
                "--format",
                "fmt",
                type=choice,
                default=default,
                show_default=True,
                metavar="FMT",
                help=choice.help(),
            ),
            click.option(
                "--fields",
                "fields",
                default=None,
                metavar="A,B,...",
                help="Only these fields, in this order (with lines, the fields printed"
                f" instead of the key).{listed}",
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
        return cast(F, with_options(command, options))

    return decorate


def _field_list(text: str | None) -> tuple[str, ...]:
    if text is None:
        return ()
    names = tuple(name.strip() for name in text.split(","))
    if not all(names):
        raise UsageError(f"--fields: give field names separated by commas, not {text!r}")
    return names


def check_refused(fmt: Format, output: OutputOptions) -> None:
    """UsageError when --fields or --no-header is given with a format that refuses it."""
    for option, given in ((FIELDS, bool(output.fields)), (NO_HEADER, not output.header)):
        if given and option in fmt.refuses:
            raise UsageError(f"{option} does not apply to --format {fmt.name}")


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


class VoName(str):
    """A --vo value: it names the experiments whose VO it is, not an experiment."""

    __slots__ = ()


def experiment_option(func: F) -> F:
    """-e/--experiment and --vo; the command receives ``experiments``, the -e names and
    the --vo names (as VoName) together."""

    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> Any:
        vos = tuple(VoName(vo) for vo in kwargs.pop("vos"))
        kwargs["experiments"] = (*kwargs["experiments"], *vos)
        return func(*args, **kwargs)

    options = [
        click.option(
            "--experiment",
            "-e",
            "experiments",
            multiple=True,
            metavar="NAME",
            help="atlas, cms, lhcb, alice (repeat it or separate with commas; default: all"
            " configured).",
        ),
        click.option(
            "--vo",
            "vos",
            multiple=True,
            metavar="VO",
            help="The experiments whose VO this is, as lcg-infosites --vo says it (repeat it"
            " or separate with commas; with -e, both count).",
        ),
    ]
    return cast(F, with_options(command, options))


def _verdicts(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> frozenset[Verdict] | None:
    if not values:
        return None
    # Imported here: `cecap stances` shares these options and imports no evaluation.
    from ..evaluate.verdicts import Verdict

    known = {v.value: v for v in Verdict}
    names = [n.strip().lower() for value in values for n in value.split(",")]
    bad = [n for n in names if n not in known]
    if bad or not names:
        shown = ", ".join(repr(n) for n in bad) or "nothing"
        raise click.BadParameter(
            f"{shown}: not a verdict (one of {', '.join(known)})", ctx=ctx, param=param
        )
    return frozenset(known[n] for n in names)


def verdict_option(what: str) -> Callable[[F], F]:
    """``--verdict NAME[,NAME...]`` (repeatable) into a frozenset of Verdict, None when not
    given; ``what`` says what the verdicts choose."""
    from ..evaluate.verdicts import Verdict

    def decorate(func: F) -> F:
        return click.option(
            "--verdict",
            "verdicts",
            multiple=True,
            metavar="NAME[,NAME...]",
            callback=_verdicts,
            help=f"{what} (repeat it or separate with commas): "
            + ", ".join(v.value for v in Verdict)
            + ".",
        )(func)

    return decorate


# Where --debug is noted for a command that shows its own errors (check); main() reads
# --debug from the command line itself.
DEBUG = "cecap.debug"


def _note_debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    ctx.meta[DEBUG] = value


def debug_option(func: F) -> F:
    """--debug: a traceback on errors. No command reads it as a parameter."""
    return click.option(
        "--debug",
        is_flag=True,
        expose_value=False,
        callback=_note_debug,
        help="Show a traceback on errors (for bug reports).",
    )(func)
