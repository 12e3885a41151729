"""No format cecap offers lets a published value's markup through: where a format has a
way of escaping (HTML, LaTeX, Markdown), a hostile cell is shown as text; tabulate's
formats that write cells raw are not offered by any command."""

from __future__ import annotations

import pytest
import tabulate

from cecap.formats import CECAP_FORMATS, format_names, render
from cecap.rows.table import Column, Table

SCRIPT = "<script>alert(document.cookie)</script>"
TEX = r"\input{/etc/passwd}"
ANSI = "\x1b]0;owned\x07\x1b[2J"
PIPE = "ready | yes"
LINK = "[docs](javascript:alert(1))"
HOSTILE = (SCRIPT, TEX, ANSI, PIPE, LINK)

# tabulate's formats by the language they write, as this test knows them (tabulate 0.10,
# astanin/python-tabulate, tabulate/__init__.py: _table_formats; only html and the latex
# formats escape a cell, latex_raw "does not escape LaTeX commands and special
# characters").
TEXT = {
    "plain", "simple", "grid", "simple_grid", "rounded_grid", "heavy_grid", "mixed_grid",
    "double_grid", "fancy_grid", "outline", "simple_outline", "rounded_outline",
    "heavy_outline", "mixed_outline", "double_outline", "fancy_outline", "psql", "presto",
    "pretty",
}  # fmt: skip
HTML = {"html"}
LATEX = {"latex", "latex_booktabs", "latex_longtable"}
MARKDOWN = {"github", "pipe", "colon_grid"}
# Markup written raw: no command offers them.
RAW = {
    "unsafehtml", "latex_raw", "asciidoc", "jira", "mediawiki", "moinmoin", "orgtbl", "rst",
    "textile", "youtrack",
}  # fmt: skip


def hostile() -> Table:
    rows = [
        {"site": value, "ce": f"ce{n}.example.org", "ok": True} for n, value in enumerate(HOSTILE)
    ]
    return Table(
        kind="test",
        fields=("site", "ce", "ok"),
        rows=rows,
        compact=(Column("site", "site"), Column("ce", "ce"), Column("ok", "ok")),
        meta={"partial": f"cut short: {SCRIPT} {TEX} {LINK}"},
    )


def tabulates() -> list[str]:
    return sorted(set(format_names()) - set(CECAP_FORMATS))


def test_every_tabulate_format_offered_has_a_known_language() -> None:
    offered = set(tabulates())
    assert offered, "tabulate's formats are offered"
    assert offered <= TEXT | HTML | LATEX | MARKDOWN, offered - (TEXT | HTML | LATEX | MARKDOWN)
    assert not offered & RAW
    # What this tabulate has of the raw ones is what cecap leaves out.
    assert RAW & set(tabulate.tabulate_formats) >= {"latex_raw", "unsafehtml", "mediawiki"}


@pytest.mark.parametrize("fmt", sorted(set(format_names()) - {"json"}))
def test_no_format_passes_a_hostile_cell_through_raw(fmt: str) -> None:
    out = render(fmt, hostile())
    # A terminal escape is shown escaped in every format.
    assert "\x1b" not in out and "\x07" not in out
    if fmt in HTML | MARKDOWN:
        # HTML, and Markdown (which passes HTML through): no tag, no link.
        assert "<script" not in out
        assert "&lt;script&gt;" in out or "&lt;script>" in out
    if fmt in MARKDOWN:
        assert "](" not in out.replace("\\](", "")
        # The pipe stays in its cell: every row has as many unescaped | as the header.
        bars = [line.replace("\\|", "").count("|") for line in out.splitlines() if "|" in line]
        assert len(bars) > len(HOSTILE) and len(set(bars)) == 1, out
    if fmt in LATEX:
        assert TEX not in out
        assert "\\textbackslash{}input\\{/etc/passwd\\}" in out
        assert "<script>" not in out
    if fmt in TEXT:
        # No markup language: the values as they are (control characters escaped).
        for value in (SCRIPT, TEX, PIPE, LINK):
            assert value in out, (fmt, value)
