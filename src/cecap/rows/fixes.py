"""The audit's fixes as LDIF: one change record per entry, and all of them as one file per
BDII database that ldapmodify applies (``cecap audit --format ldif``, ``--fixes-dir``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..evaluate.audit import Finding
from ..evaluate.audit.findings import Change
from ..evaluate.audit.fixes import merged
from ..model.dn import RESOURCE_GLUE2, RESOURCE_GLUE13, split_rdns
from ..model.glue import GLUE13, GLUE20
from ..text import visible
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


def _comment(text: str) -> str:
    # One line whatever a site published: visible() escapes newlines and every control.
    return "# " + visible(text)


@dataclass(frozen=True)
class Database:
    """One database of a BDII: a GLUE version's tree, bound as its own rootdn."""

    glue: str  # the GLUE version ("1.3", "2.0")
    suffix: str  # its suffix, which is also its rootdn in the BDII's slapd.conf
    name: str  # as bdii-update names the file of its rootpw (/run/bdii/grid): the file name
    resource: str  # the base a resource BDII holds its entries under


DATABASES: Mapping[str, Database] = {
    GLUE13: Database(GLUE13, "o=grid", "grid", RESOURCE_GLUE13),
    GLUE20: Database(GLUE20, "o=glue", "glue", RESOURCE_GLUE2),
}


def database_of(dn: str) -> Database:
    """The database an entry is in: GLUE 2.0's when its DN ends in o=glue, else GLUE 1.3's."""
    last = split_rdns(dn)[-1].replace(" ", "").lower()
    return DATABASES[GLUE20 if last == "o=glue" else GLUE13]


# How the BDII itself applies changes to its databases: bdii-update binds to each database
# as its rootdn, with the rootpw it wrote from slapd.conf into /run/bdii/<name>, and runs
# ldapmodify -x -c -H ldap://HOST:PORT -D ROOTDN -y PASSWORD_FILE (EGI-Federation/bdii,
# bin/bdii-update: the rootdn/rootpw files at lines 128-159, ldapmodify at lines 738-750).
_LDAPMODIFY = "ldapmodify -x -c -H ldap://localhost:2170 -D {bind} -y /run/bdii/{name} -f FILE"


def fixes_ldif(
    findings: Iterable[Finding],
    meta: Mapping[str, Any],
    glue: str,
    *,
    as_read: bool = False,
    read: bool = True,
) -> str:
    """The fixes of the findings that change entries of the ``glue`` version's database, as
    one LDIF file: ``version: 1``, a header naming the database, the DNs' form, the bind and
    the ldapmodify command, then one record per entry (the changes of all its findings
    merged, each once), each after comment lines naming the site and finding kind of each
    finding it fixes. Not ``read`` (the audit left that GLUE version out): a header
    saying so and no record, so that the file an earlier run wrote is not applied again."""
    database = DATABASES[glue]
    findings = list(findings) if read else []
    notes: dict[str, list[str]] = {}
    fixed = 0
    for f in findings:
        mine = [c for c in f.fix if database_of(c.dn) == database]
        fixed += bool(mine)
        for change in mine:
            note = _comment(f"{f.site}: {f.kind.value} ({f.severity.value})")
            if note not in (found := notes.setdefault(change.dn.lower(), [])):
                found.append(note)
    records = merged(c for f in findings for c in f.fix if database_of(c.dn) == database)
    if as_read:
        dns = (
            "# DNs as read from the source. Apply to that BDII, bound as the rootdn of its"
            f" {database.suffix} database",
            f"# ({database.suffix}; on a top-level BDII o=shadow, which its o=grid relays to):"
            if database.glue == GLUE13
            else f"# ({database.suffix}):",
        )
    else:
        dns = (
            "# DNs as the resource BDII that publishes each entry holds them"
            f" (...,{database.resource}).",
            "# Apply to that resource BDII, bound as the rootdn of its"
            f" {database.suffix} database ({database.suffix}):",
        )
    out = [
        "version: 1",
        "",
        _comment(
            f"cecap audit: the fixes of {fixed} findings, as changes to {len(records)} entries"
            f" of the GLUE {database.glue} database ({database.suffix})"
        ),
        _comment(f"source: {meta.get('source', '')}; capability: {meta.get('capability', '')}"),
        *dns,
        "#   " + _LDAPMODIFY.format(bind=database.suffix, name=database.name),
        "# (as the BDII's bdii-update does; the -y file holds the rootpw of its slapd.conf).",
        "# A change lasts until the BDII's information providers next refresh the entry;",
        "# the lasting change is at the source: see each finding's hint in cecap audit.",
    ]
    if not read:
        out.append(
            f"# GLUE {database.glue} was not read (--glue, or the source holds none):"
            " this file changes nothing."
        )
    if meta.get("partial"):
        out.append(_comment(f"PARTIAL: {meta['partial']}"))
    out.append("")
    for change in records:
        out += [*notes[change.dn.lower()], change_ldif(change), ""]
    return "\n".join(out)
