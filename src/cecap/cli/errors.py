"""The one error map: any exception a command raises -> an exit code and a one-line message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import click

from ..errors import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, CecapError, CheckTimeout


@dataclass(frozen=True, slots=True)
class Described:
    code: int
    message: str
    internal: bool = False  # a bug: worth a traceback with --debug


def describe(exc: BaseException) -> Described:
    if isinstance(exc, CecapError):
        return Described(exc.exit_code, str(exc))
    if isinstance(exc, click.ClickException):
        return Described(EXIT_BAD_INPUT, exc.format_message())
    if isinstance(exc, KeyboardInterrupt | click.Abort):
        return Described(EXIT_INTERRUPTED, "interrupted")
    if isinstance(exc, CheckTimeout):
        return Described(CheckTimeout.exit_code, str(exc))
    return Described(
        EXIT_INTERNAL,
        f"internal error: {type(exc).__name__}: {exc} (rerun with --debug and report it)",
        internal=True,
    )


# A value of the command line repeated in an error message is shown up to this many
# characters: a value pasted by mistake (a whole file in --since) must not flood the
# terminal or the cron mail.
QUOTE_CAP = 200


def capped(message: str, args: Sequence[str] = ()) -> str:
    """``message`` with every long argument of ``args`` it repeats (as typed, or as Python
    quotes it) cut short, its length said."""
    values = {part for arg in args for part in (arg, arg.partition("=")[2])}
    values |= {repr(value)[1:-1] for value in values}
    for value in sorted(values, key=len, reverse=True):
        if len(value) > QUOTE_CAP and value in message:
            message = message.replace(
                value, f"{value[: QUOTE_CAP // 2]}\u2026[{len(value)} characters]"
            )
    return message
