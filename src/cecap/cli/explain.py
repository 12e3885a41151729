"""The `explain` command: why a CE has its verdict, rule by rule, for a site admin."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from ..errors import UsageError
from ..evaluate.explain import explain
from ..evaluate.selection import Selection, select_model
from ..formats import explain as _blocks  # noqa: F401  (registers explain's own format)
from ..history.paths import state_path
from ..history.results import reliability
from ..policy.load import config_dir, load_policy
from ..policy.stances import has_stances
from ..rows.explain import EXPLAIN_FIELDS, explain_table
from .common import load_model, pick_experiments, source_meta
from .options import (
    OutputOptions,
    config_option,
    debug_option,
    experiment_option,
    output_options,
    state_option,
)
from .output import emit
from .source_options import (
    GlueOptions,
    SourceOptions,
    glue_options,
    selection_options,
    source_options,
)


@click.command("explain")
@source_options
@selection_options()
@experiment_option
@glue_options
@state_option
@output_options(EXPLAIN_FIELDS, kinds=("explain",), generic=("json",))
@config_option
@debug_option
def explain_command(
    source: SourceOptions,
    selection: Selection,
    experiments: tuple[str, ...],
    glue: GlueOptions,
    state: Path | None,
    output: OutputOptions,
    config: Path | None,
) -> int:
    """Why a CE has its verdict: every verdict rule in order, and the data it read.

    For each CE matching --ce (or --site) and each experiment: the CE's state, the
    access rules that make it serve the VO, the capability values on the CE and its
    VOViews and which counted, how the site's respondent was found, the cluster scope,
    each answer as given and as read, then each rule's outcome and the verdict (the
    one `cecap report` gives). With a history (--state), the evidence of reliability:
    the experiment's rule and window, the glexec test results counted in it and whether
    the verdict held ready (report's reliable and tests). Experiments whose VO a CE does
    not serve are left out, unless named with -e or the CE serves none of them.
    """
    if selection.everything:
        raise UsageError("explain: name the CEs with --ce PATTERN (or --site PATTERN)")
    policy = load_policy(config_dir(config))
    chosen = pick_experiments(policy, experiments)
    # Every VOView, not only the chosen VOs': an explanation shows what the CE publishes.
    model = load_model(source, glue, config, runtime_environment=False)
    found = explain(
        select_model(selection, model),
        policy,
        chosen,
        glue.capability,
        unserved=bool(experiments),
    )
    judged, now = None, datetime.now(UTC)
    if has_stances(glue.capability):
        served = [e.assessment for e in found if e.assessment is not None]
        judged = reliability(state_path(state), served, chosen, now=now)
    meta = {**source_meta(model), "capability": glue.capability, "empty": "CE"}
    table = explain_table(found, meta, judged, now)
    return emit(table, output, model, source.allow_partial)
