"""Source step for snapshots: one LDIF entry's text into an Entry (RFC 2849), decoding
only the attributes asked for; and the check that refuses change records."""

from __future__ import annotations

import base64
import binascii
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from ..errors import InputError
from ..model.entry import Entry

# Attribute names as spelled in files -> the lower-case key, one string shared by every
# entry (a top-level BDII repeats a dozen names hundreds of thousands of times).
_KEYS: dict[str, str] = {}


def refuse_change_record(path: Path, lineno: int, block: str) -> None:
    """InputError if the block is an LDIF change record: RFC 2849 puts its "changetype:"
    line right after the dn line and any "control:" lines (elsewhere, it would be an
    attribute of that name). Only asked of blocks with a "changetype:" line."""
    logical: list[tuple[int, str]] = []
    for number, text in enumerate(block.split("\n"), start=lineno):
        if text.startswith(" ") and logical:
            logical[-1] = (logical[-1][0], logical[-1][1] + text[1:])
        else:
            logical.append((number, text))
    lines = [(n, t) for n, t in logical if t and not t.startswith("#")]
    if lines and lines[0][1].lower().startswith("version:"):
        lines.pop(0)
    if not lines or not lines[0][1].lower().startswith("dn:"):
        return
    for number, text in lines[1:]:
        name = text.partition(":")[0]
        if name.lower() == "control":
            continue
        if name.lower() == "changetype":
            raise InputError(
                f"{path}: line {number}: an LDIF change record ({text[:40]!r}), not an"
                " entry: cecap reads snapshots (ldapsearch output), not change files for"
                " ldapmodify"
            )
        return


def alternation(words: Iterable[str]) -> str:
    """A regex for exactly ``words``, factored on common prefixes (a trie): the regex engine
    then reads a name once instead of retrying every word on it from the start."""
    unique = sorted(set(words))
    if unique == [""]:
        return ""
    tails: dict[str, list[str]] = {}
    for word in unique:
        if word:
            tails.setdefault(word[0], []).append(word[1:])
    branches = [re.escape(first) + alternation(rest) for first, rest in tails.items()]
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    return f"(?:{body})?" if "" in unique else body


def attr_pattern(attributes: Iterable[str]) -> re.Pattern[str]:
    """Matches the lines of the given attributes (any case, any options) after unfolding."""
    names = alternation(attributes)
    # Anchored on the newline (the entry text is given with one in front) and
    # case-insensitive only for the name: both keep the regex engine's fast scan.
    return re.compile(rf"\n((?i:{names}))(?:;[^:\n]*)?:([:<]?)[ ]*(.*)")


def decode(path: Path, lineno: int, name: str, kind: str, value: str) -> str:
    if kind == ":":
        try:
            return base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise InputError(
                f"{path}: entry at line {lineno}: attribute {name!r} has a base64 value"
                " that does not decode"
            ) from None
    if kind == "<":
        raise InputError(
            f"{path}: entry at line {lineno}: attribute {name!r} refers to an external"
            " file (':<'), which cecap does not follow"
        )
    return value


def entry_dn(path: Path, lineno: int, block: str) -> str:
    """The DN of an entry's text (its first line, unfolded and decoded), as parse_entry
    gives it, without reading the rest."""
    end = block.find("\n")
    while end >= 0 and block.startswith(" ", end + 1):  # the DN is folded
        end = block.find("\n", end + 1)
    return _dn(path, lineno, (block if end < 0 else block[:end]).replace("\n ", ""))


def _dn(path: Path, lineno: int, first: str) -> str:
    """The DN an entry's first line (unfolded) gives: ``dn: ...`` or ``dn:: base64``."""
    how = ":" if first.startswith("dn::") else ""
    return decode(path, lineno, "dn", how, first[3 + len(how) :]).strip()


def parse_entry(path: Path, lineno: int, block: str, pattern: re.Pattern[str], kind: str) -> Entry:
    # Unfold continuation lines (RFC 2849: a line starting with one space continues the last).
    text = block.rstrip("\n").replace("\n ", "")
    end = text.find("\n")
    dn = _dn(path, lineno, text if end < 0 else text[:end])
    attrs: dict[str, list[str]] = {}
    # Only the lines of attributes cecap uses are matched (and decoded): the rest of a
    # GLUE entry (policies, counters) is never split into Python strings.
    for name, how, value in pattern.findall(text, max(end, 0)):
        if how:
            value = decode(path, lineno, name, how, value)
        key = _KEYS.get(name)
        if key is None:
            key = _KEYS[name] = sys.intern(name.lower())
        attrs.setdefault(key, []).append(value)
    return Entry(dn=dn, attrs={k: tuple(v) for k, v in attrs.items()}, kind=kind)
