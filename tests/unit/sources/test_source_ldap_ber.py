"""The lean decoder of LDAP search answers, on BER built byte by byte as RFC 4511 says."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import pytest

from cecap.sources.ber import Attributes, ProtocolError, SearchDone, search_answers


def search_results(
    recv: Callable[[], bytes], message_id: int
) -> Iterator[tuple[str, Attributes] | SearchDone]:
    """The answer to one search, without its message ID."""
    for _, item in search_answers(recv, {message_id}):
        yield item


def tlv(tag: int, content: bytes) -> bytes:
    """One BER element; the length in the short form below 128, else the long form."""
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(raw)]) + raw + content


def octets(text: str | bytes) -> bytes:
    return tlv(0x04, text.encode() if isinstance(text, str) else text)


def message(message_id: int, op: bytes) -> bytes:
    return tlv(0x30, tlv(0x02, message_id.to_bytes(4, "big").lstrip(b"\0") or b"\0") + op)


def entry(message_id: int, dn: str, attrs: Iterable[tuple[str, list[bytes | str]]]) -> bytes:
    parts = b"".join(
        tlv(0x30, octets(name) + tlv(0x31, b"".join(octets(v) for v in values)))
        for name, values in attrs
    )
    return message(message_id, tlv(0x64, octets(dn) + tlv(0x30, parts)))


def done(message_id: int, code: int = 0, text: str = "", tag: int = 0x65) -> bytes:
    return message(message_id, tlv(tag, tlv(0x0A, bytes([code])) + octets("") + octets(text)))


def feeder(data: bytes, size: int) -> Callable[[], bytes]:
    chunks = [data[i : i + size] for i in range(0, len(data), size)]
    return lambda: chunks.pop(0) if chunks else b""


CE = "GlueCEUniqueID=ce.example.org:2119/jobmanager-pbs-atlas,Mds-Vo-name=SITE,o=grid"
LONG_RULE = "VOMS:/atlas/" + "x" * 300  # a value in the long length form


def answer() -> bytes:
    return b"".join(
        [
            entry(
                7,
                CE,
                [
                    ("objectClass", ["GlueCETop", "GlueCE"]),
                    ("GlueCEAccessControlBaseRule", ["VO:atlas", LONG_RULE]),
                    ("GlueCEName;lang-en", ["atlas"]),
                    ("GlueCEName", ["atlas-bis"]),
                    ("GlueCEInfoHostName", ["ce.example.org"]),
                    ("GlueCEStateStatus", []),  # typesOnly-style empty set: dropped
                    ("GlueSiteLocation", ["Z\u00fcrich".encode(), b"bad \xff byte"]),
                ],
            ),
            message(7, tlv(0x73, octets("ldap://elsewhere.example.org/o=grid"))),  # referral
            entry(7, "o=grid", []),
            done(7, 4, "size limit"),
        ]
    )


EXPECTED = [
    (
        CE,
        {
            "objectclass": ("GlueCETop", "GlueCE"),
            "glueceaccesscontrolbaserule": ("VO:atlas", LONG_RULE),
            "gluecename": ("atlas", "atlas-bis"),
            "glueceinfohostname": ("ce.example.org",),
            "gluesitelocation": ("Z\u00fcrich", "bad \ufffd byte"),
        },
    ),
    ("o=grid", {}),
    SearchDone(4, "", "size limit"),
]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 1 << 16])
def test_entries_and_result_whatever_the_chunks(size: int) -> None:
    assert list(search_results(feeder(answer(), size), 7)) == EXPECTED


def test_nothing_is_read_past_the_search_done() -> None:
    calls: list[int] = []
    data = answer() + b"\x30 more bytes for the next search"

    def recv() -> bytes:
        calls.append(1)
        return data if len(calls) == 1 else b""

    assert list(search_results(recv, 7)) == EXPECTED
    assert len(calls) == 1


def test_closed_connection_mid_search() -> None:
    data = answer()[:-5]
    results = search_results(feeder(data, 100), 7)
    with pytest.raises(ConnectionResetError, match="session terminated by server"):
        list(results)


def test_notice_of_disconnection_ends_the_session() -> None:
    notice = done(0, 51, "server is going away", tag=0x78)
    with pytest.raises(ConnectionResetError, match=r"terminated by server \(server is going"):
        list(search_results(feeder(entry(3, "o=grid", []) + notice, 4096), 3))


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"HTTP/1.1 400 Bad Request\r\n\r\n", "expected an LDAP message, got byte 0x48"),
        (done(8), "answer to message 8 while waiting for 7"),
        (message(7, tlv(0x61, b"")), "unexpected operation 0x61"),
        (message(7, tlv(0x64, tlv(0x30, b""))), "expected an octet string"),
        (bytes([0x30, 0x80, 0, 0]), "indefinite or oversized BER length"),
        (bytes([0x30, 0x84, 0x7F, 0xFF, 0xFF, 0xFF]), "a message of 2147483647 bytes"),
        # An attribute whose set of values claims more bytes than the attribute holds.
        (
            message(
                7, tlv(0x64, octets("o=grid") + tlv(0x30, tlv(0x30, octets("o") + b"\x31\x05")))
            ),
            "an attribute's values do not fill it",
        ),
        # A message whose operation runs past its end.
        (bytes([0x30, 0x05, 0x02, 0x01, 0x07, 0x64, 0x30]) + b"\0" * 64, "longer than its message"),
    ],
)
def test_garbage_is_a_protocol_error(data: bytes, error: str) -> None:
    with pytest.raises(ProtocolError, match=error):
        list(search_results(feeder(data, 4096), 7))


@pytest.mark.parametrize("size", [1, 7, 4096])
def test_answers_to_searches_sent_together_come_apart_by_message_id(size: int) -> None:
    data = b"".join(
        [
            entry(3, "GlueSiteUniqueID=A,o=grid", [("GlueSiteName", ["A"])]),
            entry(4, CE, [("GlueCEName", ["q1"])]),
            done(3),
            entry(4, CE.replace("atlas", "cms"), [("GlueCEName", ["q2"])]),
            done(4, 4, "size limit"),
        ]
    )
    got = list(search_answers(feeder(data, size), {3, 4}))
    assert [(i, x.code if isinstance(x, SearchDone) else x[1]) for i, x in got] == [
        (3, {"gluesitename": ("A",)}),
        (4, {"gluecename": ("q1",)}),
        (3, 0),
        (4, {"gluecename": ("q2",)}),
        (4, 4),
    ]


def test_an_answer_to_a_search_not_sent_is_refused() -> None:
    data = entry(3, "o=grid", []) + entry(9, "o=grid", []) + done(3)
    with pytest.raises(ProtocolError, match="answer to message 9 while waiting for 3, 4"):
        list(search_answers(feeder(data, 4096), {3, 4}))


def test_the_answers_end_only_when_every_search_is_done() -> None:
    data = entry(3, "o=grid", []) + done(3)  # search 4 never answered: the server closes
    with pytest.raises(ConnectionResetError, match="session terminated"):
        list(search_answers(feeder(data, 4096), {3, 4}))
