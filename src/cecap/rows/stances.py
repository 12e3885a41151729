"""Rows step for `cecap stances`: each respondent's questionnaire answers, from the config
alone (it needs no model, no verdict and no history)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..policy.stances import Answer, Stance
from .table import Column, Row, Table

STANCE_FIELDS = (
    "respondent",
    "mupj",
    "glexec_setuid",
    "glexec_log_only",
    "bypass_on_error",
    "mupj_text",
    "glexec_setuid_text",
    "glexec_log_only_text",
    "bypass_on_error_text",
    "scopes",
)


def stance_table(stances: Iterable[Stance], meta: Mapping[str, Any]) -> Table:
    rows = []
    for st in stances:
        answers: dict[str, Answer[Any]] = {
            "mupj": st.mupj,
            "glexec_setuid": st.glexec_setuid,
            "glexec_log_only": st.glexec_log_only,
            "bypass_on_error": st.bypass_on_error,
        }
        row: Row = {"respondent": st.respondent}
        row.update({q: a.value.value for q, a in answers.items()})
        row.update({f"{q}_text": a.text for q, a in answers.items()})
        row["scopes"] = "; ".join(
            f"{q} {sc.kind} {sc.name}: {sc.value.value}"
            for q, a in answers.items()
            for sc in a.scopes
        )
        rows.append(row)
    return Table(
        kind="stances",
        fields=STANCE_FIELDS,
        rows=rows,
        compact=(
            Column("respondent", "respondent"),
            Column("mupj", "MUPJ", spill=4),
            Column("glexec_setuid", "setuid", spill=3),
            Column("glexec_log_only", "log-only", spill=2),
            Column("bypass_on_error", "bypass", spill=1),
        ),
        note_fields=("scopes",),
        meta=meta,
        key=("respondent",),
    )
