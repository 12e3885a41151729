"""cecap against servers that are not well-behaved BDIIs: one that drips its answer a byte at
a time, one that announces a 4 GiB message, one that answers with something that is not
LDAP. Each is a bounded, clear SourceUnavailable (exit 3), and a failover list goes on past
it to a good endpoint."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers.bdii_server import BDIIServer
from helpers.cli import run_cli
from helpers.paths import SAMPLE

Make = Callable[..., BDIIServer]
Behaviour = Callable[[socket.socket, threading.Event], None]

# A run that takes this long is hung: the bound is on a hang, not on fine timings.
HANG = 10.0


def _drip(conn: socket.socket, done: threading.Event) -> None:
    """One byte every 0.5 s, forever: each looks like the start of an LDAP message."""
    while not done.wait(0.5):
        conn.sendall(b"\x30")


def _huge(conn: socket.socket, done: threading.Event) -> None:
    """A message header announcing 4 GiB, then silence."""
    conn.sendall(b"\x30\x84\xff\xff\xff\xff")
    done.wait(HANG)


def _tls_drip(conn: socket.socket, done: threading.Event) -> None:
    """After the client's hello, a TLS handshake record announcing 16 KiB, then one byte
    of it every 0.5 s: each byte restarts a per-read timeout, never the deadline."""
    conn.sendall(b"\x16\x03\x03\x40\x00")
    while not done.wait(0.5):
        conn.sendall(b"\x02")


def _garbage(conn: socket.socket, done: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    done.wait(HANG)


@pytest.fixture
def misbehaving() -> Iterator[Callable[[Behaviour], int]]:
    """``start(behaviour)``: the port of a loopback server that does ``behaviour`` with each
    connection once the client has sent something; stopped at teardown."""
    done = threading.Event()
    threads: list[threading.Thread] = []
    sockets: list[socket.socket] = []

    def serve(listener: socket.socket, behaviour: Behaviour) -> None:
        deadline = time.monotonic() + 60  # stops by itself even if the test forgets
        while not done.is_set() and time.monotonic() < deadline:
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            sockets.append(conn)
            conn.settimeout(5)
            try:
                conn.recv(1024)  # the bind request
                behaviour(conn, done)
            except OSError:
                pass  # the client gave up: what it should do

    def start(behaviour: Behaviour) -> int:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.settimeout(0.1)
        sockets.append(listener)
        thread = threading.Thread(target=serve, args=(listener, behaviour), daemon=True)
        thread.start()
        threads.append(thread)
        port: int = listener.getsockname()[1]
        return port

    yield start
    done.set()
    for thread in threads:
        thread.join(5)
    for sock in sockets:
        sock.close()


def _timed(*args: str) -> tuple[int, str, float]:
    began = time.monotonic()
    result = run_cli(*args)
    return result.code, result.err, time.monotonic() - began


def test_a_dripping_server_is_bounded_by_the_timeout(
    misbehaving: Callable[[Behaviour], int],
) -> None:
    port = misbehaving(_drip)
    code, err, took = _timed("sites", "--timeout", "1.5", "--bdii", f"127.0.0.1:{port}")
    assert took < HANG
    assert code == 3, err
    assert f"ldap://127.0.0.1:{port}: no complete answer within 1.5 s (--timeout)" in err
    assert "anonymous bind" in err


def test_a_tls_handshake_drip_is_bounded_by_the_timeout(
    misbehaving: Callable[[Behaviour], int], tmp_path: Path
) -> None:
    port = misbehaving(_tls_drip)
    url = f"ldaps://127.0.0.1:{port}"
    code, err, took = _timed("sites", "--timeout", "1.5", "--bdii", url, "--ca-dir", str(tmp_path))
    assert took < HANG
    assert code == 3, err
    assert err == (
        f"cecap: error: {url}: no complete answer within 1.5 s (--timeout), gave up during"
        " the TLS handshake\n"
    )


def test_a_huge_message_length_is_refused_at_once(
    misbehaving: Callable[[Behaviour], int],
) -> None:
    port = misbehaving(_huge)
    code, err, took = _timed("sites", "--timeout", "5", "--bdii", f"127.0.0.1:{port}")
    assert took < HANG
    assert code == 3, err
    assert f"ldap://127.0.0.1:{port} answered something that is not LDAP" in err
    assert "4294967295 bytes" in err
    assert "internal error" not in err


def test_garbage_is_not_ldap(misbehaving: Callable[[Behaviour], int]) -> None:
    port = misbehaving(_garbage)
    code, err, took = _timed("sites", "--timeout", "5", "--bdii", f"127.0.0.1:{port}")
    assert took < HANG
    assert code == 3, err
    assert f"ldap://127.0.0.1:{port} answered something that is not LDAP" in err
    assert "internal error" not in err


def test_failover_goes_on_past_garbage(
    misbehaving: Callable[[Behaviour], int], bdii_factory: Make
) -> None:
    good = bdii_factory()
    good.load(SAMPLE)
    port = misbehaving(_garbage)
    result = run_cli("sites", "--timeout", "5", "--bdii", f"127.0.0.1:{port},{good.url}")
    assert result.code == 0, result.err
    assert result.out == run_cli("sites", "--bdii", SAMPLE).out
    assert result.err.startswith(
        f"cecap: warning: ldap://127.0.0.1:{port} answered something that is not LDAP"
    )
    assert result.err.endswith(f"; trying {good.url}\n")
