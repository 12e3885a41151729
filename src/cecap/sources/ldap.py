"""Source step for live information systems: read GLUE entries from a BDII over LDAP."""

from __future__ import annotations

import functools
import math
import os
import re
import ssl
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..errors import SourceUnavailable, UsageError
from ..model.entry import Entry
from ..model.glue13 import GLUE13_CLASS_NAMES, GLUE13_WANTED
from ..model.questions import narrowing_vos
from .base import (
    DEFAULT_BASE,
    DEFAULT_CA_DIR,
    DEFAULT_MAX_READ_MIB,
    DEFAULT_TIMEOUT,
    EntrySource,
    ServingCEs,
    Source,
    SourceSettings,
)
from .ber import ProtocolError, SearchDone, bind_request, bind_result, search_answers
from .ldap_client import (
    CommunicationError,
    LdapError,
    Link,
    ResponseTimeout,
    next_message_id,
    open_link,
    result_name,
)
from .ldap_filters import IDS_PER_SEARCH, ce_id_filter, serving_filter, vo_filter
from .ldap_tls import handshake, tls_context, tls_failure
from .ldap_url import DEFAULT_PORT, missing_base, parse

# GLUE 2.0 lives in its own tree; --base names the GLUE 1.3 one.
GLUE2_BASE = "o=glue"

# LDAP result codes that mean "the server stopped early but what it sent is good".
_SIZE_LIMIT = 4
_RECV_SIZE = 1 << 16
_TIME_LIMIT = 3
_NO_SUCH_OBJECT = 32

# Object class names as the schema spells them, for filters an operator can read in logs.
_CLASS_NAMES = GLUE13_CLASS_NAMES


class LdapReader:
    """Reads the GLUE entries cecap uses from a BDII: one search per object class.

    Each search asks the server for one class (``(objectClass=GlueCE)``, ...) and only
    the attributes cecap uses; they are sent together, so that the server works on all
    of them (its scans of the CEs and VOViews for the VOs above all) while cecap reads
    the answers as they come. ``timeout`` bounds connect, bind and all searches
    together. A server-side size or time limit makes the answer ``partial``; a server
    that refuses, hangs or drops the connection raises SourceUnavailable.
    """

    def __init__(
        self,
        host: str,
        port: int = DEFAULT_PORT,
        *,
        use_tls: bool = False,
        base: str = DEFAULT_BASE,
        glue2_base: str = GLUE2_BASE,
        timeout: float = DEFAULT_TIMEOUT,
        ca_dir: str | os.PathLike[str] = DEFAULT_CA_DIR,
        wanted: Mapping[str, tuple[str, ...]] = GLUE13_WANTED,
        vos: Sequence[str] | None = None,
        serving_only: bool = False,
        special: Mapping[str, tuple[str | None, str]] | None = None,
        max_read_mib: int = DEFAULT_MAX_READ_MIB,
    ) -> None:
        self.host = host
        self.max_read = max_read_mib << 20
        self.received = 0  # bytes of the current read so far
        self.port = port
        self.use_tls = use_tls
        self.base = base
        self.glue2_base = glue2_base
        self.timeout = timeout
        self.ca_dir = os.fspath(ca_dir)
        self.wanted = wanted
        self.vos = narrowing_vos(vos)
        # Only the CEs that serve one of the VOs: the rest of a top-level BDII's CEs is
        # most of what it sends, for a report that assesses none of them.
        self.serving_only = serving_only and self.vos is not None and "gluevoview" in wanted
        shown_host = f"[{host}]" if ":" in host else host
        self.origin = f"{'ldaps' if use_tls else 'ldap'}://{shown_host}:{port}"
        self.partial: str | None = None
        # Searches of their own, by wanted class: (base, None for the tree's own; filter).
        # A base the server lacks gives no entries: what they ask for may be unpublished.
        self.special: Mapping[str, tuple[str | None, str]] = dict(special or {})

    def filter_for(self, objectclass: str) -> str:
        if objectclass in self.special:
            return self.special[objectclass][1]
        if objectclass == "gluevoview" and self.vos:
            return vo_filter(self.vos)
        if objectclass == "gluece" and self.serving_only and self.vos:
            return serving_filter(self.vos)
        return f"(objectClass={_CLASS_NAMES.get(objectclass, objectclass)})"

    def entries(self) -> Iterator[Entry]:
        self.partial = None
        self.received = 0
        deadline = time.monotonic() + self.timeout
        link = self._connect(deadline)
        cut: list[str] = []
        ces = ServingCEs()
        try:
            searches = [(c, self.filter_for(c), a) for c, a in self.wanted.items()]
            for entry in self._searches(link, deadline, searches, cut):
                if self.serving_only:
                    ces.saw(entry)
                yield entry
            # CEs that serve a VO through a VOView alone: their own rules name none.
            missing = ces.missing()
            for at in range(0, len(missing), IDS_PER_SEARCH):
                found = ce_id_filter(missing[at : at + IDS_PER_SEARCH])
                by_id = [("gluece", found, self.wanted["gluece"])]
                yield from self._searches(link, deadline, by_id, cut)
        finally:
            link.close()
        if cut:
            self.partial = "; ".join(cut)

    # --- internals ---

    def _left(self, deadline: float, doing: str) -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise self._timed_out(doing)
        return left

    def _timed_out(self, doing: str) -> SourceUnavailable:
        return SourceUnavailable(
            f"{self.origin}: no complete answer within {self.timeout:g} s (--timeout),"
            f" gave up {doing}"
        )

    def _connect(self, deadline: float) -> Link:
        context = tls_context(self.origin, self.ca_dir) if self.use_tls else None
        left = self._left(deadline, "before connecting")
        doing = "connecting"
        try:
            # ldap3 opens the TCP connection only: it would shake hands under a timeout
            # that restarts with every byte, so cecap shakes hands itself
            # (ldap_tls.handshake). ldap3 wants whole seconds for the receive timeout;
            # each operation below narrows it to the time left.
            link = open_link(self.host, self.port, left, max(1, math.ceil(left)))
        except (LdapError, OSError) as exc:
            raise self._failure(exc, deadline, doing) from None
        try:
            if context is not None:
                doing = "during the TLS handshake"
                time_left = functools.partial(self._left, deadline, doing)
                link.socket = handshake(context, link.socket, self.host, time_left)
            doing = "waiting for the answer to the anonymous bind"
            self._bind(link, deadline, doing)
        except SourceUnavailable:
            link.close()
            raise
        except ssl.SSLError as exc:
            link.close()
            raise tls_failure(self.origin, self.host, self.ca_dir, exc) from None
        except (LdapError, OSError) as exc:
            link.close()
            raise self._failure(exc, deadline, doing) from None
        return link

    def _bind(self, link: Link, deadline: float, doing: str) -> None:
        """The anonymous bind, done here: ldap3 restarts its timeout with every byte and
        believes any length; here each read waits for the time left, the size is capped."""
        sock = link.socket
        message_id = next_message_id()
        sock.settimeout(self._left(deadline, doing))
        sock.sendall(bind_request(message_id))

        def recv() -> bytes:
            sock.settimeout(self._left(deadline, doing))
            data: bytes = sock.recv(_RECV_SIZE)
            return data

        try:
            done = bind_result(recv, message_id)
        except ProtocolError as exc:
            raise SourceUnavailable(
                f"{self.origin} answered something that is not LDAP to the anonymous bind"
                f" ({exc}); is this a BDII?"
            ) from None
        if done.code != 0:
            result = {
                "result": done.code,
                "description": result_name(done.code),
                "message": done.message,
            }
            raise SourceUnavailable(
                f"{self.origin}: anonymous bind refused: {_result_text(result)}"
            )

    def _searches(
        self,
        link: Link,
        deadline: float,
        searches: Sequence[tuple[str, str, Sequence[str]]],
        cut: list[str],
    ) -> Iterator[Entry]:
        """The entries of several searches ((object class, filter, attributes)), sent
        together so that the server works on all of them while the answers are read; the
        entries come as they arrive, then each search's result is checked."""
        sent: dict[int, str] = {}  # message ID -> object class, in the order sent
        got: dict[int, int] = {}
        done: dict[int, SearchDone] = {}

        def doing() -> str:
            waiting = [cls for i, cls in sent.items() if i not in done]
            shown = _CLASS_NAMES.get(waiting[0], waiting[0]) if waiting else "last"
            return f"during the {shown} search"

        def recv() -> bytes:
            link.socket.settimeout(self._left(deadline, doing()))
            data: bytes = link.socket.recv(_RECV_SIZE)
            self.received += len(data)
            if self.received > self.max_read:
                raise SourceUnavailable(
                    f"{self.origin}: sent more than {self.max_read >> 20} MiB {doing()}"
                    " (--max-read), gave up on it as sending too much; a BDII that is this"
                    " large needs a higher --max-read"
                )
            return data

        try:
            for cls, filterstr, attributes in searches:
                left = self._left(deadline, f"during the {_CLASS_NAMES.get(cls, cls)} search")
                base = self._base_for(cls)
                # The server stops too, instead of working on for a client that is gone.
                message_id = link.send_search(base, filterstr, attributes, max(1, math.ceil(left)))
                sent[message_id] = cls
                got[message_id] = 0
            # Entries are read off the socket as they come (sources/ber.py), not through
            # ldap3's response objects: the search's class is their kind.
            for message_id, item in search_answers(recv, sent):
                if isinstance(item, SearchDone):
                    done[message_id] = item
                    continue
                got[message_id] += 1
                yield Entry(item[0], item[1], kind=sent[message_id])
        except (LdapError, OSError) as exc:
            raise self._failure(exc, deadline, doing()) from None
        except ProtocolError as exc:
            raise SourceUnavailable(
                f"{self.origin}: the answer {doing()} is not LDAP ({exc}); is this a BDII?"
            ) from None
        for message_id, cls in sent.items():  # in the order sent: the same words each run
            self._check(cls, done[message_id], got[message_id], cut)

    def _base_for(self, objectclass: str) -> str:
        own = self.special.get(objectclass, (None, ""))[0]
        if own is not None:
            return own
        return self.glue2_base if objectclass.startswith("glue2") else self.base

    def _check(self, objectclass: str, done: SearchDone, got: int, cut: list[str]) -> None:
        """A search's result: a server's limit makes the answer partial; an error ends it."""
        shown = _CLASS_NAMES.get(objectclass, objectclass)
        code = done.code
        result = {
            "result": code,
            "description": result_name(code),
            "message": done.message,
        }
        if code in (_SIZE_LIMIT, _TIME_LIMIT):
            limit = "size" if code == _SIZE_LIMIT else "time"
            cut.append(
                f"the server's {limit} limit stopped the {shown} search after {got}"
                f" entries (LDAP {result.get('description')})"
            )
        elif code == _NO_SUCH_OBJECT and objectclass.startswith("glue2"):
            return  # a BDII without a GLUE 2.0 tree: cecap reads what exists
        elif code == _NO_SUCH_OBJECT and self.special.get(objectclass, (None, ""))[0]:
            return  # a search of its own base (o=infosys): not every BDII has it
        elif code == _NO_SUCH_OBJECT:
            # The server answered: the base is the operator's to fix, not a failover.
            raise UsageError(f"{self.origin}: {missing_base(self.base)}")
        elif code != 0:
            raise SourceUnavailable(
                f"{self.origin}: the {shown} search failed: {_result_text(result)}"
            )

    def _failure(self, exc: BaseException, deadline: float, doing: str) -> SourceUnavailable:
        text = str(exc)
        if (
            isinstance(exc, (TimeoutError, ResponseTimeout))
            or "timed out" in text
            or time.monotonic() >= deadline
        ):
            return self._timed_out(doing)
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, ssl.SSLError):
                return tls_failure(self.origin, self.host, self.ca_dir, cause)
            cause = cause.__cause__ or cause.__context__
        if "ssl" in text.lower() or "certificate" in text.lower():
            return tls_failure(self.origin, self.host, self.ca_dir, exc)
        for noise in ("socket connection error while opening: ", "error receiving data: "):
            text = text.replace(noise, "")
        text = re.sub(r"\[Errno -?\d+\] ", "", text)
        if not isinstance(exc, (CommunicationError, OSError)):
            # The request itself was refused by ldap3 before it left: not the server's doing.
            return SourceUnavailable(f"{self.origin}: cannot query {doing}: {text}")
        if doing == "connecting":
            if "invalid server address" in text:
                text = f"cannot resolve the host name {self.host!r}"
            return SourceUnavailable(f"{self.origin}: cannot connect: {text}")
        return SourceUnavailable(f"{self.origin}: connection lost {doing}: {text}")


def _result_text(result: Mapping[str, Any] | None) -> str:
    if not result:
        return "no result"
    text = f"LDAP {result.get('description')} ({result.get('result')})"
    message = str(result.get("message") or "").strip()
    return f"{text}: {message}" if message else text


def open_ldap(item: str, settings: SourceSettings) -> Source:
    url = parse(item)
    # A URL's DN (a GlueServiceEndpoint pasted as is) is its own base, in both trees.
    base, glue2_base = url.bases or (settings.base, GLUE2_BASE)

    def reader(
        wanted: Mapping[str, tuple[str, ...]],
        vos: Sequence[str] | None,
        serving_only: bool = False,
    ) -> LdapReader:
        return LdapReader(
            url.host,
            url.port,
            use_tls=url.scheme == "ldaps",
            base=base,
            glue2_base=glue2_base,
            timeout=settings.timeout,
            ca_dir=settings.ca_dir,
            max_read_mib=settings.max_read_mib,
            wanted=wanted,
            vos=vos,
            serving_only=serving_only,
        )

    return EntrySource(reader(GLUE13_WANTED, None).origin, reader)
