"""The page's charts, drawn by pygal as inline SVG (text kept as text, no script, no
external references): verdict counts per experiment as stacked bars, and ready (and
reliable) CEs per experiment over the recorded runs.

pygal writes SVG itself, in pure Python: importing it and drawing both charts takes a few
hundredths of a second, where a plotting library built for figures of every kind took a
third of a second to import, a fixed cost on every page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ...rows.page import Point
from ...text import visible

if TYPE_CHECKING:
    from pygal.graph.graph import Graph

# One colour per verdict, on the page's cells, legend and charts alike; the word is always
# written beside or in it, so the colour is never the only sign.
COLOURS: Mapping[str, str] = {
    "ready": "#2e7d32",
    "advertised": "#2e7d32",
    "conditional": "#f9a825",
    "no-stance": "#90a4ae",
    "mode-mismatch": "#ef6c00",
    "site-refuses": "#c62828",
    "not-in-production": "#8d6e63",
    "not-advertised": "#d5d5d5",
}
# The verdicts whose colour is dark: their word is written white on it.
DARK = frozenset({"ready", "advertised", "site-refuses", "mode-mismatch", "not-in-production"})
LINE_COLOURS = ("#1565c0", "#6a1b9a", "#00838f", "#ad1457", "#4e342e", "#558b2f")


def verdict_bars(
    experiments: Sequence[str], verdicts: Sequence[str], counts: Mapping[str, Mapping[str, int]]
) -> str:
    """Per experiment, one bar of its CEs stacked by verdict (best at the bottom)."""
    import pygal

    colours = [COLOURS.get(v, "#777777") for v in verdicts]
    chart = pygal.StackedBar(**_config(colours), y_title="CEs serving the VO")
    chart.x_labels = [visible(e) for e in experiments]
    most = max((sum(counts.get(e, {}).values()) for e in experiments), default=0)
    chart.y_labels = _whole_numbers(most)
    for verdict in verdicts:
        chart.add(visible(verdict), [counts.get(e, {}).get(verdict, 0) for e in experiments])
    return _svg(chart, "verdicts")


def ready_lines(series: Mapping[str, Sequence[Point]]) -> str:
    """Per experiment, its ready CEs at each recorded run (reliable ones dashed, when
    glexec test results are recorded)."""
    import pygal

    lines: list[tuple[str, list[tuple[Any, int]], str, bool]] = []
    for number, (key, points) in enumerate(series.items()):
        colour = LINE_COLOURS[number % len(LINE_COLOURS)]
        lines.append((f"{key} ready", [(p.time, p.ready) for p in points], colour, False))
        reliable = [(p.time, p.reliable) for p in points if p.reliable is not None]
        if reliable:
            lines.append((f"{key} reliable", reliable, colour, True))
    chart = pygal.DateTimeLine(
        **_config([colour for _, _, colour, _ in lines]),
        y_title="CEs",
        x_value_formatter=_utc_minute,
        x_label_rotation=20,
        dots_size=2,
    )
    most = max((n for _, values, _, _ in lines for _, n in values), default=0)
    chart.y_labels = _whole_numbers(most)
    for title, values, _, dashed in lines:
        style = {"width": 2, "dasharray": "6, 3"} if dashed else {"width": 2}
        chart.add(visible(title), values, stroke_style=style)
    return _svg(chart, "history")


def _utc_minute(moment: datetime) -> str:
    # pygal gives the axis's times in UTC, without a zone.
    return moment.strftime("%Y-%m-%d %H:%MZ")


def _config(colours: Sequence[str]) -> dict[str, Any]:
    from pygal.style import Style

    return {
        "style": Style(
            colors=tuple(colours),
            background="transparent",
            plot_background="transparent",
            font_family="sans-serif",
            legend_font_size=12,
            # Solid, faint guides: a dashed line is a reliable count's.
            guide_stroke_dasharray="1,0",
            major_guide_stroke_dasharray="1,0",
            guide_stroke_color="#e0e0e0",
            major_guide_stroke_color="#e0e0e0",
        ),
        "width": 520,
        "height": 300,
        "explicit_size": True,
        "legend_at_bottom": True,
        # Names in full: "not-advertised", not "not-adve…".
        "truncate_legend": -1,
        "truncate_label": -1,
        # Nothing fetched: pygal's tooltip script would come from its web site.
        "js": [],
        "disable_xml_declaration": True,
        "show_minor_x_labels": True,
    }


def _whole_numbers(most: int) -> list[int]:
    """Axis labels for a count of CEs: whole numbers from 0 to ``most`` or just past it,
    five or so, a step of 1, 2 or 5 times a power of ten."""
    rough = max(most, 1) / 5
    power = 10 ** math.floor(math.log10(rough)) if rough >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    return list(range(0, math.ceil(max(most, 1) / step) * step + 1, step))


def _svg(chart: Graph, name: str) -> str:
    """The chart as an <svg> element to put inside the page."""
    # Fixed ids (the chart's CSS is scoped to its own): the same page from the same data.
    chart.uuid = f"cecap-{name}"
    text = chart.render(is_unicode=True)
    # Without pygal's comments (one carries today's date) and its script element, which
    # holds only settings for the tooltip script the page does not load. pygal writes
    # through ElementTree, which escapes every "<" in text and attributes: these
    # patterns can only meet its own markup.
    return _NOT_KEPT.sub("", text)


_NOT_KEPT = re.compile(r"<!--.*?-->|<script\b[^>]*>.*?</script>|<script\b[^>]*/>", re.S)
