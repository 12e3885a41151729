"""docs/architecture.md names every module under src/cecap, one line each, and no other."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "cecap"
DOC = ROOT / "docs" / "architecture.md"
# A line of the module table: | `path/to/module.py` | what it is for |
LINE = re.compile(r"^\| `([\w/]+\.py)` \| (.+) \|$")


def listed() -> list[str]:
    return [
        found.group(1)
        for line in DOC.read_text(encoding="utf-8").splitlines()
        if (found := LINE.match(line))
    ]


def test_every_module_has_one_line() -> None:
    modules = sorted(p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py"))
    names = listed()
    assert sorted(set(modules) - set(names)) == [], "modules missing in docs/architecture.md"
    assert sorted(set(names) - set(modules)) == [], "docs/architecture.md lists modules gone"
    assert sorted(n for n in set(names) if names.count(n) > 1) == [], "listed twice"


def test_the_table_is_read_as_written() -> None:
    # The pattern the test reads by must match the doc's lines, or the test above passes
    # vacuously on an empty list.
    assert "errors.py" in listed() and "formats/registry.py" in listed()
    assert LINE.match("| `cli/page.py` | `page` |")
    assert not LINE.match("| `cli/` | the CLI step |")
