"""What a GLUE 1.3 CE ID says: host, port, and the service, batch system and queue after it.

A GlueCEUniqueID is ``host:port/service-lrms-queue``: ``ce.example.org:8443/cream-pbs-long``
(CREAM), ``ce.example.org:2119/jobmanager-lcgpbs-atlas`` (lcg-CE),
``gate01.aglt2.org:2119/jobmanager-condor-atlas`` (an OSG CE, Globus GRAM 2),
``ce.example.org:2811/nordugrid-torque-queue`` (ARC). The queue is everything after the
second ``-`` (queues may hold dashes: ``jobmanager-lsf-kipac-long``); OSG CEs often name
no queue (``jobmanager-condor``). A GLUE 2.0 endpoint ID has none of this form.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CEAddress:
    """The parts of a CE ID; None where the ID does not say."""

    host: str
    port: int | None = None
    service: str | None = None  # cream, jobmanager, nordugrid, ...
    lrms: str | None = None
    queue: str | None = None


def parse_ce_id(ce_id: str, host: str = "") -> CEAddress:
    """The parts of ``ce_id``; ``host`` (the CE's published host) when the ID has no
    ``host:port/`` form, as a GLUE 2.0 endpoint ID."""
    authority, slash, path = ce_id.strip().partition("/")
    name, colon, port_text = authority.rpartition(":")
    if not (slash and colon and name and port_text.isdigit()):
        return CEAddress(host or authority)
    service, _, rest = path.partition("-")
    lrms, _, queue = rest.partition("-")
    return CEAddress(
        host=name,
        port=int(port_text),
        service=service or None,
        lrms=lrms or None,
        queue=queue or None,
    )
