"""The audit's fixes as LDIF: one change record per entry, and all of them as one file that
ldapmodify applies (``cecap audit --format ldif``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..evaluate.audit import Finding
from ..evaluate.audit.findings import Change
from ..evaluate.audit.fixes import merged
from ..sources.ldif_writer import value_line
from ..text import visible


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


def _comment(text: str) -> str:
    # One line whatever a site published: visible() escapes newlines and every control.
    return "# " + visible(text)


def fixes_ldif(findings: Iterable[Finding], meta: Mapping[str, Any]) -> str:
    """Every finding's fix as one LDIF file: ``version: 1``, a header, then one record per
    entry (the changes of all its findings merged, each once), each after comment lines
    naming the site and finding kind of each finding it fixes."""
    findings = list(findings)
    notes: dict[str, list[str]] = {}
    for f in findings:
        for change in f.fix:
            note = _comment(f"{f.site}: {f.kind.value} ({f.severity.value})")
            if note not in (found := notes.setdefault(change.dn.lower(), [])):
                found.append(note)
    records = merged(change for f in findings for change in f.fix)
    fixed = sum(1 for f in findings if f.fix)
    out = [
        "version: 1",
        "",
        _comment(
            f"cecap audit: the fixes of {fixed} findings, as changes to {len(records)} entries"
        ),
        _comment(f"source: {meta.get('source', '')}; capability: {meta.get('capability', '')}"),
        "# Apply with ldapmodify to the resource BDII that publishes each entry, bound as",
        "# its rootdn; a change lasts until its information providers next refresh it.",
        "# The lasting change is at the source: see each finding's hint in cecap audit.",
    ]
    if meta.get("partial"):
        out.append(_comment(f"PARTIAL: {meta['partial']}"))
    out.append("")
    for change in records:
        out += [*notes[change.dn.lower()], change_ldif(change), ""]
    return "\n".join(out)
