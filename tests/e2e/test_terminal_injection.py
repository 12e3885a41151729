"""A site that publishes control characters cannot drive the operator's terminal.

An LDIF whose site name clears the screen and reverses the text, and whose CE ID plants an
OSC 8 link and sets the window title, goes through report, sites and audit in every format,
then check (Nagios output), and history and diff from the recorded database: the terminal
shows the characters escaped, JSON and the database keep them raw.
"""

from __future__ import annotations

import base64
import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.overlay import overlay_ldif

from cecap.cli import main
from cecap.formats import format_names
from cecap.text import HIDDEN

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sample-bdii.ldif"
SITE_NAME = "RAL-LCG2"
CE_ID = "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M"
# Short enough that no note wraps them.
HOSTILE_SITE = "X\x1b[2J\u202eY"
HOSTILE_CE = CE_ID + "\x1b]8;;http://e/\x07\x9b"
SHOWN_SITE = "X\\x1b[2J\\u202eY"
SHOWN_CE = CE_ID + "\\x1b]8;;http://e/\\x07\\x9b"
NOT_JSON = sorted(set(format_names()) - {"json"})


def _ldif_line(line: str) -> str:
    """An LDIF line; a value that is not printable ASCII goes base64 (``attr:: ...``)."""
    if line.isascii() and line.isprintable():
        return line
    name, _, value = line.partition(": ")
    return f"{name}:: {base64.b64encode(value.encode()).decode()}"


def _hostile_ldif(path: Path, *, site: bool, source: Path = SAMPLE) -> Path:
    lines = []
    for line in source.read_text(encoding="utf-8").splitlines():
        line = line.replace(CE_ID, HOSTILE_CE)
        if site and line == f"GlueSiteName: {SITE_NAME}":
            line = f"GlueSiteName: {HOSTILE_SITE}"
        lines.append(_ldif_line(line))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


Cecap = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cecap:
    """``cecap *args`` in this process: exit code, stdout, stderr."""
    monkeypatch.delenv("LCG_GFAL_INFOSYS", raising=False)
    # A terminal wide enough that the table wraps no escaped CE ID.
    monkeypatch.setenv("COLUMNS", "200")

    def cecap(*args: str | Path) -> tuple[int, str, str]:
        code: object = 0
        try:
            main([str(a) for a in args])
        except SystemExit as done:
            code = done.code
        out, err = capsys.readouterr()
        assert code is None or isinstance(code, int), code
        return code or 0, out, err

    return cecap


@pytest.fixture(scope="module")
def ldif(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _hostile_ldif(tmp_path_factory.mktemp("hostile") / "hostile.ldif", site=True)


def _layout(fmt: str) -> set[str]:
    return {"\n", "\t"} if fmt in ("tsv", "lines") else {"\n"}


def _assert_safe(fmt: str, text: str) -> None:
    raw = {c for c in text if HIDDEN.match(c)} - _layout(fmt)
    assert not raw, f"{fmt}: raw {sorted(hex(ord(c)) for c in raw)} reached the terminal"


def _shown(fmt: str, text: str) -> str:
    """How ``text`` (already visible) looks in format ``fmt``'s own syntax: LaTeX's and
    Markdown's escapes (a backslash is a character either escapes)."""
    if fmt in ("latex", "latex_booktabs", "latex_longtable"):
        return text.replace("\\", r"\textbackslash{}")
    if fmt in ("github", "pipe", "colon_grid"):
        return re.sub(r"([\\`*_\[\]|~])", r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;"))
    return text


def _json_rows(run: Cecap, *args: str | Path) -> list[dict[str, object]]:
    _, out, _ = run(*args, "--format", "json")
    assert HIDDEN.search(out.replace("\n", "")) is None
    rows: list[dict[str, object]] = json.loads(out)["rows"]
    return rows


@pytest.mark.parametrize("command", [["report", "--all"], ["sites"], ["audit"]])
def test_source_commands_show_published_values_escaped(
    run: Cecap, ldif: Path, command: list[str]
) -> None:
    rows = _json_rows(run, *command, "--bdii", ldif)
    values = {v for row in rows for v in row.values() if isinstance(v, str)}
    # JSON parses back to the values as published.
    has_site = HOSTILE_SITE in values
    has_ce = HOSTILE_CE in values
    if command[0] != "audit":
        assert has_site
    if command[0] == "report":
        assert has_ce
    for fmt in NOT_JSON:
        code, out, err = run(*command, "--bdii", ldif, "--format", fmt)
        assert code in (0, 1), (fmt, code, err)
        _assert_safe(fmt, out)
        _assert_safe(fmt, err)
        # lines prints each row's key alone: the CE for report, the site for sites.
        if has_site and (fmt != "lines" or command[0] != "report"):
            assert _shown(fmt, SHOWN_SITE) in out, fmt
        if has_ce:
            assert _shown(fmt, SHOWN_CE) in out, fmt


def test_check_history_and_diff_show_escaped_and_store_raw(run: Cecap, tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    first = _hostile_ldif(tmp_path / "first.ldif", site=False)
    second = _hostile_ldif(tmp_path / "second.ldif", site=True)

    outputs = []
    for source in (first, second):
        code, out, err = run("check", "--bdii", source, "--state", db)
        assert code in (0, 1, 2), (code, out, err)
        _assert_safe("check", out)
        _assert_safe("check", err)
        assert len(out.splitlines()) >= 1
        outputs.append(out)
    # The second run names the CE and its new site on its detail lines.
    assert SHOWN_CE in outputs[1]
    assert SHOWN_SITE in outputs[1]

    # The store keeps what was published.
    with sqlite3.connect(db) as conn:
        stored = set(conn.execute("SELECT ce, site FROM states"))
    assert (HOSTILE_CE, HOSTILE_SITE) in stored
    assert (HOSTILE_CE, SITE_NAME) in stored

    code, out, err = run("history", "--state", db)
    assert code == 0, err
    _assert_safe("timeline", out)
    assert SHOWN_CE in out and SHOWN_SITE in out
    assert f"(site {SITE_NAME} → {SHOWN_SITE})" in out
    # Each change is one line: no value started another.
    assert all(line[:4].isdigit() for line in out.splitlines())

    code, out, _ = run("history", "--state", db, "--runs")
    assert code == 0
    _assert_safe("timeline", out)

    history = {json.dumps(r) for r in _json_rows(run, "history", "--state", db)}
    assert any(json.dumps(HOSTILE_SITE)[1:-1] in r for r in history)
    diff = _json_rows(run, "diff", "--state", db)
    assert {(r["ce"], r["site"]) for r in diff} >= {(HOSTILE_CE, HOSTILE_SITE)}

    for fmt in NOT_JSON:
        for command in (["history", "--state", db], ["diff", "--state", db]):
            code, out, err = run(*command, "--format", fmt)
            assert code == 0, (command, fmt, err)
            _assert_safe(fmt, out)
            _assert_safe(fmt, err)
            if fmt != "lines":  # lines: the CE alone
                assert _shown(fmt, SHOWN_SITE) in out, (command[0], fmt)
            assert _shown(fmt, SHOWN_CE) in out, (command[0], fmt)


def test_check_json_keeps_published_values_raw_and_json_escaped(run: Cecap, tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    # A site the stances do not know has no ready CE: the hostile name comes second.
    first = _hostile_ldif(tmp_path / "first.ldif", site=False)
    drained = overlay_ldif(SAMPLE, tmp_path / "drained-plain.ldif", states={CE_ID: "Draining"})
    second = _hostile_ldif(tmp_path / "second.ldif", site=True, source=drained)
    assert run("check", "--bdii", first, "--state", db, "-e", "atlas")[0] == 0
    code, out, err = run(
        "check", "--bdii", second, "--state", db, "-e", "atlas", "--format", "json"
    )
    assert (code, err) == (1, "")
    # Hidden characters only as JSON escapes: the document is safe on a terminal.
    _assert_safe("json", out)
    doc = json.loads(out)
    assert doc["summary"] == f"atlas: 1 no longer ready: {HOSTILE_CE}"
    [lost] = doc["rows"][0]["no_longer_ready"]
    assert (lost["ce"], lost["site"]) == (HOSTILE_CE, HOSTILE_SITE)
