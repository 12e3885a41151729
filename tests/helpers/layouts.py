"""One site's entries of a top-level dump, as its resource BDII or its site BDII holds them.

A top-level BDII holds a site's GLUE 1.3 entries under
``Mds-Vo-name=SITE,Mds-Vo-name=local,o=grid`` and its GLUE 2.0 services under
``GLUE2GroupID=resource,GLUE2DomainID=SITE,GLUE2GroupID=grid,o=glue``. Its site BDII holds
them under ``Mds-Vo-name=SITE,o=grid`` and ``GLUE2GroupID=resource,GLUE2DomainID=SITE,o=glue``;
the resource BDII of the CE under ``Mds-Vo-name=resource,o=grid`` and
``GLUE2GroupID=resource,o=glue``, without the GlueSite entry and the GLUE2AdminDomain, which
the site BDII publishes (the BDII's documentation, EGI-Federation/gridinfo-documentation,
files/EMI_BDII_sysadmin.pdf, section 3.7: the base of each level's ldapsearch).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

Layout = Literal["resource", "site"]


def _records(text: str) -> Iterator[tuple[str, str]]:
    """(DN, record) of each entry of a plain LDIF text (no folded DN lines)."""
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        if lines and lines[0].lower().startswith("dn: "):
            yield lines[0][4:].strip(), "\n".join(lines)


def _move(dn: str, record: str, new_dn: str) -> str:
    return record.replace(f"dn: {dn}", f"dn: {new_dn}", 1)


def relayout(text: str, site: str, layout: Layout) -> str:
    """The entries of ``site`` in the top-level dump ``text`` as ``layout`` holds them, parents
    first; the BDII's seed entries (o=grid, Mds-Vo-name=resource,o=grid, o=glue,
    GLUE2GroupID=resource,o=glue) are left out, as a started BDII has them."""
    top13 = f",Mds-Vo-name={site},Mds-Vo-name=local,o=grid".lower()
    top2 = f",GLUE2DomainID={site},GLUE2GroupID=grid,o=glue".lower()
    out: list[str] = []
    for dn, record in _records(text):
        low = "," + dn.lower()
        if low.endswith(top13) or low == top13:
            head = dn[: len(dn) - len(top13)] if low != top13 else ""
            if layout == "site":
                suffix = f"Mds-Vo-name={site},o=grid"
                out.append(_move(dn, record, f"{head},{suffix}" if head else suffix))
            elif head and "objectclass: gluesite\n" not in record.lower() + "\n":
                out.append(_move(dn, record, f"{head},Mds-Vo-name=resource,o=grid"))
        elif low.endswith(top2) or low == top2:
            head = dn[: len(dn) - len(top2)] if low != top2 else ""
            if layout == "site":
                suffix = f"GLUE2DomainID={site},o=glue"
                out.append(_move(dn, record, f"{head},{suffix}" if head else suffix))
            elif head.lower().endswith(",glue2groupid=resource"):
                inner = head[: -len(",GLUE2GroupID=resource")]
                out.append(_move(dn, record, f"{inner},GLUE2GroupID=resource,o=glue"))
    return "\n\n".join(out) + "\n"
