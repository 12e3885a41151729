"""The two packages agree: the same version as cecap's, and each of the files kept once in
packaging/ (the check's units and settings, the cron job, the Nagios definitions)
installed by both debian/ and cecap.spec. The packages themselves are built, installed
and checked by tests/e2e/test_package.py."""

from __future__ import annotations

import re

import pytest
from helpers.paths import REPO

from cecap import __version__

SPEC = (REPO / "cecap.spec").read_text(encoding="utf-8")
DEBIAN = "\n".join(
    (REPO / "debian" / name).read_text(encoding="utf-8") for name in ("rules", "cecap.examples")
)


def test_versions_agree() -> None:
    version = re.search(r"^Version:\s+(\S+)$", SPEC, re.M)
    assert version is not None and version.group(1) == __version__
    changelog = (REPO / "debian" / "changelog").read_text(encoding="utf-8")
    assert changelog.startswith(f"cecap ({__version__}) ")
    assert re.search(rf"^\* .* - {re.escape(__version__)}-1$", SPEC, re.M)


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "packaging").iterdir()))
def test_both_packages_install_each_shared_file(name: str) -> None:
    assert re.search(rf"packaging/{re.escape(name)}\b", DEBIAN), f"debian/ does not install {name}"
    assert re.search(rf"packaging/{re.escape(name)}\b", SPEC), f"cecap.spec does not install {name}"


def test_the_debian_package_pins_ldap3_as_pyproject_does() -> None:
    """cecap takes ldap3's internals through one adapter (sources/ldap_client.py), tested
    on the 2.9 series only: the .deb must not accept a release pip would refuse."""
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    pin = re.search(r'"ldap3>=([\d.]+),<([\d.]+)"', pyproject)
    assert pin is not None
    control = (REPO / "debian" / "control").read_text(encoding="utf-8")
    depends = re.search(r"^Depends:(.*?)^\S", control, re.M | re.S)
    assert depends is not None
    ldap3 = re.findall(r"python3-ldap3 \(([<>=]+) ([^)]+)\)", depends.group(1))
    assert ldap3 == [(">=", pin.group(1)), ("<<", pin.group(2) + "~")]
