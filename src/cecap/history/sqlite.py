"""Opening the history's SQLite file, and saying what went wrong with it."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ..errors import HistoryError


def database_problem(path: Path, doing: str, exc: BaseException) -> str:
    """What went wrong with the database at ``path``, in an administrator's words.

    Moving the file aside loses the history: it is suggested only when SQLite says the
    file is damaged, never for a full disk or a folder cecap may not write.
    """
    text = str(exc)
    lowered = text.lower()
    code = getattr(exc, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_FULL or "disk is full" in lowered or "no space" in lowered:
        return f"{path}: cannot {doing} the history: the disk is full there; free space and rerun"
    if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN) or "readonly" in lowered:
        return (
            f"{path}: cannot {doing} the history: cecap may not write to {path.parent}"
            f" ({text}); fix the permissions or choose another --state"
        )
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "malformed" in lowered:
        return (
            f"{path}: the history database is damaged ({text}); move it aside to start a"
            " new history (the old one is lost to cecap)"
        )
    return f"{path}: cannot {doing} the history database: {text}"


def connect(path: Path, create: bool) -> sqlite3.Connection:
    """A connection: read-write for a writer, read-only for a reader.

    A reader never writes: in a folder it may not write, a WAL database cannot make its
    -shm file, so it is opened immutable there (nobody can be writing to it).
    """
    try:
        if create:
            return sqlite3.connect(os.fspath(path), timeout=10, isolation_level=None)
        uri = f"{path.resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=10, isolation_level=None)
        try:
            conn.execute("PRAGMA user_version").fetchone()
        except sqlite3.OperationalError:
            conn.close()
            if os.access(path.parent, os.W_OK):
                raise
            uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
            conn = sqlite3.connect(uri, uri=True, timeout=10, isolation_level=None)
        return conn
    except (OSError, sqlite3.Error) as exc:
        raise HistoryError(database_problem(path, "open", exc)) from None
