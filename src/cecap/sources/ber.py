"""Source step, live: decode one LDAP search's answer (RFC 4511 BER) as it comes off the socket.

ldap3 sends the search; this reads the answer leanly. ldap3's own decoder builds two
dictionaries per entry and converts every value through its configuration, which costs
ten times what reading the bytes does on a top-level BDII's hundreds of thousands of values.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

# Tags of the protocol operations a search is answered with (RFC 4511, section 4.5.2).
_SEQUENCE = 0x30
_BIND_REQUEST = 0x60  # [APPLICATION 0] BindRequest
_BIND_RESPONSE = 0x61  # [APPLICATION 1] BindResponse
_SEARCH_ENTRY = 0x64  # [APPLICATION 4] SearchResultEntry
_SEARCH_DONE = 0x65  # [APPLICATION 5] SearchResultDone
_SEARCH_REFERENCE = 0x73  # [APPLICATION 19] SearchResultReference
_EXTENDED_RESPONSE = 0x78  # [APPLICATION 24]: with message ID 0, a notice of disconnection
_INTERMEDIATE = 0x79  # [APPLICATION 25] IntermediateResponse

# No GLUE entry comes near this; a length beyond it is garbage, not a message to wait for.
_MAX_MESSAGE = 1 << 26

Attributes = dict[str, tuple[str, ...]]

# Attribute names as the server spells them -> the lower-case key without options, one
# string shared by every entry (a top-level BDII sends a dozen names 100,000s of times).
_NAMES: dict[bytes, str] = {}


class ProtocolError(ValueError):
    """The server sent bytes that are not the LDAP answer to the search."""


@dataclass(frozen=True, slots=True)
class SearchDone:
    """The SearchResultDone that ends a search: its LDAP result code and message."""

    code: int
    matched_dn: str
    message: str


class ServerClosed(ConnectionResetError):
    """The server closed the connection, or ended the session with a notice, mid-answer."""


def search_answers(
    recv: Callable[[], bytes], message_ids: Collection[int]
) -> Iterator[tuple[int, tuple[str, Attributes] | SearchDone]]:
    """The answers to the searches ``message_ids``, sent together on one connection, as
    they arrive (a server may interleave them): (message ID, entry as (DN, attributes)),
    and for each search last (message ID, its SearchDone); the stream ends when every
    search is done.

    ``recv`` gives the next bytes from the connection (b"" once the server closed it).
    Attribute names come lower-case and without options (``;lang-en``); values are UTF-8
    (a byte that is not becomes U+FFFD). Referrals and intermediate responses are skipped.
    Raises ProtocolError on bytes that are not LDAP, ServerClosed when the server closes
    the connection or ends the session first.
    """
    pending = set(message_ids)
    data = b""
    pos = 0
    while pending:
        framed = _frame(data, pos)
        if framed is None:
            chunk = recv()
            if not chunk:
                raise ServerClosed("session terminated by server")
            data = data[pos:] + chunk
            pos = 0
            continue
        start, pos = framed
        try:
            got_id, op, body, body_end = _operation(data, start, pos, pending)
            if op == _SEARCH_ENTRY:
                yield got_id, _entry(data, body, body_end)
            elif op == _SEARCH_DONE:
                pending.discard(got_id)
                yield got_id, _done(data, body)
            elif op not in (_SEARCH_REFERENCE, _INTERMEDIATE):
                raise ProtocolError(f"unexpected operation 0x{op:02x} in a search answer")
        except IndexError:
            raise ProtocolError("a message shorter than its contents say") from None


def bind_request(message_id: int) -> bytes:
    """An anonymous simple BindRequest (LDAP v3, empty name and password) as one message."""
    msg_id = message_id.to_bytes(message_id.bit_length() // 8 + 1, "big")
    # BindRequest ::= [APPLICATION 0] SEQUENCE { version 3, name "", simple [0] "" }
    op = bytes([_BIND_REQUEST, 7, 0x02, 1, 3, 0x04, 0, 0x80, 0])
    body = bytes([0x02, len(msg_id)]) + msg_id + op
    return bytes([_SEQUENCE, len(body)]) + body


def bind_result(recv: Callable[[], bytes], message_id: int) -> SearchDone:
    """The result of the BindResponse to ``message_id`` (read with ``recv`` as in
    search_answers; the same size cap applies). Raises ProtocolError on bytes that are
    not that answer, ServerClosed when the server closes the connection first."""
    buffer = bytearray()  # grows in place: no copy of everything so far per chunk
    while True:
        framed = _frame(buffer, 0)
        if framed is not None:
            break
        chunk = recv()
        if not chunk:
            raise ServerClosed("session terminated by server")
        buffer += chunk
    start, end = framed
    data = bytes(buffer)
    try:
        _, op, body, _ = _operation(data, start, end, {message_id})
        if op != _BIND_RESPONSE:
            raise ProtocolError(f"unexpected operation 0x{op:02x} in answer to a bind")
        return _done(data, body)
    except IndexError:
        raise ProtocolError("a message shorter than its contents say") from None


def _frame(data: bytes | bytearray, pos: int) -> tuple[int, int] | None:
    """(start, end) of the LDAPMessage at ``pos`` (SEQUENCE, length, contents), or None
    while its bytes have not all arrived."""
    try:
        if data[pos] != _SEQUENCE:
            raise ProtocolError(f"expected an LDAP message, got byte 0x{data[pos]:02x}")
        length, start = _length(data, pos + 1)
    except IndexError:
        return None
    if length > _MAX_MESSAGE:
        raise ProtocolError(
            f"a message of {length} bytes announced, over the {_MAX_MESSAGE >> 20} MiB limit"
        )
    return (start, start + length) if start + length <= len(data) else None


def _operation(
    data: bytes, start: int, end: int, message_ids: Collection[int]
) -> tuple[int, int, int, int]:
    """(message ID, operation tag, body start, body end) of a message that answers one of
    ``message_ids``."""
    got_id, op, body, body_end = _header(data, start)
    if got_id not in message_ids:
        if got_id == 0 and op == _EXTENDED_RESPONSE:
            done = _done(data, body)
            raise ServerClosed(f"session terminated by server ({done.message or done.code})")
        waiting = ", ".join(map(str, sorted(message_ids)))
        raise ProtocolError(f"answer to message {got_id} while waiting for {waiting}")
    if body_end > end:
        raise ProtocolError("an operation longer than its message")
    return got_id, op, body, body_end


def _length(data: bytes | bytearray, i: int) -> tuple[int, int]:
    """The BER length at ``data[i]`` and the index after it (definite form only)."""
    first = data[i]
    if first < 0x80:
        return first, i + 1
    size = first & 0x7F
    if size == 0 or size > 4:
        raise ProtocolError("indefinite or oversized BER length")
    if i + 1 + size > len(data):
        raise IndexError
    return int.from_bytes(data[i + 1 : i + 1 + size], "big"), i + 1 + size


def _header(data: bytes, i: int) -> tuple[int, int, int, int]:
    """(message ID, operation tag, start and end of the operation's body)."""
    if data[i] != 0x02:
        raise ProtocolError("an LDAP message without a message ID")
    size, i = _length(data, i + 1)
    message_id = int.from_bytes(data[i : i + size], "big")
    i += size
    op = data[i]
    size, i = _length(data, i + 1)
    return message_id, op, i, i + size


def _octets(data: bytes, i: int) -> tuple[bytes, int]:
    if data[i] != 0x04:
        raise ProtocolError(f"expected an octet string, got tag 0x{data[i]:02x}")
    size, i = _length(data, i + 1)
    return data[i : i + size], i + size


def _entry(data: bytes, i: int, end: int) -> tuple[str, Attributes]:
    raw_dn, i = _octets(data, i)
    if data[i] != _SEQUENCE:
        raise ProtocolError("an entry without its attribute list")
    size, i = _length(data, i + 1)
    attrs_end = i + size
    if attrs_end > end:
        raise ProtocolError("an attribute list longer than its entry")
    attrs: dict[str, list[str]] = {}
    while i < attrs_end:
        # PartialAttribute ::= SEQUENCE { type OCTET STRING, vals SET OF OCTET STRING }
        if data[i] != _SEQUENCE:
            raise ProtocolError("an attribute that is not a sequence")
        size, i = _length(data, i + 1)
        attr_end = i + size
        raw_name, i = _octets(data, i)
        if data[i] != 0x31:
            raise ProtocolError("an attribute without its set of values")
        size, i = _length(data, i + 1)
        if i + size != attr_end:
            raise ProtocolError("an attribute's values do not fill it")
        name = _NAMES.get(raw_name)
        if name is None:
            name = _NAMES[raw_name] = _name(raw_name)
        values = attrs.setdefault(name, [])
        i = _values(data, i, attr_end, values)
        if name == "objectclass":
            # The same few class names on every entry: one string each, not one per entry.
            values[:] = map(sys.intern, values)
    dn = raw_dn.decode("utf-8", "replace")
    return dn, {name: tuple(values) for name, values in attrs.items() if values}


def _values(data: bytes, i: int, attr_end: int, values: list[str]) -> int:
    """Append an attribute's values (its SET OF OCTET STRING) to ``values``; the index
    after them."""
    while i < attr_end:
        if data[i] != 0x04:
            raise ProtocolError("a value that is not an octet string")
        size = data[i + 1]
        if size < 0x80:  # the short form: almost every GLUE value
            i += 2
        else:
            size, i = _length(data, i + 1)
        values.append(data[i : i + size].decode("utf-8", "replace"))
        i += size
    if i != attr_end:
        raise ProtocolError("a value longer than its attribute")
    return i


def _name(raw: bytes) -> str:
    name = sys.intern(raw.decode("utf-8", "replace").lower())
    # Attribute options (";lang-en") do not change what cecap reads.
    return sys.intern(name.split(";", 1)[0]) if ";" in name else name


def _done(data: bytes, i: int) -> SearchDone:
    # LDAPResult ::= SEQUENCE { resultCode ENUMERATED, matchedDN, diagnosticMessage, ... }
    if data[i] != 0x0A:
        raise ProtocolError("a result without its result code")
    size, i = _length(data, i + 1)
    code = int.from_bytes(data[i : i + size], "big", signed=True)
    matched, i = _octets(data, i + size)
    message, i = _octets(data, i)
    return SearchDone(code, matched.decode("utf-8", "replace"), message.decode("utf-8", "replace"))
