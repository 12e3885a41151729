"""Reading many site BDIIs at once: at most --jobs reads in flight, each under --timeout,
the whole under --deadline; each read the same LDAP read as any other, kept only as the
small digest the caller makes of it, so memory follows the largest site, not their sum."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import Enum
from typing import Generic, TypeVar

from ..errors import CecapError, InputError, SourceUnavailable, UsageError
from ..model.glue import GlueModel
from ..model.glue13 import ModelBuilder
from .base import ReadRequest, SourceSettings
from .ldap import LdapReader
from .site_list import SiteBdii

T = TypeVar("T")

# A BDII's update statistics, read as EGI's BDII probe reads them
# (EGI-Federation/nagios-plugins-bdii, src/check_bdii_entries.c: its "stats" filter and
# base, lines 123-124; the modifyTimestamp attribute, line 63; of the first entry
# answered, parsed as %Y%m%d%H%M%S, freshness = now - that time, lines 209-218).
INFOSYS = "o=infosys"
STATS = "updatestats"
STATS_FILTER = "(|(objectClass=UpdateStats)(objectClass=InfoSystemStats))"
STATS_WANTED = ("modifytimestamp",)

# How long past --deadline the run waits for reads that were already under way (each is
# bounded by the time left when it started, so they end at the deadline themselves).
GRACE = 2.0


class Why(Enum):
    """Why a site BDII gave no answer."""

    REFUSED = "refused"
    TIMEOUT = "timeout"
    NOT_LDAP = "not LDAP"
    TLS = "TLS"
    BASE_MISSING = "base missing"
    BROKEN = "broken answer"
    UNREACHABLE = "unreachable"
    DEADLINE = "deadline"


@dataclass(frozen=True)
class SiteRead(Generic[T]):
    """What one site BDII answered: ``why`` is None when it answered (``digest`` is then
    the caller's digest of its model), else why not, with ``message``."""

    listed: SiteBdii
    origin: str
    why: Why | None = None
    message: str | None = None
    entries: int = 0
    # modifyTimestamp of its o=infosys update statistics (None: it publishes none).
    updated: datetime | None = None
    partial: str | None = None
    digest: T | None = None
    seconds: float = 0.0


def classify(exc: CecapError) -> Why:
    """Why a read failed, from the failure cecap's LDAP reader raised."""
    text = str(exc)
    if isinstance(exc, UsageError):
        return Why.BASE_MISSING if "does not exist there" in text else Why.UNREACHABLE
    if isinstance(exc, InputError):
        return Why.BROKEN
    if "no complete answer within" in text:
        return Why.TIMEOUT
    if "not LDAP" in text:
        return Why.NOT_LDAP
    if ": TLS " in text or "CA directory" in text:
        return Why.TLS
    if "Connection refused" in text:
        return Why.REFUSED
    return Why.UNREACHABLE


def generalized_time(value: str | None) -> datetime | None:
    """An LDAP GeneralizedTime (``20261206195100Z``) as a UTC datetime; None when it is
    none (check_bdii_entries reads its first 14 digits, %Y%m%d%H%M%S, the same way)."""
    digits = (value or "").strip()[:14]
    if len(digits) != 14 or not digits.isdigit():
        return None
    try:
        return datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def read_site(
    listed: SiteBdii,
    request: ReadRequest,
    settings: SourceSettings,
    digest: Callable[[GlueModel], T],
    left: float | None = None,
) -> SiteRead[T]:
    """One site BDII read as cecap reads any BDII (the base its URL names, in both
    trees), plus its update statistics; never raises for what the server did. ``left``:
    the seconds before the run's deadline, when they are fewer than --timeout (a read it
    cuts short is Why.DEADLINE, not a timeout of the site's)."""
    cut = left is not None and left < settings.timeout
    timeout = left if left is not None and cut else settings.timeout
    url = listed.endpoint
    base, glue2_base = url.bases or (settings.base, "o=glue")
    reader = LdapReader(
        url.host,
        url.port,
        use_tls=url.scheme == "ldaps",
        base=base,
        glue2_base=glue2_base,
        timeout=timeout,
        ca_dir=settings.ca_dir,
        wanted={**request.wanted(), STATS: STATS_WANTED},
        vos=request.vos,
        serving_only=request.serving_only,
        special={STATS: (INFOSYS, STATS_FILTER)},
    )
    started = time.monotonic()
    found = SiteRead[T](listed, reader.origin)
    try:
        builder = ModelBuilder(*request.collectors())
        entries = 0
        stamp: str | None = None
        stats_seen = False
        for entry in reader.entries():
            if entry.kind == STATS:
                if not stats_seen:  # the first answered, as check_bdii_entries takes it
                    stamp, stats_seen = entry.first("modifytimestamp"), True
                continue
            entries += 1
            builder.add(entry)
        model = builder.build(reader.origin, reader.partial)
        return replace(
            found,
            entries=entries,
            updated=generalized_time(stamp),
            partial=reader.partial,
            digest=digest(model),
            seconds=time.monotonic() - started,
        )
    except (SourceUnavailable, UsageError, InputError) as exc:
        why, message = classify(exc), str(exc)
        if cut and why is Why.TIMEOUT:
            why, message = Why.DEADLINE, f"{reader.origin}: no answer before --deadline"
        return replace(found, why=why, message=message, seconds=time.monotonic() - started)


@dataclass(frozen=True)
class Progress:
    """How far a run is: reads done (answered or not), failed, and not done yet."""

    done: int
    failed: int
    left: int


def read_sites(
    sites: Sequence[SiteBdii],
    read: Callable[[SiteBdii, float], SiteRead[T]],
    *,
    jobs: int,
    deadline: float,
    progress: Callable[[Progress], None] | None = None,
) -> list[SiteRead[T]]:
    """``read(site, seconds)`` for every site, ``jobs`` at a time, in the order listed.

    Each read is given the time left before ``deadline`` (seconds from now) at most; a
    site not started by then is Why.DEADLINE, and so is one still under way a moment
    after it (GRACE: each read ends by its own bound). The workers are daemon threads: a
    run that ends at its deadline does not wait for them.
    """
    end = time.monotonic() + deadline
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(sites)):
        todo.put(index)
    answers: _Answers[T] = queue.SimpleQueue()
    for _ in range(min(jobs, len(sites))):
        worker = threading.Thread(target=_work, args=(sites, read, end, todo, answers))
        worker.daemon = True
        worker.start()
    results: dict[int, SiteRead[T]] = {}
    failed = 0
    while len(results) < len(sites):
        try:
            index, answer = answers.get(timeout=max(0.0, end + GRACE - time.monotonic()))
        except queue.Empty:
            break
        if isinstance(answer, BaseException):
            raise answer
        results[index] = answer
        failed += answer.why is not None
        if progress is not None:
            progress(Progress(len(results), failed, len(sites) - len(results)))
    return [
        results.get(index) or _late(site, "no answer before --deadline")
        for index, site in enumerate(sites)
    ]


_Answers = queue.SimpleQueue[tuple[int, "SiteRead[T] | BaseException"]]


def _work(
    sites: Sequence[SiteBdii],
    read: Callable[[SiteBdii, float], SiteRead[T]],
    end: float,
    todo: queue.SimpleQueue[int],
    answers: _Answers[T],
) -> None:
    """One worker: reads the next site not taken until there is none."""
    while True:
        try:
            index = todo.get_nowait()
        except queue.Empty:
            return
        left = end - time.monotonic()
        if left <= 0:
            answers.put((index, _late(sites[index], "not read before --deadline")))
            continue
        try:
            answers.put((index, read(sites[index], left)))
        except BaseException as exc:  # a bug: raised again in the calling thread
            answers.put((index, exc))


def _late(listed: SiteBdii, message: str) -> SiteRead[T]:
    url = listed.endpoint
    shown_host = f"[{url.host}]" if ":" in url.host else url.host
    origin = f"{url.scheme}://{shown_host}:{url.port}"
    return SiteRead(listed, origin, why=Why.DEADLINE, message=f"{origin}: {message}")
