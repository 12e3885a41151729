"""The formats for scripts write rows in pieces; joined, they are the whole document."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cecap.formats import STREAMS, pieces, render
from cecap.formats.machine import BATCH, _json_keys, _json_row
from cecap.rows.table import Column, Table


def table(count: int, partial: str | None = None) -> Table:
    rows = [
        {"ce": f"ce{i}.example.org:2119/jobmanager-pbs", "ok": i % 2 == 0, "n": i, "x": None}
        for i in range(count)
    ]
    rows.append({"ce": "evil\x1b]0;title\x07\ttab", "ok": True, "n": -1, "x": "\u202e"})
    return Table(
        kind="report",
        fields=("ce", "ok", "n", "x"),
        rows=rows,
        compact=(Column("ce", "CE"),),
        meta={"source": "file.ldif", "partial": partial},
    )


def test_the_formats_for_scripts_stream() -> None:
    assert sorted(STREAMS) == ["csv", "json", "lines", "tsv"]


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "lines"])
def test_a_large_table_comes_in_several_pieces(fmt: str) -> None:
    parts = list(pieces(fmt, table(3 * BATCH)))
    assert len(parts) >= 3
    assert max(len(p) for p in parts) < len("".join(parts)) / 2


def test_streamed_json_is_json_dumps_of_the_whole_document() -> None:
    shown = table(BATCH + 7, partial="server cut it short")
    text = render("json", shown)
    doc = json.loads(text)
    assert doc["rows"][-1]["ce"] == "evil\x1b]0;title\x07\ttab"  # raw, escaped the JSON way
    assert "\u202e" not in text and "\\u202e" in text
    whole = json.dumps(doc, indent=2, ensure_ascii=False).replace("\u202e", "\\u202e")
    assert text == whole
    empty = render("json", Table("report", ("ce",), [], (Column("ce", "CE"),)))
    assert json.loads(empty)["rows"] == [] and '"rows": []\n}' in empty


def test_streamed_csv_escapes_each_row_and_keeps_the_partial_footer() -> None:
    text = render("csv", table(3, partial="cut\x1b[2J"))
    lines = text.split("\n")
    assert lines[0] == "ce,ok,n,x"
    assert list(csv.reader(io.StringIO(lines[1]))) == [
        ["ce0.example.org:2119/jobmanager-pbs", "true", "0", ""]
    ]
    assert "\x1b" not in text and "\\x1b]0;title\\x07\\x09tab" in text
    assert lines[-1] == "# PARTIAL: cut\\x1b[2J"


def test_streamed_lines_print_only_keys() -> None:
    assert render("lines", table(2)).split("\n")[:2] == [
        "ce0.example.org:2119/jobmanager-pbs",
        "ce1.example.org:2119/jobmanager-pbs",
    ]


_JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_JSON_VALUES = st.recursive(
    _JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(st.dictionaries(st.text(), _JSON_VALUES, max_size=5))
@example({})
@example({"ce": "x", "reasons": [], "meta": {}, "nested": {"a": [1, {"b": None}]}})
def test_a_json_row_is_what_json_dumps_writes_at_that_depth(row: dict[str, object]) -> None:
    expected = "    " + json.dumps(row, indent=2, ensure_ascii=False).replace("\n", "\n    ")
    assert _json_row(row, _json_keys(row)) == expected
