"""The Source interface: what every kind of source gives the model, and a registry by kind.

A source reads one information system and returns a GlueModel. Sources that speak GLUE
as directory entries (a live BDII, an LDIF snapshot) are EntrySources: they yield
Entry objects and let the GLUE 1.3 / 2.0 builders of ``model`` join them. A source of
another shape (a JSON catalogue, a CSV of CEs) builds the model objects itself. A new
kind is one module that calls ``register``; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..model.entry import Entry
from ..model.glue import GLUE20, GlueModel
from ..model.glue2 import Glue2Collector, wanted
from ..model.glue13 import EntryCollector, ModelBuilder, view_ce_ids
from ..policy.glue2_rules import Glue2Rules

DEFAULT_TIMEOUT = 30.0
DEFAULT_BASE = "o=grid"
DEFAULT_CA_DIR = "/etc/grid-security/certificates"
# How much of a live BDII's answer one read takes, in MiB, before it gives the endpoint up
# as sending too much (a server streaming without end): a top-level BDII's answer to
# cecap's searches is tens of MiB.
DEFAULT_MAX_READ_MIB = 256


@dataclass(frozen=True)
class SourceSettings:
    """How to query live endpoints (--base, --timeout, --ca-dir); files ignore them."""

    base: str = DEFAULT_BASE
    timeout: float = DEFAULT_TIMEOUT
    ca_dir: str = DEFAULT_CA_DIR
    max_read_mib: int = DEFAULT_MAX_READ_MIB


@dataclass(frozen=True)
class ReadRequest:
    """What a command needs from a source: GLUE trees, the capability, the VOs."""

    versions: tuple[str, ...]
    rules: Glue2Rules
    capabilities: tuple[str, ...] | None  # None: every capability (a snapshot keeps all)
    vos: tuple[str, ...] | None = None  # None: every VO's views
    # With ``vos``: the command reads only the CEs that serve one of them (it assesses no
    # other, and names none), so a live source may leave the others out.
    serving_only: bool = False
    # The GLUE 1.3 subclusters' run-time environment tags: only the audit reads them,
    # and they are the bulkiest values of a top-level BDII.
    runtime_environment: bool = True

    def wanted(self) -> dict[str, tuple[str, ...]]:
        """Object classes and the attributes of each that an entry source must give."""
        out = wanted(self.versions, self.rules, self.capabilities)
        if not self.runtime_environment:
            out.pop("gluesubcluster", None)
        return out

    def collectors(self) -> tuple[EntryCollector, ...]:
        if GLUE20 in self.versions:
            return (Glue2Collector(self.rules, list(self.capabilities or ())),)
        return ()


class Source(Protocol):
    """One information system, read into a model.

    ``read`` raises SourceUnavailable when it cannot answer (down, hung, refused), so a
    failover list moves on; InputError when what it read is broken.
    """

    origin: str

    def read(self, request: ReadRequest) -> GlueModel: ...


class Reader(Protocol):
    """A stream of GLUE entries from one source.

    ``partial`` is read after ``entries()`` is exhausted: ``None`` when the source gave
    everything, else why it did not (size limit, lost connection, ...).
    """

    origin: str
    partial: str | None

    def entries(self) -> Iterator[Entry]: ...


def read_model(reader: Reader, *others: EntryCollector) -> GlueModel:
    """Run an entry stream to the end and join what it gave into a model."""
    builder = ModelBuilder(*others)
    for entry in reader.entries():
        builder.add(entry)
    return builder.build(reader.origin, reader.partial)


class ServingCEs:
    """For a reader that leaves out the CEs serving none of its VOs: the CE IDs it gave,
    and those the VOViews it gave name (a CE can serve a VO through a VOView alone), so
    it can still give those CEs. IDs compare without case: giving a CE too many does no
    harm (the evaluation assesses only CEs that serve the VO), one too few would."""

    def __init__(self) -> None:
        self._given: set[str] = set()
        self._named: dict[str, None] = {}

    def saw(self, entry: Entry) -> None:
        if entry.kind == "gluece":
            self._given.add((entry.first("glueceuniqueid") or "").strip().lower())
        elif entry.kind == "gluevoview":
            for ce_id in view_ce_ids(entry):
                self._named.setdefault(ce_id.lower(), None)

    def missing(self) -> list[str]:
        """The CE IDs (lower-case) VOViews name that no CE given has, in the order named."""
        return [i for i in self._named if i and i not in self._given]


# (wanted classes and attributes, the VOs of the answer, whether only CEs serving them
# are needed) -> a Reader; see ReadRequest.
ReaderFactory = Callable[[Mapping[str, tuple[str, ...]], Sequence[str] | None, bool], Reader]


class EntrySource:
    """A source of directory entries (LDAP, LDIF): a Reader per request, joined by the
    GLUE builders. ``snapshot`` reads the entries themselves through ``reader``."""

    def __init__(self, origin: str, open_reader: ReaderFactory) -> None:
        self.origin = origin
        self._open_reader = open_reader

    def reader(
        self,
        wanted: Mapping[str, tuple[str, ...]],
        vos: Sequence[str] | None = None,
        serving_only: bool = False,
    ) -> Reader:
        return self._open_reader(wanted, vos, serving_only)

    def read(self, request: ReadRequest) -> GlueModel:
        reader = self.reader(request.wanted(), request.vos, request.serving_only)
        return read_model(reader, *request.collectors())


@dataclass(frozen=True)
class SourceKind:
    """One kind of source: which --bdii items it claims, and how it opens one.

    ``open`` checks the item and raises UsageError when it is malformed; it must not
    read anything yet (every item of a failover list is checked before any is read).
    """

    name: str
    claims: Callable[[str], bool]
    open: Callable[[str, SourceSettings], Source]


KINDS: list[SourceKind] = []


def register(kind: SourceKind) -> SourceKind:
    """Add a kind; a kind registered later is asked first (the built-in LDAP kind, which
    takes any host name, is the last resort)."""
    KINDS.insert(0, kind)
    return kind


def kind_for(item: str) -> SourceKind:
    for kind in KINDS:
        if kind.claims(item):
            return kind
    raise LookupError(item)  # the LDAP kind claims everything: only without it
