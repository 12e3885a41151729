"""experiments.yaml's reliable rule and glexec metrics: the shipped defaults, bad values."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from helpers.config_files import copy_config, edit

from cecap.errors import ConfigError
from cecap.policy.load import default_config_dir, load_policy
from cecap.policy.reliable import ModeEvidence, ReliableRule


def test_shipped_rule_and_metrics() -> None:
    cms = load_policy(default_config_dir()).experiments["cms"]
    assert cms.reliable == ReliableRule(timedelta(days=7), 24, 0.95, True, 3)
    assert cms.counts_metric("org.cms.glexec.WN-gLExec")
    assert cms.counts_metric("emi.cream.glexec.WN-gLExec-/cms/Role=pilot")
    assert not cms.counts_metric("org.atlas.glexec.WN-gLExec")
    assert not cms.counts_metric("org.cms.WN-basic")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("window: 7d", "window: 7x", "'7x' is not a window: a positive number and m, h or d"),
        ("window: 7d", "window: 0d", "'0d' is not a window"),
        ("min_ok_ratio: 0.95", "min_ok_ratio: 1.5", "1.5 is not a ratio from 0 to 1"),
        ("min_results: 24", "min_results: 0", "0 is not a whole number of 1 or more"),
        ("last_must_be_ok: true", "last_must_be_ok: often", "'often' is not true or false"),
        ("failing_streak: 3", "streak: 3", "unknown key 'streak'"),
    ],
)
def test_bad_rule_names_file_line_and_key(tmp_path: Path, old: str, new: str, message: str) -> None:
    folder = copy_config(tmp_path)
    path = folder / "experiments.yaml"
    edit(path, old, new)
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if new in text)
    with pytest.raises(ConfigError) as exc:
        load_policy(folder)
    text = str(exc.value)
    assert text.startswith(f"{path}: ")
    assert "experiments.atlas.reliable" in text
    assert message in text
    if "unknown key" not in message:
        assert f"line {line}: " in text


def test_a_rule_may_leave_out_keys(tmp_path: Path) -> None:
    folder = copy_config(tmp_path)
    edit(
        folder / "experiments.yaml",
        "reliable: {window: 7d, min_results: 24, min_ok_ratio: 0.95, last_must_be_ok: true,"
        " failing_streak: 3}",
        "reliable: {window: 24h}",
    )
    atlas = load_policy(folder).experiments["atlas"]
    assert atlas.reliable == ReliableRule(window=timedelta(hours=24))


def test_shipped_mode_evidence() -> None:
    experiments = load_policy(default_config_dir()).experiments
    line = "Warning: Same /usr/bin/id for payload and pilot"
    assert experiments["cms"].mode_evidence == ModeEvidence((line,), (), True)
    # The others keep the default: the same.
    assert {e.mode_evidence for e in experiments.values()} == {ModeEvidence((line,), (), True)}


@pytest.mark.parametrize(
    ("old", "new", "message", "line_named"),
    [
        (
            "ok_is_setuid: true",
            "ok_is_setuid: maybe",
            "mode_evidence.ok_is_setuid: 'maybe' is not true or false",
            True,
        ),
        (
            'log-only: ["Warning: Same /usr/bin/id for payload and pilot"]',
            'log-only: [" "]',
            "mode_evidence.log-only[0]: expected a non-empty string",
            False,
        ),
        ("ok_is_setuid: true", "log_only: [x]", "unknown key 'log_only'", False),
    ],
)
def test_bad_mode_evidence_names_file_and_key(
    tmp_path: Path, old: str, new: str, message: str, line_named: bool
) -> None:
    folder = copy_config(tmp_path)
    path = folder / "experiments.yaml"
    edit(path, old, new)
    with pytest.raises(ConfigError) as exc:
        load_policy(folder)
    text = str(exc.value)
    assert text.startswith(f"{path}: ")
    assert "experiments.cms" in text
    assert message in text
    if line_named:
        line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if new in t)
        assert f"line {line}" in text


def test_mode_evidence_of_ones_own(tmp_path: Path) -> None:
    folder = copy_config(tmp_path)
    edit(
        folder / "experiments.yaml",
        "ok_is_setuid: true",
        'ok_is_setuid: false\n      setuid: ["glexec switched to uid"]',
    )
    cms = load_policy(folder).experiments["cms"]
    assert cms.mode_evidence == ModeEvidence(
        ("Warning: Same /usr/bin/id for payload and pilot",), ("glexec switched to uid",), False
    )


def test_the_failing_rule() -> None:
    from cecap.policy.reliable import FailingRule

    cms = load_policy(default_config_dir()).experiments["cms"]
    assert cms.failing == FailingRule(0.5, False)


@pytest.mark.parametrize(
    ("new", "message"),
    [
        (
            "failing: {min_error_ratio: 0}",
            "failing.min_error_ratio: 0 is not a ratio above 0, up to 1",
        ),
        ("failing: {log_only_is_error: 1}", "failing.log_only_is_error: 1 is not true or false"),
        ("failing: {errors: 2}", "unknown key 'errors'"),
    ],
)
def test_a_bad_failing_rule(tmp_path: Path, new: str, message: str) -> None:
    folder = copy_config(tmp_path)
    path = folder / "experiments.yaml"
    edit(path, "failing: {min_error_ratio: 0.5, log_only_is_error: false}", new)
    with pytest.raises(ConfigError) as exc:
        load_policy(folder)
    assert str(exc.value).startswith(f"{path}: ")
    assert "experiments.cms" in str(exc.value) and message in str(exc.value)
