"""The man pages built from the commands' help (python3 -m cecap.cli.manpage DIR): one per
command, read by groff without a warning and by man-db's lexgrog (whatis, apropos), every
option of the command in its page, and help text that roff cannot take for requests."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import click
import pytest

from cecap import __version__
from cecap.cli import manpage
from cecap.cli.main import COMMANDS, cli

TOOLS = ("groff", "lexgrog")


@pytest.fixture(scope="module")
def tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"man pages need {', '.join(missing)} (man-db); scripts/test.sh installs it")


def render(page: Path) -> str:
    """The page as `man` shows it: groff's man macros, UTF-8, no bold or underline; every
    warning groff has (-ww) fails the test."""
    done = subprocess.run(
        ["groff", "-man", "-Tutf8", "-K", "utf8", "-ww", "-P", "-cbou", str(page)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )
    assert done.returncode == 0 and done.stderr == "", (page, done.stderr)
    # groff hyphenates and joins lines: compare words, not layout.
    return " ".join(re.sub(r"\u2010\n\s*", "", done.stdout).split())


def whatis(page: Path) -> str:
    done = subprocess.run(["lexgrog", str(page)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.split(": ", 1)[1].strip().strip('"')


def test_one_page_per_command() -> None:
    names = set(manpage.pages("2010-03-24"))
    expected = {"cecap.1"}
    for name in COMMANDS:
        expected.add(f"cecap-{name}.1")
        command = cli.get_command(click.Context(cli), name)
        if isinstance(command, click.Group):
            expected |= {
                f"cecap-{name}-{sub}.1" for sub in command.list_commands(click.Context(command))
            }
    assert "cecap-results-import.1" in expected
    assert names == expected


def test_pages_show_each_commands_help(tools: None, tmp_path: Path) -> None:
    assert manpage.main([str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(manpage.pages("2010-03-24"))
    for name in ("cecap", *COMMANDS, "results import"):
        path = ("cecap", *name.split()) if name != "cecap" else ("cecap",)
        command: click.Command = cli
        for part in path[1:]:
            assert isinstance(command, click.Group)
            found = command.get_command(click.Context(command), part)
            assert found is not None
            command = found
        page = tmp_path / ("-".join(path) + ".1")
        shown = render(page)
        title = "-".join(path).upper()
        assert shown.startswith(f"{title}(1) User Commands {title}(1) NAME"), shown[:80]
        assert f"cecap {__version__}" in shown
        assert f"SYNOPSIS {' '.join(path)} [OPTIONS]" in shown
        summary = command.get_short_help_str(limit=1000).rstrip(".")
        assert whatis(page) == f"{'-'.join(path)} - {summary}"
        # The description's first paragraph, and every option with its help.
        first = " ".join((command.help or "").split("\n\n")[0].split())
        assert first in shown
        ctx = click.Context(command, info_name=" ".join(path))
        for param in command.get_params(ctx):
            if isinstance(param, click.Option):
                record = param.get_help_record(ctx)
                assert record is not None
                assert " ".join(record[0].split()) in shown, (page.name, record[0])
                words = " ".join(record[1].split())
                assert words in shown, (page.name, words)
    # The main page lists every command and points to its page.
    main_page = render(tmp_path / "cecap.1")
    for name in COMMANDS:
        assert f"cecap-{name}(1)" in main_page


def test_help_text_is_never_a_roff_request(tools: None, tmp_path: Path) -> None:
    @click.command()
    @click.option("--odd", help="'quoted first \\fB not bold, a\x1b[31m escape")
    def odd(odd: str) -> None:
        """.TH NOT A TITLE \\fIx\\fR café — a hyphen-ated line

        \b
        .SH kept line by line
        'apostrophe first
        """

    page = tmp_path / "cecap-odd.1"
    page.write_text(manpage.page(("cecap", "odd"), odd, "2010-03-24"), encoding="utf-8")
    shown = render(page)
    assert ".TH NOT A TITLE \\fIx\\fR café — a hyphen-ated line" in shown
    assert ".SH kept line by line 'apostrophe first" in shown
    assert "'quoted first \\fB not bold, a[31m escape" in shown
    assert "\x1b" not in page.read_text(encoding="utf-8")
    # Kept line by line: the two lines stay two lines.
    raw = subprocess.run(
        ["groff", "-man", "-Tutf8", "-K", "utf8", "-P", "-cbou", str(page)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert re.search(r"\n\s+\.SH kept line by line\n\s+'apostrophe first\n", raw), raw


def test_date_from_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    # A package build sets it: the same pages from the same source.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1269432000")
    assert manpage.build_date() == "2010-03-24"
    assert '"2010-03-24" "cecap' in manpage.pages(manpage.build_date())["cecap.1"]


def test_usage(tmp_path: Path) -> None:
    assert manpage.main([]) == 2
    assert manpage.main([str(tmp_path), "extra"]) == 2
    assert list(tmp_path.iterdir()) == []
