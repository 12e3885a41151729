"""Reading an input that must be a regular file (a result file, a factory configuration):
anything else, a FIFO with no writer above all, is refused at once instead of waited on."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import InputError


def kind_of(mode: int) -> str:
    """What a file of this mode is, as a message says it."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_regular(path: Path, limit: int, what: str) -> bytes:
    """At most ``limit`` + 1 bytes of the regular file at ``path`` (a symlink to one
    counts); InputError for anything else, said at once: ``what`` names the input
    ("a result file") in the message."""
    try:
        # O_NONBLOCK: opening a FIFO that has no writer returns at once instead of waiting
        # for one; what was opened is then looked at before a byte is read.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not {what}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(f"{path}: is {kind_of(mode)}, not {what}: name a regular file")
        os.set_blocking(fd, True)
        try:
            return handle.read(limit + 1)
        except OSError as exc:
            raise InputError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
