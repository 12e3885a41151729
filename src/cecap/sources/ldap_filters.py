"""Source step, live: the search filters cecap sends a BDII (RFC 4515), VOs and IDs escaped."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .ldap_client import escape_filter


def vo_filter(vos: Sequence[str]) -> str:
    """A filter that keeps every GlueVOView that can matter for one of ``vos``.

    A view matters for a VO when one of its rules names it (``VO:v``, ``VOMS:/v/...``,
    compared without case) or, having no rules, its local ID is the VO. The substring
    match is a superset of that; the evaluation decides exactly. VO names come from
    the configuration, so they are escaped (RFC 4515): ``*`` or ``)`` in a name is a
    character to match, never filter syntax.
    """
    terms = []
    for vo in vos:
        value = escape_filter(vo.strip())
        terms.append(f"(GlueCEAccessControlBaseRule=*{value}*)(GlueVOViewLocalID={value})")
    return f"(&(objectClass=GlueVOView)(|{''.join(terms)}))"


def serving_filter(vos: Sequence[str]) -> str:
    """A filter that keeps every GlueCE whose own rules can name one of ``vos``.

    The same superset as vo_filter: the evaluation decides exactly. A CE can also serve
    a VO through one of its VOViews alone; LdapReader fetches those CEs by ID after the
    VOView search (ce_id_filter).
    """
    terms = "".join(f"(GlueCEAccessControlBaseRule=*{escape_filter(vo.strip())}*)" for vo in vos)
    return f"(&(objectClass=GlueCE)(|{terms}))"


def ce_id_filter(ce_ids: Iterable[str]) -> str:
    """A filter for the GlueCEs of these unique IDs (escaped: an ID comes from the server)."""
    terms = "".join(f"(GlueCEUniqueID={escape_filter(i)})" for i in ce_ids)
    return f"(&(objectClass=GlueCE)(|{terms}))"


# CEs fetched by ID in one search at most: a filter an operator can still read in a log.
IDS_PER_SEARCH = 100
