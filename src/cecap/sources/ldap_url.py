"""LDAP endpoint names as --bdii takes them: HOST, HOST:PORT, ldap:// and ldaps:// URLs."""

from __future__ import annotations

from urllib.parse import urlsplit

from ..errors import UsageError

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
