"""LDAP endpoint names as --bdii takes them: HOST, HOST:PORT, ldap:// and ldaps:// URLs."""

from __future__ import annotations

from urllib.parse import urlsplit

from ..errors import UsageError
from ..model.dn import split_rdns

DEFAULT_PORT = 2170  # the BDII port, as lcg-infosites and ginfo assume


def endpoint(item: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a --bdii ``host``, ``host:port`` or LDAP URL; UsageError
    naming the item when it is none of them."""
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
    return scheme, host, port


def missing_base(base: str) -> str:
    """What to say when the server has no entry at --bdii's search ``base``."""
    said = f"the search base {base!r} does not exist there"
    rdns = [rdn.partition("=") for rdn in split_rdns(base)]
    site_base = (
        len(rdns) == 2
        and rdns[0][0].strip().lower() == "mds-vo-name"
        and rdns[0][2].strip().lower() not in ("local", "resource")
        and (rdns[1][0].strip().lower(), rdns[1][2].strip().lower()) == ("o", "grid")
    )
    if site_base:
        site = rdns[0][2].strip()
        return (
            f"{said}; on a top-level BDII a site is under"
            f" --base mds-vo-name={site},mds-vo-name=local,o=grid"
            f" (mds-vo-name={site},o=grid is a site BDII's base)"
        )
    return (
        f"{said}; check --base (o=grid; on a top-level BDII a site is under"
        " mds-vo-name=SITE,mds-vo-name=local,o=grid, on a site BDII mds-vo-name=SITE,o=grid)"
    )
