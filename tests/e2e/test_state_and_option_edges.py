"""Trust at the edges: an explicit --state in a missing folder, odd option values."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.paths import SAMPLE


@pytest.mark.parametrize(
    "command",
    [
        ["report", "--bdii", SAMPLE, "--record"],
        ["check", "--bdii", SAMPLE],
    ],
)
def test_explicit_state_in_a_missing_folder_is_an_error(
    command: list[object], tmp_path: Path
) -> None:
    state = tmp_path / "typo" / "deeper" / "history.sqlite"
    code, out, err = run_cli(*command, "--state", state)
    said = out + err
    assert f"folder {state.parent} does not exist" in said
    assert "Traceback" not in said
    assert code == (3 if command[0] == "check" else 2)
    assert not (tmp_path / "typo").exists(), "cecap created a folder nobody asked for"


def test_state_from_the_environment_in_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    env = {"CECAP_STATE": str(tmp_path / "nope" / "h.sqlite")}
    code, _, err = run_cli("report", "--bdii", SAMPLE, "--record", env=env)
    assert code == 2
    assert "does not exist" in err
    assert not (tmp_path / "nope").exists()


def test_the_default_state_folder_is_created(tmp_path: Path) -> None:
    env = {"XDG_STATE_HOME": str(tmp_path / "xdg")}
    code, _, err = run_cli("report", "--bdii", SAMPLE, "--record", env=env)
    assert (code, err) == (0, "")
    assert (tmp_path / "xdg" / "cecap" / "history.sqlite").is_file()


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e308", "0", "-1", "86401"])
def test_odd_timeouts_are_usage_errors(value: str) -> None:
    code, _, err = run_cli("report", "--bdii", SAMPLE, "--timeout", value)
    assert code == 2
    assert "--timeout" in err
    assert "86400" in err  # says what range is accepted
    assert "internal error" not in err


@pytest.mark.parametrize("value", ["99999999999", "36501", "-1"])
def test_odd_keep_days_are_usage_errors(value: str, tmp_path: Path) -> None:
    code, _, err = run_cli(
        "report",
        "--bdii",
        SAMPLE,
        "--record",
        "--state",
        tmp_path / "h",
        "--keep-days",
        value,
    )
    assert code == 2
    assert "--keep-days" in err
    assert not (tmp_path / "h").exists()


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00+01:00", "0001-01-01T00:00:00+23:59", "9999-12-31T23:59-01:00"]
)
def test_odd_since_dates_are_usage_errors(value: str, tmp_path: Path) -> None:
    state = tmp_path / "h.sqlite"
    assert run_cli("report", "--bdii", SAMPLE, "--record", "--state", state)[0] == 0
    code, _, err = run_cli("history", "--state", state, "--since", value)
    assert code == 2
    assert "--since" in err
    assert "internal error" not in err


def test_keep_days_without_record_is_a_usage_error(tmp_path: Path) -> None:
    state = tmp_path / "h.sqlite"
    code, out, err = run_cli("report", "--bdii", SAMPLE, "--state", state, "--keep-days", "30")
    assert (code, out, err) == (
        2,
        "",
        "cecap: error: --keep-days prunes the history when this run is recorded: give"
        " --record too\n",
    )
    assert not state.exists()
    # With --record it prunes, and the report is printed.
    code, out, err = run_cli(
        "report", "--bdii", SAMPLE, "--state", state, "--keep-days", "30", "--record"
    )
    assert (code, err) == (0, "")
    assert "RAL-LCG2" in out
    assert state.is_file()


@pytest.mark.parametrize(
    "args",
    [
        ("site-bdiis", "--site-bdii", "S=127.0.0.1:9", "--deadline", "nan"),
        ("report", "--bdii", str(SAMPLE), "--site-bdiis", "--deadline", "NaN"),
        ("page", "--bdii", str(SAMPLE), "-o", "unused", "--site-bdiis", "--deadline", "nan"),
        ("results", "import", "--timeout", "nan", str(SAMPLE)),
    ],
    ids=lambda a: " ".join(a[:1] + a[-2:]),
)
def test_nan_seconds_are_usage_errors(
    args: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No wait may be nan: it compares false with every bound, so a range alone lets it
    through (a deadline of nan cut every site BDII's read at once, as not answering)."""
    monkeypatch.chdir(tmp_path)  # page's -o unused: nothing may be written there
    code, out, err = run_cli(*args, env={"CECAP_STATE": str(tmp_path / "h.sqlite")})
    assert (code, out) == (2, "")
    assert (
        err.startswith("cecap: error: Invalid value for ") and "is not a number of seconds" in err
    )
    assert err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == []
