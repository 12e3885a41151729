"""The one error map: any exception a command raises -> an exit code and a one-line message."""

from __future__ import annotations

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
