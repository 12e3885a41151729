"""The page's charts, drawn by matplotlib as inline SVG (text kept as text, no external
references): verdict counts per experiment as stacked bars, and ready (and reliable) CEs
per experiment over the recorded runs."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from ...rows.page import Point

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

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
LINE_COLOURS = ("#1565c0", "#6a1b9a", "#00838f", "#ad1457", "#4e342e", "#558b2f")


def verdict_bars(
    experiments: Sequence[str], verdicts: Sequence[str], counts: Mapping[str, Mapping[str, int]]
) -> str:
    """Per experiment, one bar of its CEs stacked by verdict (best at the bottom)."""
    with _style():
        return _bars(experiments, verdicts, counts)


def _bars(
    experiments: Sequence[str], verdicts: Sequence[str], counts: Mapping[str, Mapping[str, int]]
) -> str:
    fig, ax = _figure(6.4, 3.2)
    bottoms = [0] * len(experiments)
    for verdict in verdicts:
        heights = [counts.get(e, {}).get(verdict, 0) for e in experiments]
        ax.bar(
            experiments,
            heights,
            bottom=bottoms,
            label=verdict,
            color=COLOURS.get(verdict, "#777777"),
            edgecolor="white",
            linewidth=0.5,
        )
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    ax.set_ylabel("CEs serving the VO")
    # The legend top down as the bars are stacked: best verdict at the bottom.
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(
        handles[::-1],
        labels[::-1],
        loc="center left",
        bbox_to_anchor=(1.0, 0.5),
        frameon=False,
        fontsize=9,
    )
    return _svg(fig)


def ready_lines(series: Mapping[str, Sequence[Point]]) -> str:
    """Per experiment, its ready CEs at each recorded run (reliable ones dashed, when
    glexec test results are recorded)."""
    with _style():
        return _lines(series)


def _lines(series: Mapping[str, Sequence[Point]]) -> str:
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.ticker import MaxNLocator

    fig, ax = _figure(6.4, 3.0)
    for number, (key, points) in enumerate(series.items()):
        colour = LINE_COLOURS[number % len(LINE_COLOURS)]
        times = [date2num(p.time) for p in points]
        ax.plot(
            times,
            [p.ready for p in points],
            marker="o",
            markersize=3,
            color=colour,
            label=f"{key} ready",
        )
        reliable = [(p.time, p.reliable) for p in points if p.reliable is not None]
        if reliable:
            ax.plot(
                [date2num(t) for t, _ in reliable],
                [n for _, n in reliable],
                linestyle="--",
                color=colour,
                label=f"{key} reliable",
            )
    ax.set_ylabel("CEs")
    ax.set_ylim(bottom=0)
    # CEs are counted whole: no 1.5 on the axis.
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=9)
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    return _svg(fig)


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    # A Figure of its own, not pyplot's global state: nothing shown, nothing kept.
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=72, layout="constrained")
    ax = fig.subplots()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _style() -> AbstractContextManager[None]:
    import matplotlib

    return matplotlib.rc_context(
        {
            # Text as <text> elements (searchable, small), not glyph outlines.
            "svg.fonttype": "none",
            # The same page from the same data: fixed element ids.
            "svg.hashsalt": "cecap",
            "font.family": "sans-serif",
            "font.size": 10,
        }
    )


def _svg(fig: Figure) -> str:
    out = io.StringIO()
    # No metadata block: no date (the same data, the same page), no RDF namespaces.
    fig.savefig(
        out, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None}
    )
    text = out.getvalue()
    # Inline in HTML: the <svg> element alone, without the XML declaration and DOCTYPE.
    return text[text.index("<svg") :]
