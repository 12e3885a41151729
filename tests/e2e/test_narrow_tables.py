"""Every command's terminal table at 80 columns keeps what tells its rows apart on each
row (the experiment beside the CE, the kind and site beside the DN, ...), and its notes
never break a DN, a CE ID or an LDIF line: each can be pasted as it is."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.overlay import overlay_ldif
from helpers.paths import SAMPLE
from helpers.tables import table_rows

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
    "sites-fields": (
        (
            "sites",
            "--bdii",
            str(SAMPLE),
            "--fields",
            "site,experiment,respondent,mupj,glexec_setuid,glexec_log_only,bypass_on_error,readiness",
        ),
        ("site", "experiment", "respondent", "readiness"),
    ),
}


def shown(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_each_row_keeps_what_tells_it_apart(name: str, history: Path, factory: Path) -> None:
    args, identifying = TABLES[name]
    if name in ("history", "diff"):
        args = (*args, "--state", str(history))
    if name == "audit-factory":
        args = (*args, str(factory), "--bdii", str(SAMPLE))
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
