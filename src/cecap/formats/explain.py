"""explain's own format, ``table`` (its default): one readable block per CE and experiment,
for a site admin, every published value escaped (visible)."""

from __future__ import annotations

import textwrap

from ..evaluate.reliable import percent
from ..rows.explain import APPLIES, UNTRIED
from ..rows.table import Row, Table
from ..text import visible
from .registry import FIELDS, NO_HEADER, register

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


@register(
    "table",
    kinds=("explain",),
    raw=True,
    refuses=(FIELDS, NO_HEADER),
    about="one block per CE and experiment",
)
def explain_text(table: Table) -> str:
    """One block per CE and experiment, every published value escaped (visible)."""
    blocks = ["\n".join(_block(row)) for row in table.rows]
    text = "\n\n".join(blocks) if blocks else visible(f"no {table.meta.get('empty', 'CE')}")
    partial = table.meta.get("partial")
    return f"{text}\nPARTIAL: {visible(partial)}" if partial else text
