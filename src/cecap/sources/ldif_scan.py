"""Source step for snapshots: the entries of the wanted classes in a plain run of LDIF
(ldif_text.LdifText.runs), found by one scan of the whole run rather than entry by entry,
and the check whether an entry's access rules can name one of the VOs.

A run is plain when it is what a BDII's ``ldapsearch -LLL`` or ``slapcat`` writes: ASCII,
entries one blank line apart, each starting with ``dn:``, and every other line an
attribute line (a name of letters, digits, ``;``, ``.`` and ``-``, starting with a letter,
then ``:``) or a continuation line. Anything else (a comment, a ``version:`` line, the
``ldapsearch`` trailer, two blank lines, a change record's ``changetype:`` line, a base64
objectClass, a line that is not LDIF) makes the run not plain: the reader then reads it
entry by entry, where each of those has its answer and its error message. The scan is
stricter than the reader's line check, never looser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .ldif_entry import alternation

# (start, end, class) of an entry in a run: run[start:end] is its text.
Hit = tuple[int, int, str]


class PlainScan:
    """Finds the entries of the wanted ``classes`` (lower-case object class names) in a
    plain run."""

    def __init__(self, classes: Iterable[str]) -> None:
        # One pass over the lower-cased run; at each line end, in this order: a line
        # naming a wanted class (not continued on the next line), the blank line before
        # the next entry, a line that is neither an attribute nor a continuation, and
        # the two attribute lines the reader must see entry by entry.
        self._re = re.compile(
            r"\n(?:"
            rf"objectclass:[ \t]*({alternation(classes)})[ \t]*(?=\n(?! )|\Z)"
            r"|()(?=\ndn:)"
            r"|(?![a-z][a-z0-9;.\-]*:| )"
            r"|changetype:|objectclass::"
            r")"
        )

    def hits(self, run: str, lowered: str) -> tuple[int, list[Hit]] | None:
        """The number of entries in ``run`` and those of a wanted class (the first such
        class an entry names), or None when the run is not plain. ``lowered`` is
        ``run.lower()``, of the same length (the caller checks that the run is ASCII)."""
        if not run.startswith("dn:"):
            return None
        count, start, kind = 1, 0, None
        hits: list[Hit] = []
        for match in self._re.finditer(lowered):
            found = match.group(1)
            if found is not None:
                kind = kind or found
                continue
            at = match.start()
            # A line that is not plain, or an entry whose first line is not "dn:" as
            # written (the reader refuses "DN:").
            if match.group(2) is None or not run.startswith("dn:", at + 2):
                return None
            if kind is not None:
                hits.append((start, at, kind))
                kind = None
            count += 1
            start = at + 2
        if kind is not None:
            hits.append((start, len(run), kind))
        return count, hits


class VoRules:
    """Whether an entry can matter for one of ``vos``: a line of its access rules
    (GlueCEAccessControlBaseRule) or of its VOView's local ID names one of them, in any
    case, or could (a base64 value, or a line continued on the next, which may split a
    name). That is what the live filters ask the server (sources.ldap_filters), a superset
    of what the evaluation counts: it reads VOs from those attributes alone."""

    def __init__(self, vos: Sequence[str]) -> None:
        names = alternation(v.lower() for v in vos)
        self._re = re.compile(
            r"\n(?:glueceaccesscontrolbaserule|gluevoviewlocalid)(?:;[^:\n]*)?:"
            rf"(?::|[^\n]*?(?:{names}|\n ))"
        )

    def may_name_one(self, lowered: str, start: int, end: int) -> bool:
        """For the entry at lowered[start:end], in a lower-cased text."""
        return self._re.search(lowered, start, end) is not None
