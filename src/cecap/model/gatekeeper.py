"""Where a pilot system submits to a CE: its kind, host, port, batch system and queue, read
from the CE's ID (GLUE 1.3) or endpoint (GLUE 2.0), and the same read back from a glideinWMS
factory entry's ``gridtype``, ``gatekeeper`` and ``rsl``, so the two can be matched.

The glideinWMS forms (factory configuration of glideinWMS v3_4_6, doc/factory/
configuration.html and creation/lib/cgWCreate.py, the last release with both GRAM 2 and
glexec):

- GRAM 2 (``gridtype="gt2"``; OSG CEs and the lcg-CE): ``gatekeeper="host:2119/jobmanager-
  LRMS"``, ``rsl="(queue=QUEUE)(jobtype=single)"``, from the CE ID
  ``host:2119/jobmanager-LRMS-QUEUE``;
- CREAM (``gridtype="cream"``): ``gatekeeper="host:8443/cream-LRMS-QUEUE"``, the CE ID
  itself, no rsl;
- HTCondor-CE (``gridtype="condor"``, a GLUE 2.0 endpoint): ``gatekeeper="host host:9619"``
  (the schedd's name, then its collector; 9619, HTCondor-CE's port, where the endpoint's
  URL names none);
- ARC (``gridtype="nordugrid"``): ``gatekeeper="host"``, ``rsl="(queue=QUEUE)"`` where the
  CE ID names its queue (``host:2811/nordugrid-LRMS-QUEUE``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .glue import CE, GLUE20

GT2 = "gt2"
CREAM = "cream"
CONDOR = "condor"
NORDUGRID = "nordugrid"

GRAM_PORT = 2119
CREAM_PORT = 8443
HTCONDOR_CE_PORT = 9619

# host[:port]/(jobmanager|cream|nordugrid)-LRMS[-QUEUE]: the LRMS is the first word, the
# queue everything after it (queue names may hold dashes).
_CE_ID = re.compile(
    r"^(?P<host>[^:/\s]+)(?::(?P<port>\d+))?/(?P<service>jobmanager|cream|nordugrid)"
    r"-(?P<lrms>[^-/\s]+)(?:-(?P<queue>[^/\s]+))?$",
    re.IGNORECASE,
)
_RSL_QUEUE = re.compile(r"\(\s*queue\s*=\s*\"?([^)\"\s]+)\"?\s*\)", re.IGNORECASE)
_SERVICE_KIND = {"jobmanager": GT2, "cream": CREAM, "nordugrid": NORDUGRID}
_DEFAULT_PORT = {GT2: GRAM_PORT, CREAM: CREAM_PORT, CONDOR: HTCONDOR_CE_PORT}


@dataclass(frozen=True, slots=True)
class Gatekeeper:
    """Where pilots are submitted: the kind (a glideinWMS grid type), host, port, batch
    system and queue ("" where not known)."""

    kind: str
    host: str
    port: int | None
    lrms: str = ""
    queue: str = ""

    @property
    def _port(self) -> int | None:
        return self.port or _DEFAULT_PORT.get(self.kind)

    @property
    def gatekeeper(self) -> str:
        """The factory entry's ``gatekeeper``."""
        port = self._port
        if self.kind == GT2:
            return f"{self.host}:{port}/jobmanager-{self.lrms}"
        if self.kind == CREAM:
            return f"{self.host}:{port}/cream-{self.lrms}-{self.queue}"
        if self.kind == CONDOR:
            return f"{self.host} {self.host}:{port}"
        return self.host

    @property
    def rsl(self) -> str | None:
        """The factory entry's ``rsl``, where the grid type takes the queue there."""
        if self.kind == GT2:
            return f"(queue={self.queue})(jobtype=single)" if self.queue else "(jobtype=single)"
        if self.kind == NORDUGRID and self.queue:
            return f"(queue={self.queue})"
        return None

    def matches(self, other: Gatekeeper) -> bool:
        """Whether a factory entry's gatekeeper (``other``) submits to this CE: the same
        kind and host (any case), the same port where both have one (each kind's default where
        none is named), the
        same batch system where both name one, and the same queue where both name one."""
        return (
            self.kind == other.kind
            and self.host.lower() == other.host.lower()
            and (self._port is None or other._port is None or self._port == other._port)
            and (not self.lrms or not other.lrms or self.lrms.lower() == other.lrms.lower())
            and (not other.queue or not self.queue or self.queue == other.queue)
        )


def of_ce(ce: CE) -> Gatekeeper | None:
    """Where pilots go for ``ce``; None for a CE whose kind glideinWMS has no form for here
    (a GLUE 2.0 CREAM endpoint, whose queue the model does not hold, or an unknown kind)."""
    if ce.glue_version == GLUE20:
        return _of_endpoint(ce)
    found = _CE_ID.match(ce.unique_id.strip())
    if not found:
        return None
    kind = _SERVICE_KIND[found["service"].lower()]
    port = _number(found["port"])
    queue = found["queue"] or ""
    if kind == CREAM and not queue:
        return None
    return Gatekeeper(kind, found["host"], port, found["lrms"], queue)


def _of_endpoint(ce: CE) -> Gatekeeper | None:
    impl = ce.implementation.strip().lower().replace("-", "").replace(" ", "")
    if "htcondorce" in impl:
        return Gatekeeper(CONDOR, ce.host, None)
    if impl.startswith(("arc", "nordugrid", "org.nordugrid")):
        return Gatekeeper(NORDUGRID, ce.host, None)
    return None


def of_entry(gridtype: str, gatekeeper: str, rsl: str | None) -> Gatekeeper | None:
    """What a factory entry submits to; None for a grid type cecap cannot match to a CE
    (ec2, gce, batch ...)."""
    kind = gridtype.strip().lower()
    words = gatekeeper.split()
    if not words:
        return None
    if kind in (GT2, "gt5", CREAM):
        found = _CE_ID.match(words[0])
        service = {"gt5": "jobmanager", GT2: "jobmanager", CREAM: "cream"}[kind]
        if not found or found["service"].lower() != service:
            return None
        port = _number(found["port"])
        if kind == CREAM:
            return Gatekeeper(CREAM, found["host"], port, found["lrms"], found["queue"] or "")
        return Gatekeeper(GT2, found["host"], port, found["lrms"], _rsl_queue(rsl))
    if kind == CONDOR:
        # "schedd collector:port": the CE's host is the schedd's, its port the collector's.
        host = words[0].split("@")[-1].split(":")[0]
        return Gatekeeper(CONDOR, host, _number(words[-1].rpartition(":")[2]))
    if kind == NORDUGRID:
        return Gatekeeper(
            NORDUGRID, words[0].split(":")[0].split("/")[0], None, "", _rsl_queue(rsl)
        )
    return None


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def _rsl_queue(rsl: str | None) -> str:
    found = _RSL_QUEUE.search(rsl or "")
    return found.group(1) if found else ""
