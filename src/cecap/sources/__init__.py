"""Source step: the Source interface and its kinds (live LDAP, LDIF snapshots), --bdii
parsing and failover, the LDAP wire decoder, the LDIF reader and writer."""

from __future__ import annotations

# The built-in kinds register themselves; LDIF is asked before LDAP, which takes any host.
from . import ldap as _ldap  # noqa: F401
from . import ldif as _ldif  # noqa: F401
from .base import KINDS, ReadRequest, Source, SourceKind, SourceSettings, register
from .endpoints import ENV_INFOSYS, first_available, open_source, open_sources, source_items

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
