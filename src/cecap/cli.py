"""Command-line interface: parse, build, run, and map errors to one line and an exit code."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .config import config_dir, load_policy
from .errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_UNAVAILABLE, CecapError, InputError, UsageError
from .evaluate import Assessment, Verdict, assess, summarize_sites
from .formats import FORMATS, render
from .glue import GlueModel, read_model
from .policy import Experiment, Policy
from .rows import Table, report_table, site_table, stance_table
from .sources import open_reader

EXIT_INTERNAL = 4
F = TypeVar("F", bound=Callable[..., Any])


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


def source_options(func: F) -> F:
    func = click.option(
        "--allow-partial",
        is_flag=True,
        help="Exit 0 even when the information system cut the answer short"
        " (the output still says it is partial).",
    )(func)
    return click.option(
        "--bdii",
        "bdii",
        multiple=True,
        metavar="SOURCE",
        help="LDIF snapshot (plain or .gz) to read.",
    )(func)


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


def load_model(bdii: Sequence[str]) -> GlueModel:
    reader = open_reader(bdii)
    try:
        return read_model(reader)
    except InputError as exc:
        text = str(exc)
        raise InputError(text if reader.origin in text else f"{reader.origin}: {text}") from None


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

    cecap reads a BDII (an LDIF snapshot), finds the CEs that publish
    GlueCECapability: glexec, and crosses them with the sites' answers to the
    WLCG multi-user pilot jobs questionnaire and each experiment's policy.
    """


@cli.command()
@source_options
@experiment_option
@click.option(
    "--all", "show_all", is_flag=True, help="Every CE serving the VO, not only usable ones."
)
@format_option
@config_option
@debug_option
def report(
    bdii: tuple[str, ...],
    allow_partial: bool,
    experiments: tuple[str, ...],
    show_all: bool,
    fmt: str,
    config: Path | None,
    debug: bool,
) -> int:
    """Verdict per CE: where each experiment may send glexec workflows now.

    By default only CEs whose verdict is ready or conditional are shown.
    """
    policy = load_policy(config_dir(config))
    chosen = pick_experiments(policy, experiments)
    model = load_model(bdii)
    results: list[Assessment] = assess(model, policy, chosen)
    if not show_all:
        results = [a for a in results if a.verdict in (Verdict.READY, Verdict.CONDITIONAL)]
    meta = {
        **source_meta(model),
        "empty": "CE is ready or conditional (use --all to see every CE serving the VO)"
        if not show_all
        else "CE serves the chosen experiments' VOs",
    }
    return emit(report_table(results, meta), fmt, model, allow_partial)


@cli.command()
@source_options
@experiment_option
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
    model = load_model(bdii)
    summaries = summarize_sites(assess(model, policy, chosen), policy)
    meta = {**source_meta(model), "empty": "site has a CE serving the chosen VOs"}
    return emit(site_table(summaries, meta), fmt, model, allow_partial)


@cli.command()
@format_option
@config_option
@debug_option
def stances(fmt: str, config: Path | None, debug: bool) -> int:
    """The questionnaire answers, normalized (from stances.yaml)."""
    policy = load_policy(config_dir(config))
    return emit(stance_table(policy.stances.values(), {}), fmt, None, False)


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        code = cli.main(args=args, prog_name="cecap", standalone_mode=False)
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
