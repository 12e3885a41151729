"""check's own format, ``nagios`` (its default): the plugin's status line with its perfdata,
then one detail line each, as Nagios and SAM read a plugin's output."""

from __future__ import annotations

from ..evaluate.check import PLUGIN
from ..evaluate.nagios import State, plugin_output
from ..rows.table import Table
from .registry import FIELDS, NO_HEADER, register

NAGIOS = "nagios"


@register(
    NAGIOS,
    kinds=("check",),
    raw=True,
    refuses=(FIELDS, NO_HEADER),
    about="the plugin's status line and detail lines",
)
def render_nagios(table: Table) -> str:
    """The status and summary of a check Table's ``meta``; the perfdata and details of its
    ``extra`` (none for a check that had no answer)."""
    extra = table.extra
    return plugin_output(
        PLUGIN,
        State[table.meta["status"]],
        table.meta["summary"],
        extra.get("perfdata", ()),
        extra.get("details", ()),
    )
