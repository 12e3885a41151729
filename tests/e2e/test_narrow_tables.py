"""Every command's terminal table at 80 columns keeps what tells its rows apart on each
row (the experiment beside the CE, the kind and site beside the DN, ...), and its notes
never break a DN, a CE ID or an LDIF line: each can be pasted as it is."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple

import pytest
from helpers.bdii_server import free_port
from helpers.cli import run_cli
from helpers.overlay import overlay_ldif
from helpers.paths import SAMPLE
from helpers.tables import read_grid, table_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cecap.rows.audit import AUDIT_FIELDS
from cecap.rows.history import DIFF_FIELDS, HISTORY_FIELDS
from cecap.rows.pilots import FACTORY_FIELDS, QUEUE_FIELDS
from cecap.rows.report import REPORT_FIELDS, SITE_FIELDS
from cecap.rows.site_bdiis import SITE_BDII_FIELDS
from cecap.rows.stances import STANCE_FIELDS
from cecap.rows.summary import SUMMARY_FIELDS
from cecap.rows.testlist import TESTLIST_FIELDS

NARROW = {"COLUMNS": "80"}
RAL = "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("narrow-history")
    drained = overlay_ldif(SAMPLE, tmp / "drained.ldif", states={RAL: "Draining"})
    db = tmp / "h.sqlite"
    for snapshot in (SAMPLE, drained):
        assert run_cli("check", "--bdii", snapshot, "--state", db).code in (0, 1)
    return db


@pytest.fixture(scope="module")
def factory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("narrow-factory") / "glideinWMS.xml"
    done = run_cli("export", "--format", "glideinwms", "--bdii", SAMPLE)
    assert done.code == 0, done.err
    # Every entry's pilots use glexec: where the verdict says no, a finding.
    path.write_text(
        re.sub(r'(name="GLEXEC_BIN"[^>]*value=)"NONE"', r'\1"/usr/sbin/glexec"', done.out)
    )
    return path


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A history with glexec test results for two CEs summary lists, one failing."""
    tmp = tmp_path_factory.mktemp("narrow-results")
    lines = [
        ("2026-01-01T10:00:00Z", RAL, "CRITICAL", "Error: error 126 executing /usr/sbin/glexec"),
        ("2026-01-01T11:00:00Z", "ce201.cern.ch:8443/cream-pbs-grid_cms", "OK", "Payload id: 1"),
    ]
    (tmp / "r.jsonl").write_text(
        "".join(
            json.dumps(
                {
                    "time": t,
                    "ce": ce,
                    "experiment": "cms",
                    "metric": METRIC,
                    "status": s,
                    "output": o,
                }
            )
            + "\n"
            for t, ce, s, o in lines
        )
    )
    db = tmp / "h.sqlite"
    done = run_cli("results", "import", "--state", db, tmp / "r.jsonl")
    assert done.code == 0, done.err
    return db


METRIC = "org.cms.glexec.WN-gLExec"
SITE_BDIIS = ("site-bdiis", "--bdii", str(SAMPLE), "--timeout", "2")
SUMMARY = ("summary", "--bdii", str(SAMPLE), "--now", "2026-01-01T12:00:00Z")

# command -> (arguments, the fields that tell its rows apart)
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "report": (("report", "--bdii", str(SAMPLE), "--all"), ("experiment", "ce", "verdict")),
    "sites": (("sites", "--bdii", str(SAMPLE)), ("site", "experiment", "readiness")),
    "stances": (("stances",), ("respondent",)),
    "audit": (("audit", "--bdii", str(SAMPLE)), ("severity", "kind", "site", "dn")),
    "testlist": (("testlist", "--bdii", str(SAMPLE)), ("experiment", "ce", "verdict")),
    "export": (
        ("export", "--format", "table", "--bdii", str(SAMPLE)),
        ("experiment", "ce", "glexec"),
    ),
    "history": (("history", "--format", "table"), ("experiment", "ce", "verdict")),
    "diff": (("diff",), ("experiment", "ce", "verdict_b")),
    "audit-factory": (("audit-factory",), ("entry", "kind", "experiment")),
    "site-bdiis": (SITE_BDIIS, ("site", "reachable")),
    "summary": (SUMMARY, ("experiment", "ce", "status")),
    "summary-cms": ((*SUMMARY, "-e", "cms"), ("experiment", "ce", "status")),
    "summary-window": ((*SUMMARY, "--window", "30m"), ("experiment", "ce", "status")),
    "sites-fields": (
        (
            "sites",
            "--bdii",
            str(SAMPLE),
            "--fields",
            "site,experiment,respondent,mupj,glexec_setuid,glexec_log_only,bypass_on_error,readiness",
        ),
        # The first ones named, in the order named: readiness, named last, spills with the
        # columns named before it (see test_fields_keep_the_order_asked_and_spill_only_the_last).
        ("site", "experiment", "respondent"),
    ),
}


class Inputs(NamedTuple):
    history: Path
    factory: Path
    results: Path
    # --site-bdii SITE=URL arguments naming loopback ports where nothing listens.
    site_bdiis: tuple[str, ...]


@pytest.fixture(scope="module")
def inputs(history: Path, factory: Path, results: Path) -> Inputs:
    closed = [f"ldap://127.0.0.1:{free_port()}" for _ in range(3)]
    sites = ("RAL-LCG2", "pic", "CERN-PROD")
    site_bdiis = tuple(
        arg
        for site, url in zip(sites, closed, strict=True)
        for arg in ("--site-bdii", f"{site}={url}")
    )
    return Inputs(history, factory, results, site_bdiis)


def with_inputs(args: tuple[str, ...], inputs: Inputs) -> tuple[str, ...]:
    """A command's arguments with the history, factory, results or site BDIIs it reads."""
    if args[0] in ("history", "diff"):
        return (*args, "--state", str(inputs.history))
    if args[0] == "audit-factory":
        return (*args, str(inputs.factory), "--bdii", str(SAMPLE))
    if args[0] == "summary":
        return (*args, "--state", str(inputs.results))
    if args[0] == "site-bdiis":
        return (*args, *inputs.site_bdiis)
    return args


def shown(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_each_row_keeps_what_tells_it_apart(name: str, inputs: Inputs) -> None:
    args = with_inputs(TABLES[name][0], inputs)
    identifying = TABLES[name][1]
    table = run_cli(*args, env=NARROW)
    assert table.code in (0, 1), table.err
    as_json = run_cli(*args, "--format", "json")
    expected = json.loads(as_json.out)["rows"]
    assert expected, name
    rows = table_rows(table.out)
    assert len(rows) == len(expected)
    for line, row in zip(rows, expected, strict=True):
        cells = line.split("  ")
        for field in identifying:
            assert any(cell.strip() == shown(row[field]) for cell in cells), (field, line)
    # Rows are told apart by what their lines show.
    assert len(set(rows)) == len(rows)
    # From the header on (diff's title names the two runs' sources, as they are).
    shown_lines = table.out.splitlines()
    shown_lines = shown_lines[next(i for i, x in enumerate(shown_lines) if x.startswith("-")) - 1 :]
    assert all(len(line) <= 80 or line.startswith("     dn: ") for line in shown_lines)


def test_notes_never_break_a_dn_or_an_ldif_line(osg_snapshot: Path) -> None:
    """Every DN a finding names, in its message or its fix, is whole on one line of the
    80-column table; every line of every fix is a line of its own there."""
    table = run_cli("audit", "--bdii", osg_snapshot, env=NARROW)
    as_json = run_cli("audit", "--bdii", osg_snapshot, "--format", "json")
    lines = table.out.splitlines()
    stripped = {line.strip() for line in lines}
    rows = json.loads(as_json.out)["rows"]
    named = [
        dn for row in rows for dn in re.findall(r"\S+=\S*(?:,\S+=\S*)*,o=grid", row["message"])
    ]
    assert named, "the OSG audit names DNs in its messages (duplicate-ce)"
    text = table.out
    for dn in named:
        assert dn in text, dn
    fixes = [row["fix"] for row in rows if row["fix"]]
    assert fixes
    for fix in fixes:
        for ldif_line in fix.split("\n"):
            assert ldif_line in stripped, ldif_line


def test_a_dn_with_blanks_in_a_note_is_kept_whole() -> None:
    from cecap.formats.table import render_table
    from cecap.rows.table import Column, Table

    dn = "GlueSubClusterUniqueID=Dell Nodes,GlueClusterUniqueID=red.unl.edu,Mds-Vo-name=Nebraska,Mds-Vo-name=local,o=grid"
    rows = [{"id": "x", "message": f"the subcluster {dn} publishes glexec as a run-time tag"}]
    out = render_table(
        Table("t", ("id", "message"), rows, (Column("id", "id"),), note_fields=("message",))
    )
    assert any(dn in line for line in out.splitlines()), out


# command -> (arguments, its fields, those always in the row's note)
FIELDED: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "report": (("report", "--bdii", str(SAMPLE), "--all"), REPORT_FIELDS, ("reason", "tests")),
    "sites": (("sites", "--bdii", str(SAMPLE)), SITE_FIELDS, ()),
    "stances": (("stances",), STANCE_FIELDS, ("scopes",)),
    "audit": (("audit", "--bdii", str(SAMPLE)), AUDIT_FIELDS, ("message", "fix", "hint")),
    "testlist": (("testlist", "--bdii", str(SAMPLE)), TESTLIST_FIELDS, ()),
    "export": (("export", "--format", "table", "--bdii", str(SAMPLE)), QUEUE_FIELDS, ()),
    "history": (("history", "--format", "table"), HISTORY_FIELDS, ()),
    "diff": (("diff",), DIFF_FIELDS, ()),
    "audit-factory": (("audit-factory",), FACTORY_FIELDS, ("message",)),
    "summary": (SUMMARY, SUMMARY_FIELDS, ("last_output",)),
    # Site BDIIs that do not answer (seconds, the time each read took, is left out: it
    # differs from one run to the next).
    "site-bdiis": (
        SITE_BDIIS,
        tuple(f for f in SITE_BDII_FIELDS if f != "seconds"),
        ("differences", "message"),
    ),
}
WIDE = {"COLUMNS": "100000"}
_HEADERS: dict[str, dict[str, str]] = {}


def squeezed(text: str) -> str:
    return " ".join(text.split())


def same_cell(narrow: str, wide: str) -> bool:
    # A cell that wrapped is read back without the blanks it wrapped at.
    return narrow == wide or narrow.replace(" ", "") == wide.replace(" ", "")


@pytest.mark.parametrize("name", sorted(FIELDED))
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_fields_keep_the_order_asked_and_spill_only_the_last(
    name: str, inputs: Inputs, data: st.DataObject
) -> None:
    """--fields at 80 columns: the columns on each row are the first ones asked, in the
    order asked (none asked before one that stays is in the note), and the others are in
    the row's note, in that order, as the wide table shows them: nothing is lost."""
    base, fields, noted = FIELDED[name]
    args = with_inputs(base, inputs)
    columns = [f for f in fields if f not in noted]
    if name not in _HEADERS:
        # Every field asked, on a terminal wide enough for all: each column's header.
        wide = read_grid(run_cli(*args, "--fields", ",".join(fields), env=WIDE).out)
        headers = wide.headers[1:] if wide.numbered else wide.headers
        assert len(headers) == len(columns), (name, headers)
        _HEADERS[name] = dict(zip(columns, headers, strict=True))
    header = _HEADERS[name]
    order = data.draw(st.permutations(fields))
    asked = order[: data.draw(st.integers(1, len(fields)))]
    asked_columns = [f for f in asked if f not in noted]
    if not asked_columns:
        return  # only long fields asked: they are the columns (covered by unit tests)
    chosen = ("--fields", ",".join(asked))
    narrow_run = run_cli(*args, *chosen, env=NARROW)
    wide_run = run_cli(*args, *chosen, env=WIDE)
    assert narrow_run.code == wide_run.code, narrow_run.err
    assert narrow_run.code in (0, 1), narrow_run.err
    narrow, wide = read_grid(narrow_run.out), read_grid(wide_run.out)
    # The wide table shows every column asked, in the order asked.
    assert [h for h in wide.headers if h != "#"] == [header[f] for f in asked_columns]
    kept = [h for h in narrow.headers if h != "#"]
    assert 1 <= len(kept) <= len(asked_columns)
    # The columns on the narrow table's lines: a prefix of those asked, in order.
    assert kept == [header[f] for f in asked_columns[: len(kept)]], (asked, kept)
    spilled = [header[f] for f in asked_columns[len(kept) :]]
    assert max(map(len, narrow.text)) <= 80
    lines = iter(narrow.lines)
    wide_first = 1 if wide.numbered else 0
    first = 1 if narrow.numbered else 0
    for wide_cells in wide.lines:
        values = wide_cells[wide_first:]
        cells = next(lines)
        number = cells[0] if first else ""
        shown_cells = cells[first:]
        # A row whose first column wraps goes on over lines with no number.
        while not all(same_cell(c, v) for c, v in zip(shown_cells, values, strict=False)):
            more = next(lines)
            assert not more[0] or not first, (asked, cells, more)
            shown_cells = [a + b for a, b in zip(shown_cells, more[first:], strict=True)]
        assert all(same_cell(c, v) for c, v in zip(shown_cells, values, strict=False))
        # The rest of the row, in its note: the spilled columns as "header: value", in the
        # order asked, then the long fields asked, as the wide table's note has them.
        wide_note = wide.notes.get(int(wide_cells[0])) if wide_first and wide_cells[0] else None
        parts = [f"{h}: {v}" for h, v in zip(spilled, values[len(kept) :], strict=True)]
        expected = squeezed(" ".join([*parts, *([wide_note] if wide_note else [])]))
        note = narrow.notes.get(int(number)) if number else None
        assert squeezed(note or "") == expected, (asked, note, expected)
    assert next(lines, None) is None
