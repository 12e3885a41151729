"""What the commands that read a BDII share: the model from the first source that answers,
choosing experiments. Writing the rows is cli.output's."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from ..errors import InputError, UsageError
from ..evaluate.selection import closest
from ..model.glue import GlueModel
from ..model.select import GLUE_CHOICES, select_glue
from ..policy.glue2_load import load_glue2
from ..policy.load import config_dir
from ..policy.stances import Experiment, Policy
from ..sources.base import ReadRequest, Source
from ..sources.endpoints import ENV_INFOSYS, first_available, open_sources, split_list
from .output import warn
from .source_options import GlueOptions, SourceOptions

T = TypeVar("T")


def experiment_keys(names: Sequence[str], known: Sequence[str], what: str) -> list[str]:
    """The -e values (repeated, comma-separated) as known experiment keys, each once.

    An unknown name is a UsageError that offers the closest known one; ``what`` says
    where the known names come from ("configured", "recorded").
    """
    if names and not split_list(names):
        raise UsageError(f"--experiment: give a name ({what}: {', '.join(known) or 'none'})")
    picked: dict[str, None] = {}
    for name in split_list(names):
        key = name.lower()
        if key not in known:
            near = closest(key, known)
            hint = f"did you mean {' or '.join(near)}? " if near else ""
            raise UsageError(
                f"unknown experiment {name!r}; {hint}{what}: {', '.join(known) or 'none'}"
            )
        picked.setdefault(key, None)
    return list(picked)


def pick_experiments(policy: Policy, names: Sequence[str]) -> list[Experiment]:
    if not names:
        return list(policy.experiments.values())
    keys = experiment_keys(names, list(policy.experiments), "configured")
    return [policy.experiments[key] for key in keys]


def read_first(source: SourceOptions, run: Callable[[Source], T]) -> T:
    """``run`` on the first source of --bdii (else $LCG_GFAL_INFOSYS) that answers.

    Each skipped endpoint is a warning on stderr; ``run`` starts afresh on the next one.
    """
    sources = open_sources(source.bdii, source.settings, env_default=os.environ.get(ENV_INFOSYS))

    def guarded(found: Source) -> T:
        try:
            return run(found)
        except InputError as exc:
            text = str(exc)
            raise InputError(text if found.origin in text else f"{found.origin}: {text}") from None

    return first_available(sources, guarded, warn)


def load_model(
    source: SourceOptions,
    glue: GlueOptions,
    config: Path | None,
    vos: Sequence[str] | None = None,
    *,
    count_twice: bool = False,
    runtime_environment: bool = True,
    serving_only: bool = False,
) -> GlueModel:
    """The model from the first source that answers; a failed endpoint leaves nothing behind.

    ``vos`` lets a live BDII send only the VOViews that can matter for those VOs, and
    with ``serving_only`` only the CEs that serve one of them (for a command that assesses
    no other CE and names none: nothing selected by --site or --ce).
    ``count_twice`` keeps a CE published in both trees twice (see model.select). glue2.yaml
    comes from the command's --config folder, as the rest of the config does.
    """
    request = ReadRequest(
        versions=GLUE_CHOICES[glue.glue or "both"],
        rules=load_glue2(config_dir(config)),
        capabilities=(glue.capability,),
        vos=tuple(vos) if vos is not None else None,
        runtime_environment=runtime_environment,
        serving_only=serving_only,
    )
    model = read_first(source, lambda found: found.read(request))
    return select_glue(model, glue.glue, count_twice=count_twice)


def source_meta(model: GlueModel) -> dict[str, Any]:
    return {"source": model.origin, "partial": model.partial}
