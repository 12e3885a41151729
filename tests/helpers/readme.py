"""The README's sections and code blocks, for the tests that run them as written."""

from __future__ import annotations

import re

from helpers.paths import REPO

README = REPO / "README.md"


def readme_section(title: str) -> str:
    """The text of the ``## title`` section, up to the next ``## ``."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def code_blocks(title: str) -> list[str]:
    """The section's indented code blocks, unindented."""
    blocks = re.findall(r"(?:^(?:    .*)?\n)+", readme_section(title), re.MULTILINE)
    out = []
    for block in blocks:
        lines = block.strip("\n").splitlines()
        if lines and all(not line or line.startswith("    ") for line in lines):
            out.append("\n".join(line[4:] for line in lines) + "\n")
    return out


def readme_block(title: str, marker: str) -> str:
    """The one code block of the section that holds ``marker``, or the one piece of it
    that starts there (a block of several Nagios definitions, say) up to the next blank line."""
    found = [b for b in code_blocks(title) if marker in b]
    assert len(found) == 1, f"{marker!r} is in {len(found)} code blocks of {title!r}"
    pieces = [p for p in found[0].split("\n\n") if marker in p]
    assert len(pieces) == 1, f"{marker!r} is in {len(pieces)} pieces of its block"
    return pieces[0].strip("\n") + "\n"
