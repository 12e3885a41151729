"""Command-line interface: parse, build, run, and map errors to one line and an exit code."""

from __future__ import annotations

import functools
import gc
import os
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from . import __version__
from .config import config_dir, load_glue2, load_policy
from .errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_UNAVAILABLE, CecapError, InputError, UsageError
from .evaluate import GLEXEC, Assessment, Verdict, assess, summarize_sites
from .formats import FORMATS, render
from .glue import GlueModel, read_model
from .glue2 import GLUE20, GLUE_CHOICES, Glue2Collector, select_glue
from .glue2 import wanted as glue_wanted
from .history import STATE_ENV, record_run, stable_counts, state_path
from .policy import Experiment, Policy
from .rows import Table, report_table, site_table, stance_table
from .source import GLUE13_WANTED, Reader
from .source_ldap import DEFAULT_BASE, DEFAULT_CA_DIR, DEFAULT_TIMEOUT
from .sources import ENV_INFOSYS, SourceSettings, first_available, open_readers

EXIT_INTERNAL = 4
F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def config_option(func: F) -> F:
    return click.option(
        "--config",
        "config",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Config folder with stances.yaml, sites.yaml, experiments.yaml"
        " (default: $CECAP_CONFIG, else the shipped config).",
    )(func)


def format_option(func: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(sorted(FORMATS), case_sensitive=False),
        default="table",
        show_default=True,
        metavar="FMT",
        help="table, json, csv, or any tabulate format (github, grid, html, ...).",
    )(func)


_SOURCE_SETTINGS = "cecap.source_settings"
S = TypeVar("S")


def _with_options(
    command: Callable[..., Any], options: Sequence[Callable[[Any], Any]]
) -> Callable[..., Any]:
    """``command`` decorated with ``options``, the first listed shown first in --help."""
    decorated = command
    for option in reversed(options):
        decorated = option(decorated)
    return decorated


def _from_context(key: str, kind: type[S]) -> S:
    """Settings an options decorator left in the click context; defaults outside a command."""
    ctx = click.get_current_context(silent=True)
    found = ctx.meta.get(key) if ctx is not None else None
    return found if isinstance(found, kind) else kind()


def source_options(func: F) -> F:
    """--bdii and --allow-partial reach the command as ``bdii`` and ``allow_partial``.

    --base, --timeout and --ca-dir go to load_model through the click context, so every
    command that reads a BDII takes them without growing its signature.
    """

    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> Any:
        settings = SourceSettings(
            base=kwargs.pop("base"), timeout=kwargs.pop("timeout"), ca_dir=kwargs.pop("ca_dir")
        )
        click.get_current_context().meta[_SOURCE_SETTINGS] = settings
        return func(*args, **kwargs)

    options = [
        click.option(
            "--bdii",
            "bdii",
            multiple=True,
            metavar="SOURCE",
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
            type=click.FloatRange(min=0, min_open=True),
            default=DEFAULT_TIMEOUT,
            show_default=True,
            metavar="SECONDS",
            help="Give up on an endpoint after this long (connect and all searches).",
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


def source_settings() -> SourceSettings:
    """What --base, --timeout and --ca-dir said (defaults outside a command)."""
    return _from_context(_SOURCE_SETTINGS, SourceSettings)


def use_source_settings(settings: SourceSettings) -> None:
    """Replace what load_model reads for the rest of the command (e.g. a shorter timeout)."""
    click.get_current_context().meta[_SOURCE_SETTINGS] = settings


def warn(message: str) -> None:
    click.echo(f"cecap: warning: {message}", err=True)


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
        type=click.IntRange(min=0),
        default=None,
        metavar="N",
        help="Prune recorded runs older than N days (every CE's current state stays).",
    )(func)


_GLUE_SETTINGS = "cecap.glue_settings"


@dataclass(frozen=True)
class GlueSettings:
    """What --glue and --capability said."""

    glue: str | None = None  # None: every tree the source holds
    capability: str = GLEXEC


def glue_options(func: F) -> F:
    """--glue and --capability go to load_model through the click context, like
    source_options; the command reads them back with glue_settings()."""

    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> Any:
        capability = kwargs.pop("capability").strip().lower()
        if not capability or any(c.isspace() for c in capability):
            raise UsageError("--capability: give one GlueCECapability name, e.g. glexec or htpc")
        settings = GlueSettings(kwargs.pop("glue"), capability)
        click.get_current_context().meta[_GLUE_SETTINGS] = settings
        return func(*args, **kwargs)

    options = [
        click.option(
            "--glue",
            type=click.Choice(sorted(GLUE_CHOICES)),
            default=None,
            help="Read GLUE 1.3 (o=grid), GLUE 2.0 (o=glue) or both (default: every tree the"
            " source holds; a CE published in both counts once, from GLUE 1.3).",
        ),
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


def glue_settings() -> GlueSettings:
    """What --glue and --capability said (defaults outside a command)."""
    return _from_context(_GLUE_SETTINGS, GlueSettings)


def experiment_option(func: F) -> F:
    return click.option(
        "--experiment",
        "-e",
        "experiments",
        multiple=True,
        metavar="NAME",
        help="atlas, cms, lhcb, alice (repeatable; default: all configured).",
    )(func)


def debug_option(func: F) -> F:
    return click.option(
        "--debug", is_flag=True, help="Show a traceback on errors (for bug reports)."
    )(func)


def pick_experiments(policy: Policy, names: Sequence[str]) -> list[Experiment]:
    if not names:
        return list(policy.experiments.values())
    picked = []
    for name in names:
        key = name.strip().lower()
        if key not in policy.experiments:
            raise UsageError(
                f"unknown experiment {name!r}; configured: {', '.join(policy.experiments)}"
            )
        picked.append(policy.experiments[key])
    return picked


def read_first(
    bdii: Sequence[str],
    run: Callable[[Reader], T],
    *,
    wanted: Mapping[str, tuple[str, ...]] = GLUE13_WANTED,
    vos: Sequence[str] | None = None,
) -> T:
    """``run`` on the first source of --bdii (else $LCG_GFAL_INFOSYS) that answers.

    Each skipped endpoint is a warning on stderr; ``run`` starts afresh on the next one.
    """
    readers = open_readers(
        bdii, source_settings(), env_default=os.environ.get(ENV_INFOSYS), wanted=wanted, vos=vos
    )

    def guarded(reader: Reader) -> T:
        try:
            return run(reader)
        except InputError as exc:
            text = str(exc)
            raise InputError(
                text if reader.origin in text else f"{reader.origin}: {text}"
            ) from None

    return first_available(readers, guarded, warn)


def load_model(
    bdii: Sequence[str],
    vos: Sequence[str] | None = None,
    *,
    count_twice: bool = False,
    runtime_environment: bool = True,
) -> GlueModel:
    """The model from the first source that answers; a failed endpoint leaves nothing behind.

    ``vos`` lets a live BDII send only the VOViews that can matter for those VOs. The GLUE
    trees and capability come from --glue and --capability (glue_settings); ``count_twice``
    keeps a CE published in both trees twice (see glue2.select_glue). Without
    ``runtime_environment`` the subclusters' run-time environment tags are not read:
    verdicts do not use them, and they are the bulkiest values of a top-level BDII.
    """
    glue = glue_settings()
    # glue2.yaml comes from the command's --config folder, as the rest of the config does.
    ctx = click.get_current_context(silent=True)
    folder = ctx.params.get("config") if ctx is not None else None
    rules = load_glue2(config_dir(folder))
    versions = GLUE_CHOICES[glue.glue or "both"]
    capabilities = [glue.capability]

    def run(reader: Reader) -> GlueModel:
        if GLUE20 in versions:
            return read_model(reader, Glue2Collector(rules, capabilities))
        return read_model(reader)

    wanted = glue_wanted(versions, rules, capabilities)
    if not runtime_environment:
        wanted.pop("gluesubcluster", None)  # GLUE 1.3 subclusters hold nothing else cecap uses
    model = read_first(bdii, run, wanted=wanted, vos=vos)
    return select_glue(model, glue.glue, count_twice=count_twice)


def emit(table: Table, fmt: str, model: GlueModel | None, allow_partial: bool) -> int:
    click.echo(render(fmt, table))
    if model is not None and model.partial:
        click.echo(f"cecap: warning: {model.origin}: partial answer: {model.partial}", err=True)
        return EXIT_OK if allow_partial else EXIT_UNAVAILABLE
    return EXIT_OK


def source_meta(model: GlueModel) -> dict[str, Any]:
    return {"source": model.origin, "partial": model.partial}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cecap")
def cli() -> None:
    """Which grid CEs advertise glexec, and may each experiment use them?

    cecap reads a BDII (live over LDAP, or an LDIF snapshot), finds the CEs that
    publish GlueCECapability: glexec, and crosses them with the sites' answers to
    the WLCG multi-user pilot jobs questionnaire and each experiment's policy.
    """


@cli.command()
@source_options
@experiment_option
@click.option(
    "--all", "show_all", is_flag=True, help="Every CE serving the VO, not only usable ones."
)
@click.option(
    "--min-stable",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Only CEs ready for at least N consecutive recorded runs (see --record).",
)
@click.option(
    "--record", is_flag=True, help="Record this run's verdicts in the history (as check does)."
)
@state_option
@keep_days_option
@glue_options
@format_option
@config_option
@debug_option
def report(
    bdii: tuple[str, ...],
    allow_partial: bool,
    experiments: tuple[str, ...],
    show_all: bool,
    min_stable: int | None,
    record: bool,
    state: Path | None,
    keep_days: int | None,
    fmt: str,
    config: Path | None,
    debug: bool,
) -> int:
    """Verdict per CE: where each experiment may send glexec workflows now.

    By default only CEs whose verdict is ready or conditional are shown. stable_runs
    says for how many consecutive recorded runs a CE has had its verdict.
    """
    policy = load_policy(config_dir(config))
    chosen = pick_experiments(policy, experiments)
    capability = glue_settings().capability
    if capability != GLEXEC and (record or min_stable is not None):
        raise UsageError(
            "--record and --min-stable follow glexec verdicts only; leave out --capability"
        )
    model = load_model(bdii, vos=[e.vo for e in chosen], runtime_environment=False)
    results: list[Assessment] = assess(model, policy, chosen, capability)
    history = state_path(state)
    if record and model.partial:
        warn(f"{model.origin}: partial answer not recorded in the history")
    elif record:
        record_run(
            history,
            results,
            [e.key for e in chosen],
            command="report",
            source=model.origin,
            lock_timeout=source_settings().timeout,
            keep_days=keep_days,
        )
    stable = (
        stable_counts(history, results, required=min_stable is not None)
        if capability == GLEXEC
        else None
    )
    if min_stable is not None and stable is not None:
        results = [
            a
            for a in results
            if a.verdict is Verdict.READY
            and stable[(a.experiment.key, a.ce.unique_id)] >= min_stable
        ]
    elif not show_all:
        usable = (Verdict.READY, Verdict.CONDITIONAL, Verdict.ADVERTISED)
        results = [a for a in results if a.verdict in usable]
    if min_stable is not None:
        empty = f"CE has been ready for {min_stable} recorded runs or more"
    elif show_all:
        empty = "CE serves the chosen experiments' VOs"
    elif capability == GLEXEC:
        empty = "CE is ready or conditional (use --all to see every CE serving the VO)"
    else:
        empty = (
            f"CE advertises {capability} in a state the experiments target"
            " (use --all to see every CE serving the VO)"
        )
    meta = {**source_meta(model), "capability": capability, "empty": empty}
    return emit(report_table(results, meta, stable, capability), fmt, model, allow_partial)


@cli.command()
@source_options
@experiment_option
@glue_options
@format_option
@config_option
@debug_option
def sites(
    bdii: tuple[str, ...],
    allow_partial: bool,
    experiments: tuple[str, ...],
    fmt: str,
    config: Path | None,
    debug: bool,
) -> int:
    """Site readiness list: per site and experiment, its answers and its CEs' verdicts."""
    policy = load_policy(config_dir(config))
    chosen = pick_experiments(policy, experiments)
    model = load_model(bdii, vos=[e.vo for e in chosen], runtime_environment=False)
    capability = glue_settings().capability
    summaries = summarize_sites(assess(model, policy, chosen, capability), policy)
    meta = {
        **source_meta(model),
        "capability": capability,
        "empty": "site has a CE serving the chosen VOs",
    }
    return emit(site_table(summaries, meta, capability), fmt, model, allow_partial)


@cli.command()
@format_option
@config_option
@debug_option
def stances(fmt: str, config: Path | None, debug: bool) -> int:
    """The questionnaire answers, normalized (from stances.yaml)."""
    policy = load_policy(config_dir(config))
    return emit(stance_table(policy.stances.values(), {}), fmt, None, False)


def _run(args: list[str]) -> Any:
    """The command, with the cycle collector paused.

    A report over a top-level BDII makes a great many small objects without reference
    cycles; the collector's passes over them cost a tenth of the run and find nothing.
    Reference counting still frees whatever is dropped.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return cli.main(args=args, prog_name="cecap", standalone_mode=False)
    finally:
        if enabled:
            gc.enable()


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        code = _run(args)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        exc.show()
        code = EXIT_BAD_INPUT
    except click.Abort:
        click.echo("cecap: interrupted", err=True)
        code = 130
    except CecapError as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"cecap: error: {exc}", err=True)
        code = exc.exit_code
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error worth a traceback.
        sys.stderr.close()
        code = EXIT_OK
    except Exception as exc:
        if debug:
            traceback.print_exc()
        click.echo(
            f"cecap: internal error: {type(exc).__name__}: {exc} (rerun with --debug and"
            " report it)",
            err=True,
        )
        code = EXIT_INTERNAL
    sys.exit(code if isinstance(code, int) else EXIT_OK)


from . import cli_history  # noqa: E402,F401,I001  (registers commands)
from . import cli_snapshot  # noqa: E402,F401  (registers commands)
from . import cli_audit  # noqa: E402,F401  (registers commands)
