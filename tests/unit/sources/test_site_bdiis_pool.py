"""Reading many site BDIIs at once: the bound on reads in flight, the deadline, the order
kept, progress, what a failure is called, and the update statistics' time (no server:
each read is a function here; tests/e2e/test_site_bdiis.py reads real ones)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from cecap.errors import InputError, SourceUnavailable, UsageError
from cecap.sources.site_bdiis import (
    Progress,
    SiteRead,
    Why,
    classify,
    generalized_time,
    read_sites,
)
from cecap.sources.site_list import SiteBdii

# A bound on a hang, not a timing: the tests below never wait for it.
HANG = 30.0


def sites(n: int) -> list[SiteBdii]:
    return [SiteBdii(f"S{i:03}", f"ldap://h{i}:2170/mds-vo-name=S{i:03},o=grid") for i in range(n)]


def answered(site: SiteBdii, entries: int = 1) -> SiteRead[str]:
    return SiteRead(site, f"ldap://{site.endpoint.host}:2170", entries=entries, digest=site.site)


@pytest.mark.parametrize("jobs", [1, 3, 20])
def test_at_most_jobs_reads_at_once_and_every_site_once_in_order(jobs: int) -> None:
    lock = threading.Lock()
    now = [0]
    most = [0]
    seen: list[str] = []

    def read(site: SiteBdii, left: float) -> SiteRead[str]:
        with lock:
            now[0] += 1
            most[0] = max(most[0], now[0])
            seen.append(site.site)
        time.sleep(0.005)
        with lock:
            now[0] -= 1
        return answered(site)

    listed = sites(40)
    done: list[Progress] = []
    found = read_sites(listed, read, jobs=jobs, deadline=HANG, progress=done.append)
    assert [r.digest for r in found] == [s.site for s in listed]
    assert sorted(seen) == [s.site for s in listed]
    assert 1 <= most[0] <= jobs
    if jobs > 1:
        assert most[0] > 1  # 40 reads of 5 ms on 3 or 20 workers do overlap
    assert [(p.done, p.failed, p.left) for p in done] == [(i, 0, 40 - i) for i in range(1, 41)]


def test_failures_are_counted_in_the_progress() -> None:
    def read(site: SiteBdii, left: float) -> SiteRead[str]:
        if site.site.endswith(("1", "3")):
            return SiteRead(site, "o", why=Why.REFUSED, message="o: refused")
        return answered(site)

    done: list[Progress] = []
    read_sites(sites(5), read, jobs=2, deadline=HANG, progress=done.append)
    assert done[-1] == Progress(5, 2, 0)


def test_each_read_gets_the_time_left_and_the_deadline_ends_the_run() -> None:
    release = threading.Event()
    given: list[float] = []

    def read(site: SiteBdii, left: float) -> SiteRead[str]:
        given.append(left)
        if site.site == "S000":
            release.wait(HANG)  # a read that ignores its bound: the run does not wait
        return answered(site)

    started = time.monotonic()
    found = read_sites(sites(3), read, jobs=1, deadline=0.3)
    took = time.monotonic() - started
    release.set()
    assert took < HANG
    assert given and given[0] <= 0.3
    assert [(r.why, r.message) for r in found] == [
        (Why.DEADLINE, "ldap://h0:2170: no answer before --deadline"),
        (Why.DEADLINE, "ldap://h1:2170: no answer before --deadline"),
        (Why.DEADLINE, "ldap://h2:2170: no answer before --deadline"),
    ]


def test_sites_not_started_by_the_deadline_are_not_read() -> None:
    read_ones: list[str] = []

    def read(site: SiteBdii, left: float) -> SiteRead[str]:
        read_ones.append(site.site)
        time.sleep(0.2)
        return answered(site)

    found = read_sites(sites(4), read, jobs=1, deadline=0.1)
    assert read_ones == ["S000"]
    assert found[0].why is None  # under way at the deadline and done within its grace
    assert [r.message for r in found[1:]] == [
        f"ldap://h{i}:2170: not read before --deadline" for i in (1, 2, 3)
    ]


def test_a_bug_in_a_read_is_raised_in_the_caller() -> None:
    def read(site: SiteBdii, left: float) -> SiteRead[str]:
        raise ZeroDivisionError("bug")

    with pytest.raises(ZeroDivisionError):
        read_sites(sites(2), read, jobs=2, deadline=HANG)


def test_no_sites_no_reads() -> None:
    assert read_sites([], lambda s, left: answered(s), jobs=5, deadline=HANG) == []


@pytest.mark.parametrize(
    ("error", "why"),
    [
        (SourceUnavailable("ldap://h:1: cannot connect: Connection refused"), Why.REFUSED),
        (
            SourceUnavailable("ldap://h:1: no complete answer within 2 s (--timeout), gave up"),
            Why.TIMEOUT,
        ),
        (
            SourceUnavailable("ldap://h:1 answered something that is not LDAP to the bind"),
            Why.NOT_LDAP,
        ),
        (
            SourceUnavailable("ldap://h:1: the answer x is not LDAP (y); is this a BDII?"),
            Why.NOT_LDAP,
        ),
        (
            SourceUnavailable("ldaps://h:1: TLS failed: the server certificate is not for 'h'"),
            Why.TLS,
        ),
        (
            SourceUnavailable("ldaps://h:1: TLS handshake failed (x); is this an ldaps:// port?"),
            Why.TLS,
        ),
        (SourceUnavailable("ldaps://h:1: CA directory /x does not exist; set ..."), Why.TLS),
        (UsageError("ldap://h:1: the search base 'x' does not exist there; ..."), Why.BASE_MISSING),
        (InputError("ldap://h:1: a broken entry"), Why.BROKEN),
        (
            SourceUnavailable("ldap://h:1: cannot connect: cannot resolve the host name 'h'"),
            Why.UNREACHABLE,
        ),
        (SourceUnavailable("ldap://h:1: anonymous bind refused: LDAP x"), Why.UNREACHABLE),
    ],
)
def test_what_a_failure_is_called(error: Exception, why: Why) -> None:
    assert classify(error) is why  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("20261206195100Z", datetime(2026, 12, 6, 19, 51, 0, tzinfo=UTC)),
        ("20261206195100.123Z", datetime(2026, 12, 6, 19, 51, 0, tzinfo=UTC)),
        ("20261206195100", datetime(2026, 12, 6, 19, 51, 0, tzinfo=UTC)),
        ("2026120619510", None),
        ("20261399195100Z", None),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_update_statistics_time(value: str | None, moment: datetime | None) -> None:
    assert generalized_time(value) == moment
