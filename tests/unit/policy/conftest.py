"""Fixtures of the policy tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.config_files import copy_config


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A copy of the shipped config folder, to break."""
    return copy_config(tmp_path)
