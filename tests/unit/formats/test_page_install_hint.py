"""What `cecap page` says to install when Jinja2 or pygal is missing: the system's own
packages for a cecap the system's package manager installed, else pip's extra."""

from __future__ import annotations

from pathlib import Path

import pytest

from cecap.formats.page import install_hint


@pytest.mark.parametrize(
    ("installed_at", "missing", "hint"),
    [
        # Debian's python3 packages (the cecap .deb).
        (
            "/usr/lib/python3/dist-packages/cecap/formats/page/__init__.py",
            ["jinja2", "pygal"],
            "apt install python3-jinja2 python3-pygal",
        ),
        (
            "/usr/lib/python3/dist-packages/cecap/formats/page/__init__.py",
            ["pygal"],
            "apt install python3-pygal",
        ),
        # An RPM's: what the RPMs of that Python provide (EL9's python3.11 stack has
        # python3.11-jinja2, Fedora python3-jinja2: both provide python3.N dist(jinja2)).
        (
            "/usr/lib/python3.11/site-packages/cecap/formats/page/__init__.py",
            ["jinja2", "pygal"],
            "dnf install 'python3.11dist(jinja2)' 'python3.11dist(pygal)'",
        ),
        (
            "/usr/lib64/python3.13/site-packages/cecap/formats/page/__init__.py",
            ["pygal"],
            "dnf install 'python3.13dist(pygal)'",
        ),
        # pip, in a venv, a user's site or /usr/local: the extra.
        (
            "/home/op/.venv/lib/python3.11/site-packages/cecap/formats/page/__init__.py",
            ["pygal"],
            "pip install 'cecap[page]'",
        ),
        (
            "/usr/local/lib/python3.11/dist-packages/cecap/formats/page/__init__.py",
            ["pygal"],
            "pip install 'cecap[page]'",
        ),
        (
            "/srv/venv/usr/lib/python3/dist-packages/cecap/formats/page/__init__.py",
            ["pygal"],
            "pip install 'cecap[page]'",
        ),
    ],
)
def test_hint_follows_how_cecap_was_installed(
    installed_at: str, missing: list[str], hint: str
) -> None:
    assert install_hint(missing, Path(installed_at)) == hint


def test_a_checkout_is_told_the_extra() -> None:
    # These tests run cecap from its source tree.
    assert install_hint(["jinja2"]) == "pip install 'cecap[page]'"
