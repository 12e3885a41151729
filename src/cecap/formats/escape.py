"""What the formats print, made safe to show: published values with their control and bidi
characters escaped.

Any site publishing to a top-level BDII chooses its site name, CE IDs and other values; a
control character in one must not reach the operator's terminal raw (clear the screen,
set the window title, plant OSC 8 links) nor break the table or line it sits in, and a
bidi control must not reorder what is shown. ``escaped`` gives a format the Table with
every text it prints (cells, compact headers, title, notes, meta) passed through
``visible``; JSON keeps the raw values, escaped the JSON way (``json_text``).

``visible`` itself is in ``cecap.text``, below every step: the history's lines, the
Nagios output and the CLI's messages need it too.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from ..rows.table import Lines, Table
from ..text import HIDDEN, visible

__all__ = ["HIDDEN", "escaped", "json_text", "latex_text", "markdown_text", "shown", "visible"]


def shown(value: Any, lines: bool = False) -> Any:
    """A value as a format may print it: text made visible; None, booleans and numbers stay
    as they are (formats spell them, and tabulate aligns numbers); anything else becomes
    visible text. With ``lines``, a ``Lines`` value keeps its newlines, each line made
    visible on its own."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if lines and isinstance(value, Lines):
        return Lines("\n".join(visible(line) for line in value.split("\n")))
    return visible(value if isinstance(value, str) else str(value))


def escaped(table: Table, lines: bool = False) -> Table:
    """``table`` with every value a format prints made visible (``lines``: see shown).
    Field names, which are the code's own and are keys into the rows, stay as they are."""
    return dataclasses.replace(
        table,
        rows=[{key: shown(value, lines) for key, value in row.items()} for row in table.rows],
        compact=tuple(c._replace(header=visible(c.header)) for c in table.compact),
        meta={key: shown(value, lines) for key, value in table.meta.items()},
    )


# The hidden characters json.dumps leaves raw: all but the C0 controls (which it escapes
# inside strings, and whose newlines and spaces outside them are the document's layout).
_RAW_IN_JSON = re.compile(rf"(?![\x00-\x1f]){HIDDEN.pattern}")


def json_text(text: str) -> str:
    """JSON text with every hidden character as a ``\\uXXXX`` escape.

    json.dumps escapes the C0 controls; with ensure_ascii=False it leaves DEL, the C1 and
    the bidi controls raw. They can only stand inside JSON strings, so escaping them keeps
    the document valid, and it parses back to the raw values.
    """
    if text.isascii() and "\x7f" not in text:  # of the hidden characters, ASCII has DEL
        return text
    return _RAW_IN_JSON.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


# Markdown's punctuation that starts markup where a table cell may hold it (CommonMark: a
# backslash escapes any ASCII punctuation; GFM: "\|" is a "|" inside a cell), and the HTML
# a renderer would pass through.
_MD = re.compile(r"([\\`*_\[\]|~])")
_MD_HTML = {"<": "&lt;", "&": "&amp;"}


def markdown_text(text: str) -> str:
    """``text`` (made visible) as Markdown shows it as it is: no tag, link, emphasis or
    cell break of its own."""
    return _MD.sub(r"\\\1", "".join(_MD_HTML.get(c, c) for c in text))


# LaTeX's special characters, escaped as tabulate's latex formats escape a cell's
# (tabulate's LATEX_ESCAPE_RULES), for cecap's own lines after such a table.
_LATEX = {
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "\\": r"\textbackslash{}",
    "<": r"\ensuremath{<}",
    ">": r"\ensuremath{>}",
}


def latex_text(text: str) -> str:
    """``text`` (made visible) as LaTeX prints it as it is: no command of its own."""
    return "".join(_LATEX.get(c, c) for c in text)
