"""Policy objects: the questionnaire stances, the respondent-to-site map, experiment policies."""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, TypeVar

from ..errors import ConfigError
from .reliable import DEFAULT_METRICS, FailingRule, ModeEvidence, ReliableRule, metric_base

GLEXEC = "glexec"


def has_stances(capability: str) -> bool:
    """The questionnaire asked about glexec: only it has stances, modes and failing closed."""
    return capability.strip().lower() == GLEXEC


class MupjSupport(Enum):
    """Question 1: does the site allow multi-user pilot jobs?"""

    YES = "yes"
    CONDITIONAL = "conditional"
    DEPENDS = "depends"
    NO = "no"


class ModeAnswer(Enum):
    """Questions 2 and 3: does the site support glexec in this mode?"""

    REQUIRE = "require"
    ALLOW = "allow"
    DEPENDS = "depends"
    NO = "no"
    UNKNOWN = "unknown"

    @property
    def accepts(self) -> bool:
        return self in (ModeAnswer.REQUIRE, ModeAnswer.ALLOW)


class BypassAnswer(Enum):
    """Question 4: may the pilot run the payload itself when glexec fails internally?"""

    YES = "yes"
    DEPENDS = "depends"
    NO = "no"
    UNKNOWN = "unknown"


class GlexecMode(Enum):
    """How glexec runs a payload: switching identity, or only logging it."""

    SETUID = "setuid"
    LOG_ONLY = "log-only"


E = TypeVar("E", MupjSupport, ModeAnswer, BypassAnswer)


@dataclass(frozen=True)
class Scope(Generic[E]):
    """An answer that differs for one cluster of the site or for one VO."""

    kind: str  # "cluster" or "vo"
    name: str
    value: E


@dataclass(frozen=True)
class Answer(Generic[E]):
    """One answer: the respondent's words, their normalized value, and scoped variants."""

    text: str
    value: E
    scopes: tuple[Scope[E], ...] = ()

    def resolve(self, vo: str | None = None, cluster_scope: str | None = None) -> E:
        """The value for a VO on a cluster; the overall value where no scope applies."""
        scope = self.scope_for(vo, cluster_scope)
        return self.value if scope is None else scope.value

    def scope_for(self, vo: str | None = None, cluster_scope: str | None = None) -> Scope[E] | None:
        """The scoped variant that applies to a VO on a cluster (the first listed), if any."""
        for scope in self.scopes:
            if scope.kind == "vo" and vo is not None and scope.name == vo.lower():
                return scope
            if scope.kind == "cluster" and scope.name == cluster_scope:
                return scope
        return None


@dataclass(frozen=True)
class Stance:
    """A respondent's four answers to the MUPJ questionnaire."""

    respondent: str
    mupj: Answer[MupjSupport]
    glexec_setuid: Answer[ModeAnswer]
    glexec_log_only: Answer[ModeAnswer]
    bypass_on_error: Answer[BypassAnswer]

    def mode_answer(self, mode: GlexecMode) -> Answer[ModeAnswer]:
        return self.glexec_setuid if mode is GlexecMode.SETUID else self.glexec_log_only

    def answers(self) -> dict[str, Answer[Any]]:
        """The four answers by question, in the questionnaire's order."""
        return {
            "mupj": self.mupj,
            "glexec_setuid": self.glexec_setuid,
            "glexec_log_only": self.glexec_log_only,
            "bypass_on_error": self.bypass_on_error,
        }


@dataclass(frozen=True)
class Experiment:
    """An experiment's glexec policy."""

    key: str
    name: str
    vo: str
    modes: tuple[GlexecMode, ...]
    states: tuple[str, ...] = ("Production",)
    reliable: ReliableRule = field(default_factory=ReliableRule)
    # The metric names that count as this experiment's glexec test (see policy/reliable.py).
    glexec_metrics: tuple[str, ...] = ()
    # What in a test's output shows the glexec mode (see policy/reliable.py).
    mode_evidence: ModeEvidence = field(default_factory=ModeEvidence)
    # When `summary` counts a CE failing (see policy/reliable.py).
    failing: FailingRule = field(default_factory=FailingRule)

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metric names whose results count as this experiment's glexec test."""
        return self.glexec_metrics or tuple(m.format(vo=self.vo) for m in DEFAULT_METRICS)

    def counts_metric(self, metric: str) -> bool:
        return metric_base(metric) in self.metrics

    def targets_state(self, state: str) -> bool:
        return state.strip().lower() in {s.lower() for s in self.states}


def is_pattern(name: str) -> bool:
    """A sites.yaml entry with shell wildcards, rather than one site's name."""
    return any(c in name for c in "*?[")


@dataclass(frozen=True, slots=True)
class SiteMatch:
    """How a BDII site came to a respondent: ``entry`` is the sites.yaml name or pattern
    that matched it, None when the site has the respondent's own name."""

    respondent: str
    site: str
    entry: str | None


@dataclass(frozen=True, slots=True)
class ClusterMatch:
    """The cluster scope that applies to a CE: the cluster or host ``name`` that the
    sites.yaml ``pattern`` listed under ``scope`` matched."""

    scope: str
    name: str
    pattern: str


@dataclass(frozen=True)
class SiteMapping:
    """Which BDII sites (and which of their clusters) a respondent's answers cover."""

    respondent: str
    patterns: tuple[str, ...] = ()
    cluster_scopes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def matches(self, site: str) -> bool:
        return self.match(site) is not None

    def match(self, site: str) -> SiteMatch | None:
        """How ``site`` matches: by the respondent's own name or by which sites.yaml entry."""
        name = site.lower()
        if name == self.respondent.lower():
            return SiteMatch(self.respondent, site, None)
        found = self._pattern.match(name) if self._pattern is not None else None
        if found is None:
            return None
        entry = next(i for i in range(len(self.patterns)) if found[f"entry{i}"] is not None)
        return SiteMatch(self.respondent, site, self.patterns[entry])

    @functools.cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        # All patterns in one regex, compiled once: a top-level BDII asks for every site.
        # Each entry is a named group, so a match says which entry it was.
        if not self.patterns:
            return None
        return re.compile(
            "|".join(
                f"(?P<entry{i}>{fnmatch.translate(p.lower())})" for i, p in enumerate(self.patterns)
            )
        )

    def cluster_scope(self, *names: str | None) -> str | None:
        """The scope ("central", "shared", ...) whose patterns match a cluster or host name."""
        found = self.cluster_match(*names)
        return found.scope if found else None

    def cluster_match(self, *names: str | None) -> ClusterMatch | None:
        """The first scope with a pattern matching one of ``names``, and what matched."""
        for scope, patterns in self.cluster_scopes.items():
            for name in names:
                for pattern in patterns:
                    if name and fnmatch.fnmatchcase(name.lower(), pattern.lower()):
                        return ClusterMatch(scope, name, pattern)
        return None


@dataclass(frozen=True)
class Policy:
    """Everything cecap evaluates against: stances, the site map, experiments."""

    stances: Mapping[str, Stance]
    mappings: tuple[SiteMapping, ...]
    experiments: Mapping[str, Experiment]
    source: str = ""
    # Each site's respondent, once looked up: a report, its sites and its audit each ask
    # for every site of a top-level BDII, and every respondent's patterns are tried.
    _respondents: dict[str, SiteMapping | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @functools.cached_property
    def _any_respondent(self) -> re.Pattern[str]:
        """Matches (lower-cased) the sites some respondent's name or pattern matches."""
        names = (f"{re.escape(m.respondent.lower())}\\Z" for m in self.mappings)
        patterns = (fnmatch.translate(p.lower()) for m in self.mappings for p in m.patterns)
        return re.compile("|".join(f"(?:{alt})" for alt in (*names, *patterns)) or "(?!)")

    def respondent_for(self, site: str) -> SiteMapping | None:
        """The respondent whose answers cover a BDII site; two is a configuration error."""
        if site in self._respondents:
            return self._respondents[site]
        # Most sites of a top-level BDII have no respondent: one regex of every name and
        # pattern says so before each respondent's are tried.
        any_match = self._any_respondent.match(site.lower())
        found = [m for m in self.mappings if m.matches(site)] if any_match else []
        if len(found) > 1:
            names = " and ".join(m.respondent for m in found)
            raise ConfigError(
                f"{self.source or 'sites.yaml'}: BDII site {site!r} is matched by both {names};"
                " make the names or patterns in sites.yaml disjoint"
            )
        self._respondents[site] = found[0] if found else None
        return self._respondents[site]
