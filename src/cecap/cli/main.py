"""The `cecap` group: its commands, and main(), which maps every error to one line and a code."""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import click

from .. import __version__
from ..errors import EXIT_BAD_INPUT, EXIT_OK, CecapError
from ..text import visible
from .errors import capped, describe

# Each command's module, imported only when that command runs (or help or completion
# lists it): `cecap --version` and `cecap stances` do not pay for ldap3, tabulate or the
# other commands' steps. Name -> (module in cecap.cli, the click command's name there).
COMMANDS: dict[str, tuple[str, str]] = {
    "report": ("report", "report"),
    "sites": ("report", "sites"),
    "stances": ("stances", "stances"),
    "check": ("check", "check"),
    "history": ("history", "history_command"),
    "diff": ("history", "diff_command"),
    "snapshot": ("snapshot", "snapshot"),
    "audit": ("audit", "audit_command"),
    "explain": ("explain", "explain_command"),
    "testlist": ("testlist", "testlist"),
    "export": ("export", "export_command"),
    "audit-factory": ("audit_factory", "audit_factory_command"),
    "page": ("page", "page"),
    "summary": ("summary", "summary"),
    "results": ("results", "results_command"),
    "site-bdiis": ("site_bdiis", "site_bdiis"),
    "help": ("help", "help_command"),
}


class LazyGroup(click.Group):
    """A group whose commands are imported when asked for (click's lazy-loading pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = COMMANDS.get(cmd_name)
        if found is None:
            return None
        module, name = found
        command = getattr(importlib.import_module(f"{__package__}.{module}"), name)
        assert isinstance(command, click.Command), (module, name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Each command's first sentence whole, wrapped: click's own listing cuts it with
        # "..." to fit one line.
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=10_000)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cecap")
def cli() -> None:
    """Which grid CEs advertise glexec, and may each experiment use them?

    cecap reads a BDII (live over LDAP, or an LDIF snapshot), finds the CEs that
    publish GlueCECapability: glexec, and crosses them with the sites' answers to
    the WLCG multi-user pilot jobs questionnaire and each experiment's policy.
    """


def _run(args: list[str]) -> Any:
    """The command, with the cycle collector paused.

    A report over a top-level BDII makes a great many small objects without reference
    cycles; the collector's passes over them cost a tenth of the run and find nothing.
    Reference counting still frees whatever is dropped.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return cli.main(args=args, prog_name="cecap", standalone_mode=False)
    finally:
        if enabled:
            gc.enable()


# At exit the interpreter frees every module's classes and functions, which refer to one
# another, with the cycle collector: about a tenth of a quick command such as `cecap
# stances`. Frozen first, they are left to the operating system, which takes the
# process's memory back at once. Nothing is left unwritten: each module's globals are
# still cleared, and cecap closes every file it opens (with `with`).
atexit.register(gc.freeze)


def _shown(message: str) -> str:
    # cecap's own messages may span lines (one per endpoint tried); each line is escaped.
    return "\n".join(visible(line) for line in message.split("\n"))


def usage_line(exc: click.ClickException, args: Sequence[str]) -> str:
    """A usage error of click's (its usage lines and "Try" line left out) as one line."""
    message = " ".join(exc.format_message().split())
    context = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and context is not None:
        command = context.command_path.partition(" ")[2]
        stop = " " if message.endswith((".", "?", "?)")) else ". "
        message = f"{message}{stop}See 'cecap help{' ' + command if command else ''}'."
    return capped(message, args)


COMPLETE_ENV = "_CECAP_COMPLETE"


def completion_problem(env: Mapping[str, str]) -> str | None:
    """What is wrong with the variables a shell's completion script sets for cecap, or
    None: bash and zsh give COMP_WORDS and COMP_CWORD, the number of the word being
    completed; fish gives COMP_CWORD as that word itself."""
    mode = env.get(COMPLETE_ENV)
    if not mode or mode.endswith("_source"):
        return None
    for name in ("COMP_WORDS", "COMP_CWORD"):
        if name not in env:
            return f"{COMPLETE_ENV}={mode} without {name}: run it from the completion script"
    if not mode.startswith("fish") and not env["COMP_CWORD"].strip().isdigit():
        return f"COMP_CWORD={env['COMP_CWORD']!r} is not the number of a word"
    return None


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    problem = completion_problem(os.environ)
    if problem is not None:
        click.echo(f"cecap: error: shell completion: {_shown(capped(problem))}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    try:
        code = _run(args)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        click.echo(f"cecap: error: {_shown(usage_line(exc, args))}", err=True)
        code = describe(exc).code
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error worth a traceback.
        sys.stderr.close()
        code = EXIT_OK
    except (Exception, KeyboardInterrupt, click.Abort) as exc:
        found = describe(exc)
        if debug and (found.internal or isinstance(exc, CecapError)):
            import traceback  # only here: --debug on an error is rare, the import is not free

            traceback.print_exc()
        # Messages quote what a server or a file said: shown escaped, as every output is.
        message = capped(found.message, args)
        if isinstance(exc, CecapError):
            click.echo(f"cecap: error: {_shown(message)}", err=True)
        else:
            click.echo(f"cecap: {_shown(message)}", err=True)
        code = found.code
    sys.exit(code if isinstance(code, int) else EXIT_OK)
