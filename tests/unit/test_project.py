"""The project's own records: the version written once, the metadata pyproject.toml gives,
and a changelog whose top section collects what has not been released."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import cecap

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_version_is_written_once() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "cecap.__version__"}
    # The installed metadata was read from there.
    assert importlib.metadata.version("cecap") == cecap.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", cecap.__version__)


def test_the_packages_say_the_same_version() -> None:
    # Debian's changelog and the RPM spec must name a version of their own; it is this one.
    changelog = (ROOT / "debian" / "changelog").read_text(encoding="utf-8").splitlines()[0]
    found = re.match(r"cecap \(([^)-]+)(?:-[^)]*)?\) ", changelog)
    assert found and found.group(1) == cecap.__version__, changelog
    spec = (ROOT / "cecap.spec").read_text(encoding="utf-8")
    assert re.findall(r"^Version:\s+(\S+)$", spec, re.MULTILINE) == [cecap.__version__]


def test_the_metadata_says_what_cecap_is_for_and_runs_on() -> None:
    classifiers = PYPROJECT["project"]["classifiers"]
    assert "Programming Language :: Python :: 3.11" in classifiers
    assert "Intended Audience :: System Administrators" in classifiers
    installed = importlib.metadata.metadata("cecap").get_all("Classifier") or []
    assert sorted(installed) == sorted(classifiers)


def test_the_changelog_opens_with_what_is_unreleased() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## (.+)$", text, re.MULTILINE)
    assert text.startswith("# Changelog\n")
    assert sections[0] == "[Unreleased]"
    # Each later section is a release: [VERSION] - YYYY-MM-DD.
    for section in sections[1:]:
        assert re.fullmatch(r"\[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}", section), section
