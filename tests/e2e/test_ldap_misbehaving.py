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

# What each connection sent first (the bind request), by its socket's file number.
FIRST: dict[int, bytes] = {}

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
                FIRST[conn.fileno()] = conn.recv(1024)  # the bind request
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


def _tlv(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(raw)]) + raw + content


def _message(message_id: int, op: bytes) -> bytes:
    return _tlv(0x30, _tlv(0x02, message_id.to_bytes(4, "big").lstrip(b"\0") or b"\0") + op)


def _ids(data: bytes) -> list[int]:
    """The message IDs of the LDAP messages in ``data`` (whole ones; short lengths)."""
    ids, pos = [], 0
    while pos + 2 <= len(data) and data[pos] == 0x30:
        length, start = data[pos + 1], pos + 2
        if length & 0x80:
            count = length & 0x7F
            length, start = int.from_bytes(data[start : start + count], "big"), start + count
        id_length = data[start + 1]
        ids.append(int.from_bytes(data[start + 2 : start + 2 + id_length], "big"))
        pos = start + length
    return ids


def _streaming(conn: socket.socket, done: threading.Event) -> None:
    """A bind answered, then valid GlueCE entries without end for the first search."""
    conn.settimeout(5)
    (bind_id,) = _ids(FIRST[conn.fileno()])
    conn.sendall(_message(bind_id, _tlv(0x61, _tlv(0x0A, b"\0") + _tlv(0x04, b"") * 2)))
    search_id = _ids(conn.recv(65536))[0]
    n = 0
    while not done.is_set():
        n += 1
        dn = f"GlueCEUniqueID=ce{n}.example.org:2119/jobmanager-pbs-atlas,Mds-Vo-name=S,o=grid"
        attrs = b"".join(
            _tlv(0x30, _tlv(0x04, name.encode()) + _tlv(0x31, _tlv(0x04, value.encode())))
            for name, value in (
                ("objectClass", "GlueCE"),
                ("GlueCEUniqueID", dn.split(",")[0].partition("=")[2]),
                ("GlueCEAccessControlBaseRule", "VO:atlas"),
                ("GlueCEInfoHostName", f"ce{n}.example.org"),
            )
        )
        conn.sendall(_message(search_id, _tlv(0x64, _tlv(0x04, dn.encode()) + _tlv(0x30, attrs))))


def test_a_server_streaming_without_end_is_given_up_by_size(
    misbehaving: Callable[[Behaviour], int],
) -> None:
    """Memory is bounded by --max-read, not by the time the server is given: with a
    timeout far above what the cap takes, the read stops at the cap."""
    port = misbehaving(_streaming)
    code, err, took = _timed(
        "sites", "--timeout", "600", "--max-read", "2", "--bdii", f"127.0.0.1:{port}"
    )
    assert took < 60
    assert code == 3, err
    assert err == (
        f"cecap: error: ldap://127.0.0.1:{port}: sent more than 2 MiB during the GlueCE search"
        " (--max-read), gave up on it as sending too much; a BDII that is this large needs a"
        " higher --max-read\n"
    )


def test_the_read_cap_on_a_real_bdii_and_failover_past_it(
    bdii_factory: Make, osg_snapshot: Path
) -> None:
    """The OSG snapshot's answer is over 1 MiB: a real BDII serving it is given up at
    --max-read 1 (exit 3, naming it), read whole at the default, and a failover list goes
    on from it to the next endpoint."""
    big = bdii_factory()
    big.load(osg_snapshot, strict=False)  # 4 of its entries break the schema, as in 2008
    small = bdii_factory()
    small.load(SAMPLE)
    capped = run_cli("audit", "--max-read", "1", "--bdii", big.url)
    assert capped.code == 3, capped.err
    assert capped.err.startswith(f"cecap: error: {big.url}: sent more than 1 MiB during the ")
    whole = run_cli("audit", "--bdii", big.url, "--format", "json")
    assert whole.code in (0, 1), whole.err
    failover = run_cli("audit", "--max-read", "1", "--bdii", f"{big.url},{small.url}")
    assert failover.code == run_cli("audit", "--bdii", SAMPLE).code, failover.err
    assert failover.out == run_cli("audit", "--bdii", SAMPLE).out
    assert failover.err.startswith(f"cecap: warning: {big.url}: sent more than 1 MiB")


@pytest.mark.parametrize("value", ["0", "-1", "abc", str((1 << 20) + 1)])
def test_max_read_is_checked(value: str) -> None:
    done = run_cli("sites", "--max-read", value, "--bdii", str(SAMPLE))
    assert done.code == 2
    assert done.err.startswith("cecap: error: Invalid value for '--max-read'")
