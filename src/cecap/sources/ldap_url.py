"""LDAP endpoint names as --bdii takes them: HOST, HOST:PORT, ldap:// and ldaps:// URLs,
with the search base an LDAP URL may name (RFC 4516), as a GlueServiceEndpoint is written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ..errors import UsageError
from ..model.dn import split_rdns

DEFAULT_PORT = 2170  # the BDII port, as lcg-infosites and ginfo assume
GLUE13_ROOT = "o=grid"
GLUE2_ROOT = "o=glue"

# The start of an RDN (RFC 4514: a descriptor or a numeric OID, then "="): what the
# pieces of a URL's DN look like once a comma-separated list has cut them apart.
_RDN_START = re.compile(r"\s*(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)\s*=")


@dataclass(frozen=True)
class LdapUrl:
    """One LDAP endpoint: scheme, host, port and the search base its URL names (None:
    the URL names none, and --base applies)."""

    scheme: str
    host: str
    port: int
    base: str | None = None

    @property
    def bases(self) -> tuple[str, str] | None:
        """(GLUE 1.3 base, GLUE 2.0 base) the URL's DN names, or None without one."""
        return None if self.base is None else tree_bases(self.base)


def parse(item: str) -> LdapUrl:
    """A --bdii ``host``, ``host:port`` or LDAP URL (``ldap://HOST:PORT/DN``, RFC 4516);
    UsageError naming the item when it is none of them."""
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
    if "://" not in item and (parts.path or parts.query or parts.fragment):
        raise UsageError(f"--bdii {item!r}: not HOST[:PORT]; an LDAP URL starts with ldap://")
    if parts.fragment:
        raise UsageError(f"--bdii {item!r}: an LDAP URL has no '#' part (RFC 4516)")
    _check_query(item, parts.query)
    try:
        base = unquote(parts.path[1:], errors="strict").strip() if parts.path else ""
    except UnicodeDecodeError:
        raise UsageError(f"--bdii {item!r}: its DN is not UTF-8 once %-decoded") from None
    if base:
        _check_dn(item, base)
    return LdapUrl(scheme, host, port, base or None)


def _check_query(item: str, query: str) -> None:
    """An LDAP URL's ?attributes?scope?filter?extensions: cecap asks for its own
    attributes with its own filters over the whole subtree, so only what says the same
    (nothing, scope ``sub``) is taken."""
    if not query:
        return
    fields = query.split("?")
    attributes, scope, filterstr, extensions = [*fields, "", "", ""][:4]
    if len(fields) > 4 or attributes or scope.lower() not in ("", "sub") or filterstr or extensions:
        raise UsageError(
            f"--bdii {item!r}: only the host, port and search base (the DN) are read from"
            " an LDAP URL; cecap chooses the attributes and filters and reads the whole"
            " subtree: leave out what follows '?'"
        )


def _check_dn(item: str, base: str) -> None:
    for rdn in split_rdns(base):
        _, equals, value = rdn.partition("=")
        if not equals or not _RDN_START.match(rdn) or not value.strip():
            raise UsageError(
                f"--bdii {item!r}: {base!r} is not a DN (ATTRIBUTE=VALUE,...,o=grid) after the host"
            )


def continues_url(item: str, piece: str) -> bool:
    """Whether ``piece``, cut from a comma-separated --bdii value after ``item``, is the
    next RDN of ``item``'s DN (``ldap://HOST/mds-vo-name=SITE`` + ``o=grid``) rather than
    the next endpoint. A host name or a file path never starts with ``NAME=``."""
    if "://" not in item or "/" not in item.partition("://")[2]:
        return False
    return "://" not in piece and bool(_RDN_START.match(piece))


def tree_bases(base: str) -> tuple[str, str]:
    """(GLUE 1.3 base, GLUE 2.0 base) for a URL's DN, as the top-level BDII's updater
    maps a site's URL onto its GLUE 2.0 tree (EGI-Federation/glite-info-provider-ldap,
    src/glite-info-provider-ldap, its -g option, lines 251-265): ``mds-vo-name=SITE,o=grid`` is
    ``GLUE2DomainID=SITE,o=glue``, ``mds-vo-name=resource,o=grid`` is
    ``GLUE2GroupID=resource,o=glue``, and a DN already in ``o=glue`` is used as it is
    (its GLUE 1.3 twin, ``mds-vo-name=SITE,o=grid``, when it names a domain)."""
    rdns = [rdn.partition("=") for rdn in split_rdns(base)]
    names = [(n.strip().lower(), v.strip()) for n, _, v in rdns]
    root = names[-1] if names else ("", "")
    if (root[0], root[1].lower()) == ("o", "glue"):
        if len(names) == 2 and names[0][0] == "glue2domainid":
            return f"mds-vo-name={names[0][1]},{GLUE13_ROOT}", base
        return GLUE13_ROOT, base
    if (root[0], root[1].lower()) != ("o", "grid"):
        return base, GLUE2_ROOT
    mds = [v for n, v in names[:-1] if n == "mds-vo-name"]
    if len(mds) != len(names) - 1 or not mds:
        return base, GLUE2_ROOT
    levels = [v.lower() for v in mds]
    if levels == ["local"]:
        return base, GLUE2_ROOT
    if levels == ["resource"]:
        return base, f"GLUE2GroupID=resource,{GLUE2_ROOT}"
    if len(mds) == 1:
        return base, f"GLUE2DomainID={mds[0]},{GLUE2_ROOT}"
    if len(mds) == 2 and levels[1] == "local":
        # A site's subtree on a top-level BDII: its GLUE 2.0 twin is under GLUE2GroupID=grid.
        return base, f"GLUE2DomainID={mds[0]},GLUE2GroupID=grid,{GLUE2_ROOT}"
    return base, GLUE2_ROOT


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
