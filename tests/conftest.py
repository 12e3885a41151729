"""Shared pytest fixtures: real BDIIs on loopback and the real OSG snapshot."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.bdii_server import BDIIServer, missing_requirements
from helpers.paths import REPO
from hypothesis import HealthCheck, settings

# Hypothesis tests check answers, never speed: on a loaded machine (CI's two cores, slapd and
# Chromium beside them) generating examples can be slow, which is no failure of cecap's.
settings.register_profile(
    "cecap", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile("cecap")

# The real OSG top-level dump lives beside the repository, in ../shared/data.
OSG_SNAPSHOT = REPO.parent / "shared" / "data" / "osg-bdii-2008.ldif.gz"
OSG_SNAPSHOT_ENV = "CECAP_OSG_SNAPSHOT"


@pytest.fixture(autouse=True)
def _private_history(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep every test, and every cecap it starts, away from the user's real history
    (~/.local/state/cecap): the default history goes to a fresh folder of its own."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("xdg-state")))
    monkeypatch.delenv("CECAP_STATE", raising=False)


@pytest.fixture
def bdii_factory(tmp_path: Path) -> Iterator[Callable[..., BDIIServer]]:
    """``make(**kw)``: a started BDIIServer(tmp folder, **kw); all are stopped at teardown."""
    missing = missing_requirements()
    if missing:
        pytest.skip("a real BDII needs " + ", ".join(missing) + "; scripts/test.sh installs them")
    servers: list[BDIIServer] = []

    def make(**kw: Any) -> BDIIServer:
        server = BDIIServer(tmp_path / f"bdii{len(servers)}", **kw)
        servers.append(server)
        server.start()
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")  # read-only: module-scoped BDIIs loaded from it may share it
def osg_snapshot() -> Path:
    """The real OSG 2008 snapshot (elsewhere: set CECAP_OSG_SNAPSHOT to its path)."""
    path = Path(os.environ.get(OSG_SNAPSHOT_ENV) or OSG_SNAPSHOT)
    if not path.is_file():
        pytest.skip(
            f"real OSG 2008 snapshot not found at {path}; set {OSG_SNAPSHOT_ENV} to its path"
        )
    return path


@pytest.fixture
def silent_server() -> Iterator[tuple[int, list[socket.socket]]]:
    """A plain TCP server on loopback that accepts connections and never says a word."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    accepted: list[socket.socket] = []
    done = threading.Event()

    def serve() -> None:
        deadline = time.monotonic() + 60  # stops by itself even if the test forgets
        while not done.is_set() and time.monotonic() < deadline:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            accepted.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], accepted
    finally:
        done.set()
        thread.join(5)
        for conn in accepted:
            conn.close()
        listener.close()
