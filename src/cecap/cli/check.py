"""The `check` command: a Nagios/SAM probe for cron that records each run in the history."""

from __future__ import annotations

import math
import os
import signal
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import click

from ..errors import CheckTimeout, SourceUnavailable, UsageError
from ..evaluate.assess import assess
from ..evaluate.check import run_check
from ..evaluate.held import DEFAULT_HOLD, HOLD_FORMS, Held, Holding, hold, parse_hold, seen
from ..evaluate.nagios import Range, State
from ..evaluate.selection import Selection, model_pairs, only_selected
from ..evaluate.site_check import with_site_bdiis
from ..evaluate.thresholds import Limit, thresholds_for
from ..evaluate.verdicts import Verdict
from ..formats import render
from ..formats.nagios import NAGIOS
from ..history.lock import HistoryLock
from ..history.paths import stamp, state_path
from ..history.record import covering, observations, priors, recorded_pairs
from ..history.results import judge_all, previously_reliable
from ..history.store import History
from ..history.types import Recorded
from ..policy.load import config_dir, load_policy
from ..rows.check import CHECK_FIELDS, check_table, unknown_table
from ..sources.endpoints import ENV_INFOSYS, source_items
from .check_sites import site_bdii_options, site_bdiis_part, site_meta
from .common import load_model, pick_experiments
from .errors import capped, describe
from .options import (
    DEBUG,
    OutputOptions,
    config_option,
    debug_option,
    experiment_option,
    keep_days_option,
    output_options,
    state_option,
    verdict_option,
)
from .output import emit
from .source_options import GlueOptions, SourceOptions, selection_options, source_options

# -- check ---------------------------------------------------------------------------------


JSON = "json"
# What check offers: its own Nagios output, and JSON.
CHECK_FORMATS = (NAGIOS, JSON)


def _unknown(message: str, fmt: str) -> str:
    """UNKNOWN and why, in the format asked for when check offers it, else for Nagios."""
    return render(fmt if fmt in CHECK_FORMATS else NAGIOS, unknown_table(message))


def _format_asked(args: list[str]) -> str:
    """The --format of a command line click could not parse: the last one given."""
    fmt = NAGIOS
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--format" and i + 1 < len(args):
            fmt = args[i + 1]
        elif arg.startswith("--format="):
            fmt = arg.partition("=")[2]
    return fmt.strip().lower()


class ProbeCommand(click.Command):
    """A command whose every failure, from a bad option to a crash, is UNKNOWN and exit 3,
    never a traceback: one Nagios line on stdout, or with --format json one document."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)  # click's parser consumes the list it is given
        ctx.meta["cecap.args"] = given
        try:
            return super().parse_args(ctx, args)
        except click.ClickException as exc:
            click.echo(_unknown(capped(exc.format_message(), given), _format_asked(given)))
            raise click.exceptions.Exit(int(State.UNKNOWN)) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.exceptions.Exit:
            raise
        except (CheckTimeout, Exception, KeyboardInterrupt) as exc:
            if ctx.meta.get(DEBUG):
                traceback.print_exception(exc)
            message = capped(describe(exc).message, ctx.meta.get("cecap.args", ()))
            click.echo(_unknown(message, ctx.params.get("fmt") or NAGIOS))
            return int(State.UNKNOWN)


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
        """Raise CheckTimeout in the main thread when the budget runs out."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return

        def expire(signum: int, frame: FrameType | None) -> None:
            raise CheckTimeout(
                f"no result within --timeout {self.seconds:g} s (gave up {self.doing})"
            )

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, self.left() or 0.001)
        try:
            yield self
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _limits(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[Limit, ...]:
    try:
        return tuple(Limit.parse(value) for value in values)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


def _hold(ctx: click.Context, param: click.Parameter, value: str) -> timedelta:
    try:
        return parse_hold(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


# The lock wait gets a little less than the time left, so that a lock held too long is
# reported as that, with the pid holding it, before the check's own bound cuts in.
_LOCK_MARGIN = 0.5


def _share_timeout(source: SourceOptions, budget: Budget) -> SourceOptions:
    """Give each endpoint of a failover list its share of the time left, so that one that
    hangs leaves time for the next; a single endpoint has the check's own bound."""
    endpoints = source_items(source.bdii, os.environ.get(ENV_INFOSYS))
    budget.doing = "reading " + ", ".join(endpoints)
    if len(endpoints) < 2:
        return source
    # Tenths of a second: the time shows in messages.
    share = math.floor(budget.left() / len(endpoints) * 10) / 10
    timeout = max(0.1, min(source.settings.timeout, share))
    return replace(source, settings=replace(source.settings, timeout=timeout))


@click.command(cls=ProbeCommand)
@source_options
@experiment_option
@selection_options("in the source or the history")
@click.option(
    "--warning",
    "-w",
    "warning",
    multiple=True,
    metavar="[EXP=]RANGE",
    callback=_limits,
    help="WARNING when the number of ready CEs of an experiment is outside RANGE (Nagios"
    " syntax: 20: alerts below 20). atlas=20: is atlas's range; a plain 20: is that of"
    " every experiment without its own. Repeatable.",
)
@click.option(
    "--critical",
    "-c",
    "critical",
    multiple=True,
    metavar="[EXP=]RANGE",
    callback=_limits,
    help="CRITICAL when the number of ready CEs is outside RANGE (e.g. 10:, atlas=10:);"
    " as --warning.",
)
@verdict_option(
    "What --warning and --critical count, and the summary and the json rows' ready say:"
    " the CEs with this verdict (default: ready; --verdict ready,conditional counts both)"
)
@click.option(
    "--reliable-warning",
    "reliable_warning",
    multiple=True,
    metavar="[EXP=]RANGE",
    callback=_limits,
    help="WARNING when the number of CEs reliable with glexec is outside RANGE (as"
    " --warning: atlas=5: or a plain 5:). Repeatable.",
)
@click.option(
    "--reliable-critical",
    "reliable_critical",
    multiple=True,
    metavar="[EXP=]RANGE",
    callback=_limits,
    help="CRITICAL when the number of CEs reliable with glexec is outside RANGE; as"
    " --reliable-warning.",
)
@click.option(
    "--hold",
    "hold_for",
    default=DEFAULT_HOLD,
    show_default=True,
    metavar="DURATION",
    callback=_hold,
    help="How long a change stays in the answer (a CE no longer ready, no longer reliable,"
    " or ready with its glexec tests failing), counted from the run that first saw it:"
    " every run until then, Nagios' retries included, gives the same state and names the"
    " same CEs, unless the CE comes back. 0 names a change at the run that saw it only."
    f" Forms: {HOLD_FORMS} (a bare number is seconds).",
)
@output_options(CHECK_FIELDS, kinds=("check",), generic=(JSON,), default=NAGIOS)
@site_bdii_options
@state_option
@keep_days_option
@config_option
@debug_option
def check(
    source: SourceOptions,
    experiments: tuple[str, ...],
    selection: Selection,
    warning: tuple[Limit, ...],
    critical: tuple[Limit, ...],
    verdicts: frozenset[Verdict] | None,
    reliable_warning: tuple[Limit, ...],
    reliable_critical: tuple[Limit, ...],
    hold_for: timedelta,
    state: Path | None,
    keep_days: int | None,
    output: OutputOptions,
    from_sites: bool,
    sites_warning: Range | None,
    sites_critical: Range | None,
    config: Path | None,
) -> int:
    """Nagios/SAM probe: ready CEs per experiment, and what changed since the last run.

    Prints `CECAP OK|WARNING|CRITICAL|UNKNOWN - summary | perfdata`, then one line per
    experiment and per CE that became ready or stopped being ready; exits 0, 1, 2 or 3.
    A CE that was ready at the previous run and is not now is a WARNING at least; an
    experiment with no CE serving its VO says so (its ranges apply to that 0 too).
    With glexec test results imported (`cecap results import`), a CE reliable at the
    previous run and not now is a WARNING, and so is a ready CE whose last glexec
    results all failed; each experiment's reliable CEs are in the perfdata
    (<exp>_reliable), with --reliable-warning/--reliable-critical ranges.
    Such a change stays in the answer for --hold (24h) from the run that first saw it,
    until the CE comes back: a retry of Nagios gives the same state and names the same
    CEs, so a WARNING turns HARD and is notified once.
    Every run is recorded in the history (see `cecap history`, `cecap diff`); two runs
    at once wait for each other. --timeout bounds the whole check, waiting for another
    run included. Anything that prevents an answer (BDII down or hanging, bad config, a
    partial answer, which is never recorded) is UNKNOWN, and so is a usage error (a bad
    range, an unknown experiment in -e, -w or -c): exit 3, where other commands exit 2.

    With --site or --ce the status, counts and changes cover the selected CEs, and the
    run records only them: a recorded CE outside the selection keeps its state, so one
    check per site can share a history. A pattern matching no CE in the source nor in
    the history is UNKNOWN.

    --format json prints one document for dashboards instead (status, code, summary, per
    experiment its counts, ranges and changes), with the same exit codes.
    """
    if source.allow_partial:
        raise UsageError(
            "--allow-partial does not apply to check: a partial answer is UNKNOWN, and never"
            " recorded"
        )
    budget = Budget(source.settings.timeout)
    with budget.enforced():
        budget.doing = "reading the configuration"
        policy = load_policy(config_dir(config))
        chosen = pick_experiments(policy, experiments)
        thresholds = thresholds_for(warning, critical, list(policy.experiments))
        reliable_ranges = thresholds_for(
            reliable_warning,
            reliable_critical,
            list(policy.experiments),
            ("--reliable-warning", "--reliable-critical"),
        )
        path = state_path(state)
        budget.doing = f"waiting for the history lock {path}.lock"
        lock_wait = max(0.0, budget.left() - _LOCK_MARGIN)
        with HistoryLock(path, lock_wait), History.open(path, create=True) as history:
            shared = _share_timeout(source, budget)
            model = load_model(
                shared,
                GlueOptions(),
                config,
                [e.vo for e in chosen],
                runtime_environment=False,
                serving_only=selection.everything,
            )
            if model.partial:
                raise SourceUnavailable(
                    f"{model.origin}: partial answer ({model.partial}); not recorded"
                )
            budget.doing = "evaluating, and reading the site BDIIs" if from_sites else "evaluating"
            keys = [e.key for e in chosen]
            if not selection.everything:
                # A site gone from the BDII is still selected: its CEs' loss is news.
                pairs = [*model_pairs(model), *recorded_pairs(history, keys)]
                selection.require(pairs, f"{model.origin} nor in the history {path}", model.sites)
            results = assess(only_selected(selection, model), policy, chosen)
            # The site BDIIs are read within what is left of the check's bound.
            sites_part = (
                site_bdiis_part(
                    shared,
                    config,
                    model,
                    results,
                    selection,
                    policy,
                    chosen,
                    budget.left,
                    (sites_warning, sites_critical),
                )
                if from_sites
                else None
            )
            judged = judge_all(history, results, chosen)
            was_reliable = previously_reliable(history, keys)
            if not selection.everything:
                # Only the chosen CEs can have stopped being reliable in this run.
                chosen_ces = {
                    ce
                    for site, ce in [*model_pairs(model), *recorded_pairs(history, keys)]
                    if selection.keeps(site, ce)
                }
                was_reliable = {k: ces & chosen_ces for k, ces in was_reliable.items()}
            budget.doing = f"writing the history {path}"
            selected = not selection.everything

            def holding(recorded: Recorded, held: list[Held]) -> Holding:
                saw = seen(results, priors(recorded, keys, selected=selected), judged, was_reliable)
                run = recorded.run
                return hold(held, saw, run=run.id, now=run.time, window=hold_for)

            recorded = history.record(
                observations(results),
                keys,
                command=covering("check", selection),
                source=model.origin,
                keep_days=keep_days,
                within=None if selection.everything else selection.keeps,
                judged=[(exp, ce, bool(r.reliable)) for (exp, ce), r in judged.items()],
                hold=holding,
            )
    before = priors(recorded, keys, selected=selected)
    result = run_check(
        results,
        chosen,
        before,
        thresholds,
        judged,
        was_reliable,
        reliable_ranges,
        recorded.holding,
        verdicts or frozenset(),
    )
    result = with_site_bdiis(result, sites_part) if sites_part else result
    meta = {
        "source": model.origin,
        "state": str(path),
        "run": recorded.run.id,
        "time": stamp(recorded.run.time),
        **site_meta(sites_part),
    }
    previous = {key: run.id if run else None for key, run in recorded.previous.items()}
    emit(check_table(result, meta, previous), output)
    return int(result.state)
