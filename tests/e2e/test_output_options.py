"""Output an operator can pipe: the CE on every table row, --format lines, raw tsv and csv,
--fields and --no-header on every command that prints rows."""

from __future__ import annotations

import csv
import io
import json
import shlex
import subprocess
from pathlib import Path

import pytest
from helpers.cli import clean_env, run_cli
from helpers.overlay import overlay_ldif
from helpers.paths import SAMPLE
from helpers.process import command, run_process
from helpers.tables import table_rows

from cecap.rows.audit import AUDIT_FIELDS
from cecap.rows.history import DIFF_FIELDS, HISTORY_FIELDS, RUN_FIELDS
from cecap.rows.report import REPORT_FIELDS, SITE_FIELDS
from cecap.rows.stances import STANCE_FIELDS

RAL = "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M"
WIDE = {"COLUMNS": "200"}
NARROW = {"COLUMNS": "80"}


def json_rows(*args: str | Path) -> list[dict[str, object]]:
    done = run_cli(*args, "--format", "json")
    assert done.code in (0, 1), done.err
    rows: list[dict[str, object]] = json.loads(done.out)["rows"]
    return rows


def shell(script: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``script`` in bash, as an operator types it; ``cecap`` is this checkout's."""
    cecap = shlex.join(command())
    return subprocess.run(
        ["bash", "-c", f'set -o pipefail; cecap() {{ {cecap} "$@"; }}; {script}'],
        capture_output=True,
        text=True,
        env=clean_env(env),
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two recorded runs of the sample: RAL's grid1000M drains in the second."""
    tmp = tmp_path_factory.mktemp("output-history")
    drained = overlay_ldif(SAMPLE, tmp / "drained.ldif", states={RAL: "Draining"})
    db = tmp / "h.sqlite"
    for snapshot in (SAMPLE, drained):
        done = run_cli("check", "--bdii", snapshot, "--state", db)
        assert done.code in (0, 1), done.out + done.err
    return db


# -- the CE on every row of the terminal table ----------------------------------------------


@pytest.mark.parametrize("env", [NARROW, WIDE])
def test_report_table_has_each_ce_on_its_verdicts_line(env: dict[str, str]) -> None:
    done = run_cli("report", "--bdii", SAMPLE, "--all", env=env)
    assert done.code == 0, done.err
    rows = table_rows(done.out)
    expected = json_rows("report", "--bdii", SAMPLE, "--all")
    # The identifier (experiment and CE) and the verdict on each row; where the CE does not
    # fit beside them, it wraps after its port.
    assert len(rows) == len(expected)
    for line, row in zip(rows, expected, strict=True):
        assert {row["experiment"], row["ce"], row["verdict"]} <= set(line.split()), line
    assert max(map(len, done.out.splitlines())) <= int(env["COLUMNS"])


def test_a_terminal_too_narrow_for_ce_and_verdict_wraps_the_ce_after_its_port() -> None:
    done = run_cli("report", "--bdii", SAMPLE, "-e", "atlas", env={"COLUMNS": "50"})
    assert done.code == 0, done.err
    assert max(map(len, done.out.splitlines())) <= 50
    lines = done.out.splitlines()
    # The CE column gets what is left of 50 beside the row's number, its experiment and
    # its verdict: 50 - len("#  exp    ") - len("  conditional").
    assert lines[2:4] == [
        "1  atlas  " + "ce201.cern.ch:8443/".ljust(27) + "  conditional",
        "          cream-pbs-grid_atlas",
    ]
    assert table_rows(done.out)[0].split() == [
        "1",
        "atlas",
        "ce201.cern.ch:8443/cream-pbs-grid_atlas",
        "conditional",
    ]


def test_table_uses_the_terminal_width_and_notes_take_what_does_not_fit() -> None:
    narrow = run_cli("report", "--bdii", SAMPLE, "-e", "atlas", env=NARROW).out
    wide = run_cli("report", "--bdii", SAMPLE, "-e", "atlas", env=WIDE).out
    assert narrow.splitlines()[0].split() == ["#", "exp", "ce", "verdict"]
    assert wide.splitlines()[0].split() == [
        "#",
        "exp",
        "site",
        "ce",
        "verdict",
        "mode",
        "fail",
        "closed",
    ]
    # What left the row is in its note, the reason after it; on a wide terminal the note
    # is the reason alone.
    assert "  2. site: pic  mode: setuid  fail closed: no" in narrow.splitlines()
    assert (
        "  2. site allows glexec setuid (“allow”); pilot may run the payload itself if glexec"
        " errors (bypass: “yes, for now”)"
    ) in wide.splitlines()
    assert "site: pic" not in wide


def test_table_width_is_80_on_a_pipe_without_columns() -> None:
    # A real process whose stdout is a pipe: no $COLUMNS, no terminal, so 80.
    done = run_process("report", "--bdii", SAMPLE, "--all", env={"COLUMNS": ""})
    assert done.code == 0, done.err
    assert max(map(len, done.out.splitlines())) <= 80
    assert done.out.splitlines()[0].split() == ["#", "exp", "ce", "verdict"]


@pytest.mark.parametrize(
    ("args", "identifier", "verdict"),
    [
        (["audit"], "dn", "severity"),
        (["sites"], "site", "readiness"),
        (["stances"], "respondent", "mupj"),
    ],
)
def test_other_tables_have_the_identifier_on_the_row(
    args: list[str], identifier: str, verdict: str
) -> None:
    source = [] if args == ["stances"] else ["--bdii", SAMPLE]
    done = run_cli(*args, *source, env=WIDE)
    assert done.code in (0, 1), done.err
    rows = table_rows(done.out)
    expected = json_rows(*args, *source)
    assert len(rows) == len(expected)
    for line, row in zip(rows, expected, strict=True):
        assert str(row[identifier]) in line.split() and str(row[verdict]) in line.split()


def test_history_and_diff_tables_have_the_ce_on_the_row(history: Path) -> None:
    for args in (["history", "--format", "table"], ["diff"]):
        done = run_cli(*args, "--state", history, env=NARROW)
        assert done.code == 0, done.err
        rows = table_rows(done.out)
        expected = json_rows(*args[:1], "--state", history)
        assert len(rows) == len(expected) > 0
        after = "verdict" if args[0] == "history" else "verdict_b"
        for line, row in zip(rows, expected, strict=True):
            assert row["ce"] in line.split() and line.split()[-1] == row[after], line
        assert max(map(len, done.out.splitlines()[1:])) <= 80


def test_sites_table_fits_without_wrapping_a_value(osg_snapshot: Path) -> None:
    done = run_cli("sites", "--bdii", osg_snapshot, env=NARROW)
    assert done.code == 0, done.err
    rows = table_rows(done.out)
    expected = json_rows("sites", "--bdii", osg_snapshot)
    assert len(rows) == len(expected)
    assert max(map(len, done.out.splitlines())) <= 80
    # The longest site name the OSG published, whole on its row.
    assert sum(line.startswith("GlueSiteDescription: OSG Site  ") for line in rows) == 2


# -- --format lines ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (["report", "-e", "cms"], ("ce",)),
        (["sites"], ("site",)),
        (["stances"], ("respondent",)),
        (["audit"], ("site", "kind", "dn")),
    ],
)
def test_lines_print_each_rows_key_alone(args: list[str], key: tuple[str, ...]) -> None:
    source = [] if args == ["stances"] else ["--bdii", SAMPLE]
    done = run_cli(*args, *source, "--format", "lines")
    assert done.code in (0, 1), done.err
    expected = ["\t".join(str(row[f]) for f in key) for row in json_rows(*args, *source)]
    assert done.out.splitlines() == expected
    assert done.out.endswith("\n") and len(expected) > 1


def test_lines_of_history_diff_and_runs(history: Path) -> None:
    for args, key in (
        (["history"], "ce"),
        (["diff"], "ce"),
        (["history", "--runs"], "run"),
    ):
        done = run_cli(*args, "--state", history, "--format", "lines")
        assert done.code == 0, done.err
        assert done.out.splitlines() == [str(r[key]) for r in json_rows(*args, "--state", history)]


def test_lines_of_nothing_is_no_output() -> None:
    done = run_cli("report", "--bdii", SAMPLE, "--capability", "nosuch", "--format", "lines")
    assert (done.code, done.out, done.err) == (0, "", "")


def test_lines_feed_a_shell_loop_and_comm() -> None:
    done = shell(
        f"cecap report --bdii {shlex.quote(str(SAMPLE))} -e cms --format lines"
        ' | while read ce; do echo "<$ce>"; done'
    )
    assert done.returncode == 0, done.stderr
    ces = [str(r["ce"]) for r in json_rows("report", "--bdii", SAMPLE, "-e", "cms")]
    assert done.stdout.splitlines() == [f"<{ce}>" for ce in ces]
    # comm: the CEs ready for cms and not for atlas.
    sample = shlex.quote(str(SAMPLE))
    done = shell(
        f"comm -23 <(cecap report --bdii {sample} -e cms --format lines | sort -u)"
        f" <(cecap report --bdii {sample} -e atlas --format lines | sort -u)",
        env={"LC_ALL": "C"},
    )
    assert done.returncode == 0, done.stderr
    atlas = {r["ce"] for r in json_rows("report", "--bdii", SAMPLE, "-e", "atlas")}
    assert done.stdout.splitlines() == sorted(set(ces) - atlas)


# -- raw tsv and csv ---------------------------------------------------------------------------


def test_tsv_is_unpadded_with_raw_values() -> None:
    done = run_cli("report", "--bdii", SAMPLE, "--all", "--format", "tsv")
    assert done.code == 0, done.err
    header, *records = [line.split("\t") for line in done.out.splitlines()]
    assert header == list(REPORT_FIELDS)
    expected = json_rows("report", "--bdii", SAMPLE, "--all")
    spelled = {None: "", True: "true", False: "false"}
    assert records == [
        [spelled.get(v, v) if v is None or isinstance(v, bool) else str(v) for v in row.values()]
        for row in expected
    ]
    assert not any(cell != cell.strip() for record in records for cell in record)


def test_tsv_with_fields_and_no_header_feeds_awk() -> None:
    done = shell(
        f"cecap report --bdii {shlex.quote(str(SAMPLE))} --format tsv"
        " --fields site,ce,verdict --no-header | awk -F'\\t' '$3==\"ready\"'"
    )
    assert done.returncode == 0, done.stderr
    ready = [r for r in json_rows("report", "--bdii", SAMPLE) if r["verdict"] == "ready"]
    assert done.stdout.splitlines() == [f"{r['site']}\t{r['ce']}\tready" for r in ready]
    assert len(ready) > 1


def test_csv_spells_booleans_and_none_as_json_does() -> None:
    done = run_cli("report", "--bdii", SAMPLE, "--all", "--format", "csv", "-e", "cms")
    records = list(csv.DictReader(io.StringIO(done.out)))
    # Null where glexec is not in use: the CEs that do not advertise it.
    assert {r["fail_closed"] for r in records} == {"true", ""}
    assert {r["mode"] for r in records} == {"setuid", ""}
    assert {r["stable_runs"] for r in records} == {""}
    table = run_cli("report", "--bdii", SAMPLE, "--all", "-e", "cms", env=WIDE).out
    # The table still speaks to people.
    assert " yes" in table and "  -  " in table


def test_partial_answer_is_marked_in_tsv(tmp_path: Path) -> None:
    cut = tmp_path / "cut.ldif"
    cut.write_text(
        SAMPLE.read_text(encoding="utf-8")
        + "\n# search result\nsearch: 2\nresult: 4 Size limit exceeded\n",
        encoding="utf-8",
    )
    done = run_cli("report", "--bdii", cut, "--format", "tsv", "--no-header")
    assert done.code == 3
    assert done.out.splitlines()[-1].startswith("# PARTIAL: ")
    lines = run_cli("report", "--bdii", cut, "--format", "lines")
    # lines stay keys: the warning and the exit code say it is partial.
    assert lines.code == 3 and "PARTIAL" not in lines.out and "partial answer" in lines.err


# -- --fields and --no-header ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fields"),
    [
        (["report", "--bdii", SAMPLE], ["verdict", "ce", "site"]),
        (["sites", "--bdii", SAMPLE], ["readiness", "site"]),
        (["stances"], ["mupj", "respondent"]),
        (["audit", "--bdii", SAMPLE], ["dn", "kind"]),
    ],
)
def test_fields_choose_and_order_columns_in_every_format(
    args: list[str | Path], fields: list[str]
) -> None:
    chosen = ",".join(fields)
    doc = json.loads(run_cli(*args, "--fields", chosen, "--format", "json").out)
    assert doc["fields"] == fields
    assert all(list(row) == fields for row in doc["rows"]) and doc["rows"]
    assert run_cli(*args, "--fields", chosen, "--format", "csv").out.splitlines()[0] == chosen
    tsv = run_cli(*args, "--fields", chosen, "--format", "tsv").out.splitlines()
    assert tsv[0] == "\t".join(fields)
    lines = run_cli(*args, "--fields", chosen, "--format", "lines").out.splitlines()
    assert lines == tsv[1:]
    assert run_cli(*args, "--fields", chosen, "--format", "github").out.split()[1] == fields[0]
    table = run_cli(*args, "--fields", chosen, env=WIDE).out.splitlines()
    # The table's columns: the chosen fields in that order, under the table's headers.
    headers = {"mupj": "MUPJ"}
    assert table[0].split() == [headers.get(f, f) for f in fields]


def test_fields_on_history_diff_and_runs(history: Path) -> None:
    for args, fields in (
        (["history"], "ce,verdict_before,verdict"),
        (["diff"], "verdict_b,ce"),
        (["history", "--runs"], "source,run"),
    ):
        done = run_cli(*args, "--state", history, "--fields", fields, "--format", "tsv")
        assert done.code == 0, done.err
        assert done.out.splitlines()[0] == fields.replace(",", "\t")
        assert len(done.out.splitlines()) > 1


@pytest.mark.parametrize(
    ("args", "valid"),
    [
        (["report", "--bdii", "ldap://127.0.0.1:1"], REPORT_FIELDS),
        (["sites", "--bdii", "ldap://127.0.0.1:1"], SITE_FIELDS),
        (["audit", "--bdii", "ldap://127.0.0.1:1"], AUDIT_FIELDS),
        (["stances"], STANCE_FIELDS),
        (["diff"], DIFF_FIELDS),
    ],
)
def test_an_unknown_field_is_exit_2_listing_the_valid_ones(
    args: list[str], valid: tuple[str, ...]
) -> None:
    # Refused before any BDII is read (a closed port would be exit 3).
    done = run_cli(*args, "--fields", "ce,nosuch")
    assert (done.code, done.out) == (2, "")
    if args[0] == "report":
        # ce is a report field: only the unknown one is named.
        assert done.err.startswith("cecap: error: --fields: unknown field 'nosuch'")
    assert done.err.endswith(f"the fields are: {', '.join(valid)}\n")


def test_history_checks_fields_against_the_table_it_shows(history: Path) -> None:
    done = run_cli("history", "--state", history, "--fields", "command", "--format", "csv")
    assert done.code == 2
    assert done.err.endswith(f"the fields are: {', '.join(HISTORY_FIELDS)}\n")
    runs = run_cli(
        "history", "--runs", "--state", history, "--fields", "command,run", "--format", "table"
    )
    assert runs.code == 0, runs.err
    assert runs.out.splitlines()[0].split() == ["command", "run"]
    assert set(RUN_FIELDS) > {"command", "run"}
    # The timeline is one fixed line per change: --fields does not apply to it.
    timeline = run_cli("history", "--state", history, "--fields", "ce")
    assert timeline.code == 2
    assert "--fields does not apply to --format timeline" in timeline.err


@pytest.mark.parametrize("bad", ["", "ce,,site", "ce,ce"])
def test_a_malformed_field_list_is_exit_2(bad: str) -> None:
    done = run_cli("report", "--bdii", SAMPLE, "--fields", bad)
    assert done.code == 2 and done.err.startswith("cecap: error: --fields: ")


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "github", "plain"])
def test_no_header_drops_the_header_line(fmt: str) -> None:
    args = ("sites", "--bdii", SAMPLE, "-e", "atlas", "--format", fmt)
    with_header = run_cli(*args, env=WIDE).out.splitlines()
    without = run_cli(*args, "--no-header", env=WIDE).out.splitlines()
    sites = [str(r["site"]) for r in json_rows("sites", "--bdii", SAMPLE, "-e", "atlas")]
    assert "site" in with_header[0] and all("site" not in line for line in without)
    assert [s for s in sites if not any(s in line for line in without)] == []
    # The table also drops the dashes under its header.
    assert len(with_header) - len(without) == (2 if fmt == "table" else 1)
