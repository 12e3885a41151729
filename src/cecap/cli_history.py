"""Commands for cron and Nagios: `check` (a probe that records each run), `history`, `diff`."""

from __future__ import annotations

import math
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import click

from .cli import (
    cli,
    config_option,
    debug_option,
    experiment_option,
    keep_days_option,
    load_model,
    pick_experiments,
    source_options,
    source_settings,
    state_option,
    use_source_settings,
)
from .config import config_dir, load_policy
from .errors import CecapError, SourceUnavailable, UsageError
from .evaluate import assess
from .formats import FORMATS, render
from .history import History, HistoryLock, observations, state_path
from .nagios import Range, State, plugin_output
from .probe import PLUGIN, Prior, Thresholds, run_check
from .rows_history import (
    diff_rows,
    diff_table,
    history_lines,
    history_table,
    runs_lines,
    runs_table,
)
from .sources import ENV_INFOSYS, source_items

# -- check ---------------------------------------------------------------------------------


class ProbeTimeout(BaseException):
    """The whole check ran out of --timeout.

    A BaseException, so that no ``except Exception`` on the way (ours or a library's)
    can swallow it and keep the probe running past its bound.
    """


class ProbeCommand(click.Command):
    """A command whose every failure, from a bad option to a crash, is one Nagios
    UNKNOWN line on stdout and exit 3, never a traceback."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.ClickException as exc:
            click.echo(plugin_output(PLUGIN, State.UNKNOWN, exc.format_message()))
            raise click.exceptions.Exit(int(State.UNKNOWN)) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.exceptions.Exit:
            raise
        except (ProbeTimeout, Exception, KeyboardInterrupt) as exc:
            if ctx.params.get("debug"):
                traceback.print_exception(exc)
            click.echo(plugin_output(PLUGIN, State.UNKNOWN, _reason(exc)))
            return int(State.UNKNOWN)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ProbeTimeout | CecapError):
        return str(exc)
    if isinstance(exc, click.ClickException):
        return exc.format_message()
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return f"internal error: {type(exc).__name__}: {exc} (rerun with --debug and report it)"


class Budget:
    """The --timeout of a whole check: what is left of it, and what the run is doing."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.doing = "starting"

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    @contextmanager
    def enforced(self) -> Iterator[Budget]:
        """Raise ProbeTimeout in the main thread when the budget runs out."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return

        def expire(signum: int, frame: FrameType | None) -> None:
            raise ProbeTimeout(
                f"no result within --timeout {self.seconds:g} s (gave up {self.doing})"
            )

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, self.left() or 0.001)
        try:
            yield self
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _range(ctx: click.Context, param: click.Parameter, value: str | None) -> Range | None:
    if value is None:
        return None
    try:
        return Range.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


# The lock wait gets a little less than the time left, so that a lock held too long is
# reported as that, with the pid holding it, before the check's own bound cuts in.
_LOCK_MARGIN = 0.5


def _share_timeout(bdii: Sequence[str], budget: Budget) -> None:
    """Give each endpoint of a failover list its share of the time left, so that one that
    hangs leaves time for the next; a single endpoint has the check's own bound."""
    endpoints = source_items(bdii, os.environ.get(ENV_INFOSYS))
    budget.doing = "reading " + ", ".join(endpoints)
    if len(endpoints) > 1:
        settings = source_settings()
        # Tenths of a second: the time shows in messages.
        share = math.floor(budget.left() / len(endpoints) * 10) / 10
        use_source_settings(replace(settings, timeout=max(0.1, min(settings.timeout, share))))


@cli.command(cls=ProbeCommand)
@source_options
@experiment_option
@click.option(
    "--warning",
    "-w",
    "warning",
    metavar="RANGE",
    callback=_range,
    help="WARNING when the number of ready CEs of an experiment is outside RANGE"
    " (Nagios syntax: 20: means fewer than 20 alerts).",
)
@click.option(
    "--critical",
    "-c",
    "critical",
    metavar="RANGE",
    callback=_range,
    help="CRITICAL when the number of ready CEs is outside RANGE (e.g. 10:).",
)
@state_option
@keep_days_option
@config_option
@debug_option
def check(
    bdii: tuple[str, ...],
    allow_partial: bool,
    experiments: tuple[str, ...],
    warning: Range | None,
    critical: Range | None,
    state: Path | None,
    keep_days: int | None,
    config: Path | None,
    debug: bool,
) -> int:
    """Nagios/SAM probe: ready CEs per experiment, and what changed since the last run.

    Prints `CECAP OK|WARNING|CRITICAL|UNKNOWN - summary | perfdata`, then one line per
    experiment and per CE that became ready or stopped being ready; exits 0, 1, 2 or 3.
    A CE that was ready at the previous run and is not now is a WARNING at least.
    Every run is recorded in the history (see `cecap history`, `cecap diff`); two runs
    at once wait for each other. --timeout bounds the whole check, waiting for another
    run included. Anything that prevents an answer (BDII down or hanging, bad config, a
    partial answer, which is never recorded) is UNKNOWN.
    """
    if allow_partial:
        raise UsageError(
            "--allow-partial does not apply to check: a partial answer is UNKNOWN, and never"
            " recorded"
        )
    budget = Budget(source_settings().timeout)
    with budget.enforced():
        budget.doing = "reading the configuration"
        policy = load_policy(config_dir(config))
        chosen = pick_experiments(policy, experiments)
        path = state_path(state)
        budget.doing = f"waiting for the history lock {path}.lock"
        lock_wait = max(0.0, budget.left() - _LOCK_MARGIN)
        with HistoryLock(path, lock_wait), History.open(path, create=True) as history:
            _share_timeout(bdii, budget)
            model = load_model(bdii, vos=[e.vo for e in chosen], runtime_environment=False)
            if model.partial:
                raise SourceUnavailable(
                    f"{model.origin}: partial answer ({model.partial}); not recorded"
                )
            budget.doing = "evaluating"
            results = assess(model, policy, chosen)
            budget.doing = f"writing the history {path}"
            recorded = history.record(
                observations(results),
                [e.key for e in chosen],
                command="check",
                source=model.origin,
                keep_days=keep_days,
            )
    priors: dict[str, dict[str, Prior] | None] = {}
    for e in chosen:
        priors[e.key] = None if recorded.previous.get(e.key) is None else {}
    for (key, ce), was in recorded.before.items():
        found = priors.get(key)
        if found is not None:
            found[ce] = Prior(was.site, was.verdict)
    result = run_check(results, chosen, priors, Thresholds(warning, critical))
    click.echo(result.output())
    return int(result.state)


# -- history and diff ------------------------------------------------------------------------


def _since(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO date or date-time (2010-03-24, 2010-03-24T12:00,"
            " 2010-03-24T12:00+01:00)",
            ctx=ctx,
            param=param,
        ) from None
    # Times without a zone are UTC, as the history records them.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _format_option(default: str, extra: Sequence[str] = ()) -> Callable[[Any], Any]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice([*extra, *sorted(FORMATS)], case_sensitive=False),
        default=default,
        show_default=True,
        metavar="FMT",
        help=f"{', '.join(extra) + ', ' if extra else ''}table, json, csv, or any tabulate"
        " format (github, grid, html, ...).",
    )


@cli.command("history")
@click.option("--ce", "ce", metavar="ID", help="Only this CE (its GlueCEUniqueID).")
@click.option("--site", "site", metavar="NAME", help="Only CEs of this site.")
@experiment_option
@click.option(
    "--since",
    callback=_since,
    metavar="DATE",
    help="Only changes from this ISO date or date-time on (UTC unless it says otherwise).",
)
@click.option("--runs", "list_runs", is_flag=True, help="List the recorded runs instead.")
@state_option
@_format_option("lines", extra=("lines",))
@debug_option
def history_command(
    ce: str | None,
    site: str | None,
    experiments: tuple[str, ...],
    since: datetime | None,
    list_runs: bool,
    state: Path | None,
    fmt: str,
    debug: bool,
) -> int:
    """Timeline of recorded verdicts: one line per change of a CE's verdict.

    The first line of a CE is its first recorded verdict; a CE that vanished from the
    BDII (or stopped serving the experiment's VO) shows as absent.
    """
    path = state_path(state)
    with History.open(path) as history:
        if list_runs:
            runs = runs_table(history.runs(), {"empty": "recorded run", "state": str(path)})
            click.echo(runs_lines(runs) if fmt == "lines" else render(fmt, runs))
            return 0
        changes = history.timeline(
            experiments=[e.strip().lower() for e in experiments], ce=ce, site=site, since=since
        )
    table = history_table(changes, {"empty": "recorded change matches", "state": str(path)})
    click.echo(history_lines(table) if fmt == "lines" else render(fmt, table))
    return 0


@cli.command("diff")
@click.argument("run_ids", nargs=-1, type=int, metavar="[RUN_A [RUN_B]]")
@state_option
@_format_option("table")
@debug_option
def diff_command(run_ids: tuple[int, ...], state: Path | None, fmt: str, debug: bool) -> int:
    """What appeared, disappeared or changed verdict between two recorded runs.

    Without arguments: the last two runs; with one: that run and the last one. Run
    numbers are in `cecap history` and `cecap history --runs`.
    """
    if len(run_ids) > 2:
        raise UsageError("diff takes at most two run numbers: RUN_A RUN_B")
    path = state_path(state)
    with History.open(path) as history:
        if len(run_ids) == 2:
            first, second = history.run(run_ids[0]), history.run(run_ids[1])
        else:
            runs = history.runs()
            if len(runs) < 2 and not run_ids:
                raise UsageError(f"{path}: {len(runs)} run recorded; diff needs two (or name them)")
            second = runs[-1]
            first = history.run(run_ids[0]) if run_ids else runs[-2]
        rows = diff_rows(history.states_at(first.id), history.states_at(second.id))
    click.echo(render(fmt, diff_table(first, second, rows, {"state": str(path)})))
    return 0
