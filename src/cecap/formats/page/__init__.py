"""The readiness page: one self-contained HTML file (CSS, data, charts and a few lines of
script inside it) rendered by Jinja2 with autoescape on, charts by pygal.

Both libraries are the optional extra ``cecap[page]``, imported only when a page is made,
so the other commands neither need them nor pay for importing them.
"""

from __future__ import annotations

import functools
import importlib
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from ...errors import UsageError
from ...rows.page import PageData
from ...rows.table import Lines
from ...text import stamp, visible
from . import charts

EXTRA = "pip install 'cecap[page]'"
_LIBRARIES = ("jinja2", "pygal")
# Each library's Debian package, for a cecap installed from the Debian package.
_DEBIAN_PACKAGES = {"jinja2": "python3-jinja2", "pygal": "python3-pygal"}
# Where Debian's python3 packages live; an RPM's are under /usr/lib{,64}/python3.N, and
# dnf finds the library for that Python by what its RPM provides: python3.N dist(name).
_DEBIAN = re.compile(r"/usr/lib/python3/dist-packages/")
_RPM = re.compile(r"/usr/lib(?:64)?/(python3\.\d+)/site-packages/")


def install_hint(missing: list[str], installed_at: Path | None = None) -> str:
    """How to get the ``missing`` libraries, as cecap itself was installed: apt for
    Debian's package, dnf for the RPM, else pip's extra."""
    where = (installed_at or Path(__file__)).as_posix()
    if _DEBIAN.match(where):
        return "apt install " + " ".join(_DEBIAN_PACKAGES[name] for name in missing)
    rpm = _RPM.match(where)
    if rpm:
        return "dnf install " + " ".join(f"'{rpm.group(1)}dist({name})'" for name in missing)
    return EXTRA


def require_libraries() -> None:
    """A UsageError naming what to install when Jinja2 or pygal is missing."""
    missing = []
    for name in _LIBRARIES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise UsageError(f"cecap page needs {' and '.join(missing)}: {install_hint(missing)}")


def _shown(value: Any) -> Any:
    """Every value the template prints, made visible before Jinja2 HTML-escapes it: a
    published control or bidi character shows as ``\\x1b``, never acts. Markup (cecap's own
    SVG charts) and numbers pass as they are."""
    if value is None or isinstance(value, _as_they_are()):
        return value
    if isinstance(value, Lines):
        return "\n".join(visible(line) for line in value.split("\n"))
    if isinstance(value, datetime):
        return stamp(value)
    return visible(str(value))


@functools.cache
def _as_they_are() -> tuple[type, ...]:
    # Imported once, on the first value shown (a page prints some 100,000): Jinja2, which
    # brings markupsafe, is needed only by the page.
    from markupsafe import Markup

    return (Markup, bool, int, float)


# Where an ID (a CE's) may wrap on the page: after a slash, a colon or a hyphen.
_ID_BREAKS = re.compile(r"(?<=[/:-])")


def breakable(value: Any) -> Any:
    """An ID as HTML that wraps only after a slash, a colon or a hyphen (<wbr>), each part
    made visible and escaped."""
    from markupsafe import Markup, escape

    # Escaped whole, then broken: no entity escape() writes holds a slash, colon or hyphen.
    return Markup(_ID_BREAKS.sub("<wbr>", str(escape(visible(str(value))))))


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
    env.filters["breakable"] = breakable
    keys = [e.key for e in data.experiments]
    bars = charts.verdict_bars(keys, data.verdicts, data.counts)
    has_series = any(len(points) > 1 for points in data.series.values())
    lines = charts.ready_lines(data.series) if has_series else None
    dashed = any(p.reliable is not None for points in data.series.values() for p in points)
    return env.get_template("index.html.j2").render(
        page=data,
        colours=charts.COLOURS,
        dark=charts.DARK,
        bars=Markup(bars),
        lines=Markup(lines) if lines else None,
        dashed=dashed,
        apart=charts.APART in data.verdicts,
    )
