"""Shared pytest fixtures: real BDIIs on loopback and the real OSG snapshot."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from bdii_server import BDIIServer, missing_requirements

# The real OSG top-level dump lives beside the repository, in ../shared/data.
OSG_SNAPSHOT = Path(__file__).resolve().parents[2] / "shared" / "data" / "osg-bdii-2008.ldif.gz"


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
    """The real OSG 2008 snapshot (override with CECAP_OSG_SNAPSHOT)."""
    path = Path(os.environ.get("CECAP_OSG_SNAPSHOT") or OSG_SNAPSHOT)
    if not path.is_file():
        pytest.skip(f"real OSG snapshot not found: {path}")
    return path
