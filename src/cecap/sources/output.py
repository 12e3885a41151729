"""Writing an output file the user named: atomically where that is safe."""

from __future__ import annotations

import contextlib
import gzip
import os
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import InputError


def write_atomically(path: Path, chunks: Iterable[str]) -> None:
    folder = path.parent
    if not folder.is_dir():
        raise InputError(f"cannot write {path}: folder {folder} does not exist")
    temp = folder / f".{path.name}.{secrets.token_hex(4)}.tmp"
    try:
        # os.open applies the umask, as creating the file directly would.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as raw:
            if path.name.endswith(".gz"):
                # Closing the GzipFile writes its trailer but leaves ``raw`` open.
                with gzip.GzipFile(filename=path.name[:-3], fileobj=raw, mode="wb", mtime=0) as gz:
                    _write_all(gz.write, chunks)
            else:
                _write_all(raw.write, chunks)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def _write_all(write: Callable[[bytes], object], chunks: Iterable[str]) -> None:
    for chunk in chunks:
        write(chunk.encode("utf-8"))
