"""Recording a run's assessments, and reading back how long each verdict has held."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from ..evaluate.check import Prior
from ..evaluate.selection import Selection
from ..evaluate.verdicts import Assessment
from .lock import HistoryLock
from .store import History, Observation, Recorded
from .types import Change


def observations(assessments: Iterable[Assessment]) -> list[Observation]:
    return [
        Observation(
            a.experiment.key,
            a.ce.unique_id,
            a.ce.site,
            a.verdict.value,
            a.mode.value if a.mode else None,
        )
        for a in assessments
    ]


def priors(
    recorded: Recorded, experiments: Sequence[str], *, selected: bool = False
) -> dict[str, dict[str, Prior] | None]:
    """Per experiment, the previous run's state of each CE (None: no earlier run).

    ``selected``: the run covered some CEs only (--site, --ce); when none of them was
    recorded before, it is the first run for them.
    """
    out: dict[str, dict[str, Prior] | None] = {
        key: None if recorded.previous.get(key) is None else {} for key in experiments
    }
    for (key, ce), was in recorded.before.items():
        found = out.get(key)
        if found is not None:
            found[ce] = Prior(was.site, was.verdict)
    if selected:
        out = {key: found or None for key, found in out.items()}
    return out


def record_run(
    path: Path,
    assessments: Sequence[Assessment],
    experiments: Sequence[str],
    *,
    command: str,
    source: str,
    lock_timeout: float,
    keep_days: int | None = None,
    selection: Selection | None = None,
) -> Recorded:
    """Lock, open (creating it when missing) and record one complete run (of the CEs
    ``selection`` covers: see covering)."""
    with HistoryLock(path, lock_timeout), History.open(path, create=True) as history:
        return history.record(
            observations(assessments),
            experiments,
            command=covering(command, selection),
            source=source,
            keep_days=keep_days,
            within=None if selection is None or selection.everything else selection.keeps,
        )


def covering(command: str, selection: Selection | None) -> str:
    """The command as a run records it: with its --site and --ce, when it had some.

    A run with a selection covers the CEs it selects only: a recorded CE outside it keeps
    its state (it is not made absent), so one check per site can share one history.
    """
    options = selection.options() if selection is not None else ""
    return f"{command} {options}" if options else command


def recorded_pairs(history: History, experiments: Sequence[str] = ()) -> list[tuple[str, str]]:
    """Every (site, CE) the history has recorded, for ``experiments`` (all when empty)."""
    pairs: dict[tuple[str, str], None] = {}
    for change in history.timeline(experiments=experiments):
        pairs[(change.site, change.ce)] = None
        if change.before_site is not None:
            pairs[(change.before_site, change.ce)] = None
    return list(pairs)


def recorded_experiments(history: History) -> list[str]:
    """Every experiment a recorded run covered, or a recorded state is of."""
    found = {key: None for run in history.runs() for key in run.experiments}
    found.update((change.experiment, None) for change in history.timeline())
    return list(found)


def selected_change(selection: Selection, change: Change) -> bool:
    """A change of a selected CE: at a matching site, now or before the change."""
    return selection.keeps(change.site, change.ce) or (
        change.before_site is not None and selection.keeps(change.before_site, change.ce)
    )


def stable_counts(
    path: Path, assessments: Iterable[Assessment], *, required: bool = False
) -> dict[tuple[str, str], int] | None:
    """Per (experiment, CE) assessed: for how many consecutive recorded runs the CE has
    had the verdict it has now (0 when the history holds another verdict, or none).

    None when there is no history at ``path``, unless ``required``.
    """
    if not required and not path.exists():
        return None
    with History.open(path) as history:
        recorded = history.stable_runs()
    out = {}
    for a in assessments:
        key = (a.experiment.key, a.ce.unique_id)
        verdict, runs = recorded.get(key, ("", 0))
        out[key] = runs if verdict == a.verdict.value else 0
    return out
