"""Reading a glideinWMS factory configuration as glideinWMS 3.4.x reads it, into frozen
entries: name, grid type, gatekeeper, rsl, attributes and the file each came from.

What glideinWMS reads (creation/lib/factoryXmlConfig.py ``parse`` and ``get_entries``,
creation/lib/xmlConfig.py ``merge``, of glideinWMS v3_4_6):

- the main file (``glideinWMS.xml``; given a folder, the one in it), then every file of
  ``config.d`` beside it whose name ends in ``.xml``, in sorted name order, each merged
  over what came before: a global ``<attr>``, an ``<entry>`` (by name) or an entry set (by
  alias) of a later file replaces the one of the same name before it;
- entries in ``<entries>``, and in ``<entry_sets>``: an ``<entry>`` standing there
  directly, and each ``<entry_set>``, which glideinWMS reads as one entry: its own
  attributes, else its first entry's (its name, gatekeeper and grid type), with the
  entry set's ``<attrs>``; every entry of the set is a place it submits to;
- an entry's ``<attrs>`` over the factory's global ``<attrs>``; an entry without
  ``gridtype`` has factory_defaults.xml's, ``condor``.

The files are not cecap's own: each is parsed with defusedxml, refusing any DTD (and so
every entity and external reference), and a configuration over MAX_BYTES in all is
refused, each with one line naming the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeTree

from ..errors import InputError
from .regular import read_regular

# A large factory's configuration (thousands of entries) is a few megabytes.
MAX_BYTES = 32 * 1024 * 1024
DEFAULT_GRIDTYPE = "condor"
GLEXEC_BIN = "GLEXEC_BIN"
# What glideinWMS reads as "no glexec" (creation/lib/cvWParamDict.py: a missing attribute
# counts as NONE).
NO_GLEXEC = "NONE"


@dataclass(frozen=True, slots=True)
class Submission:
    """One place an entry submits to: the entry itself, or one entry of an entry set."""

    name: str
    gridtype: str
    gatekeeper: str
    rsl: str | None


@dataclass(frozen=True, slots=True)
class FactoryEntry:
    """One factory entry as glideinWMS reads it, with its attributes (its own over the
    factory's), the file it came from, and for an entry set its alias and members."""

    name: str
    gridtype: str
    gatekeeper: str
    rsl: str | None
    enabled: bool
    attrs: tuple[tuple[str, str], ...] = ()
    file: str = ""
    entry_set: str = ""
    members: tuple[Submission, ...] = ()

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

    @property
    def submissions(self) -> tuple[Submission, ...]:
        """Where the entry submits: an entry set's every entry, else the entry itself."""
        return self.members or (Submission(self.name, self.gridtype, self.gatekeeper, self.rsl),)

    @property
    def where(self) -> str:
        """The file and entry (and entry set) a finding names."""
        named = f"entry set {self.entry_set!r}" if self.entry_set else f"entry {self.name!r}"
        return f"{self.file}: {named}" if self.file else named


MAIN_FILE = "glideinWMS.xml"
CONFIG_DIR = "config.d"


def factory_files(path: Path) -> list[Path]:
    """The files glideinWMS reads for the factory at ``path`` (its main file, or a folder
    holding it), in its order: the main file, then config.d/*.xml by sorted name."""
    main = path / MAIN_FILE if path.is_dir() else path
    conf = main.parent / CONFIG_DIR
    try:
        names = sorted(os.listdir(conf)) if conf.is_dir() else []
    except OSError as exc:
        raise InputError(
            f"{conf}: cannot list the factory's {CONFIG_DIR}: {exc.strerror}"
        ) from None
    return [main, *(conf / name for name in names if name.endswith(".xml"))]


def read_factory(path: Path) -> tuple[FactoryEntry, ...]:
    """The entries of the factory configuration at ``path`` (see the module doc)."""
    common: dict[str, str] = {}
    entries: dict[str, FactoryEntry] = {}
    sets: dict[str, FactoryEntry] = {}
    elements: list[tuple[str, Element]] = []
    left = MAX_BYTES
    for file in factory_files(path):
        data = _read(file, left)
        left -= len(data)
        root = parse_factory(data, str(file))
        common.update(_attrs(root))
        elements.append((str(file), root))
    for origin, root in elements:
        for element in root.findall("entries/entry"):
            found = _entry(element, common, origin)
            entries[found.name] = found
        for element in root.findall("entry_sets/*"):
            if element.tag == "entry":
                found = _entry(element, common, origin)
                sets[element.get("alias") or found.name] = found
            elif element.tag == "entry_set":
                found = _entry_set(element, common, origin)
                sets[found.entry_set] = found
    return (*entries.values(), *sets.values())


def _read(path: Path, left: int) -> bytes:
    data = read_regular(path, left, "a factory configuration")
    if len(data) > left:
        raise InputError(
            f"{path}: refused: the factory configuration is over"
            f" {MAX_BYTES // (1024 * 1024)} MiB in all"
        )
    return data


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
    except LookupError as exc:
        # The XML declaration names an encoding Python does not know; it opens the file.
        raise InputError(
            f"{origin}: line 1: the XML declaration names an encoding cecap cannot read ({exc});"
            " a factory configuration is UTF-8"
        ) from None
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


def _entry(element: Element, common: dict[str, str], origin: str) -> FactoryEntry:
    name = element.get("name", "").strip()
    if not name:
        raise InputError(f"{origin}: an <entry> has no name (glideinWMS requires one)")
    gatekeeper = element.get("gatekeeper", "").strip()
    if not gatekeeper:
        raise InputError(f"{origin}: entry {name!r} has no gatekeeper (glideinWMS requires one)")
    attrs = {**common, **_attrs(element)}
    return FactoryEntry(
        name=name,
        gridtype=element.get("gridtype", DEFAULT_GRIDTYPE).strip(),
        gatekeeper=gatekeeper,
        rsl=element.get("rsl"),
        enabled=element.get("enabled", "True").strip().lower() == "true",
        attrs=tuple(attrs.items()),
        file=origin,
    )


def _entry_set(element: Element, common: dict[str, str], origin: str) -> FactoryEntry:
    alias = element.get("alias", "").strip()
    if not alias:
        raise InputError(f"{origin}: an <entry_set> has no alias (glideinWMS requires one)")
    inner = element.findall("entries/entry")
    if not inner:
        raise InputError(f"{origin}: entry set {alias!r} has no <entry>")

    def own(name: str, member: Element | None = None) -> str | None:
        # The set's own attribute, else (as glideinWMS's EntrySetElement) its first entry's.
        value = (member if member is not None else element).get(name)
        if value is None:
            value = element.get(name) if member is not None else inner[0].get(name)
        return value

    members = []
    for member in inner:
        name = (member.get("name") or "").strip()
        gatekeeper = (own("gatekeeper", member) or "").strip()
        if not name or not gatekeeper:
            what = f"entry {name!r}" if name else "an <entry>"
            raise InputError(
                f"{origin}: entry set {alias!r}: {what} has no"
                f" {'gatekeeper' if name else 'name'} (glideinWMS requires one)"
            )
        gridtype = (own("gridtype", member) or DEFAULT_GRIDTYPE).strip()
        members.append(Submission(name, gridtype, gatekeeper, own("rsl", member)))
    first = members[0]
    return FactoryEntry(
        name=(element.get("name") or first.name).strip(),
        gridtype=(own("gridtype") or DEFAULT_GRIDTYPE).strip(),
        gatekeeper=(own("gatekeeper") or first.gatekeeper).strip(),
        rsl=element.get("rsl"),
        enabled=element.get("enabled", "True").strip().lower() == "true",
        attrs=tuple({**common, **_attrs(element)}.items()),
        file=origin,
        entry_set=alias,
        members=tuple(members),
    )
