"""The audit's fixes as LDIF change records: one per entry, a finding's as the text of its
``fix`` field (the files for ldapmodify, one per BDII database, are the audit's own format,
formats.fixes)."""

from __future__ import annotations

from collections.abc import Iterable

from ..evaluate.audit.findings import Change
from .ldif import value_line


def change_ldif(change: Change) -> str:
    """One ``changetype: modify`` record (no blank line after it), the DN as published."""
    lines = [value_line("dn", change.dn), "changetype: modify"]
    for m in change.modifications:
        lines += [f"{m.operation}: {m.attribute}", value_line(m.attribute, m.value), "-"]
    return "\n".join(lines)


def fix_text(changes: Iterable[Change]) -> str | None:
    """A finding's fix as LDIF records separated by blank lines; None when it has none."""
    records = [change_ldif(c) for c in changes]
    return "\n\n".join(records) if records else None
