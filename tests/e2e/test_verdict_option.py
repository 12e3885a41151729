"""--verdict NAME[,NAME...] on report, sites, check and export: one meaning of "may use"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import run_cli
from helpers.paths import SAMPLE


def rows(*args: str | Path) -> list[dict[str, Any]]:
    result = run_cli(*args, "--bdii", SAMPLE, "--format", "json")
    assert result.code == 0, result.err
    found: list[dict[str, Any]] = json.loads(result.out)["rows"]
    return found


@pytest.mark.parametrize(
    "chosen",
    [("ready",), ("conditional",), ("ready", "conditional"), ("site-refuses", "not-advertised")],
)
@pytest.mark.parametrize("spelled", ["commas", "repeated"])
def test_report_lists_the_ces_of_the_verdicts_asked(chosen: tuple[str, ...], spelled: str) -> None:
    every = rows("report", "--all")
    args = (
        ["--verdict", ",".join(chosen)]
        if spelled == "commas"
        else [a for v in chosen for a in ("--verdict", v.upper())]
    )
    got = rows("report", *args)
    assert got == [r for r in every if r["verdict"] in chosen]
    assert got


def test_report_default_is_ready_and_conditional_and_verdict_ready_is_what_export_gives() -> None:
    assert rows("report", "-e", "cms") == rows(
        "report", "-e", "cms", "--verdict", "ready,conditional"
    )
    ready = {r["ce"] for r in rows("report", "-e", "cms", "--verdict", "ready")}
    flags = rows("export", "-e", "cms")
    assert ready == {r["ce"] for r in flags if r["glexec"]}
    both = rows("export", "-e", "cms", "--verdict", "ready,conditional")
    assert {r["ce"] for r in both if r["glexec"]} == {r["ce"] for r in rows("report", "-e", "cms")}


def test_export_glideinwms_sets_glexec_on_the_verdicts_asked() -> None:
    result = run_cli(
        "export", "--format", "glideinwms", "--bdii", SAMPLE, "-e", "cms", "--ready-only",
        "--verdict", "ready,conditional",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.out.count("<entry ") == len(rows("report", "-e", "cms")) == 3


def test_sites_lists_the_sites_whose_readiness_is_asked() -> None:
    every = rows("sites")
    got = rows("sites", "--verdict", "conditional")
    assert got == [r for r in every if r["readiness"] == "conditional"]
    assert got and len(got) < len(every)


def test_check_counts_the_ces_of_the_verdicts_asked(tmp_path: Path) -> None:
    base = ("check", "--bdii", SAMPLE, "-e", "cms", "-w", "3:", "--state")
    ready = run_cli(*base, tmp_path / "a.sqlite")
    assert ready.code == 1
    assert ready.out.startswith("CECAP WARNING - cms: 1 ready (warning: outside 3:)")
    both = run_cli(*base, tmp_path / "b.sqlite", "--verdict", "ready,conditional")
    assert both.code == 0, both.out
    assert both.out.startswith("CECAP OK - ready or conditional CEs: cms 3 |")
    assert "cms OK: 3 ready or conditional of 8 CEs serving VO cms" in both.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("report", "--verdict", "bogus"), "'bogus': not a verdict (one of"),
        (("report", "--verdict", "ready,"), "'': not a verdict"),
        (("report", "--verdict", "ready", "--min-stable", "2"), "--verdict chooses the CEs shown"),
        (("export", "--verdict", "ready", "--reliable"),
         "--verdict and --reliable both choose"),
        (("sites", "--verdict", "maybe"), "'maybe': not a verdict"),
    ],
)  # fmt: skip
def test_bad_verdicts_are_usage_errors(args: tuple[str, ...], message: str) -> None:
    result = run_cli(*args, "--bdii", SAMPLE)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err
