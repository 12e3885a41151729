"""Source selection: turn what the user typed after --bdii into a Reader."""

from __future__ import annotations

from collections.abc import Sequence

from .errors import UsageError
from .source import Reader
from .source_ldif import LdifReader


def open_reader(specs: Sequence[str]) -> Reader:
    """An LDIF snapshot path (plain or .gz)."""
    items = [s.strip() for spec in specs for s in spec.split(",") if s.strip()]
    if not items:
        raise UsageError("no information system given: pass --bdii PATH to an LDIF snapshot")
    if len(items) > 1:
        raise UsageError("give one LDIF snapshot to --bdii")
    return LdifReader(items[0])
