"""Source selection: turn --bdii values (or LCG_GFAL_INFOSYS) into readers, with failover."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from .errors import SourceUnavailable, UsageError
from .source import GLUE13_WANTED, Reader
from .source_ldap import DEFAULT_BASE, DEFAULT_CA_DIR, DEFAULT_PORT, DEFAULT_TIMEOUT, LdapReader
from .source_ldif import LdifReader

ENV_INFOSYS = "LCG_GFAL_INFOSYS"
_LDIF_SUFFIXES = (".ldif", ".ldif.gz", ".gz")

T = TypeVar("T")


@dataclass(frozen=True)
class SourceSettings:
    """How to query live endpoints; LDIF snapshots ignore it."""

    base: str = DEFAULT_BASE
    timeout: float = DEFAULT_TIMEOUT
    ca_dir: str = DEFAULT_CA_DIR


def source_items(specs: Sequence[str], env_default: str | None = None) -> list[str]:
    """The endpoints and files named by --bdii (repeatable, comma-separated), in order.

    Without --bdii, ``env_default`` (the LCG_GFAL_INFOSYS value) is used.
    """
    items = _split(specs)
    if not items and env_default:
        items = _split([env_default])
    if not items:
        raise UsageError(
            "no information system given: pass --bdii HOST[:PORT] (or an LDIF snapshot),"
            f" or set {ENV_INFOSYS}=HOST:PORT[,HOST:PORT...] as the grid tools do"
        )
    return items


def _split(specs: Sequence[str]) -> list[str]:
    return [s.strip() for spec in specs for s in spec.split(",") if s.strip()]


def is_ldif_path(item: str) -> bool:
    """A snapshot file rather than an endpoint: an existing file, a path, or an LDIF name."""
    if "://" in item:
        return False
    lowered = item.lower()
    return (
        lowered.endswith(_LDIF_SUFFIXES)
        or os.path.isfile(item)
        or "/" in item
        or item.startswith(("~", "."))
    )


def open_one(
    item: str,
    settings: SourceSettings = SourceSettings(),
    *,
    wanted: Mapping[str, tuple[str, ...]] = GLUE13_WANTED,
    vos: Sequence[str] | None = None,
) -> Reader:
    """A reader for one --bdii item: LDIF path, ``host``, ``host:port`` or an LDAP URL."""
    if is_ldif_path(item):
        return LdifReader(Path(item).expanduser(), wanted, vos)
    scheme = "ldap"
    rest = item
    if "://" in item:
        scheme, _, rest = item.partition("://")
        scheme = scheme.lower()
        if scheme not in ("ldap", "ldaps"):
            raise UsageError(
                f"--bdii {item!r}: unknown scheme {scheme!r}; use ldap://, ldaps://,"
                " HOST[:PORT] or an LDIF file"
            )
    try:
        parts = urlsplit(f"//{rest}")
        host = parts.hostname
        port = parts.port or DEFAULT_PORT
    except ValueError as exc:
        raise UsageError(f"--bdii {item!r}: not HOST[:PORT] ({exc})") from None
    if not host or parts.username or parts.password:
        raise UsageError(f"--bdii {item!r}: not HOST[:PORT] or an LDAP URL")
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise UsageError(
            f"--bdii {item!r}: only scheme, host and port are read from an LDAP URL;"
            " give the search base with --base"
        )
    return LdapReader(
        host,
        port,
        use_tls=scheme == "ldaps",
        base=settings.base,
        timeout=settings.timeout,
        ca_dir=settings.ca_dir,
        wanted=wanted,
        vos=vos,
    )


def open_readers(
    specs: Sequence[str],
    settings: SourceSettings = SourceSettings(),
    *,
    env_default: str | None = None,
    wanted: Mapping[str, tuple[str, ...]] = GLUE13_WANTED,
    vos: Sequence[str] | None = None,
) -> list[Reader]:
    """One reader per item, in failover order; every item is checked before any is read."""
    items = source_items(specs, env_default)
    return [open_one(item, settings, wanted=wanted, vos=vos) for item in items]


def open_reader(specs: Sequence[str]) -> Reader:
    """The first reader of ``specs`` (for callers that do not fail over)."""
    return open_readers(specs)[0]


def first_available(
    readers: Sequence[Reader],
    run: Callable[[Reader], T],
    warn: Callable[[str], None] = lambda message: None,
) -> T:
    """``run`` on the first reader that answers; each failed one is reported to ``warn``.

    ``run`` must start from nothing each time (a fresh model builder, a fresh list): a
    reader that fails mid-search leaves nothing behind. Bad input (a malformed LDIF file)
    is not failed over: it is raised as it is.
    """
    failures: list[str] = []
    for number, reader in enumerate(readers, start=1):
        try:
            return run(reader)
        except SourceUnavailable as exc:
            failures.append(str(exc))
            if number < len(readers):
                warn(f"{exc}; trying {readers[number].origin}")
    if len(failures) == 1:
        raise SourceUnavailable(failures[0])
    raise SourceUnavailable(
        f"none of the {len(failures)} information systems answered:\n  " + "\n  ".join(failures)
    )
