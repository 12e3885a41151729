"""Where the history lives (--state, $CECAP_STATE, the XDG state folder) and its time stamps."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

STATE_ENV = "CECAP_STATE"


def state_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Search order: --state, then $CECAP_STATE, then the XDG state folder."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(STATE_ENV):
        return Path(os.environ[STATE_ENV]).expanduser()
    xdg = os.environ.get("XDG_STATE_HOME", "")
    # The XDG spec says to ignore a relative value.
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "state"
    return base / "cecap" / "history.sqlite"


def stamp(moment: datetime) -> str:
    """UTC, to the second: fixed width, so text order is time order in SQL."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
