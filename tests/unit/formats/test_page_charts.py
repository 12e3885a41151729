"""The page's charts (formats/page/charts.py): inline SVG with text as text, the same
bytes from the same data, nothing to run or fetch, and whole numbers on the count axis."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cecap.formats.page.charts import _whole_numbers, ready_lines, verdict_bars
from cecap.rows.page import Point

COUNTS = {"atlas": {"ready": 3, "not-advertised": 5}, "cms": {"ready": 1}}


def test_the_verdict_chart_is_inline_svg_with_its_words_as_text() -> None:
    svg = verdict_bars(["atlas", "cms"], ["ready", "not-advertised"], COUNTS)
    assert svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg
    for word in ("atlas", "cms", "ready", "not-advertised", "CEs serving the VO"):
        assert f">{word}<" in svg
    # Nothing to run and nothing dated: the same data gives the same bytes.
    assert "<script" not in svg and "<!--" not in svg and "<?xml" not in svg
    assert svg == verdict_bars(["atlas", "cms"], ["ready", "not-advertised"], COUNTS)
    assert 'id="chart-cecap-verdicts"' in svg


def test_a_hostile_name_is_text_in_the_chart() -> None:
    name = "<script>alert(1)</script>\x1b[31m"
    svg = verdict_bars([name], ["ready"], {name: {"ready": 1}})
    assert "<script" not in svg and "\x1b" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\\x1b[31m" in svg


def test_the_history_chart_dashes_the_reliable_line() -> None:
    start = datetime(2026, 12, 1, tzinfo=UTC)
    points = [Point(start + timedelta(hours=h), 2 + h, h) for h in range(3)]
    svg = ready_lines({"cms": points, "atlas": [Point(start, 1), Point(start, 1)]})
    for word in ("cms ready", "cms reliable", "atlas ready"):
        assert f">{word}<" in svg
    assert "atlas reliable" not in svg
    assert svg.count("dasharray:6,3") == 1  # the reliable line's style
    assert "2026-12-01 00:00Z" in svg
    assert "<script" not in svg and "<!--" not in svg


@given(st.integers(min_value=0, max_value=10**6))
def test_the_count_axis_has_whole_numbers_up_to_the_largest_count(most: int) -> None:
    labels = _whole_numbers(most)
    steps = {b - a for a, b in itertools.pairwise(labels)}
    assert labels[0] == 0 and labels[-1] >= most and len(steps) == 1
    assert 2 <= len(labels) <= 7
    # The last label is the first step at or past the largest count.
    assert labels[-2] < max(most, 1)
