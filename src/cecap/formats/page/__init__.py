"""The readiness page: one self-contained HTML file (CSS, data, charts and a few lines of
script inside it) rendered by Jinja2 with autoescape on, charts by pygal.

Both libraries are the optional extra ``cecap[page]``, imported only when a page is made,
so the other commands neither need them nor pay for importing them.
"""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Any

from ...errors import UsageError
from ...rows.page import PageData
from ...rows.table import Lines
from ...text import stamp, visible
from . import charts

EXTRA = "pip install 'cecap[page]'"
_LIBRARIES = ("jinja2", "pygal")


def require_libraries() -> None:
    """A UsageError naming the extra to install when Jinja2 or pygal is missing."""
    missing = []
    for name in _LIBRARIES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise UsageError(f"cecap page needs {' and '.join(missing)}: {EXTRA}")


def _shown(value: Any) -> Any:
    """Every value the template prints, made visible before Jinja2 HTML-escapes it: a
    published control or bidi character shows as ``\\x1b``, never acts. Markup (cecap's own
    SVG charts) and numbers pass as they are."""
    from markupsafe import Markup

    if value is None or isinstance(value, Markup | bool | int | float):
        return value
    if isinstance(value, Lines):
        return "\n".join(visible(line) for line in value.split("\n"))
    if isinstance(value, datetime):
        return stamp(value)
    return visible(str(value))


def render_page(data: PageData) -> str:
    """The page as one HTML document."""
    require_libraries()
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("cecap.formats.page", "templates"),
        autoescape=True,
        finalize=_shown,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    keys = [e.key for e in data.experiments]
    bars = charts.verdict_bars(keys, data.verdicts, data.counts)
    has_series = any(len(points) > 1 for points in data.series.values())
    lines = charts.ready_lines(data.series) if has_series else None
    dashed = any(p.reliable is not None for points in data.series.values() for p in points)
    return env.get_template("index.html.j2").render(
        page=data,
        colours=charts.COLOURS,
        bars=Markup(bars),
        lines=Markup(lines) if lines else None,
        dashed=dashed,
    )
