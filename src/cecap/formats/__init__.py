"""Format step: render a Table as a terminal table, lines, TSV, CSV, JSON or any tabulate
format, all from the same rows.

Published values are untrusted. Every registered format but JSON gets the Table through
``escape.escaped`` first (register does it), so each cell, title and note it prints has its
control and bidi characters escaped and visible; JSON escapes them the JSON way.

``registry`` holds the registry; ``table`` the terminal table, ``machine`` the formats for
scripts (json, csv, tsv, lines), ``tabulated`` every other tabulate format.
"""

from __future__ import annotations

from . import machine, table, tabulated  # noqa: F401  (each registers its formats)
from .registry import FORMATS, STREAMS, Formatter, pieces, register, register_stream, render

__all__ = ["FORMATS", "STREAMS", "Formatter", "pieces", "register", "register_stream", "render"]
