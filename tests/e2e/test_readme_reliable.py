"""The README's "From advertised to reliable": its command lines, taken from README.md and
run as written, in order, checked against `report --format json`; its result files
imported as they are."""

# Only what must differ on a test machine is substituted, explicitly, below: the BDII
# (`lcg-bdii.cern.ch:2170`) becomes the shipped sample snapshot and /var/lib/cecap a folder
# in the test's folder. The experiment's test framework is the test itself: it writes
# results for each CE testlist listed, 5 hours apart over the last six days, into the
# results folder, then a failing streak for the CE that became reliable.

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from helpers.paths import REPO, SAMPLE

from cecap.text import stamp

README = REPO / "README.md"
BDII = "lcg-bdii.cern.ch:2170"
VAR = "/var/lib/cecap"
CECAP = Path(sys.executable).parent / "cecap"
METRIC = "org.cms.glexec.WN-gLExec"


def section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## From advertised to reliable\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def crontab() -> list[str]:
    """The section's crontab lines' commands, in order."""
    return re.findall(r"^    (?:\S+ ){5}(cecap .*)$", section(), re.MULTILINE)


def environment(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CECAP_", "LCG_GFAL", "XDG_STATE_HOME"))
    }
    env["HOME"] = str(home)
    env["PATH"] = f"{CECAP.parent}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    return env


def sh(line: str, var: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """The line as cron runs it, with `sh -c`, after the substitutions."""
    command = line.replace(BDII, str(SAMPLE)).replace(VAR, str(var))
    return subprocess.run(
        ["sh", "-c", command], env=environment(home), capture_output=True, text=True
    )


def report_json(home: Path, *args: str | Path) -> list[dict]:
    """The report as JSON, run with ``home`` as $HOME: never the user's own history."""
    done = subprocess.run(
        [str(CECAP), "report", "--bdii", str(SAMPLE), "-e", "cms", "--format", "json", *args],
        env=environment(home),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout)["rows"])


def results_csv(path: Path, rows: list[tuple[datetime, str, str]]) -> None:
    lines = ["time,ce,experiment,metric,status,summary"]
    lines += [f"{stamp(t)},{ce},cms,{METRIC},{status}," for t, ce, status in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_loop_as_a_coordinator_runs_it(tmp_path: Path) -> None:
    var = tmp_path / "var-lib-cecap"
    lines = crontab()
    assert [line.split()[1] for line in lines] == ["testlist", "results", "report", "check"]
    testlist, importing, reliable, check = lines
    [install] = re.findall(r"^    (install -d .*)$", section(), re.MULTILINE)
    assert install == f"install -d {VAR}/results"
    assert sh(install, var, tmp_path).returncode == 0

    # testlist: the cms CEs a report shows (ready or conditional), one a line.
    done = sh(testlist, var, tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    to_test = (var / "cms-to-test.txt").read_text(encoding="utf-8").splitlines()
    rows = report_json(tmp_path)
    assert sorted(to_test) == sorted(r["ce"] for r in rows)
    ready = [r["ce"] for r in rows if r["verdict"] == "ready"]
    assert len(ready) == 1 and len(to_test) == 3

    # The framework: every listed CE passes its glexec test, 30 times over six days.
    now = datetime.now(UTC)
    for number, ce in enumerate(to_test):
        results_csv(
            var / "results" / f"{number}.csv",
            [(now - timedelta(hours=2 + 5 * i), ce, "OK") for i in range(30)],
        )
    done = sh(importing, var, tmp_path)
    # Nothing printed, so cron mails nothing; the counts are in import.txt.
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    said = (var / "import.txt").read_text(encoding="utf-8").splitlines()
    assert said == [f"{var}/results/{n}.csv: 30 new, 0 already recorded" for n in range(3)]

    # report --reliable: the ready CE alone (the conditional ones pass their tests too).
    state = var / "history.sqlite"
    done = sh(reliable, var, tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    switch = (var / "cms-reliable.txt").read_text(encoding="utf-8").splitlines()
    judged = report_json(tmp_path, "--state", state)
    assert switch == [r["ce"] for r in judged if r["reliable"]] == ready
    assert {r["ce"]: r["tests"]["total"] for r in judged} == dict.fromkeys(to_test, 30)

    # check: OK, one reliable CE, inside --reliable-warning cms=1:; nothing mailed.
    done = sh(check, var, tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    status = (var / "cms-check.txt").read_text(encoding="utf-8").splitlines()[0]
    assert status.startswith("CECAP OK - ")
    assert status.endswith(" cms_reliable=1;1:;;0")

    # The reliable CE starts failing: the next hour's import, report and check.
    [ce] = ready
    results_csv(
        var / "results" / "failing.csv",
        [(now - timedelta(minutes=m), ce, "CRITICAL") for m in (30, 20, 10)],
    )
    done = sh(importing, var, tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    said = (var / "import.txt").read_text(encoding="utf-8").splitlines()
    assert f"{var}/results/failing.csv: 3 new, 0 already recorded" in said
    assert f"{var}/results/0.csv: 0 new, 30 already recorded" in said
    assert sh(reliable, var, tmp_path).returncode == 0
    assert (var / "cms-reliable.txt").read_text(encoding="utf-8") == ""
    assert not any(r["reliable"] for r in report_json(tmp_path, "--state", state))
    # A WARNING, printed (so mailed) by the line's `|| cat`.
    done = sh(check, var, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (var / "cms-check.txt").read_text(encoding="utf-8")
    first = done.stdout.splitlines()[0]
    assert first.startswith(
        f"CECAP WARNING - cms: 0 reliable (warning: outside 1:), 1 no longer reliable: {ce}"
        f", 1 ready with the last 3 glexec tests failed: {ce} |"
    )
    assert first.endswith(" cms_reliable=0;1:;;0")


def example_blocks() -> list[str]:
    """The section's result file examples (indented 6: inside the list), unindented; a
    blank line inside one (a message's multi-line detailsData) is part of it."""
    blocks = re.findall(r"(?:^      \S.*\n(?:(?:      \S.*)?\n)*)", section(), re.MULTILINE)
    return ["".join(line[6:] + "\n" for line in b.splitlines()) for b in blocks]


def test_the_result_file_examples_import_as_documented(tmp_path: Path) -> None:
    blocks = example_blocks()
    assert [b.split(maxsplit=1)[0][:10] for b in blocks] == [
        "time,ce,ex",
        '{"time":',
        "timestamp:",
    ]
    db = tmp_path / "h.sqlite"
    for number, block in enumerate(blocks):
        path = tmp_path / f"{number}.txt"
        path.write_text(block, encoding="utf-8")
        done = subprocess.run(
            [str(CECAP), "results", "import", "--state", str(db), str(path)],
            env=environment(tmp_path),
            capture_output=True,
            text=True,
        )
        assert (done.returncode, done.stdout) == (0, ""), done.stderr
        assert done.stderr == f"{path}: 1 new, 0 already recorded\n"
    with sqlite3.connect(db) as conn:
        stored = conn.execute(
            "SELECT time, ce, experiment, metric, status FROM results ORDER BY time"
        ).fetchall()
    # "CMS" is the experiment's name; the VO of the ETF metric's suffix is the experiment.
    assert stored == [
        ("2010-04-01T12:00:00Z", "ce01.cmsaf.mit.edu:2119/jobmanager-condor-cms", "cms", METRIC, "OK"),
        ("2010-04-01T13:00:00Z", "ce01.cmsaf.mit.edu", "cms", METRIC, "CRITICAL"),
        ("2010-04-01T14:00:00Z", "ce01.cmsaf.mit.edu", "cms", f"{METRIC}-/cms/Role=pilot", "OK"),
    ]  # fmt: skip


def test_the_reliable_rule_shown_is_the_shipped_default() -> None:
    [rule] = re.findall(r"^    (reliable: \{.*\})$", section(), re.MULTILINE)
    shipped = (REPO / "config" / "experiments.yaml").read_text(encoding="utf-8")
    assert shipped.count(f"    {rule}\n") == 4
    from cecap.policy.reliable import ReliableRule

    default = ReliableRule()
    assert rule == (
        f"reliable: {{window: {default.window_text}, min_results: {default.min_results},"
        f" min_ok_ratio: {default.min_ok_ratio}, last_must_be_ok:"
        f" {str(default.last_must_be_ok).lower()}, failing_streak: {default.failing_streak}}}"
    )
