"""Source step for snapshots: what a second reading of a regular file needs, when the
first left CEs undecoded (sources.ldif, ServingCEs): the lines to read again, and the
file's identity, so that a file changed in between is refused rather than half read."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..model.dn import split_rdns, unescape


def file_identity(path: Path) -> tuple[int, ...] | None:
    """What tells a regular file from another (or from itself rewritten); None for a
    pipe, a FIFO or a device, which cannot be read twice."""
    try:
        info = os.stat(path)
    except OSError:
        return None  # reading it says why
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


class LeftOut:
    """The CE entries left undecoded, by the line each starts on, with their DNs: the lines
    to read again for a CE ID (their DN's first RDN, lower-case). The DNs are read only
    when an ID is asked for, which is rare: nearly every VOView's CE was read."""

    def __init__(self) -> None:
        self._left: list[tuple[int, str]] = []

    def add(self, lineno: int, dn: str) -> None:
        self._left.append((lineno, dn))

    def lines(self, missing: list[str]) -> set[int]:
        """The lines of the CEs left out that may have one of the ``missing`` IDs: those
        of that ID, and those whose DN's first RDN is not a GlueCEUniqueID."""
        if not missing:
            return set()
        wanted = set(missing)
        found = set()
        for lineno, dn in self._left:
            name, _, value = split_rdns(dn)[0].partition("=")
            if name.strip().lower() != "glueceuniqueid" or (
                unescape(value.strip()).lower() in wanted
            ):
                found.add(lineno)
        return found
