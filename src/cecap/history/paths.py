"""Where the history lives (--state, $CECAP_STATE, the XDG state folder) and its time stamps."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import HistoryError
from ..text import parse_stamp, stamp

__all__ = ["STATE_ENV", "parse_stamp", "stamp", "state_path"]

STATE_ENV = "CECAP_STATE"


def state_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Search order: --state, then $CECAP_STATE, then the XDG state folder."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(STATE_ENV):
        return Path(os.environ[STATE_ENV]).expanduser()
    return default_state_path()


def default_state_path() -> Path:
    """$XDG_STATE_HOME/cecap/history.sqlite, else ~/.local/state/cecap/history.sqlite."""
    xdg = os.environ.get("XDG_STATE_HOME", "")
    # The XDG spec says to ignore a relative value.
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "state"
    return base / "cecap" / "history.sqlite"


def prepare_folder(path: Path) -> None:
    """Make sure the history's folder exists before writing there.

    Only the default XDG state folder is created: a --state or $CECAP_STATE path whose
    folder is missing is a typo more often than not, and a fresh history in the wrong
    place would lose "no longer ready" detection silently.
    """
    folder = path.parent
    if folder.is_dir():
        return
    if path == default_state_path():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryError(f"cannot create the state folder {folder}: {exc.strerror}") from None
        return
    raise HistoryError(
        f"{path}: folder {folder} does not exist; create it, or fix --state / ${STATE_ENV}"
        " (cecap creates only its default folder)"
    )
