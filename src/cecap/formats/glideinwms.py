"""export's own format, ``glideinwms``: per experiment and CE whether pilots may use glexec,
as a glideinWMS factory configuration (XML) to diff against the factory's own.

The XML follows glideinWMS v3_4_6's factory schema (creation/lib/factory_defaults.xml,
doc/factory/configuration.html): ``<glidein><entries><entry .../></entries></glidein>``,
each entry with the attributes the schema lists and its ``<attrs><attr .../></attrs>``
spelled as the schema's examples spell them; every element an entry leaves out
(``config``, ``files``, ...) takes the factory's defaults when it merges the file. Values a
site published are made visible (cecap.text.xml_visible) first: XML 1.0 cannot carry a
control character, a surrogate, U+FFFE or U+FFFF, so each one shows as ``\\x1b`` or
``\\ufffe``, as in every other output.

``GLEXEC_BIN`` is the value glideinWMS's worker-node script (creation/web_base/
glexec_setup.sh, lines 217-266 of v3_4_6) resolves to the glexec the CE's middleware
installs: ``OSG`` on an OSG GRAM CE (``$OSG_GLEXEC_LOCATION``, what the OSG factory's
configuration used), ``glite`` on CREAM and the lcg-CE (``$GLEXEC_LOCATION/sbin/glexec``,
else ``$GLITE_LOCATION/sbin/glexec``, else ``/opt/glite/sbin/glexec``), ``auto`` on any
other (the OSG place, then the gLite ones). A fixed path such as ``/usr/sbin/glexec``
fails wherever glexec lives elsewhere: see docs/pilots.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from xml.etree import ElementTree as ET

from ..evaluate.factory import Reliability
from ..evaluate.verdicts import Assessment, Verdict
from ..model.glue import CE
from ..model.questions import readings_for
from ..model.reading import CREAM, CEReading, Middleware
from ..rows.pilots import GLEXEC_VERDICTS, glexec_allowed
from ..rows.table import Table
from ..sources.factory import GLEXEC_BIN, NO_GLEXEC
from ..text import xml_visible
from .registry import FIELDS, NO_HEADER, register

GLIDEINWMS = "glideinwms"
# GLEXEC_BIN by middleware, as glexec_setup.sh resolves it (see the module doc).
_GLEXEC_BIN = {
    Middleware.OSG_GRAM: "OSG",
    Middleware.CREAM: "glite",
    Middleware.LCG_CE: "glite",
}
AUTO_GLEXEC_BIN = "auto"
DEFAULT_SCHEDD = "schedd_glideins@FACTORY_HOSTNAME"
# glideinWMS's entry names: letters, digits and ._- (creation/lib/cWParams.py is_valid_name).
_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def glexec_bin_for(reading: CEReading) -> str:
    """The GLEXEC_BIN that finds glexec on the worker nodes behind a CE of this reading."""
    return _GLEXEC_BIN.get(reading.middleware, AUTO_GLEXEC_BIN)


def glideinwms_xml(
    assessments: Iterable[Assessment],
    *,
    glexec_bin: str | None = None,
    schedd: str = DEFAULT_SCHEDD,
    ready_only: bool = False,
    reliability: Reliability | None = None,
    reliable_only: bool = False,
    source: str = "",
    verdicts: frozenset[Verdict] = GLEXEC_VERDICTS,
) -> str:
    """One factory ``<entry>`` per assessment (experiment and CE), named stably from the
    experiment, site, host and queue; ``glexec_bin`` overrides the GLEXEC_BIN chosen by
    each CE's middleware. A CE cecap knows no gatekeeper form for has none (the format's
    warnings name it)."""
    root = ET.Element("glidein")
    if source:
        # "--" may not appear in an XML comment.
        root.append(ET.Comment(f" cecap export from {xml_visible(source).replace('--', '-_')} "))
    entries = ET.SubElement(root, "entries")
    names: set[str] = set()
    for a in assessments:
        allowed = glexec_allowed(a, reliability, reliable_only, verdicts)
        if ready_only and not allowed:
            continue
        # One entry per queue, as each GLUE 1.3 CE is one: a GLUE 2.0 endpoint has one
        # per queue its shares for the VO map to.
        for reading in readings_for(a.ce, a.experiment.vo):
            if reading.gatekeeper is None:
                continue
            entry = ET.SubElement(entries, "entry", _entry_attributes(a, reading, names, schedd))
            attrs = ET.SubElement(entry, "attrs")
            chosen = glexec_bin or glexec_bin_for(reading)
            _attr(attrs, GLEXEC_BIN, chosen if allowed else NO_GLEXEC, publish=False)
            _attr(attrs, "GLIDEIN_Site", a.ce.site, publish=True)
            _attr(attrs, "GLIDEIN_Supported_VOs", a.experiment.name, publish=True)
    ET.indent(root, space="   ")
    return ET.tostring(root, encoding="unicode")


def _entry_attributes(
    a: Assessment, reading: CEReading, names: set[str], schedd: str
) -> dict[str, str]:
    attributes = {
        "name": _entry_name(a, reading, names),
        "auth_method": "grid_proxy",
        "enabled": "True",
        "gatekeeper": xml_visible(reading.gatekeeper or ""),
        "gridtype": reading.grid_type or "",
    }
    if reading.rsl is not None:
        attributes["rsl"] = xml_visible(reading.rsl)
    # OSG's worker nodes name their scratch area $OSG_WN_TMP ("OSG"); elsewhere the
    # glidein starts where the batch system put it (".").
    work_dir = "OSG" if reading.middleware is Middleware.OSG_GRAM else "."
    attributes.update(schedd_name=schedd, trust_domain="grid", verbosity="std", work_dir=work_dir)
    return attributes


def _entry_name(a: Assessment, reading: CEReading, names: set[str]) -> str:
    kind = reading.grid_type or ""
    parts = [
        a.experiment.name,
        a.ce.site,
        reading.host,
        reading.queue or reading.job_manager or kind,
    ]
    base = _NOT_IN_NAME.sub("_", "_".join(p for p in parts if p)).strip("_") or "entry"
    name = base if base not in names else f"{base}_{kind}"
    count = 2
    while name in names:
        name, count = f"{base}_{kind}_{count}", count + 1
    names.add(name)
    return name


def _attr(parent: ET.Element, name: str, value: str, *, publish: bool) -> None:
    # The attribute spellings of the schema's examples: GLEXEC_BIN is a parameter of the
    # glidein only; GLIDEIN_Site and GLIDEIN_Supported_VOs go into its and the jobs' ads.
    flag = "True" if publish else "False"
    ET.SubElement(
        parent,
        "attr",
        {
            "name": name,
            "const": "True",
            "glidein_publish": flag,
            "job_publish": flag,
            "parameter": "True",
            "publish": "True",
            "type": "string",
            "value": xml_visible(value),
        },
    )


def _why_no_gatekeeper(ce: CE, reading: CEReading, vo: str) -> str:
    """Why cecap writes no factory entry for a reading without a gatekeeper."""
    if reading.grid_type == CREAM:
        if not reading.job_manager:
            why = ce.lrms_note or "it publishes no batch system"
            return f"a CREAM gatekeeper names the batch system, and {why}"
        if not reading.queue:
            return (
                f"a CREAM gatekeeper names the queue, and no share for {vo} names one"
                " (GLUE2ComputingShareMappingQueue)"
            )
    return "cecap knows no glideinWMS gatekeeper for this kind of CE"


def _skipped(table: Table) -> Iterator[str]:
    ready_only = table.extra["ready_only"]
    for a in table.extra["assessments"]:
        if ready_only and not glexec_allowed(
            a, table.extra["reliability"], table.extra["reliable_only"], table.extra["verdicts"]
        ):
            continue
        vo = a.experiment.vo
        for reading in readings_for(a.ce, vo):
            if reading.gatekeeper is None:
                yield (
                    f"{a.ce.unique_id}: no factory entry for {a.experiment.name}"
                    f" ({_why_no_gatekeeper(a.ce, reading, vo)})"
                )


@register(
    GLIDEINWMS,
    kinds=("export",),
    raw=True,
    refuses=(FIELDS, NO_HEADER),
    about="a glideinWMS factory configuration, one <entry> per experiment and CE",
    warnings=_skipped,
)
def render_glideinwms(table: Table) -> str:
    """The factory configuration of an export Table's ``extra``: its ``assessments`` and
    what export was told (``glexec_bin``, ``schedd``, ``ready_only``, ``reliability``,
    ``reliable_only``, ``verdicts``)."""
    extra = table.extra
    return glideinwms_xml(
        extra["assessments"],
        glexec_bin=extra["glexec_bin"],
        schedd=extra["schedd"],
        ready_only=extra["ready_only"],
        reliability=extra["reliability"],
        reliable_only=extra["reliable_only"],
        source=table.meta.get("source", ""),
        verdicts=extra["verdicts"],
    )
