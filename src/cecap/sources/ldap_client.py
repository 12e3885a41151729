"""Everything cecap takes from ldap3, in one place: opening the TCP connection, encoding and
sending a search request, message IDs, the names of result codes, filter escaping, and
ldap3's errors.

cecap binds and reads every answer itself (ber.py): ldap3 restarts its timeout with every
byte and believes any length. ldap3 is pinned to the versions tested (pyproject.toml); a
release that changes anything used here fails this module's unit tests
(tests/unit/sources/test_ldap_client.py) and nothing else.
"""

from __future__ import annotations

import contextlib
import socket
import warnings
from collections.abc import Sequence

with warnings.catch_warnings():
    # ldap3 2.9 uses pyasn1 names that newer pyasn1 marks deprecated on import; that is
    # ldap3's business and must not break a run with warnings turned into errors.
    warnings.simplefilter("ignore", DeprecationWarning)
    from ldap3 import ANONYMOUS, DEREF_ALWAYS, NONE, SUBTREE, Connection, Server
    from ldap3.core.exceptions import (
        LDAPCommunicationError,
        LDAPException,
        LDAPResponseTimeoutError,
    )
    from ldap3.core.results import RESULT_CODES
    from ldap3.operation.search import search_operation
    from ldap3.utils.conv import escape_filter_chars

# ldap3's errors: any of them, the connection's (refused, lost), an answer's timeout.
LdapError = LDAPException
CommunicationError = LDAPCommunicationError
ResponseTimeout = LDAPResponseTimeoutError


class Link:
    """An open connection to an LDAP server: its socket (which cecap may replace by a TLS
    one it shook hands on), search requests sent on it, closing it."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    @property
    def socket(self) -> socket.socket:
        sock: socket.socket = self._conn.socket
        return sock

    @socket.setter
    def socket(self, sock: socket.socket) -> None:
        # ldap3 writes every request to the connection's socket: from now on, this one.
        self._conn.socket = sock

    def send_search(
        self, base: str, filterstr: str, attributes: Sequence[str], time_limit: int
    ) -> int:
        """Send a subtree search (aliases dereferenced always, no size limit, the server to
        stop after ``time_limit`` seconds), encoded by ldap3; its message ID."""
        request = search_operation(
            base,
            filterstr,
            SUBTREE,
            DEREF_ALWAYS,
            list(attributes),
            0,
            time_limit,
            False,
            self._conn.auto_escape,
            self._conn.auto_encode,
            check_names=False,
        )
        message_id: int = self._conn.strategy.send("searchRequest", request)
        return message_id

    def close(self) -> None:
        """Unbind and close; a connection that is already gone has nothing left to lose."""
        with contextlib.suppress(LDAPException, OSError):
            self._conn.unbind()
        sock = getattr(self._conn, "socket", None)
        if sock is not None:
            sock.close()


def open_link(host: str, port: int, connect_timeout: float, receive_timeout: int) -> Link:
    """The TCP connection to ``host:port`` (no TLS, no bind: cecap does both itself); an
    LdapError or OSError when it cannot be opened. ``receive_timeout``: whole seconds, as
    ldap3 wants them."""
    server = Server(host, port=port, get_info=NONE, connect_timeout=connect_timeout)
    conn = Connection(
        server,
        authentication=ANONYMOUS,
        read_only=True,
        check_names=False,
        raise_exceptions=False,
        auto_referrals=False,
        receive_timeout=receive_timeout,
    )
    link = Link(conn)
    try:
        conn.open()
    except BaseException:
        link.close()
        raise
    return link


def next_message_id() -> int:
    """A message ID no request of this process has used (ldap3's counter, which its own
    requests take from too)."""
    found: int = Server.next_message_id()
    return found


def result_name(code: int) -> str:
    """An LDAP result code's name (``sizeLimitExceeded``), ``unknown`` for one RFC 4511
    does not list."""
    name: str = RESULT_CODES.get(code, "unknown")
    return name


def escape_filter(value: str) -> str:
    """``value`` escaped for a search filter (RFC 4515): ``*``, ``(``, ``)``, ``\\`` and NUL
    become ``\\2a``, ``\\28``, ``\\29``, ``\\5c`` and ``\\00``."""
    escaped: str = escape_filter_chars(value)
    return escaped
