"""Recording a run's assessments, and reading back how long each verdict has held."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ..evaluate.check import Prior
from ..evaluate.verdicts import Assessment
from .lock import HistoryLock
from .store import History, Observation, Recorded


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


def priors(recorded: Recorded, experiments: Sequence[str]) -> dict[str, dict[str, Prior] | None]:
    """Per experiment, the previous run's state of each CE (None: no earlier run)."""
    out: dict[str, dict[str, Prior] | None] = {
        key: None if recorded.previous.get(key) is None else {} for key in experiments
    }
    for (key, ce), was in recorded.before.items():
        found = out.get(key)
        if found is not None:
            found[ce] = Prior(was.site, was.verdict)
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
    before_commit: Callable[[], None] | None = None,
) -> Recorded:
    """Lock, open (creating it when missing) and record one complete run."""
    with HistoryLock(path, lock_timeout), History.open(path, create=True) as history:
        return history.record(
            observations(assessments),
            experiments,
            command=command,
            source=source,
            keep_days=keep_days,
            before_commit=before_commit,
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
