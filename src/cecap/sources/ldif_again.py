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
    """The CE entries left undecoded, by the line each starts on, under the CE ID their
    DN's first RDN gives (lower-case): the lines to read again for a CE ID."""

    def __init__(self) -> None:
        self._by_id: dict[str, list[int]] = {}
        self._unnamed: list[int] = []  # a DN whose first RDN is not the GlueCEUniqueID

    def add(self, lineno: int, dn: str) -> None:
        name, _, value = split_rdns(dn)[0].partition("=")
        if name.strip().lower() == "glueceuniqueid":
            self._by_id.setdefault(unescape(value.strip()).lower(), []).append(lineno)
        else:
            self._unnamed.append(lineno)

    def lines(self, missing: list[str]) -> set[int]:
        """The lines of the CEs left out that may have one of the ``missing`` IDs."""
        found = {n for i in missing for n in self._by_id.get(i, ())}
        if missing and self._unnamed:
            found.update(self._unnamed)
        return found
