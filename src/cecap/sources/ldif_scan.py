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
        # A line naming a wanted class (not continued on the next line).
        names = alternation(classes)
        wanted = r"objectclass:[ \t]*{}[ \t]*(?=\n(?! )|\Z)"
        # Searched in one entry's lower-cased text (the reader's entry-by-entry reading).
        self.class_line = re.compile("\n" + wanted.format(f"({names})"))
        # Attribute and continuation lines, as many as follow, up to the first that is
        # neither, or that the scan must look at: a change record's "changetype:", a
        # base64 objectClass, or a wanted class's, which is taken in the same match.
        # Possessive: what is read is not read again.
        self._next = re.compile(
            rf"(?:\n(?!{wanted.format(f'(?:{names})')}|changetype:|objectclass::)"
            r"(?:[a-z][a-z0-9;.\-]*+:| )[^\n]*+)*+"
            rf"(?:\n{wanted.format(f'({names})')})?"
        )

    def hits(self, run: str, lowered: str) -> tuple[int, list[Hit]] | None:
        """The number of entries in ``run`` and those of a wanted class (the first such
        class an entry names), or None when the run is not plain. ``lowered`` is
        ``run.lower()``, of the same length (the caller checks that the run is ASCII)."""
        if not run.startswith("dn:"):
            return None
        count, start, kind = 1, 0, None
        hits: list[Hit] = []
        end, at = len(run), run.find("\n")
        scan = self._next.match
        while 0 <= at < end:
            # Past the plain lines, and a wanted class's line if one comes next (the
            # pattern matches, if only the empty string: the test keeps mypy sure).
            found = scan(lowered, at)
            if found:
                at = found.end()
                if found.group(1) is not None:
                    kind = kind or found.group(1)
                    continue
            if at == end:
                break
            # The blank line before the next entry, which starts "dn:" as written (the
            # reader refuses "DN:"); anything else is a line that is not plain.
            if not (lowered.startswith("\n\ndn:", at) and run.startswith("dn:", at + 2)):
                return None
            if kind is not None:
                hits.append((start, at, kind))
                kind = None
            count += 1
            start = at + 2
            at += 1
        if kind is not None:
            hits.append((start, end, kind))
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
