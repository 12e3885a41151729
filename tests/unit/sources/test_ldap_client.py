"""Everything cecap takes from ldap3, one test per use (sources/ldap_client.py): an ldap3
release that changes any of it fails here, where the one module to fix is named."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from cecap.sources.ldap_client import (
    CommunicationError,
    LdapError,
    ResponseTimeout,
    escape_filter,
    next_message_id,
    open_link,
    result_name,
)


def tlv(data: bytes, i: int = 0) -> tuple[int, bytes, int]:
    """One BER element at ``i``: its tag, its contents, where the next one starts."""
    tag, first = data[i], data[i + 1]
    i += 2
    if first & 0x80:
        size = int.from_bytes(data[i : i + (first & 0x7F)], "big")
        i += first & 0x7F
    else:
        size = first
    return tag, data[i : i + size], i + size


def elements(data: bytes) -> list[tuple[int, bytes]]:
    out, i = [], 0
    while i < len(data):
        tag, body, i = tlv(data, i)
        out.append((tag, body))
    return out


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(10)
        yield server


def read_message(peer: socket.socket) -> bytes:
    """One whole LDAPMessage off ``peer``."""
    peer.settimeout(10)
    data = b""
    while True:
        data += peer.recv(65536)
        if len(data) >= 2:
            *_, end = tlv(data)
            if end <= len(data):
                return data[:end]


def test_open_link_connects_over_tcp_and_close_closes(listener: socket.socket) -> None:
    link = open_link("127.0.0.1", listener.getsockname()[1], 5, 5)
    peer, _ = listener.accept()
    with peer:
        sock = link.socket
        assert sock.getpeername() == listener.getsockname()
        link.close()
        assert sock.fileno() == -1
        # Closed, and nothing but an unbind (or nothing) was sent before the end.
        peer.settimeout(10)
        rest = b"".join(iter(lambda: peer.recv(4096), b""))
        assert rest == b"" or elements(elements(rest)[0][1])[1][0] == 0x42  # UnbindRequest
    link.close()  # twice: nothing left to lose


def test_open_link_to_a_closed_port_is_an_ldap_communication_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
    with pytest.raises(CommunicationError, match="Connection refused"):
        open_link("127.0.0.1", port, 5, 5)


def test_send_search_encodes_the_request_cecap_asks_for(listener: socket.socket) -> None:
    link = open_link("127.0.0.1", listener.getsockname()[1], 5, 5)
    peer, _ = listener.accept()
    with peer:
        message_id = link.send_search(
            "Mds-Vo-name=local,o=grid", "(objectClass=GlueCE)", ["GlueCEUniqueID", "x"], 7
        )
        tag, message, _ = tlv(read_message(peer))
        link.close()
    assert tag == 0x30
    (id_tag, raw_id), (op_tag, request) = elements(message)[:2]
    assert (id_tag, int.from_bytes(raw_id, "big")) == (0x02, message_id)
    assert op_tag == 0x63  # [APPLICATION 3] SearchRequest
    base, scope, deref, size, time, types_only, filt, attrs = elements(request)
    assert base == (0x04, b"Mds-Vo-name=local,o=grid")
    assert scope == (0x0A, b"\x02")  # wholeSubtree
    assert deref == (0x0A, b"\x03")  # derefAlways
    assert size == (0x02, b"\x00")  # no size limit asked
    assert time == (0x02, b"\x07")  # the server stops after 7 s
    assert types_only == (0x01, b"\x00")
    assert filt[0] == 0xA3  # [3] equalityMatch
    assert elements(filt[1]) == [(0x04, b"objectClass"), (0x04, b"GlueCE")]
    assert attrs == (0x30, b"\x04\x0eGlueCEUniqueID\x04\x01x")


def test_a_replaced_socket_carries_the_next_request(listener: socket.socket) -> None:
    # cecap puts the TLS socket it shook hands on in the plain one's place.
    link = open_link("127.0.0.1", listener.getsockname()[1], 5, 5)
    peer, _ = listener.accept()
    mine, other = socket.socketpair()
    with peer, mine, other:
        plain = link.socket
        link.socket = mine
        assert link.socket is mine
        link.send_search("o=glue", "(objectClass=GLUE2Endpoint)", [], 1)
        _, message, _ = tlv(read_message(other))
        assert elements(message)[1][0] == 0x63
        plain.close()


def test_message_ids_are_never_reused() -> None:
    first = next_message_id()
    second = next_message_id()
    assert second > first > 0


@pytest.mark.parametrize(
    ("code", "name"),
    [
        (0, "success"),
        (3, "timeLimitExceeded"),
        (4, "sizeLimitExceeded"),
        (32, "noSuchObject"),
        (49, "invalidCredentials"),
        (12345, "unknown"),
    ],
)
def test_result_names(code: int, name: str) -> None:
    assert result_name(code) == name


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("atlas", "atlas"),
        ("a*b", "a\\2ab"),
        ("(x)", "\\28x\\29"),
        ("back\\slash", "back\\5cslash"),
        ("nul\x00", "nul\\00"),
        ("dteam/Role=pilot", "dteam/Role=pilot"),
    ],
)
def test_filter_values_are_escaped_as_rfc_4515_says(value: str, escaped: str) -> None:
    assert escape_filter(value) == escaped


def test_errors_are_ldap3s() -> None:
    assert issubclass(CommunicationError, LdapError)
    assert issubclass(ResponseTimeout, LdapError)
