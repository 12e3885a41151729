"""Where cecap finds its config: --config, $CECAP_CONFIG, the source tree it runs from,
/etc/cecap (the packages' conffiles), the config installed with cecap."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.config_files import edit
from helpers.paths import CONFIG

from cecap.policy import load

# A respondent every copy below renames, so `cecap stances` shows which copy it read.
RESPONDENT = "BE-BelGrid-UCL"


def _renamed(tmp_path: Path, name: str) -> Path:
    """A copy of the repository's config with the respondent renamed ``RESPONDENT-name``."""
    folder = tmp_path / name / "config"
    shutil.copytree(CONFIG, folder)
    edit(folder / "stances.yaml", f"name: {RESPONDENT}\n", f"name: {RESPONDENT}-{name}\n")
    edit(folder / "sites.yaml", f"  {RESPONDENT}:", f"  {RESPONDENT}-{name}:")
    return folder


def _read_by_stances(env: dict[str, str] | None = None, *args: str) -> str:
    result = run_cli("stances", *args, env=env)
    assert result.code == 0, result.err
    found = re.findall(rf"(?<!\S){re.escape(RESPONDENT)}\S*", result.out)
    assert len(found) == 1, result.out
    return found[0]


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """cecap as a package installs it: no source tree around it, its config in
    PREFIX/share/cecap/config. Returns the /etc/cecap stand-in, not made yet."""
    monkeypatch.setattr(load, "_checkout_config", lambda: tmp_path / "no-tree" / "config")
    prefix = tmp_path / "prefix"
    shipped = _renamed(tmp_path, "shipped")
    (prefix / "share" / "cecap").mkdir(parents=True)
    shipped.rename(prefix / "share" / "cecap" / "config")
    monkeypatch.setattr(sys, "prefix", str(prefix))
    etc = tmp_path / "etc-cecap"
    monkeypatch.setattr(load, "SYSTEM_CONFIG_DIR", etc)
    return etc


def test_installed_reads_etc_cecap_before_its_own(installed: Path, tmp_path: Path) -> None:
    assert _read_by_stances() == f"{RESPONDENT}-shipped"
    _renamed(tmp_path, "etc").rename(installed)
    assert _read_by_stances() == f"{RESPONDENT}-etc"
    # $CECAP_CONFIG and --config come first, --config before the variable.
    env = {"CECAP_CONFIG": str(_renamed(tmp_path, "env"))}
    assert _read_by_stances(env) == f"{RESPONDENT}-env"
    option = str(_renamed(tmp_path, "option"))
    assert _read_by_stances(env, "--config", option) == f"{RESPONDENT}-option"


def test_a_broken_etc_cecap_is_named(installed: Path, tmp_path: Path) -> None:
    # An /etc/cecap that lost a file is an error naming it, not a silent fallback.
    _renamed(tmp_path, "etc").rename(installed)
    (installed / "sites.yaml").unlink()
    result = run_cli("stances")
    assert result.code == 2
    assert result.err.startswith(f"cecap: error: {installed / 'sites.yaml'}: no such file")


def test_a_source_tree_reads_its_own_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # cecap run from a clone reads the clone's config/, whatever a package put in /etc.
    monkeypatch.setattr(load, "SYSTEM_CONFIG_DIR", _renamed(tmp_path, "etc"))
    assert _read_by_stances() == RESPONDENT
    assert load.config_dir(None) == load._checkout_config()
