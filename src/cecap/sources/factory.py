"""Reading a glideinWMS factory configuration (glideinWMS.xml, or a config.d file) into
frozen entries: name, grid type, gatekeeper, rsl and attributes.

The schema followed is glideinWMS v3_4_6's (creation/lib/factory_defaults.xml,
creation/lib/factoryXmlConfig.py): ``<glidein>`` holds ``<attrs>`` for every entry,
``<entries><entry>`` and ``<entry_sets><entry_set><entries><entry>``; an entry's
``<attrs><attr name= value=/>`` override its entry set's, which override the factory's.
An entry without ``gridtype`` has factory_defaults.xml's, ``condor``.

The file is not cecap's own: it is parsed with defusedxml, refusing any DTD (and so every
entity and external reference) and any document over MAX_BYTES, each with one line saying
so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeTree

from ..errors import InputError

# A large factory's configuration (thousands of entries) is a few megabytes.
MAX_BYTES = 32 * 1024 * 1024
DEFAULT_GRIDTYPE = "condor"
GLEXEC_BIN = "GLEXEC_BIN"
# What glideinWMS reads as "no glexec" (creation/lib/cvWParamDict.py: a missing attribute
# counts as NONE).
NO_GLEXEC = "NONE"


@dataclass(frozen=True, slots=True)
class FactoryEntry:
    """One factory entry, with the attributes it has (its set's and the factory's merged)."""

    name: str
    gridtype: str
    gatekeeper: str
    rsl: str | None
    enabled: bool
    attrs: tuple[tuple[str, str], ...] = ()

    def attr(self, name: str) -> str | None:
        return dict(self.attrs).get(name)

    @property
    def glexec_bin(self) -> str:
        return (self.attr(GLEXEC_BIN) or NO_GLEXEC).strip()

    @property
    def uses_glexec(self) -> bool:
        """Pilots use glexec: GLEXEC_BIN set, to anything but NONE."""
        return self.glexec_bin.upper() != NO_GLEXEC

    @property
    def supported_vos(self) -> tuple[str, ...]:
        """GLIDEIN_Supported_VOs, comma-separated; empty when the entry names none."""
        value = self.attr("GLIDEIN_Supported_VOs") or ""
        return tuple(v.strip() for v in value.split(",") if v.strip())


def read_factory(path: Path) -> tuple[FactoryEntry, ...]:
    """The entries of the factory configuration at ``path``, in document order."""
    try:
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the factory configuration: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise InputError(
            f"{path}: refused: the factory configuration is over {MAX_BYTES // (1024 * 1024)} MiB"
        )
    root = parse_factory(data, str(path))
    return tuple(_entries(root, str(path)))


def parse_factory(data: bytes, origin: str) -> Element:
    """The document's root element, refusing DTDs, entities and external references."""
    try:
        root = SafeTree.fromstring(data, forbid_dtd=True)
    except defusedxml.DTDForbidden:
        raise InputError(
            f"{origin}: refused: the document declares a DTD (a factory configuration has none;"
            " entities and external references are not read)"
        ) from None
    except defusedxml.EntitiesForbidden:
        raise InputError(f"{origin}: refused: the document declares entities") from None
    except defusedxml.ExternalReferenceForbidden:
        raise InputError(
            f"{origin}: refused: the document refers to an external resource"
        ) from None
    except ParseError as exc:
        raise InputError(f"{origin}: not well-formed XML: {exc}") from None
    if root.tag != "glidein":
        raise InputError(
            f"{origin}: not a glideinWMS factory configuration (the root element is"
            f" <{root.tag}>, not <glidein>)"
        )
    return root


def _attrs(parent: Element | None) -> dict[str, str]:
    if parent is None:
        return {}
    out = {}
    for attr in parent.findall("attrs/attr"):
        name = attr.get("name")
        if name:
            out[name] = attr.get("value", "")
    return out


def _entries(root: Element, origin: str) -> Iterable[FactoryEntry]:
    common = _attrs(root)
    for entry in root.findall("entries/entry"):
        yield _entry(entry, common, origin)
    for entry_set in root.findall("entry_sets/entry_set"):
        inherited = {**common, **_attrs(entry_set)}
        for entry in entry_set.findall("entries/entry"):
            yield _entry(entry, inherited, origin)


def _entry(element: Element, inherited: dict[str, str], origin: str) -> FactoryEntry:
    name = element.get("name", "").strip()
    if not name:
        raise InputError(f"{origin}: an <entry> has no name (glideinWMS requires one)")
    gatekeeper = element.get("gatekeeper", "").strip()
    if not gatekeeper:
        raise InputError(f"{origin}: entry {name!r} has no gatekeeper (glideinWMS requires one)")
    attrs = {**inherited, **_attrs(element)}
    return FactoryEntry(
        name=name,
        gridtype=element.get("gridtype", DEFAULT_GRIDTYPE).strip(),
        gatekeeper=gatekeeper,
        rsl=element.get("rsl"),
        enabled=element.get("enabled", "True").strip().lower() == "true",
        attrs=tuple(attrs.items()),
    )
