"""A CE ID on the page: escaped, made visible, and breakable only after a slash, a colon
or a hyphen."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from cecap.formats.page import breakable
from cecap.text import visible

# IDs as sites publish them, and what a hostile site might put in one.
PIECES = st.sampled_from(
    ["ce01", ".example.org", ":", "8443", "/", "cream-pbs-cms", "-", "&", "<b>", "'", '"',
     "\\", "\\x1b", "\x1b", "\u202e", "\x00", " ", "&#39;", "&amp;"]
)  # fmt: skip
IDS = st.lists(PIECES, max_size=12).map("".join) | st.text(max_size=40)


@given(IDS)
def test_an_id_reads_back_as_shown_and_breaks_only_after_a_separator(value: str) -> None:
    shown = str(breakable(value))
    # No markup of its own but <wbr>, and every <wbr> right after a slash, colon or hyphen.
    text = shown.replace("<wbr>", "")
    assert "<" not in text and ">" not in text
    assert html.unescape(text) == visible(value)
    breaks = [m.start() for m in re.finditer("<wbr>", shown)]
    assert all(shown[at - 1] in "/:-" for at in breaks)
    # One break after each separator, none elsewhere.
    assert len(breaks) == sum(visible(value).count(c) for c in "/:-")


def test_a_ce_id() -> None:
    assert str(breakable("ce01.example.org:8443/cream-pbs-cms")) == (
        "ce01.example.org:<wbr>8443/<wbr>cream-<wbr>pbs-<wbr>cms"
    )
