"""The test list as a WLCG VO feed: the XML topology that SAM/ETF test frameworks read to
know which services to test (``cecap testlist --format vofeed``).

The document is the one the CMS VO-feed writer produces (CMSCompOps/MonitoringScripts,
vofeed/vofeed.py, ``vofd_write_xml``) and its readers take apart (the CMS Site Status
Board's ``sswp_vofeed`` in the same repository; ARGO's bin/topology-vo-connector.py,
which wants a name, at least one group and one service on every ``atp_site``)::

    <root>
       <title>...</title> <description>...</description>
       <feed_responsible>DN="..."</feed_responsible> <last_update>...Z</last_update>
       <vo>cms</vo>
       <atp_site name="GRID SITE">
          <service hostname="HOST" flavour="CREAM-CE" endpoint="HOST:PORT">
             <ce_resource batch_system="pbs" queue="QUEUE"/>
          </service>
          <group name="..." type="..."/>
       </atp_site>
    </root>

One ``atp_site`` per site and experiment (a feed for several experiments names each VO in
a ``<vo>`` of its own and a site once per experiment, as a feed may hold a site more than
once); one ``service`` per host and flavour, with a ``ce_resource`` per queue to test.
Groups: ``AllGroups`` (every site, as the CMS feed's SAM groups), the VO (type ``VO``)
and the site's glexec verdicts (type ``glexec``: ``glexec-ready``, ``glexec-conditional``).

Every value is XML-escaped by ElementTree; a control character, which XML 1.0 cannot
carry at all, is first escaped visibly (cecap.text.visible), so a hostile site name
still gives a well-formed document.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..text import stamp, visible
from .table import Row, Table

TITLE = "cecap glexec test list"
DESCRIPTION = (
    "CEs that advertise glexec and are ready or conditional for the experiment:"
    " where to run its glexec test"
)
# Beyond the controls visible() escapes, what XML 1.0 cannot hold: surrogates, U+FFFE/F.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _text(value: Any) -> str:
    text = visible("" if value is None else str(value))
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: Any) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _text(text)
    return element


def _groups(rows: Sequence[Row]) -> dict[tuple[str, str], list[Row]]:
    """Rows per (experiment, site), in the order they first come."""
    out: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        out.setdefault((row["experiment"], row["site"]), []).append(row)
    return out


def _site(root: ET.Element, site: str, rows: Sequence[Row]) -> None:
    element = _sub(root, "atp_site", name=site)
    services: dict[tuple[str, str], ET.Element] = {}
    resources: set[tuple[tuple[str, str], tuple[tuple[str, Any], ...]]] = set()
    for row in rows:
        key = (str(row["host"]).lower(), str(row["flavour"]))
        if key not in services:
            attrs = {"hostname": row["host"], "flavour": row["flavour"]}
            if row["port"] is not None:
                attrs["endpoint"] = f"{row['host']}:{row['port']}"
            services[key] = _sub(element, "service", **attrs)
        resource = {f: row[f] for f in ("batch_system", "queue") if row[f] is not None}
        if resource and (key, tuple(resource.items())) not in resources:
            resources.add((key, tuple(resource.items())))
            _sub(services[key], "ce_resource", **resource)
    _sub(element, "group", name=site, type="AllGroups")
    _sub(element, "group", name=rows[0]["vo"], type="VO")
    for verdict in dict.fromkeys(row["verdict"] for row in rows):
        _sub(element, "group", name=f"glexec-{verdict}", type="glexec")


def vofeed_xml(table: Table, vos: Sequence[str], updated: datetime, responsible: str) -> str:
    """The rows of ``table`` (testlist fields) as a VO feed for ``vos``, last updated
    ``updated``; ``responsible``: the feed responsible's certificate DN (may be empty)."""
    root = ET.Element("root")
    _sub(root, "title", TITLE)
    _sub(root, "description", f"{DESCRIPTION}; from {table.meta.get('source', '')}")
    # As the CMS writer spells it: the DN quoted, its angle brackets made square.
    dn = responsible.replace("<", "[").replace(">", "]").replace('"', "'")
    _sub(root, "feed_responsible", f'DN="{dn}"' if dn else "")
    _sub(root, "last_update", stamp(updated))
    for vo in vos:
        _sub(root, "vo", vo)
    for (_, site), rows in _groups(table.rows).items():
        _site(root, site, rows)
    ET.indent(root, space="   ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body
