"""An LDIF snapshot as text: its bytes (plain or gzip; a file, a pipe or a FIFO) in runs
of whole blank-line separated blocks, with the checks that need no parsing made on whole
chunks: UTF-8 (naming the line of a bad byte), and bounds on a line and on an entry."""

from __future__ import annotations

import codecs
import gzip
import os
import stat
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ..errors import InputError

CHUNK = 1 << 20
# Bounds on one line and one entry: far above anything a BDII writes (its longest lines
# are folded at 76 characters, its largest entries a few hundred kB of run-time tags), so
# that /dev/zero, a binary file or an endless stream fails fast instead of filling memory.
# MAX_LINE must not be below CHUNK: only a line that spans chunks is measured.
MAX_LINE = 1 << 20
MAX_ENTRY = 16 << 20
WHAT_A_SNAPSHOT_IS = (
    "a snapshot is the LDIF output of ldapsearch (plain or gzip) in a regular file or a"
    " pipe, or '-' for standard input"
)


class LdifText:
    """The runs of blocks of one LDIF file; ``size`` (bytes read, after gunzip) and
    ``fifo`` (it is a named pipe) are known once ``runs()`` is exhausted."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = 0
        self.fifo = False
        self.line = 1  # the line the next run starts on (see runs)

    @contextmanager
    def _open(self) -> Iterator[IO[bytes]]:
        # O_NONBLOCK: opening a FIFO that has no writer yet returns at once instead of
        # blocking for good; it is cleared before reading, so reads wait for data as usual
        # (and a FIFO that no one writes to reads as empty).
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            raise InputError(f"{self.path}: no such file") from None
        except IsADirectoryError:
            raise InputError(f"{self.path}: is a directory, not an LDIF file") from None
        except PermissionError:
            raise InputError(f"{self.path}: permission denied") from None
        except OSError as exc:
            raise InputError(
                f"{self.path}: cannot open ({exc.strerror}); {WHAT_A_SNAPSHOT_IS}"
            ) from None
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            os.close(fd)
            raise InputError(f"{self.path}: is a directory, not an LDIF file")
        self.fifo = stat.S_ISFIFO(mode)
        with os.fdopen(fd, "rb", buffering=0) as raw:
            os.set_blocking(fd, True)
            if self.path.suffix == ".gz":
                with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                    yield unzipped  # type: ignore[misc]
            else:
                yield raw

    def _read(self, handle: IO[bytes], where: Callable[[], int]) -> bytes:
        try:
            data = handle.read(CHUNK) or b""
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise InputError(
                f"{self.path}: near line {where()}: cannot read compressed data ({exc}); the"
                " file is truncated or corrupt"
            ) from None
        except OSError as exc:
            raise InputError(
                f"{self.path}: near line {where()}: cannot read ({exc.strerror or exc});"
                f" {WHAT_A_SNAPSHOT_IS}"
            ) from None
        self.size += len(data)
        return data

    def _decode(
        self, decoder: codecs.IncrementalDecoder, data: bytes, where: Callable[[], int]
    ) -> str:
        try:
            return decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            # exc.object: the bytes the decoder held back of the last chunk, then data.
            at = where() + exc.object.count(b"\n", 0, exc.start)
            offset = self.size - len(exc.object) + exc.start
            raise InputError(
                f"{self.path}: line {at}: not UTF-8 text ({exc.reason} at byte {offset});"
                " is this an LDIF file?"
            ) from None

    def _chunks(self, where: Callable[[], int]) -> Iterator[str]:
        """The text in chunks of about CHUNK: decoded, with "\n" for every line end, and
        no line over MAX_LINE. ``where()`` is the line the next chunk goes on from."""
        open_line = 0  # characters of the last, unfinished line so far
        cr = ""  # a chunk that ended in "\r": its "\n" may open the next one
        decoder = codecs.getincrementaldecoder("utf-8")()
        with self._open() as handle:
            while True:
                data = self._read(handle, where)
                chunk = cr + self._decode(decoder, data, where)
                cr = ""
                if "\r" in chunk:
                    if data and chunk.endswith("\r"):
                        chunk, cr = chunk[:-1], "\r"
                    chunk = chunk.replace("\r\n", "\n").replace("\r", "\n")
                if not chunk:
                    if data:
                        continue  # only the start of a character, or a "\r"
                    return
                # Only a line that spans chunks can exceed the bound (a chunk is no larger).
                first = chunk.find("\n")
                if (open_line + len(chunk) if first < 0 else open_line + first) > MAX_LINE:
                    raise InputError(
                        f"{self.path}: line {where()}: longer than {MAX_LINE >> 20} MiB: not"
                        f" an LDIF snapshot; {WHAT_A_SNAPSHOT_IS}"
                    )
                last = chunk.rfind("\n")
                open_line = open_line + len(chunk) if last < 0 else len(chunk) - last - 1
                yield chunk

    def runs(self) -> Iterator[str]:
        """The text in runs of whole blocks, about CHUNK at a time: a run ends where a block
        does (the blank line after it is not in it), so the next starts on a block.

        A run starts on line ``self.line``. The caller moves ``self.line`` past the run and
        the blank line after it (``run.count("\\n") + 2`` lines) before it asks for the
        next one, so that an error reading on names its line: the caller counts the lines
        it needs as it reads (sources.ldif), and none are counted twice.

        The checks that need no parsing are made on whole chunks: UTF-8, and the bounds on
        a line and an entry.
        """
        rest = ""  # the start of a block the next chunk goes on with

        def where() -> int:
            return self.line + rest.count("\n")

        for chunk in self._chunks(where):
            text = rest + chunk
            cut = text.rfind("\n\n")
            if cut < 0:
                rest = text
            else:
                run, rest = text[:cut], text[cut + 2 :]
                # Only the first block can be larger than a chunk: it goes on from ``rest``.
                first = run.find("\n\n")
                if (len(run) if first < 0 else first) > MAX_ENTRY:
                    self._too_large(self.line)
                yield run
            if len(rest) > MAX_ENTRY:
                self._too_large(self.line + len(rest) - len(rest.lstrip("\n")))
        if rest.strip("\n"):
            yield rest.rstrip("\n")  # as the other runs: no newline at the end

    def _too_large(self, line: int) -> None:
        raise InputError(
            f"{self.path}: line {line}: an entry larger than {MAX_ENTRY >> 20} MiB: not an"
            f" LDIF snapshot of a BDII; {WHAT_A_SNAPSHOT_IS}"
        )


_LDIF_SUFFIXES = (".ldif", ".ldif.gz", ".gz")


def is_ldif_path(item: str) -> bool:
    """A snapshot rather than an endpoint: ``-`` (stdin), an existing file, a path, or an
    LDIF name."""
    if "://" in item:
        return False
    lowered = item.lower()
    return (
        item == "-"
        or lowered.endswith(_LDIF_SUFFIXES)
        or os.path.isfile(item)
        or "/" in item
        or item.startswith(("~", "."))
    )
