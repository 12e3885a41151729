"""The test list as rows: per experiment, each CE to run its glexec test against."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..evaluate.testlist import Target
from ..model.questions import reading_for
from .table import Column, Table

TESTLIST_FIELDS = (
    "experiment",
    "vo",
    "site",
    "ce",
    "host",
    "port",
    "queue",
    "batch_system",
    "flavour",
    "verdict",
    "mode",
    "fail_closed",
)


def testlist_table(targets: Iterable[Target], meta: Mapping[str, Any]) -> Table:
    rows = []
    for t in targets:
        a = t.assessment
        reading = reading_for(a.ce, a.experiment.vo)
        rows.append(
            {
                "experiment": a.experiment.key,
                "vo": a.experiment.vo,
                "site": a.ce.site,
                "ce": a.ce.unique_id,
                "host": reading.host,
                "port": reading.port,
                "queue": reading.queue or None,
                "batch_system": reading.batch_system or None,
                "flavour": reading.flavour,
                "verdict": a.verdict.value,
                "mode": a.mode.value if a.mode else None,
                "fail_closed": a.fail_closed,
            }
        )
    return Table(
        kind="testlist",
        fields=TESTLIST_FIELDS,
        rows=rows,
        compact=(
            Column("experiment", "exp"),
            Column("site", "site", spill=3),
            Column("ce", "ce"),
            Column("flavour", "flavour", spill=2),
            Column("verdict", "verdict"),
            Column("mode", "mode", spill=1),
            Column("fail_closed", "fail closed", spill=1),
        ),
        meta=meta,
        key=("ce",),
    )
