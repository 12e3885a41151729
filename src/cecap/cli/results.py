"""The `results` commands: glexec test results into the history, for `report --reliable`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from ..history.paths import state_path
from ..history.results import import_results
from ..policy.load import config_dir, load_policy
from ..policy.reliable import parse_window
from ..sources.results import read_results
from ..text import visible
from .options import Seconds, config_option, debug_option, state_option


@click.group("results")
def results_command() -> None:
    """glexec test results: what `report --reliable` and `check` judge CEs by."""


@results_command.command("import")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option(
    "--timeout",
    type=Seconds(None, zero=True),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for another run holding the history lock.",
)
@click.option(
    "--future",
    default="5m",
    show_default=True,
    metavar="SPAN",
    callback=lambda _ctx, _param, value: _span(value),
    help="How far past now a result's time may be (30m, 1h, 0m): a result later is an"
    " error, and its file is not recorded.",
)
@state_option
@config_option
@debug_option
def import_command(
    files: tuple[str, ...],
    timeout: float,
    future: timedelta,
    state: Path | None,
    config: Path | None,
) -> int:
    """Record glexec test results in the history (FILE - is standard input).

    Each FILE is CSV with the header time,ce,experiment,metric,status,summary, JSON
    lines of those fields, or SAM/ETF result messages (key: value lines, a blank line
    between messages). Every file is read before anything is recorded: one bad row is
    an error naming its file and line, and nothing is recorded. A result already
    recorded (same time, CE, experiment and metric) is not recorded again. Results
    whose metric is not a glexec test of the experiment (glexec_metrics in
    experiments.yaml) are skipped. A result later than now plus --future is an error (a
    probe's clock ahead would give a CE that result as its last one until then). Says on
    stderr how many results were new per file.
    """
    policy = load_policy(config_dir(config))
    now = datetime.now(UTC)
    read = [read_results(name, policy.experiments, now=now, future=future) for name in files]
    for done in import_results(state_path(state), read, lock_timeout=timeout):
        skipped = f", {done.skipped} skipped (not a glexec test)" if done.skipped else ""
        click.echo(
            f"{visible(done.name)}: {done.new} new, {done.known} already recorded{skipped}",
            err=True,
        )
    return 0


def _span(text: str) -> timedelta:
    if text.strip() in ("0", "0m", "0h", "0d"):
        return timedelta(0)
    try:
        return parse_window(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a span: a number and m, h or d (e.g. 5m)"
        ) from None
