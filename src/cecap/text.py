"""Text made safe to show (control and bidi characters escaped), and time stamps as cecap
writes them everywhere (the history, snapshot headers).

Below every step (the import-linter layers): the history's lines, the Nagios output,
the formats and the CLI's own messages all print values a site chose.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

# Characters that act on a terminal or reorder text instead of showing as themselves: the
# C0 controls (ESC, BEL, TAB, newline...), DEL, the C1 controls (CSI, OSC, NEL...), the
# Unicode bidi controls (ALM, LRM, RLM, LRE..RLO, LRI..PDI) and the line and paragraph
# separators.
HIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
# What visible() rewrites: a hidden character, and a backslash that would otherwise read as
# the start of an escape (before another backslash, \xHH, \uHHHH or a hidden character).
_ESCAPED = re.compile(
    rf"{HIDDEN.pattern}|\\(?=\\|x[0-9a-fA-F]{{2}}|u[0-9a-fA-F]{{4}}|{HIDDEN.pattern})"
)


def _escape(found: re.Match[str]) -> str:
    char = found.group()
    if char == "\\":
        return "\\\\"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` safe to print on a terminal: hidden characters (see HIDDEN) as ``\\x1b`` or
    ``\\u202e``, so a published value can neither drive the terminal (clear it, retitle it,
    plant links) nor break or reorder the line it is shown in.

    Text without hidden characters and escape-like backslashes comes back unchanged. A
    backslash is doubled only where it would read as the start of an escape, so the output
    decodes to ``text`` exactly. Every human-facing output uses this one function: the
    formats (cecap.formats), the history's lines and the Nagios output below; it lives in
    this step because it is the lowest one whose text needs it.
    """
    if not HIDDEN.search(text) and "\\" not in text:
        return text
    return _ESCAPED.sub(_escape, text)


# Beyond the controls visible() escapes, what XML 1.0 cannot hold: surrogates, U+FFFE/F.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def xml_visible(text: str) -> str:
    """``text`` as visible() shows it, with the characters XML 1.0 cannot carry at all
    escaped the same way (``\\ufffe``), so a published value keeps a document well-formed."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", visible(text))


# Whitespace that Nagios output folds into one space rather than escaping.


STAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def stamp(moment: datetime) -> str:
    """UTC, to the second: fixed width, so text order is time order in SQL (the year
    spelled with four digits: strftime's %Y gives "1" for the year 1 on glibc)."""
    m = moment.astimezone(UTC)
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}Z"


def parse_stamp(text: str) -> datetime:
    return datetime.strptime(text, STAMP_FORMAT).replace(tzinfo=UTC)
