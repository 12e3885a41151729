"""Writing an output file the user named: atomically where that is safe.

cecap often runs as root, so it writes only what the user named and never replaces or
creates anything else:

* ``-`` is standard output (plain text, never gzip);
* a regular file, or a new name in an existing folder, is written to a temporary file
  beside it (``.NAME.xxxxxxxx.tmp``) and renamed over it, keeping the replaced file's
  mode (and owner, where allowed); a new file gets 0666 less the umask;
* a symlink is followed to the file it names, which is written as above, the link kept;
  a dangling link writes the path it names when that path's folder exists;
* a character or block device or a FIFO is opened and written directly: no temporary
  file, no rename, no fsync;
* a directory, a socket, a missing folder or a symlink loop is an error.

A name ending in ``.gz`` (as the user gave it) is written gzip-compressed. Temporary files
that a killed run left beside the target are removed by the next write to it.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import secrets
import stat
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from ..errors import InputError

STDOUT = "-"

Kind = Literal["stdout", "replace", "direct"]


@dataclass(frozen=True)
class Target:
    """Where an output named ``path`` goes, and how it is written."""

    path: Path  # as the user named it
    real: Path  # symlinks followed: the file that gets the bytes
    kind: Kind
    replaced: os.stat_result | None = None  # the regular file a "replace" writes over


def output_target(path: Path | str) -> Target:
    """Where writing to ``path`` goes; an InputError (one line) when it cannot be written.

    The command calls this before its work too, so that a bad --output fails at once.
    """
    if str(path) == STDOUT:
        return Target(Path(STDOUT), Path(STDOUT), "stdout")
    path = Path(path)
    real = Path(os.path.realpath(path))
    linked = f" (resolves to {real})" if real != Path(os.path.abspath(path)) else ""
    try:
        found = os.lstat(real)
    except FileNotFoundError:
        folder = real.parent
        if not folder.is_dir():
            raise InputError(
                f"cannot write {path}{linked}: folder {folder} does not exist"
            ) from None
        return Target(path, real, "replace")
    except OSError as exc:
        raise InputError(f"cannot write {path}{linked}: {exc.strerror or exc}") from None
    mode = found.st_mode
    if stat.S_ISREG(mode):
        return Target(path, real, "replace", found)
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode):
        return Target(path, real, "direct")
    if stat.S_ISDIR(mode):
        what = "a directory"
    elif stat.S_ISLNK(mode):  # realpath stops where links loop
        what = "a symlink loop"
    elif stat.S_ISSOCK(mode):
        what = "a socket"
    else:
        what = "not a file"
    raise InputError(
        f"cannot write {path}{linked}: it is {what}; name a file, a device, a FIFO or -"
    )


def own_file_target(path: Path) -> Target:
    """A file that is cecap's own to replace (the page's index.html): a regular file or a
    new name, replaced by renaming over the name itself, so nothing is ever written
    through a link; a symlink, a FIFO, a device or a folder there is an InputError."""
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return Target(path, path, "replace")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    if stat.S_ISREG(found.st_mode):
        return Target(path, path, "replace", found)
    what = {
        stat.S_IFLNK: "a symlink",
        stat.S_IFIFO: "a FIFO",
        stat.S_IFCHR: "a device",
        stat.S_IFBLK: "a device",
        stat.S_IFDIR: "a directory",
        stat.S_IFSOCK: "a socket",
    }.get(stat.S_IFMT(found.st_mode), "not a file")
    raise InputError(
        f"cannot write {path}: it is {what}; cecap replaces only a regular file there (it"
        " never writes through a link): remove it, or name another folder"
    )


def write_atomically(path: Path | str, chunks: Iterable[str]) -> None:
    """Write ``chunks`` (UTF-8) where ``path`` names: see the module's docstring."""
    write_target(output_target(path), chunks)


def write_target(target: Target, chunks: Iterable[str]) -> None:
    """Write ``chunks`` (UTF-8) to a target output_target or own_file_target gave."""
    gz = target.kind != "stdout" and target.path.name.endswith(".gz")
    if target.kind == "stdout":
        _write_stdout(chunks)
    elif target.kind == "direct":
        _write_direct(target, chunks, gz)
    else:
        _replace(target, chunks, gz)


def temp_pattern(name: str) -> re.Pattern[str]:
    """The names of the temporary files written beside a target called ``name``."""
    return re.compile(rf"\.{re.escape(name)}\.[0-9a-f]{{8}}\.tmp")


def _replace(target: Target, chunks: Iterable[str], gz: bool) -> None:
    path, real = target.path, target.real
    folder = real.parent
    temp = folder / f".{real.name}.{secrets.token_hex(4)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        # A new file: os.open applies the umask to 0666, as creating it directly would.
        # A replaced file: private while written, then given the replaced file's mode.
        fd = os.open(temp, flags, 0o600 if target.replaced else 0o666)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        _clean_stale(folder, real.name, temp.name)
        with os.fdopen(fd, "wb") as raw:
            if target.replaced is not None:
                _keep_identity(raw.fileno(), target.replaced)
            _encode(raw, chunks, gz, path.name)
            raw.flush()
            os.fsync(raw.fileno())
        _still_replaceable(target)
        os.replace(temp, real)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _sync_folder(folder)


def _still_replaceable(target: Target) -> None:
    """Right before the rename: the target is still a regular file, or still absent."""
    try:
        mode = os.lstat(target.real).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise InputError(f"cannot write {target.path}: {target.real} changed while written")


def _keep_identity(fd: int, replaced: os.stat_result) -> None:
    # Owner first: chown clears the set-id bits that chmod then puts back.
    made = os.fstat(fd)
    if (replaced.st_uid, replaced.st_gid) != (made.st_uid, made.st_gid):
        with contextlib.suppress(PermissionError):
            os.fchown(fd, replaced.st_uid, replaced.st_gid)
    os.fchmod(fd, stat.S_IMODE(replaced.st_mode))


def _clean_stale(folder: Path, name: str, ours: str) -> None:
    """Remove the temporary files a killed run left for ``name`` (regular files only)."""
    pattern = temp_pattern(name)
    with contextlib.suppress(OSError), os.scandir(folder) as found:
        for entry in found:
            if entry.name == ours or not pattern.fullmatch(entry.name):
                continue
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable; not every filesystem lets a folder be synced."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_direct(target: Target, chunks: Iterable[str], gz: bool) -> None:
    """A device or FIFO: opened as it is (a FIFO waits for its reader), never created."""
    path = target.path
    try:
        fd = os.open(target.real, os.O_WRONLY | os.O_NOCTTY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode)):
            os.close(fd)
            raise InputError(f"cannot write {path}: {target.real} changed while opened")
        with os.fdopen(fd, "wb") as raw:
            _encode(raw, chunks, gz, path.name)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _write_stdout(chunks: Iterable[str]) -> None:
    """Plain text to standard output; a closed pipe is left to the caller (BrokenPipeError)."""
    try:
        sys.stdout.flush()
        out = getattr(sys.stdout, "buffer", None)
        if out is None:
            for chunk in chunks:
                sys.stdout.write(chunk)
            sys.stdout.flush()
        else:
            _write_all(out.write, chunks)
            out.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise InputError(f"cannot write to standard output: {exc.strerror or exc}") from None


def _encode(raw: BinaryIO, chunks: Iterable[str], gz: bool, name: str) -> None:
    if gz:
        # Closing the GzipFile writes its trailer but leaves ``raw`` open.
        with gzip.GzipFile(filename=name[:-3], fileobj=raw, mode="wb", mtime=0) as packed:
            _write_all(packed.write, chunks)
    else:
        _write_all(raw.write, chunks)


def _write_all(write: Callable[[bytes], object], chunks: Iterable[str]) -> None:
    for chunk in chunks:
        write(chunk.encode("utf-8"))
