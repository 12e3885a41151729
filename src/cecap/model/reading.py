"""One reading of a CE, made once and carried on it: its middleware, the flavour a VO feed
names, host, port, batch system and queue, and every form a pilot factory may name it in.

What is read, in this order (the first that says wins):

- the implementation name (GlueCEImplementationName; GLUE 2.0:
  GLUE2EndpointImplementationName): ``CREAM``, ``LCG-CE``, ``ARC-CE``, ``nordugrid-arc``,
  ``HTCondorCE``, ``Globus``; OSG's GIP of 2008 published ``UNDEFINED``;
- the GLUE 2.0 interface name (GLUE2EndpointInterfaceName): ``org.glite.ce.CREAM``,
  ``org.nordugrid.gridftpjob``, ``org.nordugrid.arcrest``, ``org.ogf.glue.emies``,
  ``org.ogf.bes``, ``org.opensciencegrid.htcondorce``, ``org.globus.gram``;
- the GLUE 1.3 CE ID, ``host:port/service-lrms-queue``: ``host:8443/cream-pbs-long``
  (CREAM), ``host:2119/jobmanager-lcgpbs-atlas`` (lcg-CE), ``host:2119/jobmanager-condor-
  atlas`` (an OSG CE, Globus GRAM 2), ``host:2811/nordugrid-torque-queue`` (ARC), any
  service on ``host:9619`` (HTCondor-CE's port). The queue is everything after the second
  ``-`` (queues may hold dashes); OSG CEs may name no batch system
  (``jobmanager--gugrid``) or no queue (``jobmanager-condor``). A GLUE 2.0 endpoint ID has
  none of this form: its host and port come from its URL, its queue from its shares, its
  batch system from its service's manager (GLUE2ManagerProductName, read as the word a
  CREAM CE ID holds: model.glue2), which a CREAM endpoint's gatekeeper names.

The flavour is one the CMS VO-feed readers take as a CE: their table
(CMSCompOps/MonitoringScripts, vofeed/vofeed.py, ``flavour2category``, lines 101-118)
knows ``CE``, ``CREAM-CE``, ``ARC-CE`` and ``HTCONDOR-CE`` and files any other flavour
under no category; its ``type2flavour`` (lines 64-98) writes ``CE`` for ``GLOBUS`` and
``gLite-CE``. So an lcg-CE, an OSG GRAM CE and a CE of unknown middleware are ``CE``.

The glideinWMS forms (glideinWMS 3.4.x: creation/lib/cgWCreate.py writes ``Grid_Resource
= <gridtype> <gatekeeper>``, whatever HTCondor's grid universe takes; see docs/pilots.md):

- GRAM 2 (``gt2``; OSG CEs and the lcg-CE): ``host:2119/jobmanager-LRMS``, the queue in
  ``rsl="(queue=QUEUE)(jobtype=single)"``; a factory may leave out the port, the job
  manager, or both (``host``, ``host:2119``, ``host/jobmanager-LRMS``);
- CREAM (``cream``): the CE ID, ``host:8443/cream-LRMS-QUEUE``, or HTCondor's long form
  ``https://host:8443/ce-cream/services/CREAM2 LRMS QUEUE``;
- HTCondor-CE (``condor``): ``host host:9619``, the schedd's name, then its collector;
- ARC (``nordugrid``): the host, the queue in ``rsl="(queue=QUEUE)"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import Enum
from urllib.parse import urlsplit

GT2 = "gt2"
CREAM = "cream"
CONDOR = "condor"
NORDUGRID = "nordugrid"

GRAM_PORT = 2119
CREAM_PORT = 8443
HTCONDOR_CE_PORT = 9619
ARC_PORT = 2811
_DEFAULT_PORT = {GT2: GRAM_PORT, CREAM: CREAM_PORT, CONDOR: HTCONDOR_CE_PORT}
CREAM_PATH = "/ce-cream/services/CREAM2"
# The grid types of entries that submit to a CE a BDII publishes (gt5 is GRAM 5, read as gt2).
GRID_TYPES = (GT2, "gt5", CREAM, CONDOR, NORDUGRID)


class Middleware(Enum):
    """What runs the CE; the value is how cecap names it to people."""

    CREAM = "CREAM"
    LCG_CE = "lcg-CE"
    OSG_GRAM = "OSG GRAM"
    ARC = "ARC"
    HTCONDOR_CE = "HTCondor-CE"
    UNKNOWN = "unknown"

    @property
    def flavour(self) -> str:
        """The service flavour a VO feed names (see the module doc)."""
        return _FLAVOUR.get(self, "CE")

    @property
    def grid_type(self) -> str | None:
        """The glideinWMS grid type pilots are submitted with; None where there is none."""
        return _GRID_TYPE.get(self)


_FLAVOUR = {
    Middleware.CREAM: "CREAM-CE",
    Middleware.ARC: "ARC-CE",
    Middleware.HTCONDOR_CE: "HTCONDOR-CE",
}
_GRID_TYPE = {
    Middleware.CREAM: CREAM,
    Middleware.LCG_CE: GT2,
    Middleware.OSG_GRAM: GT2,
    Middleware.ARC: NORDUGRID,
    Middleware.HTCONDOR_CE: CONDOR,
}

# Implementation and interface names, lower-cased without blanks, dashes and underscores.
_BY_NAME = {
    "cream": Middleware.CREAM,
    "orgglitececream": Middleware.CREAM,
    "lcgce": Middleware.LCG_CE,
    "arc": Middleware.ARC,
    "arcce": Middleware.ARC,
    "nordugridarc": Middleware.ARC,
    "htcondorce": Middleware.HTCONDOR_CE,
    "orgopensciencegridhtcondorce": Middleware.HTCONDOR_CE,
    "globus": Middleware.OSG_GRAM,
    "orgglobusgram": Middleware.OSG_GRAM,
}
_ARC_PREFIXES = ("nordugrid", "orgnordugrid", "orgogfglueemies", "orgogfbes")
_SQUEEZE = re.compile(r"[\s\-_.]+")
# A batch system as a CE ID's word holds it: no dash, slash or blank.
_WORD = re.compile(r"[A-Za-z0-9_.]+")

# host:port/service[-word[-queue]]; the port is required, as every GLUE 1.3 CE ID has one.
_CE_ID = re.compile(
    r"^(?P<host>[^:/\s]+):(?P<port>\d+)/(?P<service>[A-Za-z0-9_.]+)"
    r"(?:-(?P<word>[^-/\s]*)(?:-(?P<queue>[^/\s]*))?)?$"
)


def _by_name(name: str) -> Middleware | None:
    key = _SQUEEZE.sub("", name.strip().lower())
    if not key or key == "undefined":
        return None
    found = _BY_NAME.get(key)
    if found is None and key.startswith(_ARC_PREFIXES):
        found = Middleware.ARC
    if found is None and "htcondorce" in key:
        found = Middleware.HTCONDOR_CE
    return found


def _by_id(service: str, word: str, port: int | None) -> Middleware:
    service = service.lower()
    if port == HTCONDOR_CE_PORT or service in ("htcondorce", "htcondor", "condorce"):
        return Middleware.HTCONDOR_CE
    if service == "cream":
        return Middleware.CREAM
    if service == "nordugrid":
        return Middleware.ARC
    if service == "jobmanager":
        return Middleware.LCG_CE if word.lower().startswith("lcg") else Middleware.OSG_GRAM
    return Middleware.UNKNOWN


@dataclass(frozen=True, slots=True)
class CEReading:
    """What cecap reads a CE as; "" or None where it does not say.

    ``job_manager`` is the word after the service in a GLUE 1.3 CE ID (``lcgpbs`` for an
    lcg-CE's ``jobmanager-lcgpbs``, ``pbs`` for CREAM's ``cream-pbs``): what a gatekeeper
    names; ``batch_system`` is the batch system behind it (``pbs`` for both)."""

    middleware: Middleware
    host: str
    port: int | None = None
    batch_system: str = ""
    queue: str = ""
    job_manager: str = ""

    @property
    def flavour(self) -> str:
        return self.middleware.flavour

    @property
    def grid_type(self) -> str | None:
        return self.middleware.grid_type

    @property
    def submit_port(self) -> int | None:
        """The port pilots go to: the one read, else the grid type's own."""
        return self.port or _DEFAULT_PORT.get(self.grid_type or "")

    @property
    def gatekeeper(self) -> str | None:
        """The ``gatekeeper`` cecap writes in a factory entry; None where the CE's kind has
        no form, or the form needs what the CE does not say (the job manager of a GRAM or
        CREAM CE, CREAM's queue)."""
        kind, port = self.grid_type, self.submit_port
        if kind == GT2:
            # GRAM's bare "jobmanager" is the gatekeeper's default, often fork: not a guess
            # cecap makes.
            return f"{self.host}:{port}/jobmanager-{self.job_manager}" if self.job_manager else None
        if kind == CREAM:
            if not (self.job_manager and self.queue):
                return None
            return f"{self.host}:{port}/cream-{self.job_manager}-{self.queue}"
        if kind == CONDOR:
            return f"{self.host} {self.host}:{port}"
        if kind == NORDUGRID:
            return self.host
        return None

    @property
    def rsl(self) -> str | None:
        """The entry's ``rsl``, where the grid type takes the queue there."""
        if self.grid_type == GT2:
            return f"(queue={self.queue})(jobtype=single)" if self.queue else "(jobtype=single)"
        if self.grid_type == NORDUGRID and self.queue:
            return f"(queue={self.queue})"
        return None

    @property
    def gatekeepers(self) -> tuple[str, ...]:
        """Every ``gatekeeper`` a factory may write for this CE (see the module doc), the
        one cecap writes first; empty where there is none."""
        main = self.gatekeeper
        if main is None:
            return ()
        kind, host, port = self.grid_type, self.host, self.submit_port
        if kind == GT2:
            tail = main.partition("/")[2]
            others: tuple[str, ...] = (f"{host}/{tail}", f"{host}:{port}", host)
        elif kind == CREAM:
            others = (f"https://{host}:{port}{CREAM_PATH} {self.job_manager} {self.queue}",)
        elif kind == CONDOR:
            others = (host,)
        else:
            others = ()
        return (main, *others)

    def with_queue(self, queue: str) -> CEReading:
        """The same CE read for one of its queues (a GLUE 2.0 share's)."""
        return replace(self, queue=queue) if queue and not self.queue else self

    def accepts(self, target: EntryTarget) -> bool:
        """Whether a factory entry read as ``target`` submits to this CE: the same grid
        type and host (any case), the same port where both name one (each grid type's own
        where none is named), the same job manager or batch system where both name one,
        and the same queue where both name one."""
        kind = self.grid_type
        if kind is None or kind != target.grid_type:
            return False
        if self.host.lower() != target.host.lower():
            return False
        theirs = target.port or _DEFAULT_PORT.get(kind)
        ours = self.submit_port
        if ours is not None and theirs is not None and ours != theirs:
            return False
        mine = self.job_manager or self.batch_system
        if mine and target.job_manager and mine.lower() != target.job_manager.lower():
            return False
        return not (self.queue and target.queue and self.queue != target.queue)


def read_ce(
    unique_id: str,
    host: str,
    *,
    implementation: str = "",
    interface: str = "",
    url: str = "",
    lrms: str = "",
) -> CEReading:
    """The reading of a CE (see the module doc) from what it publishes: its ID, its host,
    its implementation name, a GLUE 2.0 endpoint's interface name and URL, and its
    published batch system (GlueCEInfoLRMSType)."""
    named = _by_name(implementation) or _by_name(interface)
    found = _CE_ID.match(unique_id.strip())
    if found is None:
        port = _url_port(url)
        middleware = named or (
            Middleware.HTCONDOR_CE if port == HTCONDOR_CE_PORT else Middleware.UNKNOWN
        )
        batch = lrms.strip()
        # A GLUE 2.0 CREAM endpoint: its gatekeeper names the batch system its manager
        # publishes (model.glue2), as a CE ID would.
        job_manager = batch if middleware is Middleware.CREAM and _WORD.fullmatch(batch) else ""
        return CEReading(
            middleware, host.strip() or unique_id.strip(), port, batch, job_manager=job_manager
        )
    port = int(found["port"])
    word = found["word"] or ""
    middleware = named or _by_id(found["service"], word, port)
    batch = word[3:] if middleware is Middleware.LCG_CE and word.lower().startswith("lcg") else word
    return CEReading(
        middleware,
        found["host"],
        port,
        batch or lrms.strip(),
        found["queue"] or "",
        word,
    )


def _url_port(url: str) -> int | None:
    url = url.strip()
    try:
        return urlsplit(url if "://" in url else f"//{url}").port
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class EntryTarget:
    """Where a factory entry submits, read from its ``gridtype``, ``gatekeeper`` and
    ``rsl``: the grid type (``gt5`` read as ``gt2``), host, port, job manager or batch
    system, and queue ("" or None where the entry does not say)."""

    grid_type: str
    host: str
    port: int | None = None
    job_manager: str = ""
    queue: str = ""


_HOST = r"(?P<host>[A-Za-z0-9][A-Za-z0-9.\-]*)"
_GT2 = re.compile(
    rf"^{_HOST}(?::(?P<port>\d+))?(?:/jobmanager(?:-(?P<jm>[^-/\s:]*))?)?$",
    re.IGNORECASE,
)
_CREAM_ID = re.compile(
    rf"^{_HOST}(?::(?P<port>\d+))?/cream-(?P<jm>[^-/\s]+)-(?P<queue>[^/\s]+)$", re.IGNORECASE
)
_RSL_QUEUE = re.compile(r"\(\s*queue\s*=\s*\"?([^)\"\s]+)\"?\s*\)", re.IGNORECASE)
_HOST_PORT = re.compile(rf"^{_HOST}(?::(?P<port>\d+))?$")


def read_entry(gridtype: str, gatekeeper: str, rsl: str | None) -> EntryTarget | None:
    """Where a factory entry submits; None where cecap does not understand its form (a
    grid type no BDII publishes, such as ec2 or batch, or a gatekeeper of no form above)."""
    kind = gridtype.strip().lower()
    words = gatekeeper.split()
    if not words:
        return None
    if kind in (GT2, "gt5"):
        found = _GT2.match(words[0]) if len(words) == 1 else None
        if found is None:
            return None
        return EntryTarget(
            GT2, found["host"], _number(found["port"]), found["jm"] or "", _rsl_queue(rsl)
        )
    if kind == CREAM:
        return _cream(words)
    if kind == CONDOR:
        return _condor(words)
    if kind == NORDUGRID:
        return _nordugrid(words, rsl)
    return None


def _cream(words: list[str]) -> EntryTarget | None:
    if words[0].lower().startswith("https://"):
        if len(words) != 3:
            return None
        try:
            url = urlsplit(words[0])
            host, port = url.hostname, url.port
        except ValueError:
            return None
        if not host or not url.path.lower().startswith("/ce-cream/"):
            return None
        return EntryTarget(CREAM, host, port, words[1], words[2])
    found = _CREAM_ID.match(words[0]) if len(words) == 1 else None
    if found is None:
        return None
    return EntryTarget(CREAM, found["host"], _number(found["port"]), found["jm"], found["queue"])


def _condor(words: list[str]) -> EntryTarget | None:
    # "schedd collector:port": the CE's host is the schedd's, its port the collector's.
    if len(words) > 2:
        return None
    schedd = _HOST_PORT.match(words[0].rpartition("@")[2])
    collector = _HOST_PORT.match(words[-1])
    if schedd is None or collector is None:
        return None
    return EntryTarget(CONDOR, schedd["host"], _number(collector["port"]))


def _nordugrid(words: list[str], rsl: str | None) -> EntryTarget | None:
    if len(words) != 1:
        return None
    text = words[0]
    if "://" in text:
        try:
            url = urlsplit(text)
            host, port = url.hostname, url.port
        except ValueError:
            return None
        if not host:
            return None
        return EntryTarget(NORDUGRID, host, port, "", _rsl_queue(rsl))
    found = _HOST_PORT.match(text.rstrip("/"))
    if found is None:
        return None
    return EntryTarget(NORDUGRID, found["host"], _number(found["port"]), "", _rsl_queue(rsl))


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def _rsl_queue(rsl: str | None) -> str:
    found = _RSL_QUEUE.search(rsl or "")
    return found.group(1) if found else ""
