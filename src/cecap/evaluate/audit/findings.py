"""Audit findings: what is wrong in what a site publishes, how much it matters, the fix
(LDAP changes to the published entries) and where to make it at the source."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Literal

from ...model.glue import GLUE13


class Severity(Enum):
    """How much a finding matters; only errors make ``cecap audit`` exit 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Kind(Enum):
    """What is wrong; the values are stable names monitoring may match on."""

    CONTRADICTS_STANCE = "contradicts-stance"
    MODE_CONTRADICTS_STANCE = "mode-contradicts-stance"
    MISSING_ADVERTISEMENT = "missing-advertisement"
    RUNTIME_ENVIRONMENT_TAG = "runtime-environment-tag"
    NEAR_MISS_CAPABILITY = "near-miss-capability"
    INCONSISTENT_QUEUES = "inconsistent-queues"
    GLUE_VERSIONS_DISAGREE = "glue-versions-disagree"
    DUPLICATE_CE = "duplicate-ce"
    PARTIAL_VOVIEW = "partial-voview"
    NOT_IN_PRODUCTION = "not-in-production"
    MODE_OBSERVED = "mode-observed"

    @property
    def severity(self) -> Severity:
        return _SEVERITY[self]

    @property
    def fixable(self) -> bool:
        """Whether a change of the BDII can fix a finding of this kind (it then has a fix)."""
        return self not in _NO_FIX


_SEVERITY = {
    Kind.CONTRADICTS_STANCE: Severity.ERROR,
    Kind.MODE_CONTRADICTS_STANCE: Severity.ERROR,
    Kind.MISSING_ADVERTISEMENT: Severity.WARNING,
    Kind.RUNTIME_ENVIRONMENT_TAG: Severity.WARNING,
    Kind.NEAR_MISS_CAPABILITY: Severity.WARNING,
    Kind.INCONSISTENT_QUEUES: Severity.WARNING,
    Kind.GLUE_VERSIONS_DISAGREE: Severity.WARNING,
    Kind.DUPLICATE_CE: Severity.WARNING,
    Kind.PARTIAL_VOVIEW: Severity.INFO,
    Kind.NOT_IN_PRODUCTION: Severity.INFO,
    Kind.MODE_OBSERVED: Severity.INFO,
}
# Only the site knows whether the BDII or its answer is wrong; the site BDIIs' sources
# are; nothing to change.
# What tests see of glexec's mode is the site's glexec configuration, not what it publishes.
_NO_FIX = frozenset(
    {
        Kind.CONTRADICTS_STANCE,
        Kind.DUPLICATE_CE,
        Kind.NOT_IN_PRODUCTION,
        Kind.MODE_CONTRADICTS_STANCE,
        Kind.MODE_OBSERVED,
    }
)
_SEVERITY_ORDER = tuple(Severity)
_KIND_ORDER = tuple(Kind)


Operation = Literal["add", "delete"]


@dataclass(frozen=True, slots=True)
class Modification:
    """One value added to or deleted from one attribute."""

    operation: Operation
    attribute: str
    value: str


@dataclass(frozen=True, slots=True)
class Change:
    """The modifications of one entry, in order."""

    dn: str
    modifications: tuple[Modification, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in what a site publishes, where it is, the changes to the published
    entries that fix it (none when no change of the BDII can: a stance contradiction, a CE
    published by two sites), and a hint: where the site makes the change at the source."""

    kind: Kind
    site: str
    dn: str
    message: str
    fix: tuple[Change, ...] = ()
    hint: str = ""
    glue_version: str = GLUE13

    @property
    def severity(self) -> Severity:
        return self.kind.severity


def sort_key(f: Finding) -> tuple[int, str, int, str, str]:
    """Errors first, then by site, kind, DN and message."""
    return (
        _SEVERITY_ORDER.index(f.severity),
        f.site.lower(),
        _KIND_ORDER.index(f.kind),
        f.dn.lower(),
        f.message,
    )


def worst(findings: Iterable[Finding]) -> Severity | None:
    """The most severe finding's severity, None when there is none."""
    levels = [f.severity for f in findings]
    return min(levels, key=_SEVERITY_ORDER.index) if levels else None
