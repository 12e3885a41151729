"""A copy of the shipped config to break, and the edit that breaks it."""

from __future__ import annotations

import shutil
from pathlib import Path

from cecap.policy.load import default_config_dir


def copy_config(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(default_config_dir(), target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
