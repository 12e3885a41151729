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


# Left out of the bars and told as a number beside them: on a top-level BDII most CEs do
# not advertise glexec, and on the same scale the other verdicts would not show.
APART = "not-advertised"


def verdict_bars(
    experiments: Sequence[str], verdicts: Sequence[str], counts: Mapping[str, Mapping[str, int]]
) -> str:
    """Per verdict, a small bar chart of its CEs per experiment, each on a scale of its
    own and with its counts written on the bars: on a top-level BDII a few ready CEs stand
    beside hundreds without a stance, and on one scale they would not show. The CEs that
    do not advertise glexec (most of them) have no chart: the page gives their number."""
    import pygal

    out = []
    for verdict in (v for v in verdicts if v != APART):
        values = [counts.get(e, {}).get(verdict, 0) for e in experiments]
        config = _config([COLOURS.get(verdict, "#777777")])
        config.update(width=250, height=190, show_legend=False, print_values=True)
        chart = pygal.Bar(**config, title=visible(verdict))
        chart.x_labels = [visible(e) for e in experiments]
        chart.y_labels = _whole_numbers(max(values, default=0))
        chart.add(visible(verdict), values)
        out.append(_svg(chart, f"verdicts-{verdict}"))
    return "".join(out)


# The coarsest clock that tells the runs apart names them on the axis.
_RUN_LABELS = ("%Y-%m-%d", "%Y-%m-%d %H:%MZ", "%Y-%m-%d %H:%M:%SZ")
# At most this many runs are named on the axis (first and last among them).
AXIS_LABELS = 8


def run_labels(times: Sequence[datetime]) -> list[str]:
    """A label per run, all different: its day, else its minute, else its second, and
    "run N" after it where even the second is shared."""
    for form in _RUN_LABELS:
        labels = [t.strftime(form) for t in times]
        if len(set(labels)) == len(labels):
            return labels
    return [f"{t.strftime(_RUN_LABELS[-1])} #{n}" for n, t in enumerate(times, start=1)]


def ready_lines(series: Mapping[str, Sequence[Point]]) -> str:
    """Per experiment, its ready CEs at each recorded run (reliable ones dashed, when
    glexec test results are recorded). One place per run on the x axis, each named
    differently; a series drawn first is drawn wider, so that series with the same counts
    show as nested lines instead of hiding one another."""
    import pygal

    times = sorted({p.time for points in series.values() for p in points})
    at = {t: n for n, t in enumerate(times)}
    count = len(series)
    lines: list[tuple[str, list[int | None], str, bool, int]] = []
    for number, (key, points) in enumerate(series.items()):
        colour = LINE_COLOURS[number % len(LINE_COLOURS)]
        width = 2 + 2 * (count - 1 - number)
        ready: list[int | None] = [None] * len(times)
        reliable: list[int | None] = [None] * len(times)
        for p in points:
            ready[at[p.time]] = p.ready
            reliable[at[p.time]] = p.reliable
        lines.append((f"{key} ready", ready, colour, False, width))
        if any(n is not None for n in reliable):
            lines.append((f"{key} reliable", reliable, colour, True, width))
    chart = pygal.Line(
        **_config([colour for _, _, colour, _, _ in lines]),
        y_title="CEs",
        x_label_rotation=20,
        allow_interruptions=True,
    )
    chart.x_labels = run_labels(times)
    chart.x_labels_major_count = AXIS_LABELS
    chart.show_minor_x_labels = len(times) <= AXIS_LABELS
    most = max((n or 0 for _, values, _, _, _ in lines for n in values), default=0)
    chart.y_labels = _whole_numbers(most)
    for title, values, _, dashed, width in lines:
        style = {"width": width, "dasharray": "6, 3"} if dashed else {"width": width}
        chart.add(visible(title), values, stroke_style=style, dots_size=width / 2 + 1)
    return _svg(chart, "history")


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
