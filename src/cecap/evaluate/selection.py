"""Which sites and CEs a command covers (--site, --ce): shell patterns, any case, and a
pattern that matches nothing is an error that names the closest names there are."""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import functools
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from ..errors import UsageError
from ..model.glue import CE, GlueModel

# How many close names an error offers, and how close they must be (difflib's ratio).
CLOSEST = 3
CUTOFF = 0.6


def closest(word: str, names: Iterable[str]) -> list[str]:
    """The names most like ``word`` (any case), best first; none when nothing is close."""
    by_lower: dict[str, str] = {}
    for name in sorted(names):
        by_lower.setdefault(name.lower(), name)
    found = difflib.get_close_matches(word.lower(), list(by_lower), CLOSEST, CUTOFF)
    return [by_lower[n] for n in found]


def shown(name: str) -> str:
    """A name or pattern as a message shows it: on one line. Its other hidden characters
    are left to the CLI, which escapes every message it prints (cecap.text.visible)."""
    return name.replace("\n", "\\n")


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(pattern.lower()))


def _matches(pattern: str, name: str) -> bool:
    return _compiled(pattern).match(name.lower()) is not None


@dataclass(frozen=True)
class Selection:
    """Shell patterns over site names (GlueSiteName) and CE IDs (GlueCEUniqueID).

    A CE is selected when its site matches one of ``sites`` and its ID one of ``ces``;
    no patterns of a kind select every name of that kind.
    """

    sites: tuple[str, ...] = ()
    ces: tuple[str, ...] = ()

    @property
    def everything(self) -> bool:
        return not self.sites and not self.ces

    def keeps(self, site: str, ce: str) -> bool:
        return (not self.sites or any(_matches(p, site) for p in self.sites)) and (
            not self.ces or any(_matches(p, ce) for p in self.ces)
        )

    def keeps_ce(self, ce: CE) -> bool:
        return self.keeps(ce.site, ce.unique_id)

    def options(self) -> str:
        """The selection as options, as an operator would type them ('' for everything)."""
        words = [f"--site '{shown(p)}'" for p in self.sites]
        words += [f"--ce '{shown(p)}'" for p in self.ces]
        return " ".join(words)

    def require(
        self, pairs: Iterable[tuple[str, str]], where: str, sites: Iterable[str] = ()
    ) -> None:
        """UsageError unless each pattern matches a name among ``pairs`` ((site, CE ID))
        and some pair is selected. ``sites``: more site names there (sites without CEs);
        ``where``: where the names come from, for the message."""
        pairs = list(pairs)
        site_names = {s for s, _ in pairs} | set(sites)
        ce_names = {c for _, c in pairs}
        for kind, patterns, names in (
            ("site", self.sites, site_names),
            ("CE", self.ces, ce_names),
        ):
            for pattern in patterns:
                if not any(_matches(pattern, name) for name in names):
                    raise UsageError(_nothing(kind, pattern, names, where))
        if not self.everything and not any(self.keeps(s, c) for s, c in pairs):
            raise UsageError(f"no CE in {where} matches {self.options()}")


# What may follow a name's first part: a pattern offered for a partial name ends with it.
_SEPARATORS = "-_.:/"


def would_match(pattern: str, names: Collection[str]) -> str | None:
    """A shell pattern that matches the names ``pattern`` is part of, when ``pattern`` has
    no wildcard: 'RAL-*' for 'RAL' (RAL-LCG2), 'ce01.example.org:*' for the host of CE
    IDs, '*LCG2*' for a part within; None when no name holds it."""
    if any(c in pattern for c in "*?[") or not pattern:
        return None
    word = pattern.lower()
    starting = [n for n in names if n.lower().startswith(word) and len(n) > len(word)]
    if starting:
        following = {n[len(word)] for n in starting}
        (next_char,) = following if len(following) == 1 else ("",)
        return f"{pattern}{next_char if next_char in _SEPARATORS else ''}*"
    if any(word in n.lower() and n.lower() != word for n in names):
        return f"*{pattern}*"
    return None


def _nothing(kind: str, pattern: str, names: Collection[str], where: str) -> str:
    option = "--site" if kind == "site" else "--ce"
    near = closest(pattern, names)
    wider = would_match(pattern, names)
    hints = []
    matched = sorted(n for n in names if _matches(wider, n)) if wider is not None else []
    if len(matched) == 1 and matched[0] in near:
        matched = []  # the closest name says it: 'CERN-PRO' -> CERN-PROD
    if matched:
        near = [n for n in near if n not in matched]
        listed = ", ".join(shown(n) for n in matched[:CLOSEST])
        more = f" and {len(matched) - CLOSEST} more" if len(matched) > CLOSEST else ""
        hints.append(f"{option} '{shown(wider or '')}' would match {listed}{more}")
    if near:
        hints.append("closest: " + ", ".join(shown(n) for n in near))
    if not hints:
        hints.append(
            f"none of the {len(names)} {kind}s there is close"
            if names
            else f"there is no {kind} there"
        )
    return f"{option} '{shown(pattern)}': no {kind} in {where} matches; {'; '.join(hints)}"


def model_pairs(model: GlueModel) -> list[tuple[str, str]]:
    """The (site, CE ID) of every CE in ``model``."""
    return [(ce.site, ce.unique_id) for ce in model.ces]


def require_in_model(selection: Selection, model: GlueModel) -> None:
    """UsageError when a pattern of ``selection`` matches nothing in ``model``."""
    selection.require(model_pairs(model), model.origin, model.sites)


def only_selected(selection: Selection, model: GlueModel) -> GlueModel:
    """``model`` with the selected CEs only."""
    if selection.everything:
        return model
    return dataclasses.replace(model, ces=tuple(ce for ce in model.ces if selection.keeps_ce(ce)))


def select_model(selection: Selection, model: GlueModel) -> GlueModel:
    """``model`` with the selected CEs only; a pattern matching nothing is a UsageError."""
    require_in_model(selection, model)
    return only_selected(selection, model)
