"""Source step: the Source interface and its kinds (live LDAP, LDIF snapshots), --bdii
parsing and failover, the LDAP wire decoder, the LDIF reader and writer."""

from __future__ import annotations

from .base import KINDS, ReadRequest, Source, SourceKind, SourceSettings, register
from .endpoints import ENV_INFOSYS, first_available, open_source, open_sources, source_items


def _open_ldap(item: str, settings: SourceSettings) -> Source:
    # ldap3 is imported when a live BDII is read, not by every command that could read one.
    from .ldap import open_ldap

    return open_ldap(item, settings)


# Anything that is not claimed by another kind is a host name: the last resort. A kind
# registered later is asked first: LDIF (which registers itself) before LDAP.
LDAP = register(SourceKind("ldap", lambda item: True, _open_ldap))

from . import ldif as _ldif  # noqa: E402, F401

__all__ = [
    "ENV_INFOSYS",
    "KINDS",
    "ReadRequest",
    "Source",
    "SourceKind",
    "SourceSettings",
    "first_available",
    "open_source",
    "open_sources",
    "register",
    "source_items",
]
