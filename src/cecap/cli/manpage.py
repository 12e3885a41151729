"""Man pages made from the commands' own help: cecap(1) and one cecap-COMMAND(1) per
command, in roff, written when a package is built (`python3 -m cecap.cli.manpage DIR`)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import click

from .. import __version__
from .main import cli

SECTION = "1"
MANUAL = "User Commands"


def escape(text: str) -> str:
    """Text as roff prints it: backslashes and hyphens escaped, anything beyond ASCII as a
    named Unicode character, control characters dropped, and a line starting with a dot
    or an apostrophe (a request to roff) made plain text."""
    out = []
    for char in text:
        if char == "\\":
            out.append("\\e")
        elif char == "-":
            out.append("\\-")
        elif char == "\n" or " " <= char <= "~":
            out.append(char)
        elif ord(char) > 0x9F:
            out.append(f"\\[u{ord(char):04X}]")
    lines = "".join(out).split("\n")
    return "\n".join(f"\\&{line}" if line.startswith((".", "'")) else line for line in lines)


def _paragraphs(help_text: str) -> Iterator[str]:
    """A command's help as click shows it, in roff: each paragraph filled, or kept line by
    line where click keeps it (a paragraph opened by a \\b line); what follows a \\f line
    is for the code's readers only."""
    text = help_text.split("\f", 1)[0]
    for block in click.unstyle(text).strip().split("\n\n"):
        lines = block.strip("\n").split("\n")
        if lines[0].strip() == "\b":
            body = [escape(line) for line in lines[1:]]
            yield ".PP\n.nf\n" + "\n".join(body) + "\n.fi"
        else:
            yield ".PP\n" + escape(" ".join(line.strip() for line in lines))


def _name(path: Sequence[str]) -> str:
    return "-".join(path)


def _summary(command: click.Command) -> str:
    return command.get_short_help_str(limit=1000).rstrip(".")


def page(path: Sequence[str], command: click.Command, date: str) -> str:
    """The man page of ``command``, reached by ``path`` (``("cecap", "report")``)."""
    info = " ".join(path)
    parent = click.Context(cli, info_name=path[0])
    ctx = click.Context(command, info_name=info, parent=parent if len(path) > 1 else None)
    title = _name(path).upper()
    out = [
        f'.TH "{escape(title)}" "{SECTION}" "{date}" "cecap {escape(__version__)}" "{MANUAL}"',
        ".SH NAME",
        f"{escape(_name(path))} \\- {escape(_summary(command))}",
        ".SH SYNOPSIS",
        f".B {escape(info)}",
        escape(" ".join(command.collect_usage_pieces(ctx))),
        ".SH DESCRIPTION",
        *_paragraphs(command.help or ""),
    ]
    records = [
        record
        for param in command.get_params(ctx)
        if isinstance(param, click.Option) and (record := param.get_help_record(ctx))
    ]
    if records:
        out.append(".SH OPTIONS")
        for names, text in records:
            out += [".TP", f"\\fB{escape(names)}\\fR", escape(text)]
    subcommands = list(_children(path, command))
    if subcommands:
        out.append(".SH COMMANDS")
        for sub_path, sub in subcommands:
            out += [
                ".TP",
                f"\\fB{escape(sub_path[-1])}\\fR",
                f"{escape(_summary(sub))}: \\fB{escape(_name(sub_path))}\\fR({SECTION})",
            ]
    see = sorted({_name(path[:-1])} if len(path) > 1 else set())
    see += [_name(p) for p, _ in subcommands]
    if see:
        out.append(".SH SEE ALSO")
        out.append(",\n".join(f"\\fB{escape(name)}\\fR({SECTION})" for name in see))
    return "\n".join(out) + "\n"


def _children(
    path: Sequence[str], command: click.Command
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    if isinstance(command, click.Group):
        ctx = click.Context(command, info_name=" ".join(path))
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield (*path, name), sub


def _walk(
    path: tuple[str, ...], command: click.Command
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, command
    for sub_path, sub in _children(path, command):
        yield from _walk(sub_path, sub)


def pages(date: str) -> dict[str, str]:
    """Every man page by file name: cecap.1, cecap-report.1, cecap-results-import.1, ..."""
    return {
        f"{_name(path)}.{SECTION}": page(path, command, date)
        for path, command in _walk(("cecap",), cli)
    }


def build_date() -> str:
    """The pages' date: $SOURCE_DATE_EPOCH's (as package builds set it, for the same pages
    from the same source), else today's, in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = int(epoch) if epoch and epoch.isdigit() else int(time.time())
    return time.strftime("%Y-%m-%d", time.gmtime(moment))


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        click.echo("usage: python3 -m cecap.cli.manpage DIR", err=True)
        return 2
    folder = Path(args[0])
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in pages(build_date()).items():
        (folder / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
