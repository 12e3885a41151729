"""`cecap site-bdiis` against a real grid on loopback: Debian's top-level BDII listing site
BDIIs served by real slapd processes (one slapd on several ports, each site BDII its own
subtree), with a site BDII down, one that drips, one that is not LDAP, one whose base is
missing, one stale (its CEs changed in the site BDII only), one publishing Unknown states,
one whose update statistics are hours old (listed in GLUE 2.0 only), and one missing from
the top level."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers.bdii_server import BDIIServer, free_port, make_test_ca
from helpers.browser import parse, render
from helpers.cli import clean_env, run_cli
from helpers.glue_ldif import CESpec, bdii_ldif, ce_id, simple_site
from helpers.process import command
from helpers.site_bdiis import glue2_listing, glue13_listing, infosys, site_level

from cecap.formats import format_names

Make = Callable[..., BDIIServer]
VOS = ["atlas", "cms"]
HOURS_OLD = 3
# A run that takes this long is hung: a bound on a hang, not a timing.
HANG = 60.0


def host_of(site: str) -> str:
    return f"ce01.{site.lower()}.example.org"


def ce(site: str, queue: str) -> str:
    return ce_id(host_of(site), queue)


# Each site as its own BDII publishes it, and as the top level holds it.
OWN = {
    "OK-SITE": [CESpec("grid", VOS)],
    "CHANGED-SITE": [
        CESpec("a", VOS, state="Draining"),
        CESpec("b", VOS, capabilities=("glexec",)),
        CESpec("c", VOS),
    ],
    "UNKNOWN-SITE": [CESpec("x", VOS, state="Unknown"), CESpec("y", VOS, state="Unknown")],
    "EXTRA-SITE": [CESpec("e", VOS)],
}
TOP_COPY = {
    "OK-SITE": [CESpec("grid", VOS)],
    "CHANGED-SITE": [
        CESpec("a", VOS, state="Production"),
        CESpec("b", VOS, capabilities=()),
        CESpec("d", VOS),
    ],
    "UNKNOWN-SITE": [CESpec("x", VOS, state="Unknown"), CESpec("y", VOS, state="Unknown")],
    "BADBASE-SITE": [CESpec("q", VOS)],
    "DOWN-SITE": [CESpec("q", VOS)],
    "SLOW-SITE": [CESpec("q", VOS)],
    "GARBAGE-SITE": [CESpec("q", VOS)],
    "OLD-SITE": [CESpec("q", VOS)],
}


def _drip(conn: socket.socket, done: threading.Event) -> None:
    """One byte every 0.3 s: the start of an LDAP message that never ends."""
    while not done.wait(0.3):
        conn.sendall(b"\x30")


def _garbage(conn: socket.socket, done: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    done.wait(HANG)


@pytest.fixture
def misbehaving() -> Iterator[Callable[[Callable[[socket.socket, threading.Event], None]], int]]:
    """``start(behaviour)``: the port of a loopback server doing ``behaviour`` with each
    connection once the client has sent something; stopped at teardown."""
    done = threading.Event()
    sockets: list[socket.socket] = []

    def serve(listener: socket.socket, behaviour: Any) -> None:
        until = time.monotonic() + HANG  # stops by itself even if the test forgets
        while not done.is_set() and time.monotonic() < until:
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            sockets.append(conn)
            conn.settimeout(5)

            def talk(conn: socket.socket = conn) -> None:
                try:
                    conn.recv(1024)
                    behaviour(conn, done)
                except OSError:
                    pass  # the client gave up, as it should

            threading.Thread(target=talk, daemon=True).start()

    def start(behaviour: Any) -> int:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        listener.settimeout(0.1)
        sockets.append(listener)
        threading.Thread(target=serve, args=(listener, behaviour), daemon=True).start()
        port: int = listener.getsockname()[1]
        return port

    yield start
    done.set()
    for sock in sockets:
        sock.close()


class Grid:
    def __init__(self, top: BDIIServer, urls: dict[str, str], sites: BDIIServer) -> None:
        self.top = top
        self.urls = urls
        self.sites = sites


@pytest.fixture
def grid(bdii_factory: Make, misbehaving: Any, tmp_path: Path) -> Grid:
    # One slapd serves four site BDIIs, one per port, each reading its own subtree.
    sites = bdii_factory(top_level=False, extra_ports=3)
    own = "\n".join(site_level(simple_site(name, ces)) for name, ces in OWN.items())
    (tmp_path / "own.ldif").write_text(own)
    sites.load(tmp_path / "own.ldif")
    sites.load_text(infosys())
    # Another holds a site BDII whose update statistics are hours old: only slapadd may
    # write a modifyTimestamp, into a stopped server.
    old = BDIIServer(tmp_path / "old", top_level=False)
    old_ldif = tmp_path / "old.ldif"
    then = datetime.now(UTC) - timedelta(hours=HOURS_OLD)
    old_ldif.write_text(
        site_level(simple_site("OLD-SITE", [CESpec("q", VOS)])) + "\n" + infosys(then)
    )
    old.bulk_load(old_ldif)
    old.start()
    ports = [sites.port, *sites.more_ports]
    urls = {
        "OK-SITE": f"ldap://127.0.0.1:{ports[0]}/mds-vo-name=OK-SITE,o=grid",
        "CHANGED-SITE": f"ldap://127.0.0.1:{ports[1]}/mds-vo-name=CHANGED-SITE,o=grid",
        "UNKNOWN-SITE": f"ldap://127.0.0.1:{ports[2]}/Mds-Vo-Name=UNKNOWN-SITE,o=grid",
        "BADBASE-SITE": f"ldap://127.0.0.1:{ports[3]}/mds-vo-name=BADBASE-SITE,o=grid",
        "EXTRA-SITE": f"ldap://127.0.0.1:{ports[0]}/mds-vo-name=EXTRA-SITE,o=grid",
        "DOWN-SITE": f"ldap://127.0.0.1:{free_port()}/mds-vo-name=DOWN-SITE,o=grid",
        "SLOW-SITE": f"ldap://127.0.0.1:{misbehaving(_drip)}/mds-vo-name=SLOW-SITE,o=grid",
        "GARBAGE-SITE": (
            f"ldap://127.0.0.1:{misbehaving(_garbage)}/mds-vo-name=GARBAGE-SITE,o=grid"
        ),
        "OLD-SITE": f"ldap://127.0.0.1:{old.port}/GLUE2DomainID=OLD-SITE,o=glue",
    }
    top = bdii_factory()
    text = bdii_ldif(simple_site(name, ces) for name, ces in TOP_COPY.items())
    for name, url in urls.items():
        if name == "OLD-SITE":  # listed in GLUE 2.0 only
            text += "\n" + glue2_listing(name, url, "127.0.0.1", old.port)
        elif name != "EXTRA-SITE":  # the top level does not list it
            text += "\n" + glue13_listing(name, url, "127.0.0.1")
    (tmp_path / "top.ldif").write_text(text)
    top.load(tmp_path / "top.ldif")
    yield Grid(top, urls, sites)
    old.stop()


def rows(result: Any) -> dict[str, dict[str, Any]]:
    assert result.code == 0, result.err
    found: list[dict[str, Any]] = json.loads(result.out)["rows"]
    return {row["site"]: row for row in found}


def test_every_site_bdii_the_top_level_lists_and_one_it_does_not(grid: Grid) -> None:
    extra = f"EXTRA-SITE={grid.urls['EXTRA-SITE']}"
    started = time.monotonic()
    result = run_cli(
        "site-bdiis",
        "--bdii",
        grid.top.url,
        "--site-bdii",
        extra,
        "--timeout",
        "2",
        "--format",
        "json",
    )
    assert time.monotonic() - started < HANG
    # Not a terminal: no progress on stderr.
    assert result.err == ""
    found = rows(result)
    assert sorted(found) == sorted([*TOP_COPY, "EXTRA-SITE"])
    assert {s: r["url"] for s, r in found.items()} == grid.urls
    assert {s: r["why"] for s, r in found.items() if not r["reachable"]} == {
        "BADBASE-SITE": "base missing",
        "DOWN-SITE": "refused",
        "SLOW-SITE": "timeout",
        "GARBAGE-SITE": "not LDAP",
    }
    down = found["DOWN-SITE"]
    assert down["message"].endswith(": cannot connect: Connection refused")
    assert (down["entries"], down["ces"], down["missing_from_top"]) == (None, None, None)
    assert (
        "mds-vo-name=BADBASE-SITE,o=grid' does not exist there"
        in (found["BADBASE-SITE"]["message"])
    )
    assert {s: r["listed_by"] for s, r in found.items()} == {
        **{s: "top" for s in TOP_COPY},
        "EXTRA-SITE": "option",
    }

    ok = found["OK-SITE"]
    subtree = "(|(objectClass=GlueCE)(objectClass=GlueVOView)(objectClass=GlueCluster)(objectClass=GlueSite))"
    assert ok["entries"] == grid.sites.count(subtree, base="mds-vo-name=OK-SITE,o=grid")
    assert ok["entries"] > 0
    assert (ok["ces"], ok["ces_unknown"]) == (1, 0)
    assert (ok["missing_from_top"], ok["only_in_top"], ok["different"]) == (0, 0, 0)
    assert ok["differences"] is None
    assert 0 <= ok["freshness"] < 600

    changed = found["CHANGED-SITE"]
    assert (changed["ces"], changed["ces_unknown"]) == (3, 0)
    assert (changed["missing_from_top"], changed["only_in_top"], changed["different"]) == (1, 1, 2)
    assert changed["differences"].split("\n") == [
        f"{ce('CHANGED-SITE', 'a')}: state Production in the top level, Draining in the site BDII",
        f"{ce('CHANGED-SITE', 'b')}: capability no in the top level, yes in the site BDII",
        f"{ce('CHANGED-SITE', 'c')}: missing from top",
        f"{ce('CHANGED-SITE', 'd')}: only in top",
    ]

    unknown = found["UNKNOWN-SITE"]
    assert (unknown["ces"], unknown["ces_unknown"], unknown["different"]) == (2, 2, 0)

    extra_row = found["EXTRA-SITE"]
    assert (extra_row["missing_from_top"], extra_row["only_in_top"]) == (1, 0)
    assert extra_row["differences"] == f"{ce('EXTRA-SITE', 'e')}: missing from top"

    old = found["OLD-SITE"]
    assert old["reachable"] is True
    assert (old["ces"], old["different"]) == (1, 0)
    hours = HOURS_OLD * 3600
    assert hours - 60 <= old["freshness"] <= hours + 600
    assert old["updated"].startswith(
        (datetime.now(UTC) - timedelta(hours=HOURS_OLD)).strftime("%Y-%m-%d")
    )


def test_the_updaters_file_and_site_patterns(grid: Grid, tmp_path: Path) -> None:
    # The file as glite-info-update-endpoints writes it, with a line its reader skips.
    lines = [
        "#\n# Top Level BDII configuration file\n# ---------------------------------\n",
        "# created on Sun Dec  6 19:00:00 2026\n#\n# This file is generated, DO NOT EDIT it\n#\n",
        "\n#\n# NGI_UK\n# -----------\n#\n",
        f"\n#OK-SITE\nOK-SITE {grid.urls['OK-SITE']}\n",
        f"\n#CHANGED-SITE\nCHANGED-SITE {grid.urls['CHANGED-SITE']}\n",
        "\n\n# Appended Manual Additions\n\n",
        "not a line of that file\n",
        f"UNKNOWN-SITE {grid.urls['UNKNOWN-SITE']}  # a comment\n",
    ]
    urls = tmp_path / "top-urls.conf"
    urls.write_text("".join(lines))
    result = run_cli("site-bdiis", "--urls", urls, "--format", "json", "--timeout", "5")
    assert result.code == 0, result.err
    assert result.err == f"cecap: warning: {urls}:23: ignored, not NAME ldap://HOST:PORT/BASE\n"
    found = rows(result)
    assert sorted(found) == ["CHANGED-SITE", "OK-SITE", "UNKNOWN-SITE"]
    # No top level: nothing to compare with.
    assert {r["missing_from_top"] for r in found.values()} == {None}
    assert {r["listed_by"] for r in found.values()} == {"file"}
    assert found["CHANGED-SITE"]["ces"] == 3
    # --site picks among the listed site BDIIs; a pattern matching none is exit 2.
    picked = run_cli(
        "site-bdiis",
        "--urls",
        urls,
        "--site",
        "unknown-*",
        "--site",
        "ok*",
        "--format",
        "csv",
        "--fields",
        "site,reachable,ces",
    )
    assert picked.code == 0, picked.err
    assert list(csv.reader(io.StringIO(picked.out))) == [
        ["site", "reachable", "ces"],
        ["OK-SITE", "true", "1"],
        ["UNKNOWN-SITE", "true", "2"],
    ]
    none = run_cli("site-bdiis", "--urls", urls, "--site", "NOPE")
    assert none.code == 2
    assert "--site" in none.err and "NOPE" in none.err


def test_every_format(grid: Grid) -> None:
    pair = f"OK-SITE={grid.urls['OK-SITE']}"
    for name in format_names():
        result = run_cli("site-bdiis", "--site-bdii", pair, "--format", name)
        assert result.code == 0, (name, result.err)
        assert "OK-SITE" in result.out, name
    lines = run_cli("site-bdiis", "--site-bdii", pair, "--format", "lines")
    assert lines.out == f"OK-SITE\t{grid.urls['OK-SITE']}\n"


def test_the_deadline_ends_the_run(grid: Grid, misbehaving: Any) -> None:
    slow = [
        f"SLOW{n}=ldap://127.0.0.1:{misbehaving(_drip)}/mds-vo-name=S{n},o=grid" for n in range(3)
    ]
    args = [a for pair in slow for a in ("--site-bdii", pair)]
    started = time.monotonic()
    result = run_cli(
        "site-bdiis",
        *args,
        "--jobs",
        "1",
        "--deadline",
        "1",
        "--timeout",
        "30",
        "--format",
        "json",
    )
    assert time.monotonic() - started < HANG
    found = rows(result)
    # One read was under way at the deadline, the others never started: none hangs.
    assert {r["why"] for r in found.values()} == {"deadline"}
    assert sorted(r["message"].split(": ", 1)[1] for r in found.values()) == [
        "no answer before --deadline",
        "not read before --deadline",
        "not read before --deadline",
    ]


def test_nothing_to_read_is_a_usage_error() -> None:
    result = run_cli("site-bdiis")
    assert result.code == 2
    assert "no site BDII to read" in result.err
    bad = run_cli("site-bdiis", "--site-bdii", "no-equals-sign")
    assert bad.code == 2
    assert "give SITE=URL" in bad.err


def test_report_judges_each_site_from_its_own_bdii(grid: Grid) -> None:
    args = ("report", "--all", "--bdii", grid.top.url, "--timeout", "2", "--format", "json")
    result = run_cli(*args, "--site-bdiis")
    assert result.code == 0, result.err
    assert result.err == (
        "cecap: warning: 4 of 8 site BDIIs did not answer; their CEs are judged from the top"
        " level: BADBASE-SITE (base missing), DOWN-SITE (refused), GARBAGE-SITE (not LDAP),"
        " SLOW-SITE (timeout)\n"
    )
    found = json.loads(result.out)["rows"]
    changed = {r["ce"]: r for r in found if r["site"] == "CHANGED-SITE"}
    # Its own BDII's CEs: c is there, d (only in the top level) is not, a is draining.
    assert sorted(changed) == [ce("CHANGED-SITE", q) for q in "abc"]
    assert changed[ce("CHANGED-SITE", "a")]["state"] == "Draining"
    assert {r["read_from"] for r in changed.values()} == {grid.urls["CHANGED-SITE"]}
    old = {r["read_from"] for r in found if r["site"] == "OLD-SITE"}
    assert old == {grid.urls["OLD-SITE"]}
    # The sites whose BDII did not answer: from the top level's copy.
    for site in ("BADBASE-SITE", "DOWN-SITE", "GARBAGE-SITE", "SLOW-SITE"):
        rows_of_site = [r for r in found if r["site"] == site]
        assert rows_of_site, site
        assert {r["read_from"] for r in rows_of_site} == {"top level"}
    # Without --site-bdiis: the top level's copy, and no read_from.
    plain = run_cli(*args)
    assert plain.code == 0, plain.err
    top_rows = json.loads(plain.out)["rows"]
    assert "read_from" not in top_rows[0]
    assert sorted({r["ce"] for r in top_rows if r["site"] == "CHANGED-SITE"}) == [
        ce("CHANGED-SITE", q) for q in "abd"
    ]
    assert run_cli(*args, "--site-bdiis", "--record").code == 2


def test_report_and_page_take_jobs_and_deadline_with_site_bdiis(grid: Grid, tmp_path: Path) -> None:
    args = ("report", "--all", "--bdii", grid.top.url, "--timeout", "2", "--format", "json")
    # One at a time, all within a second: the slow one (2 s) is cut at the deadline, and
    # its site is judged from the top level like any site BDII that did not answer.
    result = run_cli(*args, "--site-bdiis", "--jobs", "1", "--deadline", "1")
    assert result.code == 0, result.err
    assert "SLOW-SITE (deadline)" in result.err
    assert "SLOW-SITE (timeout)" not in result.err
    found = json.loads(result.out)["rows"]
    assert {r["read_from"] for r in found if r["site"] == "SLOW-SITE"} == {"top level"}
    # They say how the site BDIIs are read: without --site-bdiis, a usage error.
    for argv in (args, ("page", "--bdii", grid.top.url, "-o", str(tmp_path / "p"))):
        for extra in (("--jobs", "2"), ("--deadline", "5")):
            refused = run_cli(*argv, *extra)
            assert refused.code == 2, (argv, extra)
            assert refused.err.startswith("cecap: error: --jobs and --deadline say how")
            assert refused.err.count("\n") == 1
    assert not (tmp_path / "p").exists()


def test_progress_is_shown_on_a_terminal(grid: Grid) -> None:
    # stderr a terminal (a pseudo-terminal here), stdout a pipe: the rows stay clean.
    main_fd, child_fd = pty.openpty()
    pairs = [f"{site}={grid.urls[site]}" for site in ("OK-SITE", "DOWN-SITE")]
    args = [a for pair in pairs for a in ("--site-bdii", pair)]
    proc = subprocess.Popen(
        command("site-bdiis", *args, "--format", "lines"),
        stdout=subprocess.PIPE,
        stderr=child_fd,
        env=clean_env(),
    )
    os.close(child_fd)
    out, _ = proc.communicate(timeout=HANG)
    shown = b""
    while True:
        try:
            chunk = os.read(main_fd, 4096)
        except OSError:  # EIO: the process is gone and so is the terminal's other end
            break
        if not chunk:
            break
        shown += chunk
    os.close(main_fd)
    assert proc.returncode == 0
    assert out.decode().splitlines() == [
        f"DOWN-SITE\t{grid.urls['DOWN-SITE']}",
        f"OK-SITE\t{grid.urls['OK-SITE']}",
    ]
    lines = shown.decode().split("\r\x1b[K")
    assert lines[0] == ""
    # Which of the two is done first is the servers' business; the counts are not.
    assert lines[-1] == "cecap: site BDIIs: 2 done, 1 failed, 0 left\r\n"
    assert lines[1].startswith("cecap: site BDIIs: 1 done, ")
    assert lines[1].endswith(" failed, 1 left")
    assert len(lines) == 3


def test_check_adds_the_site_bdiis(grid: Grid, tmp_path: Path) -> None:
    state = tmp_path / "history.sqlite"
    # --timeout bounds the whole check: the site BDIIs get what is left of it.
    args = ("check", "--bdii", grid.top.url, "--state", state, "--timeout", "6")
    ranges = ("--site-bdiis-warning", "2", "--site-bdiis-critical", "6")
    result = run_cli(*args, "--site-bdiis", *ranges)
    assert result.code == 1, result.err
    status, *details = result.out.splitlines()
    assert status.startswith(
        "CECAP WARNING - ready CEs: atlas 0, cms 0, lhcb 0, alice 0; 4 of 8 site BDIIs"
        " silent, 8 verdicts differ from them | "
    )
    assert status.endswith(" site_bdiis_silent=4;2;6;0;8 verdicts_differ=8;;;0")
    changed = [
        ("a", "no-stance in the top level, not-in-production from its site BDII"),
        ("b", "not-advertised in the top level, no-stance from its site BDII"),
        ("c", "not in the top level; no-stance from its site BDII"),
        ("d", "no-stance in the top level; no longer in its site BDII"),
    ]
    assert details[4:] == [
        "site BDII silent: BADBASE-SITE (base missing)",
        "site BDII silent: DOWN-SITE (refused)",
        "site BDII silent: GARBAGE-SITE (not LDAP)",
        "site BDII silent: SLOW-SITE (deadline)",
        *(
            f"{exp}: {ce('CHANGED-SITE', q)} (CHANGED-SITE): {said}"
            for exp in ("atlas", "cms")
            for q, said in changed
        ),
    ]
    # The same in JSON; the silent count alone can make it CRITICAL.
    js = run_cli(*args, "--site-bdiis", "--site-bdiis-critical", "3", "--format", "json")
    assert js.code == 2, js.err
    doc = json.loads(js.out)
    assert doc["status"] == "CRITICAL"
    part = doc["site_bdiis"]
    assert (part["listed"], part["warning"], part["critical"]) == (8, None, "3")
    assert len(part["silent"]) == 4
    assert part["verdicts_differ"][2] == {
        "experiment": "atlas",
        "site": "CHANGED-SITE",
        "ce": ce("CHANGED-SITE", "c"),
        "top": None,
        "site_bdii": "no-stance",
    }
    # Without --site-bdiis: the probe as it was, the history recording the top level's.
    plain = run_cli(*args)
    assert plain.code == 0, plain.out
    assert "site BDII" not in plain.out
    assert "site_bdiis" not in json.loads(run_cli(*args, "--format", "json").out)
    bad = run_cli(*args, "--site-bdiis", "--site-bdiis-warning", "nope")
    assert bad.code == 3
    assert bad.out.startswith("CECAP UNKNOWN - ")


def test_the_page_shows_each_sites_bdii(grid: Grid, tmp_path: Path) -> None:
    out = tmp_path / "page"
    result = run_cli(
        "page",
        "--bdii",
        grid.top.url,
        "--site-bdiis",
        "-o",
        out,
        "--timeout",
        "2",
        "--state",
        tmp_path / "none.sqlite",
    )
    assert (result.code, result.out, result.err) == (0, "", "")
    shown = render((out / "index.html").as_uri())
    assert shown.console == []
    dom = parse(shown.dom)
    said = {}
    for section in dom.find_all("section", "site-ces"):
        [name] = section.find_all("h3")
        lines = section.find_all("p", "site-bdii")
        said[name.text] = [(p.text, p.has_class("bdii-down")) for p in lines]
    assert said["DOWN-SITE"] == [("Its site BDII did not answer (refused).", True)]
    assert said["SLOW-SITE"] == [("Its site BDII did not answer (timeout).", True)]
    [(old, down)] = said["OLD-SITE"]
    assert not down
    assert old.startswith("Its site BDII answered; last updated ")
    assert old.endswith(f" ({HOURS_OLD} h 0 min before this page).") or old.endswith(
        f" ({HOURS_OLD} h 1 min before this page)."
    )
    [(ok, down)] = said["OK-SITE"]
    assert not down
    assert ok.endswith(" s before this page).")
    # Without --site-bdiis, no such line.
    plain = tmp_path / "plain"
    assert run_cli("page", "--bdii", grid.top.url, "-o", plain).code == 0
    assert 'class="site-bdii' not in (plain / "index.html").read_text()


def test_site_bdiis_over_ldaps(bdii_factory: Make, tmp_path: Path) -> None:
    # The same TLS as any cecap read: verified against --ca-dir, a failure is "TLS".
    tls, ca_dir = make_test_ca(tmp_path / "ca")
    server = bdii_factory(top_level=False, tls=tls)
    server.load_text(site_level(simple_site("TLS-SITE", [CESpec("q", VOS)])))
    assert server.ldaps_url is not None
    pairs = [
        f"TLS-SITE={server.ldaps_url}/mds-vo-name=TLS-SITE,o=grid",
        # ldaps:// to the plain LDAP port: no TLS there.
        f"PLAIN-PORT=ldaps://{server.host}:{server.port}/mds-vo-name=TLS-SITE,o=grid",
    ]
    args = [a for pair in pairs for a in ("--site-bdii", pair)]
    good = rows(run_cli("site-bdiis", *args, "--ca-dir", ca_dir, "--format", "json"))
    assert (good["TLS-SITE"]["reachable"], good["TLS-SITE"]["ces"]) == (True, 1)
    assert good["PLAIN-PORT"]["why"] == "TLS"
    assert "TLS handshake failed" in good["PLAIN-PORT"]["message"]
    _, other = make_test_ca(tmp_path / "other-ca")
    refused = rows(run_cli("site-bdiis", *args, "--ca-dir", other, "--format", "json"))
    assert {r["why"] for r in refused.values()} == {"TLS"}
    assert "was not verified against the CA directory" in refused["TLS-SITE"]["message"]
