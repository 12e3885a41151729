"""What cecap hands the pilot systems, as rows: per experiment and CE whether pilots may use
glexec (per-queue flags, ``cecap export``; the same as a glideinWMS factory configuration
is export's own format, formats.glideinwms), and the factory audit's findings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..evaluate.factory import FactoryFinding, Reliability
from ..evaluate.verdicts import Assessment, Verdict
from ..model.glue import GLUE13
from ..model.questions import readings_for
from .table import Column, Table

# Where pilots may use glexec unless --verdict says otherwise.
GLEXEC_VERDICTS = frozenset({Verdict.READY})


def glexec_allowed(
    a: Assessment,
    reliability: Reliability | None,
    reliable_only: bool,
    verdicts: frozenset[Verdict] = GLEXEC_VERDICTS,
) -> bool:
    """Pilots may use glexec: the verdict is one of ``verdicts`` (ready unless told), or
    (``reliable_only``) test results show glexec reliable there."""
    if reliable_only and reliability is not None:
        return reliability.get((a.experiment.key, a.ce.unique_id)) is True
    return a.verdict in verdicts


QUEUE_FIELDS = (
    "experiment",
    "vo",
    "site",
    "ce",
    "queue",
    "host",
    "port",
    "lrms",
    "glexec",
    "verdict",
    "mode",
    "fail_closed",
    "reliable",
)


def queue_table(
    assessments: Iterable[Assessment],
    meta: Mapping[str, Any],
    reliability: Reliability | None = None,
    reliable_only: bool = False,
    verdicts: frozenset[Verdict] = GLEXEC_VERDICTS,
) -> Table:
    """Per experiment, CE and queue, the flags a pilot system's queue configuration needs."""
    rows = []
    for a in assessments:
        # One row per queue: a GLUE 2.0 endpoint has one per queue of its shares for the VO.
        for reading in readings_for(a.ce, a.experiment.vo):
            queue = reading.queue or (a.ce.name if a.ce.glue_version == GLUE13 else "")
            rows.append(
                {
                    "experiment": a.experiment.key,
                    "vo": a.experiment.vo,
                    "site": a.ce.site,
                    "ce": a.ce.unique_id,
                    "queue": queue or None,
                    "host": a.ce.host,
                    "port": reading.port,
                    "lrms": a.ce.lrms or reading.batch_system or None,
                    "glexec": glexec_allowed(a, reliability, reliable_only, verdicts),
                    "verdict": a.verdict.value,
                    "mode": a.mode.value if a.mode else None,
                    "fail_closed": a.fail_closed,
                    "reliable": None
                    if reliability is None
                    else reliability.get((a.experiment.key, a.ce.unique_id)),
                }
            )
    return Table(
        kind="export",
        fields=QUEUE_FIELDS,
        rows=rows,
        compact=(
            Column("experiment", "exp"),
            Column("site", "site", spill=2),
            Column("ce", "ce"),
            Column("glexec", "glexec"),
            Column("mode", "mode", spill=1),
        ),
        meta=meta,
        key=("experiment", "ce", "queue"),
    )


FACTORY_FIELDS = (
    "entry",
    "kind",
    "severity",
    "experiment",
    "vo",
    "site",
    "ce",
    "verdict",
    "glexec_bin",
    "gatekeeper",
    "message",
    "file",
)


def factory_table(findings: Sequence[FactoryFinding], meta: Mapping[str, Any]) -> Table:
    """The factory audit's findings, one row per entry, experiment, kind and CE."""
    rows = [
        {
            "entry": f.entry.name,
            "kind": f.kind.value,
            "severity": f.severity.value,
            "experiment": f.experiment or None,
            "vo": f.vo or None,
            "site": f.site or None,
            "ce": f.ce or None,
            "verdict": f.verdict.value if f.verdict else None,
            "glexec_bin": f.entry.glexec_bin,
            "gatekeeper": f.entry.gatekeeper,
            "message": f.message,
            "file": f.entry.file or None,
        }
        for f in findings
    ]
    return Table(
        kind="audit-factory",
        fields=FACTORY_FIELDS,
        rows=rows,
        compact=(
            Column("entry", "entry"),
            Column("kind", "kind"),
            Column("experiment", "exp"),
            Column("ce", "ce", spill=1),
        ),
        note_fields=("message",),
        meta=meta,
        key=("entry", "kind", "vo"),
    )
