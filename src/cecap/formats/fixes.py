"""The audit's own format, ``ldif``: the fixes as LDIF files that ldapmodify applies, one
per BDII database (``cecap audit --format ldif`` for the one tree read, ``--fixes-dir`` for
each)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import UsageError
from ..evaluate.audit import Finding
from ..evaluate.audit.fixes import merged
from ..model.dn import RESOURCE_GLUE2, RESOURCE_GLUE13, split_rdns
from ..model.glue import GLUE13, GLUE20
from ..rows.fixes import change_ldif
from ..rows.table import Table
from ..text import visible
from .registry import FIELDS, NO_HEADER, register

LDIF = "ldif"


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


@register(
    LDIF,
    kinds=("audit",),
    raw=True,
    refuses=(FIELDS, NO_HEADER),
    about="the fixes of the one GLUE tree read as one LDIF file for ldapmodify",
)
def render_fixes(table: Table) -> str:
    """The fixes of an audit Table's ``extra``: its ``findings``, the GLUE ``trees`` read
    (one, or the fixes go to two databases) and whether DNs are ``as_read``."""
    findings, trees, as_read = (table.extra[k] for k in ("findings", "trees", "as_read"))
    meta = table.meta
    if len(trees) != 1:
        raise UsageError(
            "--format ldif: the fixes go to two BDII databases, GLUE 1.3 (o=grid) and GLUE"
            " 2.0 (o=glue), each bound as its own rootdn: write one file per database"
            " with --fixes-dir DIR, or read one tree with --glue 1 or --glue 2"
        )
    # The file's own last line ends it; emit ends the output with one more.
    return fixes_ldif(findings, meta, trees[0], as_read=as_read).removesuffix("\n")
