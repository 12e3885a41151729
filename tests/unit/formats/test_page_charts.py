"""The page's charts (formats/page/charts.py): inline SVG with text as text, the same
bytes from the same data, nothing to run or fetch, and whole numbers on the count axis."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cecap.formats.page.charts import _whole_numbers, ready_lines, run_labels, verdict_bars
from cecap.rows.page import Point

COUNTS = {"atlas": {"ready": 3, "not-advertised": 5}, "cms": {"ready": 1}}


def test_the_verdict_chart_is_inline_svg_with_its_words_as_text() -> None:
    svg = verdict_bars(["atlas", "cms"], ["ready", "not-advertised"], COUNTS)
    assert svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg
    for word in ("atlas", "cms", "ready"):
        assert f">{word}<" in svg
    # Nothing to run and nothing dated: the same data gives the same bytes.
    assert "<script" not in svg and "<!--" not in svg and "<?xml" not in svg
    assert svg == verdict_bars(["atlas", "cms"], ["ready", "not-advertised"], COUNTS)
    # One chart per verdict, but none for not-advertised: the page gives its number.
    assert svg.count("<svg") == 1 and 'id="chart-cecap-verdicts-ready"' in svg
    assert "not-advertised" not in svg


def test_each_verdict_has_a_scale_of_its_own() -> None:
    counts = {"atlas": {"ready": 3, "no-stance": 400}, "cms": {"ready": 1, "no-stance": 250}}
    svg = verdict_bars(["atlas", "cms"], ["ready", "no-stance"], counts)
    ready, stance = svg.split("</svg>")[:2]
    assert ">3<" in ready and ">400<" not in ready  # its own axis, up to 3
    assert ">400<" in stance


def test_run_labels_are_the_coarsest_that_differ() -> None:
    day = datetime(2026, 12, 1, tzinfo=UTC)
    assert run_labels([day, day + timedelta(days=1)]) == ["2026-12-01", "2026-12-02"]
    minutes = [day, day + timedelta(minutes=5)]
    assert run_labels(minutes) == ["2026-12-01 00:00Z", "2026-12-01 00:05Z"]
    seconds = [day, day + timedelta(seconds=5)]
    assert run_labels(seconds) == ["2026-12-01 00:00:00Z", "2026-12-01 00:00:05Z"]
    same = [day, day + timedelta(microseconds=5)]
    assert run_labels(same) == ["2026-12-01 00:00:00Z #1", "2026-12-01 00:00:00Z #2"]


def test_series_with_the_same_counts_stay_visible() -> None:
    start = datetime(2026, 12, 1, tzinfo=UTC)
    same = [Point(start + timedelta(minutes=m), 4) for m in range(3)]
    svg = ready_lines({e: same for e in ("atlas", "cms", "lhcb", "alice")})
    widths = [float(w) for w in re.findall(r"\.series\.serie-\d+\{stroke-width:([\d.]+)", svg)]
    assert widths == [8, 6, 4, 2]  # drawn first, drawn widest: nested, not hidden


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
