"""Rows step for `cecap audit`: one row per finding, its fix as LDIF change records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..evaluate.audit import Finding
from .fixes import fix_text
from .table import Column, Lines, Table

AUDIT_FIELDS = ("severity", "kind", "site", "glue", "dn", "message", "fix", "hint")


def audit_table(findings: Iterable[Finding], meta: Mapping[str, Any]) -> Table:
    rows = [
        {
            "severity": f.severity.value,
            "kind": f.kind.value,
            "site": f.site,
            "glue": f.glue_version,
            "dn": f.dn,
            "message": f.message,
            # LDIF change records (None: no change of the BDII fixes it), then where the
            # site makes the change at the source.
            "fix": Lines(text) if (text := fix_text(f.fix)) else None,
            "hint": f.hint,
        }
        for f in findings
    ]
    return Table(
        kind="audit",
        fields=AUDIT_FIELDS,
        rows=rows,
        compact=(
            Column("severity", "severity"),
            Column("kind", "kind"),
            Column("site", "site"),
            Column("glue", "glue", spill=1),
            Column("dn", "dn"),
        ),
        note_fields=("message", "fix", "hint"),
        meta=meta,
        key=("site", "kind", "dn"),
    )
