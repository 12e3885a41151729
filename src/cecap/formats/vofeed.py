"""The test list as a WLCG VO feed: the XML topology that SAM/ETF test frameworks read to
know which services to test (``cecap testlist --format vofeed -e EXPERIMENT``).

The document is the one the CMS VO-feed writer produces (CMSCompOps/MonitoringScripts,
vofeed/vofeed.py, ``convert2XML``) and its readers take apart: ``vofeed.load()`` in the
same file and the CMS Site Status Board's ``sswp_vofeed()`` (siteStatus/data_writer.py),
which key each ``atp_site`` on its ``CMS_Site`` group and skip one without it, and ARGO's
topology-vo-connector.py (ARGOeu/argo-egi-connectors), which wants a name, at least one
group and one service on every ``atp_site``::

    <root>
       <title>...</title> <description>...</description>
       <feed_responsible>DN="..."</feed_responsible> <last_update>...Z</last_update>
       <version>cecap 0.1.0</version>
       <vo>cms</vo>
       <atp_site name="GRID SITE">
          <service hostname="HOST" flavour="CREAM-CE" endpoint="HOST:PORT">
             <ce_resource batch_system="pbs" queue="QUEUE"/>
          </service>
          <group name="Tier-2" type="CMS_Tier"/>
          <group name="T2_US_Nebraska" type="CMS_Site"/>
          <group name="T2_US_Nebraska" type="AllGroups"/>
          <group name="cms" type="VO"/>
          <group name="glexec-ready" type="glexec"/>
       </atp_site>
    </root>

One feed is one VO's, as the experiments' feeds are (convert2XML writes one ``<vo>``):
one ``atp_site`` per grid site, one ``service`` per host and flavour, with a
``ce_resource`` per queue to test. The experiment's groups are named with the
experiment's own name for the site (site_names.yaml): ``<NAME>_Site`` (``CMS_Site``) and,
when the name gives a tier, ``<NAME>_Tier`` (``Tier-2``); a site without a name gets
neither, and its readers skip it. ``AllGroups`` (the site by the experiment's name, else
the grid's, as the CMS feed's SAM groups), the VO (type ``VO``) and the site's glexec
verdicts (type ``glexec``: ``glexec-ready``, ``glexec-conditional``) follow.

Every value is XML-escaped by ElementTree; a control character, which XML 1.0 cannot
carry at all, is first escaped visibly (cecap.text.visible), so a hostile site name
still gives a well-formed document.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from ..policy.site_names import SiteNames
from ..policy.stances import Experiment
from ..rows.table import Row, Table
from ..text import stamp, visible
from .registry import FIELDS, NO_HEADER, register

# The format's name: cecap testlist --format vofeed.
VOFEED = "vofeed"
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


def _sites(rows: Sequence[Row], experiment: Experiment) -> dict[str, list[Row]]:
    """The experiment's rows per grid site, in the order the sites first come."""
    out: dict[str, list[Row]] = {}
    for row in rows:
        if row["experiment"] == experiment.key:
            out.setdefault(row["site"], []).append(row)
    return out


def unnamed_sites(table: Table, experiment: Experiment, names: SiteNames) -> list[str]:
    """The grid sites of the feed that have no name in the experiment: no group of the
    experiment's, so its readers load none of them."""
    return [s for s in _sites(table.rows, experiment) if names.name_of(experiment.key, s) is None]


def _site(
    root: ET.Element, site: str, rows: Sequence[Row], experiment: Experiment, names: SiteNames
) -> None:
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
    named = names.name_of(experiment.key, site)
    if named is not None:
        # As convert2XML writes them: the tier first, then the site (vofeed/vofeed.py).
        if named.tier is not None:
            _sub(element, "group", name=f"Tier-{named.tier}", type=f"{experiment.name}_Tier")
        _sub(element, "group", name=named.name, type=f"{experiment.name}_Site")
    _sub(element, "group", name=named.name if named else site, type="AllGroups")
    _sub(element, "group", name=experiment.vo, type="VO")
    for verdict in dict.fromkeys(row["verdict"] for row in rows):
        _sub(element, "group", name=f"glexec-{verdict}", type="glexec")


def vofeed_xml(
    table: Table,
    experiment: Experiment,
    names: SiteNames,
    *,
    updated: datetime,
    responsible: str,
    version: str,
) -> str:
    """The rows of ``table`` (testlist fields) for ``experiment`` as its VO feed, last
    updated ``updated``; ``responsible``: the feed responsible's certificate DN (may be
    empty); ``version``: the writer's, as the CMS writer names its own."""
    root = ET.Element("root")
    _sub(root, "title", TITLE)
    _sub(root, "description", f"{DESCRIPTION}; from {table.meta.get('source', '')}")
    # As the CMS writer spells it: the DN quoted, its angle brackets made square.
    dn = responsible.replace("<", "[").replace(">", "]").replace('"', "'")
    _sub(root, "feed_responsible", f'DN="{dn}"' if dn else "")
    _sub(root, "last_update", stamp(updated))
    _sub(root, "version", version)
    _sub(root, "vo", experiment.vo)
    for site, rows in _sites(table.rows, experiment).items():
        _site(root, site, rows, experiment, names)
    ET.indent(root, space="   ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body


def _unnamed(table: Table) -> Iterator[str]:
    experiment, names = table.extra["experiment"], table.extra["names"]
    for site in unnamed_sites(table, experiment, names):
        several = names.candidates(experiment.key, site)
        listed = f" (the CRIC listing gives several: {', '.join(several)})" if several else ""
        yield (
            f"{site}: no {experiment.name} name in site_names.yaml{listed}: the VO feed"
            f" gives it no {experiment.name}_Site group, and {experiment.name}'s readers"
            " skip it"
        )


@register(
    VOFEED,
    kinds=("testlist",),
    raw=True,
    refuses=(FIELDS, NO_HEADER),
    about="one experiment's list as its WLCG VO feed, the XML topology SAM/ETF read",
    warnings=_unnamed,
)
def render_vofeed(table: Table) -> str:
    """The feed of a testlist Table whose ``extra`` names the feed's ``experiment``, its
    site ``names``, when it was ``updated``, its ``responsible`` and the writer's
    ``version``."""
    extra = table.extra
    return vofeed_xml(
        table,
        extra["experiment"],
        extra["names"],
        updated=extra["updated"],
        responsible=extra["responsible"],
        version=extra["version"],
    )
