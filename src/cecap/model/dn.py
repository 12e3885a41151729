"""Distinguished names: the one DN splitter, RDN values, and the site a BDII DN names."""

from __future__ import annotations

# Mds-Vo-name values that name a level of the hierarchy, not a site.
_NON_SITE_MDS = frozenset({"local", "resource"})


def rdn_values(dn: str, attribute: str) -> list[str]:
    """Values of every RDN of ``attribute`` in ``dn``, outermost last, unescaped."""
    out: list[str] = []
    wanted = attribute.lower()
    for rdn in split_rdns(dn):
        name, _, value = rdn.partition("=")
        if name.strip().lower() == wanted:
            out.append(unescape(value.strip()))
    return out


def first_rdn_value(dn: str, attribute: str) -> str | None:
    """The value of the innermost RDN of ``attribute`` in ``dn`` (``rdn_values``' first),
    unescaped; None when there is none. Reads the RDNs only as far as that one."""
    wanted = attribute.lower()
    for rdn in dn.split(",") if "\\" not in dn else split_escaped_rdns(dn):
        name, _, value = rdn.partition("=")
        if name.strip().lower() == wanted:
            return unescape(value.strip())
    return None


def split_rdns(dn: str) -> list[str]:
    """The RDNs of ``dn`` as written (escapes kept), innermost first."""
    if "\\" not in dn:  # nearly every BDII DN: no escape, so every comma separates
        return [rdn.strip() for rdn in dn.split(",")]
    return split_escaped_rdns(dn)


def split_escaped_rdns(dn: str) -> list[str]:
    """``split_rdns`` one character at a time: a comma after a backslash is part of a value."""
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for ch in dn:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            current.append(ch)
            escaped = True
        elif ch == ",":
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return parts


def unescape(value: str) -> str:
    """An RDN value as meant: RFC 4514 escapes (``\\,``, ``\\2C``) undone."""
    if "\\" not in value:
        return value
    out = bytearray()
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            pair = value[i + 1 : i + 3]
            if len(pair) == 2 and all(c in "0123456789abcdefABCDEF" for c in pair):
                out.append(int(pair, 16))
                i += 3
                continue
            out.extend(value[i + 1].encode())
            i += 2
            continue
        out.extend(ch.encode())
        i += 1
    return out.decode("utf-8", "replace")


def site_from_dn(dn: str) -> str | None:
    """The site named by the innermost ``Mds-Vo-name=`` of a top-level or site BDII DN."""
    for value in rdn_values(dn, "mds-vo-name"):
        if value.lower() not in _NON_SITE_MDS:
            return value
    return None


# Where a resource BDII holds what it publishes (the BDII's documentation,
# EGI-Federation/gridinfo-documentation, files/EMI_BDII_sysadmin.pdf, 3.7: the resource
# BDII's ldapsearch bases): a site BDII and a top-level BDII hold the same entries under
# Mds-Vo-name=SITE,o=grid and Mds-Vo-name=SITE,Mds-Vo-name=local,o=grid (GLUE 1.3), and
# under GLUE2GroupID=resource,GLUE2DomainID=SITE,o=glue and
# GLUE2GroupID=resource,GLUE2DomainID=SITE,GLUE2GroupID=grid,o=glue (GLUE 2.0).
RESOURCE_GLUE13 = "Mds-Vo-name=resource,o=grid"
RESOURCE_GLUE2 = "GLUE2GroupID=resource,o=glue"


def resource_dn(dn: str) -> str:
    """``dn`` as the resource BDII that publishes the entry holds it: the RDNs inside the
    innermost ``GLUE2GroupID=resource`` (GLUE 2.0) or inside the innermost ``Mds-Vo-name``
    (GLUE 1.3), under the resource BDII's base. A DN of neither form, or one already in
    that form, is given back as it is."""
    rdns = split_rdns(dn)
    names = [rdn.partition("=")[0].strip().lower() for rdn in rdns]
    values = [unescape(rdn.partition("=")[2].strip()).lower() for rdn in rdns]
    for i, (name, value) in enumerate(zip(names, values, strict=True)):
        if name == "glue2groupid" and value == "resource":
            if names[i + 1 :] == ["o"] and values[i + 1 :] == ["glue"]:
                return dn
            return ",".join([*rdns[:i], RESOURCE_GLUE2])
        if name == "mds-vo-name":
            if value == "resource" and names[i + 1 :] == ["o"] and values[i + 1 :] == ["grid"]:
                return dn
            return ",".join([*rdns[:i], RESOURCE_GLUE13])
    return dn
