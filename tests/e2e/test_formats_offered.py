"""What --format offers, command by command: the formats only its Tables have, then those for
every Table it takes; --help lists exactly them, and nothing else is accepted."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers.cli import run_cli

from cecap.cli.main import COMMANDS
from cecap.formats import CECAP_FORMATS

EVERY = None  # every format for any Table, tabulate's too
# Per command: its own formats (in the order --help names them), and the others it takes.
OFFERED: dict[str, tuple[tuple[str, ...], tuple[str, ...] | None]] = {
    "report": ((), EVERY),
    "sites": ((), EVERY),
    "site-bdiis": ((), EVERY),
    "stances": ((), EVERY),
    "audit": (("ldif",), EVERY),
    "audit-factory": ((), EVERY),
    "history": (("timeline",), EVERY),
    "diff": ((), EVERY),
    "testlist": (("vofeed",), EVERY),
    "summary": (("markdown", "twiki"), EVERY),
    "export": (("glideinwms",), EVERY),
    "explain": (("table",), ("json",)),
    "check": (("nagios",), ("json",)),
}
# Commands that print no rows: no --format.
NO_FORMAT = {"snapshot", "page", "results", "help"}


def format_help(command: str) -> str:
    text = run_cli(command, "--help").out
    lines = text.split("--format FMT", 1)[1].split("\n  -", 1)[0].split()
    return " ".join(lines)


def test_every_command_is_accounted_for() -> None:
    assert set(OFFERED) | NO_FORMAT == set(COMMANDS)
    for command in NO_FORMAT:
        assert "--format" not in run_cli(command, "--help").out


@pytest.mark.parametrize("command", sorted(OFFERED))
def test_help_lists_what_the_command_offers(command: str) -> None:
    own, generic = OFFERED[command]
    said = format_help(command)
    named = [*own, *(CECAP_FORMATS if generic is EVERY else generic)]
    positions = [said.find(name) for name in named]
    assert -1 not in positions, said
    assert positions == sorted(positions), said
    tabulate = "any tabulate format" in said
    assert tabulate == (generic is EVERY)
    if generic is not EVERY:
        others = {
            "table",
            "lines",
            "tsv",
            "csv",
            "json",
            "ldif",
            "vofeed",
            "glideinwms",
            "markdown",
        }
        assert not [w for w in others - set(named) if w in said.replace(",", " ").split()]


@pytest.mark.parametrize(
    ("command", "fmt"),
    [("explain", "csv"), ("check", "csv"), ("report", "ldif"), ("audit", "vofeed")],
)
def test_a_format_the_command_does_not_offer_is_refused(command: str, fmt: str) -> None:
    done = run_cli(command, "--format", fmt)
    assert done.code in (2, 3)
    assert f"'{fmt}' is not one of" in done.out + done.err


@pytest.mark.parametrize("command", sorted(c for c, (own, _) in OFFERED.items() if own))
def test_importing_the_command_registers_its_own_formats(command: str) -> None:
    module, _ = COMMANDS[command]
    probe = (
        f"import cecap.cli.{module}\n"
        "from cecap.formats.registry import OWN\n"
        "print(' '.join(sorted({n for found in OWN.values() for n in found})))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert set(OFFERED[command][0]) <= set(done.stdout.split())


# tabulate's formats that write a cell's markup raw (see tests/unit/formats/test_markup.py).
RAW = ("latex_raw", "unsafehtml", "asciidoc", "jira", "mediawiki", "moinmoin", "orgtbl",
       "rst", "textile", "youtrack")  # fmt: skip


@pytest.mark.parametrize("command", sorted(OFFERED))
def test_no_command_offers_a_format_that_writes_markup_raw(command: str) -> None:
    said = format_help(command).replace(",", " ").replace("(", " ").replace(")", " ").split()
    for fmt in RAW:
        assert fmt not in said, (command, fmt)
        # A usage error (check: Nagios's UNKNOWN, exit 3, on stdout).
        done = run_cli(command, "--format", fmt)
        assert done.code == (3 if command == "check" else 2), (command, fmt, done.err)
        assert f"'{fmt}' is not one of" in done.out + done.err, (command, fmt)
    # The choices the refusal lists are what the command offers: none of them.
    done = run_cli(command, "--format", "latex_raw")
    listed = (done.out + done.err).split("is not one of", 1)[1]
    assert not [fmt for fmt in RAW if f"'{fmt}'" in listed]
