"""The `history` and `diff` commands: what the recorded runs say, for people and scripts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from ..errors import UsageError
from ..evaluate.selection import Selection
from ..evaluate.verdicts import ABSENT, GLEXEC_VERDICTS
from ..formats.timeline import TIMELINE  # (registers the history's own format)
from ..history.paths import state_path
from ..history.record import recorded_experiments, recorded_pairs, selected_change
from ..history.since import parse_since
from ..history.store import History
from ..rows.history import (
    DIFF_FIELDS,
    diff_rows,
    diff_table,
    history_table,
    runs_table,
)
from .common import configured_vos, experiment_keys
from .options import OutputOptions, debug_option, experiment_option, output_options, state_option
from .output import emit
from .source_options import selection_options

# What the history can hold for a CE: a glexec verdict, or absent (left the BDII or the VO).
RECORDED_VERDICTS = [*(v.value for v in GLEXEC_VERDICTS), ABSENT]


def require_recorded(history: History, selection: Selection) -> None:
    """UsageError when a pattern matches no site or CE the history has recorded."""
    if not selection.everything:
        selection.require(recorded_pairs(history), f"the history {history.path}")


def _since(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_since(value, datetime.now(UTC))
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


@click.command("history")
@selection_options("in the history")
@experiment_option
@click.option(
    "--verdict",
    "verdicts",
    multiple=True,
    type=click.Choice(RECORDED_VERDICTS, case_sensitive=False),
    metavar="VERDICT",
    help="Only changes to this verdict (repeatable): " + ", ".join(RECORDED_VERDICTS) + ".",
)
@click.option(
    "--changes",
    "changes_only",
    is_flag=True,
    help="Leave out each CE's first recorded verdict: only what changed since.",
)
@click.option(
    "--since",
    callback=_since,
    metavar="WHEN",
    help="Only changes from then on: an ISO date or date-time (UTC unless it says"
    " otherwise), a span back from now (30m, 24h, 7d), today or yesterday (from 00:00"
    " UTC, as the history's times are UTC).",
)
@click.option("--runs", "list_runs", is_flag=True, help="List the recorded runs instead.")
@state_option
@output_options(kinds=("history", "runs"), default=TIMELINE)
@debug_option
def history_command(
    selection: Selection,
    experiments: tuple[str, ...],
    verdicts: tuple[str, ...],
    changes_only: bool,
    since: datetime | None,
    list_runs: bool,
    state: Path | None,
    output: OutputOptions,
) -> int:
    """Timeline of recorded verdicts: one line per change of a CE's verdict.

    The first line of a CE is its first recorded verdict (--changes leaves those out); a
    CE that vanished from the BDII (or stopped serving the experiment's VO) shows as
    absent. The filters combine: each line shown passes every one given.
    --site matches the site a CE was at before a change too.
    """
    path = state_path(state)
    with History.open(path) as history:
        if list_runs:
            runs = runs_table(history.runs(), {"empty": "recorded run", "state": str(path)})
            return emit(runs, output)
        keys = (
            experiment_keys(
                experiments, recorded_experiments(history), "recorded", configured_vos(experiments)
            )
            if experiments
            else []
        )
        require_recorded(history, selection)
        changes = [
            change
            for change in history.timeline(
                experiments=keys, since=since, verdicts=verdicts, changes_only=changes_only
            )
            if selected_change(selection, change)
        ]
    table = history_table(changes, {"empty": "recorded change matches", "state": str(path)})
    return emit(table, output)


@click.command("diff")
@click.argument("run_ids", nargs=-1, type=int, metavar="[RUN_A [RUN_B]]")
@selection_options("in the history")
@state_option
@output_options(DIFF_FIELDS)
@debug_option
def diff_command(
    run_ids: tuple[int, ...],
    selection: Selection,
    state: Path | None,
    output: OutputOptions,
) -> int:
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
        require_recorded(history, selection)
        before, after = history.states_at(first.id), history.states_at(second.id)
        # A CE that moved is kept when it is selected at either end.
        keep = {
            key
            for key, change in [*before.items(), *after.items()]
            if selected_change(selection, change)
        }
        rows = diff_rows(
            {k: c for k, c in before.items() if k in keep},
            {k: c for k, c in after.items() if k in keep},
        )
    return emit(diff_table(first, second, rows, {"state": str(path)}), output)
