"""Usage errors are one `cecap: error:` line with the values typed cut short, and the help
lists every command whole (`cecap --help`, `cecap help [COMMAND]`)."""

from __future__ import annotations

import re

import pytest
from helpers.cli import run_cli
from helpers.paths import SAMPLE

from cecap.cli.errors import QUOTE_CAP
from cecap.cli.main import COMMANDS

LONG = "x" * 100_000

BAD_USES = [
    ("report", "--bogus"),
    ("sites", "--bdii", str(SAMPLE), "--format", "nope"),
    ("history", "--since", LONG),
    ("history", f"--since={LONG}"),
    ("audit", "--timeout", "abc"),
    ("results", "import"),
    ("results", "--bogus"),
    ("nosuchcommand",),
    ("report", "--bdii", str(SAMPLE), "-e", LONG),
    ("page", "--bdii"),
    ("snapshot", "--bdii", str(SAMPLE), "stray"),
]


@pytest.mark.parametrize("args", BAD_USES, ids=lambda a: " ".join(a)[:40])
def test_a_usage_error_is_one_line_with_values_capped(args: tuple[str, ...]) -> None:
    done = run_cli(*args)
    assert done.code == 2
    assert done.out == ""
    lines = done.err.splitlines()
    assert len(lines) == 1, done.err
    assert lines[0].startswith("cecap: error: ")
    assert "Usage:" not in done.err and "Try '" not in done.err
    assert len(lines[0]) < 600
    if any(LONG in a for a in args):
        assert f"{'x' * (QUOTE_CAP // 2)}\u2026[100000 characters]" in lines[0]


def test_a_usage_error_points_at_the_commands_help() -> None:
    done = run_cli("report", "--bogus")
    assert done.err == (
        "cecap: error: No such option '--bogus'. (Did you mean one of: '--base', '--glue', '--jobs'?)"
        " See 'cecap help report'.\n"
    )


def test_check_caps_a_long_value_in_its_unknown_line() -> None:
    done = run_cli("check", "--bdii", str(SAMPLE), "-w", LONG)
    assert done.code == 3
    assert len(done.out.splitlines()) == 1
    assert done.out.startswith("CECAP UNKNOWN - ")
    assert "\u2026[100000 characters]" in done.out
    assert len(done.out) < 400


def _command_list(help_text: str) -> dict[str, str]:
    section = help_text.split("Commands:\n", 1)[1]
    found: dict[str, str] = {}
    name = ""
    for line in section.splitlines():
        head = re.match(r"  (\S+)\s+(.*)", line)
        if head:
            name = head.group(1)
            found[name] = head.group(2)
        elif line.strip():
            found[name] += " " + line.strip()
    return found


@pytest.mark.parametrize("args", [("--help",), ("help",)])
def test_the_command_list_is_whole(args: tuple[str, ...]) -> None:
    done = run_cli(*args, env={"COLUMNS": "80"})
    assert done.code == 0
    listed = _command_list(done.out)
    assert sorted(listed) == sorted(COMMANDS)
    for name, text in listed.items():
        assert "..." not in text and "\u2026" not in text, name
        assert text.endswith("."), (name, text)
    assert "one finding per entry, experiment and CE." in listed["audit-factory"]
    assert all(len(line) <= 80 for line in done.out.splitlines())


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - {"help"}))
def test_help_names_a_commands_options(name: str) -> None:
    done = run_cli("help", name)
    assert done.code == 0
    assert done.out == run_cli(name, "--help").out
    assert done.out.startswith(f"Usage: cecap {name} ")


def test_help_for_a_subcommand_and_for_no_such_command() -> None:
    assert run_cli("help", "results", "import").out == run_cli("results", "import", "--help").out
    done = run_cli("help", "reprot")
    assert done.code == 2
    assert done.err.startswith("cecap: error: no command 'reprot' in cecap; the commands: audit,")
    done = run_cli("help", "report", "extra")
    assert done.code == 2
    assert done.err == "cecap: error: cecap report has no subcommands; it takes options\n"
