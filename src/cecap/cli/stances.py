"""`cecap stances`: the questionnaire answers, from the config alone (no BDII, no history)."""

from __future__ import annotations

from pathlib import Path

import click

from ..policy.load import config_dir, load_policy
from ..rows.stances import STANCE_FIELDS, stance_table
from .options import OutputOptions, config_option, debug_option, output_options
from .output import emit


@click.command()
@output_options(STANCE_FIELDS)
@config_option
@debug_option
def stances(output: OutputOptions, config: Path | None) -> int:
    """The questionnaire answers, normalized (from stances.yaml)."""
    policy = load_policy(config_dir(config))
    return emit(stance_table(policy.stances.values(), {}), output)
