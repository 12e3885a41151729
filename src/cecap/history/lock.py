"""The history lock: one run at a time writes the history; the next waits its turn."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from types import TracebackType

from ..errors import HistoryBusy, HistoryError
from .paths import prepare_folder


class HistoryLock:
    """An exclusive lock beside the database (``PATH.lock``), held for a whole run.

    Waits up to ``timeout`` seconds for another run to finish, then raises HistoryBusy
    naming the holder's pid, which the holder writes into the lock file.
    """

    def __init__(self, db_path: Path, timeout: float) -> None:
        self.path = db_path.with_name(db_path.name + ".lock")
        self.db_path = db_path
        self.timeout = timeout
        self._fd: int | None = None

    def __enter__(self) -> HistoryLock:
        prepare_folder(self.db_path)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise HistoryError(f"{self.path}: cannot create the history lock: {exc}") from None
        deadline = time.monotonic() + self.timeout
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        holder = _read_pid(fd)
                        by = f" (pid {holder})" if holder else ""
                        raise HistoryBusy(
                            f"history {self.db_path} is locked by another cecap run{by};"
                            " gave up waiting for it within --timeout (runs overlap: run"
                            " less often or raise --timeout)"
                        ) from None
                    time.sleep(min(0.05, left))
        except BaseException:
            os.close(fd)
            raise
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError as exc:
            os.close(fd)
            raise HistoryError(
                f"{self.path}: cannot write the history lock: {exc.strerror}"
            ) from None
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
