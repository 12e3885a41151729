"""Run cecap (``python held_run.py MARKER ARGS...``) with every history write held just
before its commit: it creates MARKER once every row is written, then waits until MARKER is
removed (at most HOLD_MAX seconds) before it commits.

Tests start it as a process of its own (helpers.process.start_held) to kill a run held
there, or to start another run meanwhile: a run killed mid-write must leave the database
as it was, and overlapping runs must queue. The pause is injected through the
``before_commit`` parameter of History.record; cecap itself reads no test setting.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from cecap.cli import main
from cecap.history.store import History

HOLD_MAX = 60.0


def held(marker: Path) -> None:
    marker.touch()
    until = time.monotonic() + HOLD_MAX
    while marker.exists() and time.monotonic() < until:
        time.sleep(0.02)


def hold_every_record(marker: Path) -> None:
    record = History.record

    def record_held(self: History, *args: Any, **kwargs: Any) -> Any:
        return record(self, *args, **kwargs, before_commit=lambda: held(marker))

    History.record = record_held  # type: ignore[method-assign]


if __name__ == "__main__":
    hold_every_record(Path(sys.argv[1]))
    main(sys.argv[2:])
