"""Headless Chromium for the page's tests: the DOM it renders, its console messages, and
a screenshot; plus a small parser of that DOM (html.parser from the standard library)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from helpers.paths import REPO

# Screenshots land here (gitignored), to be looked at after a run.
ARTIFACTS = REPO / "test-artifacts"
# Chromium logs every console message (errors included) as INFO:CONSOLE on stderr.
_CONSOLE = re.compile(r":INFO:CONSOLE[^\]]*\] (.*)")


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("headless Chromium not found (Debian's chromium; scripts/test.sh installs it)")


def _run(url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    # --no-sandbox: Chromium's sandbox refuses to start as root, as the tests run in CI.
    args = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--enable-logging=stderr",
        "--v=0",
        *extra,
        url,
    ]
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=True)


@dataclass
class Rendered:
    """What Chromium made of a page: its DOM as HTML, and its console messages."""

    dom: str
    console: list[str]


def render(url: str) -> Rendered:
    done = _run(url, "--dump-dom")
    return Rendered(done.stdout, _CONSOLE.findall(done.stderr))


def screenshot(url: str, name: str) -> Path:
    """A 1280x900 screenshot of ``url`` in test-artifacts/NAME.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    path.unlink(missing_ok=True)
    _run(url, f"--screenshot={path}", "--window-size=1280,900")
    assert path.stat().st_size > 0
    return path


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()

    def find_all(self, tag: str, cls: str | None = None) -> list[Element]:
        out = []
        for child in self.children:
            if isinstance(child, Element):
                if child.tag == tag and (cls is None or child.has_class(cls)):
                    out.append(child)
                out.extend(child.find_all(tag, cls))
        return out

    def by_id(self, ident: str) -> Element | None:
        for child in self.children:
            if isinstance(child, Element):
                if child.attrs.get("id") == ident:
                    return child
                found = child.by_id(ident)
                if found is not None:
                    return found
        return None


_VOID = {"meta", "link", "input", "br", "img", "hr", "col", "area", "base", "source", "wbr"}


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.at = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.at)
        self.at.children.append(element)
        if tag not in _VOID:
            self.at = element

    def handle_endtag(self, tag: str) -> None:
        at: Element | None = self.at
        while at is not None and at.tag != tag:
            at = at.parent
        if at is not None and at.parent is not None:
            self.at = at.parent

    def handle_data(self, data: str) -> None:
        self.at.children.append(data)


def parse(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root
