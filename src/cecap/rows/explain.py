"""Rows step for `cecap explain`: one row per CE and experiment, complete for JSON (the
readable blocks the terminal shows are explain's own format, formats.explain)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ..evaluate.explain import Explanation
from ..evaluate.reliable import Reliability
from ..evaluate.rules import READS, Step
from ..policy.stances import is_pattern
from ..text import stamp
from .report import tests_summary
from .table import Column, Row, Table

EXPLAIN_FIELDS = (
    "experiment",
    "vo",
    "site",
    "ce",
    "dn",
    "glue",
    "state",
    "targets_states",
    "serves",
    "access_rules",
    "capability",
    "capabilities",
    "published",
    "respondent",
    "matched_by",
    "cluster_scope",
    "accepted_modes",
    "answers",
    "rules",
    "verdict",
    "mode",
    "fail_closed",
    "reason",
    "reliable",
)
APPLIES = "applies"
SKIPPED = "does not apply"
UNTRIED = "not tried"


def _on(voview: str | None) -> str:
    return "CE" if voview is None else f"VOView {voview}"


def _matched_by(e: Explanation) -> dict[str, str | None] | None:
    if e.site is None:
        return None
    if e.site.entry is None:
        return {"how": "own name", "entry": None}
    kind = "sites.yaml pattern" if is_pattern(e.site.entry) else "sites.yaml name"
    return {"how": kind, "entry": e.site.entry}


def _answers(e: Explanation) -> list[Row]:
    r = e.resolved
    if r is None:
        return []
    values = r.values()
    out = []
    for question, answer in r.stance.answers().items():
        scope = r.scoped.get(question)
        out.append(
            {
                "question": question,
                "text": answer.text,
                "value": answer.value.value,
                "scope": None
                if scope is None
                else {"kind": scope.kind, "name": scope.name, "value": scope.value.value},
                "resolved": values[question].value,
            }
        )
    return out


def _step(step: Step) -> Row:
    o = step.outcome
    return {
        "rule": step.rule,
        "reads": list(step.reads),
        "outcome": SKIPPED if o is None else APPLIES,
        "verdict": None if o is None else o.verdict.value,
        "reason": None if o is None else o.reason,
    }


def _reliable(e: Explanation, r: Reliability, now: datetime) -> Row:
    """The evidence of reliability: the experiment's rule and window, the results counted
    in it, and what they make of the CE (report's ``reliable`` and ``tests``)."""
    rule = e.experiment.reliable
    tests = tests_summary(r, now)
    return {
        "reliable": r.reliable,
        "rule": {
            "window": rule.window_text,
            "min_results": rule.min_results,
            "min_ok_ratio": rule.min_ok_ratio,
            "last_must_be_ok": rule.last_must_be_ok,
        },
        "since": stamp(now - rule.window),
        "metrics": list(e.experiment.metrics),
        "held_ready": r.held_ready,
        "missed": list(r.missed),
        "observed_mode": r.observed.mode.value,
        "evidence": [
            {
                "time": stamp(seen.result.time),
                "status": seen.result.status.value,
                "metric": seen.result.metric,
                "line": seen.line or None,
            }
            for seen in r.observed.evidence
        ],
        "tests": None if tests is None else tests.doc,
        "summary": None if tests is None else str(tests),
    }


def _row(
    e: Explanation, judged: Mapping[tuple[str, str], Reliability] | None, now: datetime
) -> Row:
    ce, exp, a = e.ce, e.experiment, e.assessment
    vo = exp.vo.lower()
    cluster = e.resolved.cluster if e.resolved else None
    published = [{"on": "CE", "attribute": k, "value": v} for k, v in ce.published]
    published += [
        {"on": _on(view.local_id), "attribute": k, "value": v}
        for view in ce.voviews
        for k, v in view.published
    ]
    return {
        "experiment": exp.key,
        "vo": exp.vo,
        "site": ce.site,
        "ce": ce.unique_id,
        "dn": ce.dn,
        "glue": ce.glue_version,
        "state": ce.state,
        "targets_states": list(exp.states),
        "serves": e.serves,
        "access_rules": [
            {"on": _on(r.voview), "rule": r.rule, "vo": r.vo, "serves_vo": r.vo == vo}
            for r in e.rules
        ],
        "capability": e.capability,
        "capabilities": [
            {
                "on": _on(c.voview),
                "value": c.value,
                "names_capability": c.names_capability,
                "for_vo": c.for_vo,
                "counts": c.counts,
            }
            for c in e.capabilities
        ],
        "published": published,
        "respondent": e.site.respondent if e.site else None,
        "matched_by": _matched_by(e),
        "cluster_scope": None
        if cluster is None
        else {"scope": cluster.scope, "name": cluster.name, "pattern": cluster.pattern},
        "accepted_modes": [m.value for m in exp.modes],
        "answers": _answers(e),
        "rules": [_step(s) for s in e.steps]
        + [
            {
                "rule": n,
                "reads": list(READS[n]),
                "outcome": UNTRIED,
                "verdict": None,
                "reason": None,
            }
            for n in e.untried
        ],
        "verdict": a.verdict.value if a else None,
        "mode": a.mode.value if a and a.mode else None,
        "fail_closed": a.fail_closed if a else None,
        "reason": a.reason
        if a
        else f"the CE does not serve VO {exp.vo}: no verdict (a report leaves it out)",
        "reliable": None
        if judged is None or a is None
        else _reliable(e, judged[(exp.key, ce.unique_id)], now),
    }


def explain_table(
    explanations: Iterable[Explanation],
    meta: Mapping[str, Any],
    reliability: Mapping[tuple[str, str], Reliability] | None = None,
    now: datetime | None = None,
) -> Table:
    """``reliability``: per (experiment, CE) served, what its glexec test results say, as
    report reads them (None: no history, so ``reliable`` is null)."""
    moment = now or datetime.now(UTC)
    return Table(
        kind="explain",
        fields=EXPLAIN_FIELDS,
        rows=[_row(e, reliability, moment) for e in explanations],
        compact=(
            Column("experiment", "exp", spill=4),
            Column("site", "site", spill=3),
            Column("ce", "ce"),
            Column("verdict", "verdict"),
            Column("mode", "mode", spill=2),
            Column("fail_closed", "fail closed", spill=1),
        ),
        note_fields=("reason",),
        key=("ce",),
        meta=meta,
    )
