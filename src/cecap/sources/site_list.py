"""The site BDIIs a top-level BDII reads: as the top level publishes them, from the file
its updater writes, or as SITE=URL pairs."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, UsageError
from ..model.dn import first_rdn_value, site_from_dn
from ..model.entry import Entry
from .base import Reader
from .ldap_url import LdapUrl, parse

# GlueServiceType of a site BDII (GLUE 1.3), and its GLUE 2.0 GLUE2EndpointInterfaceName
# and GLUE2ServiceType: what glite-info-provider-service publishes for one
# (EGI-Federation/glite-info-provider-service, etc/glite-info-service-bdii-site.conf.template
# and etc/glite-info-glue2-bdii-site.conf.template).
SITE_BDII_TYPE = "bdii_site"

# What the list is read from on the top level: the classes, their attributes, and the
# search filters a live BDII is asked with (only the site BDIIs' own entries).
LIST_WANTED: dict[str, tuple[str, ...]] = {
    "glueservice": ("glueservicetype", "glueserviceendpoint", "glueforeignkey"),
    "glue2endpoint": ("glue2endpointinterfacename", "glue2endpointurl"),
}
LIST_FILTERS: dict[str, str] = {
    "glueservice": f"(&(objectClass=GlueService)(GlueServiceType={SITE_BDII_TYPE}))",
    "glue2endpoint": f"(&(objectClass=GLUE2Endpoint)(GLUE2EndpointInterfaceName={SITE_BDII_TYPE}))",
}

# A line of the updater's file, as the top-level BDII's provider reads it
# (EGI-Federation/glite-info-provider-ldap, src/glite-info-provider-ldap: a "#" starts a
# comment, line 155; then m|^([-.\w]+)\s+ldap://(.+):([0-9]+)/(.+)|, line 248): NAME
# at the start of the line, whitespace, an ldap:// URL with a port and a base. Its lines
# are written by glite-info-update-endpoints (EGI-Federation/glite-info-update-endpoints,
# glite_info_update_endpoints/__init__.py, create_urls_file, lines 159-170:
# "%s %s\n" % (NAME, GIIS_URL) per site, under "#" comment lines).
_LINE = re.compile(r"^([-.\w]+)\s+(ldap://.+:[0-9]+/.+)$", re.ASCII)
_MAX_LINE = 64 * 1024  # a real line is under 200 characters
_MAX_IGNORED = 1000  # lines the file may leave unread before it is not that file at all


@dataclass(frozen=True)
class SiteBdii:
    """One site BDII: the site's name and the URL read (``ldap://HOST:PORT/DN``)."""

    site: str
    url: str
    # Where the pair came from: "top" (the top-level BDII lists it), "file", "option".
    listed_by: str = "top"

    @property
    def endpoint(self) -> LdapUrl:
        return parse(self.url)


def _checked_url(url: str, where: str, site: str) -> str:
    """The URL, which must be ldap:// or ldaps:// with a DN; a bare host gets the site's
    base, mds-vo-name=SITE,o=grid, as a site BDII publishes it."""
    try:
        parsed = parse(url if "://" in url else f"ldap://{url}")
    except UsageError as exc:
        raise UsageError(f"{where}: {str(exc).removeprefix('--bdii ')}") from None
    if parsed.base is not None:
        return url
    shown_host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    return f"{parsed.scheme}://{shown_host}:{parsed.port}/mds-vo-name={site},o=grid"


def from_pairs(pairs: Sequence[str]) -> list[SiteBdii]:
    """--site-bdii SITE=URL values (URL: ldap[s]://HOST[:PORT][/DN] or HOST[:PORT])."""
    found: list[SiteBdii] = []
    for pair in pairs:
        site, equals, url = pair.partition("=")
        site, url = site.strip(), url.strip()
        if not equals or not site or not url or "://" in site:
            raise UsageError(
                f"--site-bdii {pair!r}: give SITE=URL, e.g."
                " UKI-LT2-QMUL=ldap://bdii.example.org:2170/mds-vo-name=UKI-LT2-QMUL,o=grid"
            )
        found.append(SiteBdii(site, _checked_url(url, f"--site-bdii {pair!r}", site), "option"))
    return found


def from_file(path: Path, warn: Callable[[str], None]) -> list[SiteBdii]:
    """The site BDIIs of a file in the format the top-level BDII's updater writes (see
    _LINE). A line that is not ``NAME ldap://HOST:PORT/BASE`` is skipped with a warning
    naming it, as the top-level BDII's provider skips it; an unreadable file, or one with
    no such line at all, is an InputError."""
    found: list[SiteBdii] = []
    ignored = 0
    try:
        with path.open("r", encoding="utf-8", errors="replace", newline=None) as lines:
            for number, raw in enumerate(iter(lambda: lines.readline(_MAX_LINE), ""), 1):
                # Only the end is stripped: a NAME must start the line, as the provider reads it.
                line = raw.split("#", 1)[0].rstrip()
                if not line.strip():
                    continue
                matched = _LINE.match(line) if len(raw) < _MAX_LINE else None
                url = matched.group(2) if matched else ""
                try:
                    parsed = parse(url) if matched else None
                except UsageError:
                    parsed = None
                if matched is None or parsed is None or parsed.base is None:
                    ignored += 1
                    if ignored > _MAX_IGNORED:
                        raise InputError(
                            f"{path}:{number}: more than {_MAX_IGNORED} lines are not"
                            " NAME ldap://HOST:PORT/BASE: is this the top-level BDII's"
                            " URL file?"
                        )
                    warn(f"{path}:{number}: ignored, not NAME ldap://HOST:PORT/BASE")
                    continue
                found.append(SiteBdii(matched.group(1), url, "file"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the site BDII list: {exc.strerror}") from None
    if not found:
        raise InputError(f"{path}: no NAME ldap://HOST:PORT/BASE line: no site BDII to read")
    return found


def from_entries(entries: Iterable[Entry]) -> list[SiteBdii]:
    """The site BDIIs a top-level BDII publishes: GLUE 1.3 GlueService entries of type
    bdii_site (GlueServiceEndpoint), and GLUE 2.0 GLUE2Endpoint entries of interface
    bdii_site (GLUE2EndpointURL). A site listed in both trees at one host and port is one
    site BDII, as GLUE 1.3 names it."""
    found: dict[tuple[str, str, int], SiteBdii] = {}
    glue2: list[SiteBdii] = []
    for entry in entries:
        if entry.kind == "glueservice":
            if (entry.first("glueservicetype") or "").strip().lower() != SITE_BDII_TYPE:
                continue
            url = (entry.first("glueserviceendpoint") or "").strip()
            site = _glue13_site(entry, url)
        elif entry.kind == "glue2endpoint":
            name = (entry.first("glue2endpointinterfacename") or "").strip().lower()
            if name != SITE_BDII_TYPE:
                continue
            url = (entry.first("glue2endpointurl") or "").strip()
            site = first_rdn_value(entry.dn, "glue2domainid") or _url_site(url)
        else:
            continue
        listed = _listed(site, url)
        if listed is None:
            continue
        if entry.kind == "glue2endpoint":
            glue2.append(listed)
            continue
        found.setdefault(_key(listed), listed)
    for listed in glue2:
        found.setdefault(_key(listed), listed)
    return sorted(found.values(), key=lambda s: (s.site.lower(), s.url))


def read_list(reader: Reader) -> list[SiteBdii]:
    """``from_entries`` on what ``reader`` gives (a live top-level BDII or a snapshot)."""
    return from_entries(reader.entries())


def _glue13_site(entry: Entry, url: str) -> str | None:
    for key in entry.values("glueforeignkey"):
        name, _, value = key.partition("=")
        if name.strip().lower() == "gluesiteuniqueid" and value.strip():
            return value.strip()
    return site_from_dn(entry.dn) or _url_site(url)


def _url_site(url: str) -> str | None:
    try:
        base = parse(url).base
    except UsageError:
        return None
    if base is None:
        return None
    return site_from_dn(base) or first_rdn_value(base, "glue2domainid")


def _listed(site: str | None, url: str) -> SiteBdii | None:
    """A published pair as a SiteBdii; None when the URL is no LDAP URL with a DN (the
    top level's own data: it is left out, never guessed)."""
    if not site or not url:
        return None
    try:
        parsed = parse(url)
    except UsageError:
        return None
    return SiteBdii(site, url) if parsed.base is not None else None


def _key(listed: SiteBdii) -> tuple[str, str, int]:
    parsed = listed.endpoint
    return listed.site.lower(), parsed.host.lower(), parsed.port


def merge(*lists: Iterable[SiteBdii]) -> list[SiteBdii]:
    """The lists as one, each (site, host, port) once, the first list's pair kept."""
    found: dict[tuple[str, str, int], SiteBdii] = {}
    for listed in (s for one in lists for s in one):
        found.setdefault(_key(listed), listed)
    return sorted(found.values(), key=lambda s: (s.site.lower(), s.url))
