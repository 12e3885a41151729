"""--bdii values (or LCG_GFAL_INFOSYS) into sources, in failover order, and failover itself."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from ..errors import SourceUnavailable, UsageError
from .base import Source, SourceSettings, kind_for
from .ldap_url import continues_url

ENV_INFOSYS = "LCG_GFAL_INFOSYS"

T = TypeVar("T")


def source_items(specs: Sequence[str], env_default: str | None = None) -> list[str]:
    """The endpoints and files named by --bdii (repeatable, comma-separated), in order.

    Without --bdii, ``env_default`` (the LCG_GFAL_INFOSYS value) is used. The commas of
    an LDAP URL's DN (``ldap://HOST:2170/mds-vo-name=SITE,o=grid``) do not separate.
    """
    items = split_sources(specs)
    if not items and env_default:
        items = split_sources([env_default])
    if not items:
        raise UsageError(
            "no information system given: pass --bdii HOST[:PORT] (or an LDIF snapshot),"
            f" or set {ENV_INFOSYS}=HOST:PORT[,HOST:PORT...] as the grid tools do"
        )
    return items


def split_list(specs: Sequence[str]) -> list[str]:
    """Repeated and comma-separated option values as one list, blanks left out."""
    return [s.strip() for spec in specs for s in spec.split(",") if s.strip()]


def split_sources(specs: Sequence[str]) -> list[str]:
    """``split_list`` for --bdii: a piece that is the next RDN of the LDAP URL before it
    (``NAME=VALUE``, which no host name or endpoint starts with) is joined back onto it."""
    items: list[str] = []
    for spec in specs:
        joined: list[str] = []
        for piece in spec.split(","):
            if joined and continues_url(joined[-1], piece):
                joined[-1] = f"{joined[-1]},{piece.strip()}"
            else:
                joined.append(piece.strip())
        items += [item for item in joined if item]
    return items


def open_source(item: str, settings: SourceSettings | None = None) -> Source:
    """The source for one --bdii item, by the first registered kind that claims it."""
    return kind_for(item).open(item, settings or SourceSettings())


def open_sources(
    specs: Sequence[str],
    settings: SourceSettings | None = None,
    *,
    env_default: str | None = None,
) -> list[Source]:
    """One source per item, in failover order; every item is checked before any is read."""
    return [open_source(item, settings) for item in source_items(specs, env_default)]


def first_available(
    sources: Sequence[Source],
    run: Callable[[Source], T],
    warn: Callable[[str], None] = lambda message: None,
) -> T:
    """``run`` on the first source that answers; each failed one is reported to ``warn``.

    ``run`` must start from nothing each time (a fresh model builder, a fresh list): a
    source that fails mid-search leaves nothing behind. Bad input (a malformed LDIF file)
    is not failed over: it is raised as it is.
    """
    failures: list[str] = []
    for number, source in enumerate(sources, start=1):
        try:
            return run(source)
        except SourceUnavailable as exc:
            failures.append(str(exc))
            if number < len(sources):
                warn(f"{exc}; trying {sources[number].origin}")
    if len(failures) == 1:
        raise SourceUnavailable(failures[0])
    raise SourceUnavailable(
        f"none of the {len(failures)} information systems answered:\n  " + "\n  ".join(failures)
    )
