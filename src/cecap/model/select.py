"""Which GLUE trees a command reads (--glue), and a CE published in both counted once."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from ..errors import InputError
from .glue import GLUE13, GLUE20, GlueModel

# What --glue accepts, and the versions each choice reads.
GLUE_CHOICES: Mapping[str, tuple[str, ...]] = {
    "1": (GLUE13,),
    "2": (GLUE20,),
    "both": (GLUE13, GLUE20),
}
_TREES = {GLUE13: "GLUE 1.3 (o=grid)", GLUE20: "GLUE 2.0 (o=glue)"}


def select_glue(model: GlueModel, choice: str | None, *, count_twice: bool = False) -> GlueModel:
    """The model's CEs of the GLUE versions ``--glue`` asks for (None: every tree present).

    With both trees a CE host published in GLUE 1.3 is counted from GLUE 1.3 only; a GLUE
    2.0 endpoint counts only when no GLUE 1.3 CE has its host name. ``count_twice`` keeps
    both (the audit checks each publication). Asking for a tree the source lacks is an
    error, so an empty answer is never mistaken for "nothing advertises".
    """
    if choice is None:
        versions = GLUE_CHOICES["both"]
    else:
        versions = GLUE_CHOICES[choice]
        missing_trees(model.origin, model.glue_versions, choice)
    ces = [ce for ce in model.ces if ce.glue_version in versions]
    if not count_twice:
        hosts13 = {ce.host.lower() for ce in ces if ce.glue_version == GLUE13}
        ces = [ce for ce in ces if ce.glue_version == GLUE13 or ce.host.lower() not in hosts13]
    return dataclasses.replace(model, ces=tuple(ces))


def missing_trees(origin: str, held: Sequence[str], choice: str, what: str = "") -> None:
    """InputError when ``held`` lacks a GLUE version ``--glue choice`` asks for, with the
    choice that would work; ``what`` says what was not done (e.g. ": no snapshot written").
    Asking for a tree the source lacks is an error, so that an empty answer is never
    mistaken for "nothing advertises"."""
    versions = GLUE_CHOICES[choice]
    missing = [v for v in versions if v not in held]
    if not missing:
        return
    present = [k for k, vs in GLUE_CHOICES.items() if set(vs) <= set(held)]
    if present:
        hint = f"; use --glue {present[0]}"
    elif choice in ("1", "2"):
        # Only the asked-for tree was read: whether the other exists is not known.
        hint = f"; try --glue {'2' if choice == '1' else '1'}"
    else:
        hint = ""
    trees = " or ".join(_TREES[v] for v in missing)
    raise InputError(f"{origin}: holds no {trees} computing entries{what}{hint}")
