"""`cecap --version` and `cecap stances` import only what they use (no timing asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers.paths import SAMPLE

# What a command that reads no BDII and prints no tabulate format must not import.
HEAVY = ("ldap3", "cecap.sources.ldap", "sqlite3", "jinja2", "pygal")
# cecap stances needs the config, its own rows and cecap's own formats: not the steps that
# read and judge a BDII, the other commands' rows and options, glue2.yaml's rules, tabulate.
NOT_FOR_STANCES = (
    "cecap.sources",
    "cecap.model",
    "cecap.evaluate",
    "cecap.rows.report",
    "cecap.rows.audit",
    "cecap.rows.fixes",
    "cecap.cli.common",
    "cecap.cli.source_options",
    "cecap.policy.glue2_rules",
    "cecap.formats.tabulated",
    "tabulate",
)

PROBE = (
    "import sys\n"
    "from cecap.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit as exc:\n"
    "    code = exc.code\n"
    "sys.stdout.flush()\n"
    "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def under(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    """The modules that are one of ``packages`` or inside one."""
    return sorted(m for m in modules if any(m == p or m.startswith(f"{p}.") for p in packages))


def imported(*args: str) -> tuple[str, set[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, set(proc.stderr.split())


def test_version_imports_no_command_and_no_heavy_library() -> None:
    out, modules = imported("--version")
    assert out.startswith("cecap, version ")
    assert {"tabulate", "yaml", *HEAVY} & modules == set()
    commands = {m for m in modules if m.startswith("cecap.cli.")}
    assert commands == {"cecap.cli.main", "cecap.cli.errors"}


def test_help_still_lists_every_command() -> None:
    out, _ = imported("--help")
    from cecap.cli.main import COMMANDS

    listed = out.split("Commands:", 1)[1].split()
    assert set(COMMANDS) <= set(listed)


def test_stances_reads_its_config_without_the_ldap_client_or_the_history() -> None:
    out, modules = imported("stances", "--format", "tsv")
    assert out.splitlines()[0].startswith("respondent\t")
    assert "yaml" in modules  # it does read stances.yaml
    assert set(HEAVY) & modules == set()
    assert under(modules, NOT_FOR_STANCES) == []


@pytest.mark.parametrize("fmt", ["table", "tsv", "CSV", "JSON", "lines"])
def test_cecaps_own_formats_do_not_import_tabulate(fmt: str) -> None:
    _, modules = imported("stances", "--format", fmt)
    assert under(modules, NOT_FOR_STANCES) == []


def test_a_tabulate_format_still_imports_tabulate() -> None:
    out, modules = imported("stances", "--format", "GitHub")
    assert out.startswith("| respondent ")
    assert "tabulate" in modules


def test_a_live_read_still_finds_the_ldap_kind() -> None:
    from cecap.sources import KINDS

    assert [kind.name for kind in KINDS][-1] == "ldap"


@pytest.mark.parametrize("command", ["report", "sites", "check", "audit", "testlist"])
def test_a_command_on_a_file_imports_no_ldap_client(command: str, tmp_path: Path) -> None:
    # Only a live read (or the site BDIIs) needs ldap3, the largest import of all.
    args = [command, "--bdii", str(SAMPLE)]
    if command == "check":
        args += ["--state", str(tmp_path / "history.sqlite")]
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=False
    )
    modules = set(proc.stderr.split())
    assert "cecap.cli" in modules, proc.stderr[-2000:]
    assert {"ldap3", "cecap.sources.ldap", "cecap.cli.site_reads"} & modules == set()
