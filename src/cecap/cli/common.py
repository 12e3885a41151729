"""What the commands that read a BDII share: the model from the first source that answers,
choosing experiments. Writing the rows is cli.output's."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
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
from .options import VoName
from .output import warn
from .source_options import GlueOptions, SourceOptions

T = TypeVar("T")


def experiment_keys(
    names: Sequence[str], known: Sequence[str], what: str, vos: Mapping[str, str] | None = None
) -> list[str]:
    """The -e values (repeated, comma-separated) as known experiment keys, each once, with
    those of the --vo values (VoName) after them: each experiment of ``vos`` (key -> VO)
    whose VO it names.

    An unknown name is a UsageError that offers the closest known one; ``what`` says
    where the known names come from ("configured", "recorded").
    """
    asked = [name for name in names if not isinstance(name, VoName)]
    by_vo = [name for name in names if isinstance(name, VoName)]
    if (asked and not split_list(asked)) or (by_vo and not split_list(by_vo)):
        option = "--experiment" if asked and not split_list(asked) else "--vo"
        raise UsageError(f"{option}: give a name ({what}: {', '.join(known) or 'none'})")
    picked: dict[str, None] = {}
    for name in split_list(asked):
        key = name.lower()
        if key not in known:
            near = closest(key, known)
            hint = f"did you mean {' or '.join(near)}? " if near else ""
            raise UsageError(
                f"unknown experiment {name!r}; {hint}{what}: {', '.join(known) or 'none'}"
            )
        picked.setdefault(key, None)
    served = {key: vo for key, vo in (vos or {}).items() if key in known}
    for name in split_list(by_vo):
        vo = name.lower().strip("/")
        keys = [key for key, its in served.items() if its.lower() == vo]
        if not keys:
            listed = ", ".join(f"{its} ({key})" for key, its in served.items()) or "none"
            near = closest(vo, sorted({its.lower() for its in served.values()}))
            hint = f"did you mean {' or '.join(near)}? " if near else ""
            raise UsageError(f"--vo {name!r}: no {what} experiment's VO; {hint}the VOs: {listed}")
        picked.update(dict.fromkeys(keys))
    return list(picked)


def pick_experiments(policy: Policy, names: Sequence[str]) -> list[Experiment]:
    if not names:
        return list(policy.experiments.values())
    vos = {key: experiment.vo for key, experiment in policy.experiments.items()}
    keys = experiment_keys(names, list(policy.experiments), "configured", vos)
    return [policy.experiments[key] for key in keys]


def configured_vos(names: Sequence[str]) -> dict[str, str] | None:
    """Each configured experiment's VO (the default config folder's), for --vo on a
    command that reads no config of its own (history); None when no --vo asks for it."""
    if not any(isinstance(name, VoName) for name in names):
        return None
    from ..policy.load import load_experiments  # only here: history reads no config otherwise

    experiments = load_experiments(config_dir(None) / "experiments.yaml")
    return {key: experiment.vo for key, experiment in experiments.items()}


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
