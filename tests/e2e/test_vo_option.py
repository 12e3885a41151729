"""--vo NAME, as lcg-infosites and ginfo say it: the experiments whose VO it names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.paths import SAMPLE

from cecap.history.store import History


def experiments_of(*args: str | Path) -> list[str]:
    done = run_cli(*args, "--format", "json")
    assert done.code == 0, done.err
    return sorted({row["experiment"] for row in json.loads(done.out)["rows"]})


@pytest.mark.parametrize("command", ["report", "sites", "testlist"])
def test_vo_selects_the_experiment_of_that_vo(command: str) -> None:
    extra = ("--all",) if command == "report" else ()
    assert experiments_of(command, "--bdii", SAMPLE, *extra, "--vo", "cms") == ["cms"]
    assert experiments_of(command, "--bdii", SAMPLE, *extra, "--vo", "CMS,atlas") == [
        "atlas",
        "cms",
    ]
    assert experiments_of(command, "--bdii", SAMPLE, *extra, "--vo", "/atlas", "-e", "cms") == [
        "atlas",
        "cms",
    ]
    assert experiments_of(command, "--bdii", SAMPLE, *extra, "--vo", "cms") == experiments_of(
        command, "--bdii", SAMPLE, *extra, "-e", "cms"
    )


def test_vo_of_an_experiment_whose_key_differs(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    for name in ("stances.yaml", "sites.yaml"):
        (config / name).write_text((SAMPLE.parents[1] / "config" / name).read_text())
    (config / "experiments.yaml").write_text(
        "experiments:\n"
        "  compact-muon: {name: CMS, vo: cms, modes: [setuid]}\n"
        "  atlas: {name: ATLAS, vo: atlas, modes: [setuid]}\n"
    )
    args = ("report", "--config", config, "--bdii", SAMPLE, "--all")
    assert experiments_of(*args, "--vo", "cms") == ["compact-muon"]
    done = run_cli(*args, "--vo", "compact-muon")
    assert done.code == 2
    assert done.err == (
        "cecap: error: --vo 'compact-muon': no configured experiment's VO; the VOs:"
        " cms (compact-muon), atlas (atlas)\n"
    )


def test_an_unknown_vo_names_the_vos() -> None:
    done = run_cli("report", "--bdii", SAMPLE, "--vo", "cmss")
    assert done.code == 2
    assert done.err == (
        "cecap: error: --vo 'cmss': no configured experiment's VO; did you mean cms? the VOs:"
        " atlas (atlas), cms (cms), lhcb (lhcb), alice (alice)\n"
    )


def test_history_takes_vo(tmp_path: Path) -> None:
    state = tmp_path / "history.sqlite"
    done = run_cli("report", "--bdii", SAMPLE, "--record", "--state", state)
    assert done.code == 0, done.err
    with History.open(state):
        pass
    by_vo = run_cli("history", "--state", state, "--vo", "cms", "--format", "json")
    by_key = run_cli("history", "--state", state, "-e", "cms", "--format", "json")
    assert by_vo.code == 0, by_vo.err
    rows = json.loads(by_vo.out)["rows"]
    assert rows and {row["experiment"] for row in rows} == {"cms"}
    assert by_vo.out == by_key.out
