"""Rows step for `cecap explain`: one row per CE and experiment, complete for JSON, and the
readable blocks the terminal shows (one per row)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ..evaluate.explain import Explanation
from ..evaluate.reliable import Reliability, percent
from ..evaluate.rules import READS, Step
from ..policy.stances import is_pattern
from ..text import stamp, visible
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


# -- the terminal's blocks -------------------------------------------------------------

WIDTH = 79
LABEL = 10  # the width of a block's labels


def _line(label: str, text: str, indent: int = 2, width: int = LABEL) -> list[str]:
    head = " " * indent + f"{label:<{width}} "
    return textwrap.wrap(
        visible(text),
        width=WIDTH,
        initial_indent=head,
        subsequent_indent=" " * len(head),
        break_on_hyphens=False,
        break_long_words=False,
    ) or [head.rstrip()]


def _quote(text: str) -> str:
    return f"\u201c{text}\u201d"


def _site(row: Row) -> str:
    match = row["matched_by"]
    if match is None:
        return f"{row['site']}: no respondent in sites.yaml or stances.yaml matches it"
    how = "by its own name" if match["entry"] is None else f"by {match['how']} '{match['entry']}'"
    return f"{row['site']}: respondent {row['respondent']}, {how}"


def _serves(row: Row) -> str:
    serving = [r for r in row["access_rules"] if r["serves_vo"]]
    if serving:
        return f"VO {row['vo']} through " + ", ".join(f"{r['rule']} ({r['on']})" for r in serving)
    named = sorted({r["vo"] for r in row["access_rules"] if r["vo"]})
    return f"not VO {row['vo']}; its rules name {', '.join(named) or 'no VO'}"


def _capabilities(row: Row) -> str:
    if not row["capabilities"]:
        return "no capability values published"
    parts = []
    for c in row["capabilities"]:
        if c["counts"]:
            note = " (counts)"
        elif c["names_capability"]:
            note = f" (not for VO {row['vo']})"
        else:
            note = ""
        parts.append(f"{c['on']}: {c['value']}{note}")
    return "; ".join(parts)


def _cluster(row: Row) -> str:
    scope = row["cluster_scope"]
    if scope is None:
        return "no cluster scope applies"
    return f"{scope['scope']}: {scope['name']} matches sites.yaml '{scope['pattern']}'"


def _answer(answer: Row) -> str:
    said = f"{answer['resolved']} {_quote(answer['text'])}"
    scope = answer["scope"]
    if scope is not None:
        said += f" (overall {answer['value']}; the {scope['kind']} {scope['name']} answer applies)"
    return said


def _rule(rule: Row) -> str:
    reads = f" (reads {', '.join(rule['reads'])})" if rule["outcome"] != UNTRIED else ""
    if rule["outcome"] == APPLIES:
        return f"{rule['rule']}: applies{reads} \u2192 {rule['verdict']}"
    return f"{rule['rule']}: {rule['outcome']}{reads}"


def _block(row: Row) -> list[str]:
    out = [visible(f"{row['ce']}  {row['experiment']} (VO {row['vo']})")]
    out += _line("site", _site(row))
    out += _line(
        "state",
        f"{row['state'] or 'unpublished'}; {row['experiment']} targets"
        f" {', '.join(row['targets_states'])}",
    )
    out += _line("serves", _serves(row))
    out += _line(row["capability"], _capabilities(row))
    if row["glue"] == "2.0" and row["published"]:
        looked = "; ".join(f"{p['on']}: {p['attribute']}: {p['value']}" for p in row["published"])
        out += _line("published", looked)
    if not row["serves"]:
        out += _line("verdict", row["reason"])
        return out
    if row["answers"]:
        out += _line("cluster", _cluster(row))
        out += _line(
            "modes", f"{row['experiment']} accepts glexec {' or '.join(row['accepted_modes'])}"
        )
        out += _line("answers", "")
        for answer in row["answers"]:
            out += _line(answer["question"], _answer(answer), indent=4, width=15)
    out += _line("rules", "")
    for number, rule in enumerate(row["rules"], start=1):
        out += _line(f"{number}.", _rule(rule), indent=4, width=2)
    closed = row["fail_closed"]
    verdict = row["verdict"]
    if row["mode"]:
        verdict += f", mode {row['mode']}"
    if closed is not None:
        verdict += f", fail closed: {'yes' if closed else 'no'}"
    out += _line("verdict", verdict)
    out += _line("reason", row["reason"])
    if row["reliable"] is not None:
        out += _evidence(row["reliable"])
    return out


def _evidence(r: Row) -> list[str]:
    rule, tests = r["rule"], r["tests"]
    if r["reliable"] is None:
        said = "untested: no glexec test results in the window"
    else:
        said = "yes" if r["reliable"] else "no: " + "; ".join(r["missed"])
    needs = f"ready throughout, at least {rule['min_results']} results, "
    needs += f"{percent(rule['min_ok_ratio'])} OK" + (
        ", the last OK" if rule["last_must_be_ok"] else ""
    )
    held = "the verdict held ready" if r["held_ready"] else "the verdict was not ready throughout"
    counted = "none"
    if tests is not None:
        counted = (
            f"{tests['ok']}/{tests['total']} OK ({percent(tests['ratio'])}),"
            f" last {tests['last_status']} at {tests['last_time']}"
        )
    out = _line("reliable", said)
    out += _line("rule", needs, indent=4, width=8)
    out += _line("window", f"{rule['window']}, since {r['since']}: {held}", indent=4, width=8)
    out += _line("results", counted, indent=4, width=8)
    out += _line("metrics", ", ".join(r["metrics"]) + " (by CE ID or host)", indent=4, width=8)
    out += _line("mode", _seen(r), indent=4, width=8)
    return out


def _seen(r: Row) -> str:
    """The mode the tests saw, and the newest result that shows it, quoting its output."""
    if not r["evidence"]:
        return "unknown: no result in the window shows the glexec mode"
    newest = r["evidence"][0]
    said = f"\u201c{newest['line']}\u201d" if newest["line"] else "it ended OK"
    more = len(r["evidence"]) - 1
    also = f" (and {more} earlier)" if more else ""
    return f"{r['observed_mode']}, seen at {newest['time']}{also}: {said}"


def explain_text(table: Table) -> str:
    """One block per CE and experiment, every published value escaped (visible)."""
    blocks = ["\n".join(_block(row)) for row in table.rows]
    text = "\n\n".join(blocks) if blocks else visible(f"no {table.meta.get('empty', 'CE')}")
    partial = table.meta.get("partial")
    return f"{text}\nPARTIAL: {visible(partial)}" if partial else text
