"""Benchmark `cecap site-bdiis` over N site BDIIs of which some never answer.

It starts real site BDIIs (Debian's slapd with the site-level bdii configuration, the
test suite's tests/helpers/bdii_server.py): a few slapd processes, each listening on many
loopback ports, each port a site BDII reading its own subtree (mds-vo-name=SITE,o=grid);
and --silent sites whose port accepts connections and never says a word. It writes the
list in the format the top-level BDII's updater writes, then measures side by side, once:

1. ``cecap site-bdiis --urls FILE --jobs J --timeout T --format json``, its wall time and
   peak RSS (benchmarks/rss.py starts it);
2. the ideal of a pool of J workers: the slowest site's read (from the seconds cecap
   reports per site) plus the median site's read alone times ceil(N / J); the median
   site alone is measured by cecap reading --alone answering sites with --jobs 1;
3. ``ldapsearch`` of each site in turn (the GLUE 1.3 classes cecap reads under the site's
   base, each cut off after T seconds, as a shell loop over the list would).

It prints a Markdown table and writes it into docs/performance.md between its own
markers (or the file --doc names).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "benchmarks"
sys.path.append(str(REPO / "tests"))
sys.path.append(str(BENCH))

from helpers.bdii_server import BDIIError, BDIIServer, missing_requirements  # noqa: E402
from helpers.glue_ldif import CESpec, simple_site  # noqa: E402
from helpers.site_bdiis import infosys, site_level  # noqa: E402
from run import cecap_command, cecap_env, machine, run_timed  # noqa: E402

DOC = REPO / "docs" / "performance.md"
BEGIN = "<!-- site-bdiis benchmark: written by benchmarks/site_bdiis.py, do not edit by hand -->"
END = "<!-- end of site-bdiis benchmark -->"
GOALS = {"ideal": 1.5, "rss_mb": 150.0}
VOS = ("atlas", "cms", "lhcb", "alice")
# The GLUE 1.3 classes cecap reads of a site (no subclusters: their tags are the audit's).
CLASSES = (
    "(|(objectClass=GlueCE)(objectClass=GlueVOView)(objectClass=GlueCluster)(objectClass=GlueSite))"
)


ANSWERING: set[str] = set()


def site_name(index: int) -> str:
    return f"SITE-{index:04}"


def site_ldif(index: int, ces: int) -> str:
    name = site_name(index)
    specs = [CESpec(f"q{n}", VOS, capabilities=("glexec",) if n % 2 else ()) for n in range(ces)]
    return site_level(simple_site(name, specs))


def start_sites(work: Path, answering: int, servers: int, ces: int) -> list[tuple[str, str]]:
    """``servers`` slapd processes sharing ``answering`` site BDIIs, one port each: the
    (site, URL) pairs; the servers are left running (stopped by stop_all)."""
    pairs: list[tuple[str, str]] = []
    per = math.ceil(answering / servers)
    for number in range(servers):
        indexes = list(range(number * per, min(answering, (number + 1) * per)))
        if not indexes:
            continue
        ldif = work / f"sites-{number}.ldif"
        ldif.write_text("\n".join([*(site_ldif(i, ces) for i in indexes), infosys()]))
        server = started(work / f"slapd-{number}", ldif, len(indexes) - 1)
        ports = [server.port, *server.more_ports]
        pairs += [
            (site_name(i), f"ldap://127.0.0.1:{port}/mds-vo-name={site_name(i)},o=grid")
            for i, port in zip(indexes, ports, strict=True)
        ]
        ANSWERING.update(site_name(i) for i in indexes)
    return pairs


RUNNING: list[BDIIServer] = []
STARTS = 3  # another process may take one of a hundred free ports before slapd does


def started(folder: Path, ldif: Path, extra_ports: int) -> BDIIServer:
    """A site-level BDII holding ``ldif``, listening on 1 + ``extra_ports`` ports."""
    for attempt in range(1, STARTS + 1):
        server = BDIIServer(folder / str(attempt), top_level=False, extra_ports=extra_ports)
        server.bulk_load(ldif)
        try:
            server.start()
        except BDIIError:
            server.stop()
            if attempt == STARTS:
                raise
            continue
        RUNNING.append(server)
        return server
    raise AssertionError("unreachable")


SILENT: list[socket.socket] = []


def silent_sites(first: int, count: int) -> list[tuple[str, str]]:
    """Ports that accept connections (the kernel's backlog) and never answer."""
    pairs = []
    for index in range(first, first + count):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        SILENT.append(listener)
        port = listener.getsockname()[1]
        pairs.append(
            (site_name(index), f"ldap://127.0.0.1:{port}/mds-vo-name={site_name(index)},o=grid")
        )
    return pairs


def write_urls(path: Path, pairs: Sequence[tuple[str, str]]) -> None:
    lines = ["#\n# Top Level BDII configuration file\n#\n"]
    lines += [f"\n#{site}\n{site} {url}\n" for site, url in pairs]
    path.write_text("".join(lines))


def sequential_ldapsearch(pairs: Sequence[tuple[str, str]], timeout: float) -> float:
    """Each site in turn, as a loop over the list would; each cut off after ``timeout``."""
    env = {**os.environ, "LDAPNOINIT": "1"}
    started = time.perf_counter()
    for _, url in pairs:
        host, _, base = url.removeprefix("ldap://").partition("/")
        cmd = ["ldapsearch", "-x", "-LLL", "-H", f"ldap://{host}", "-b", base, CLASSES]
        with contextlib.suppress(subprocess.TimeoutExpired):
            subprocess.run(
                cmd,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
                timeout=timeout,
                check=False,
            )
    return time.perf_counter() - started


def stop_all() -> None:
    for server in RUNNING:
        server.stop()
    for listener in SILENT:
        listener.close()


@dataclass(frozen=True)
class Measured:
    """One run's figures: cecap's wall time and peak RSS, the ideal pool's parts, and the
    sequential ldapsearch loop's wall time."""

    run_s: float
    rss_mb: float
    slowest: float
    median: float  # the median site's read alone
    in_run: float  # the median site's read in the run, among --jobs at once
    ideal: float
    sequential: float
    alone: int  # sites read one at a time for ``median``


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def render(args: argparse.Namespace, answered: int, m: Measured) -> str:
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    described = "\n".join(f"| {k} | {v} |" for k, v in machine())
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    speedup = m.sequential / m.run_s
    rounds = math.ceil(args.sites / args.jobs)
    ideal_text = (
        f"ideal pool: the slowest site {m.slowest:.2f} s + the median site alone"
        f" {m.median * 1000:.0f} ms × ⌈{args.sites}/{args.jobs}⌉ = {rounds}"
    )
    goals = [
        (
            f"within {GOALS['ideal']} × the ideal pool",
            f"{m.run_s / m.ideal:.2f} ×",
            m.run_s / m.ideal <= GOALS["ideal"],
        ),
        (
            f"faster than sequential by at least jobs / 2 = {args.jobs / 2:g}",
            f"{speedup:.1f} ×",
            speedup >= args.jobs / 2,
        ),
        (f"peak RSS ≤ {GOALS['rss_mb']:.0f} MB", f"{m.rss_mb:.0f} MB", m.rss_mb <= GOALS["rss_mb"]),
    ]
    lines = [
        BEGIN,
        f"Measured {when}, one run: {args.sites} site BDIIs ({args.silent} never"
        f" answering), {args.ces} CEs each, on {args.servers} slapd processes;"
        f" `--jobs {args.jobs} --timeout {args.timeout:g}`. {answered} answered. The median"
        f" site alone: cecap reading {m.alone} answering sites with `--jobs 1`; in the run,"
        f" among {args.jobs} at once, it took {m.in_run * 1000:.0f} ms.",
        "",
        "| machine | |\n|---|---|\n" + described,
        f"| load average (1/5/15 min) at the end | {load} |",
        "",
        "| measured | seconds | peak RSS |",
        "|---|---|---|",
        f"| `cecap site-bdiis --urls FILE --format json` | {m.run_s:.2f} | {m.rss_mb:.0f} MB |",
        f"| {ideal_text} | {m.ideal:.2f} | |",
        f"| `ldapsearch` of each site in turn | {m.sequential:.2f} | |",
        "",
        "| goal | measured | met |",
        "|---|---|---|",
        *(f"| {goal} | {value} | {_yes(met)} |" for goal, value, met in goals),
        END,
    ]
    return "\n".join(lines) + "\n"


def write_doc(path: Path, section: str) -> None:
    text = path.read_text() if path.is_file() else "# cecap performance\n"
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        text = head + section.rstrip("\n") + tail
    else:
        text = text.rstrip("\n") + "\n\n## Site BDIIs at once\n\n" + section
    path.write_text(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sites", type=int, default=400, help="site BDIIs in all")
    parser.add_argument("--silent", type=int, default=20, help="of them, never answering")
    parser.add_argument("--ces", type=int, default=4, help="CEs per site")
    parser.add_argument("--servers", type=int, default=4, help="slapd processes")
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument(
        "--alone", type=int, default=40, help="answering sites read one at a time for the median"
    )
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--doc", type=Path, default=DOC, help=f"doc to write (default {DOC})")
    parser.add_argument("--no-doc", action="store_true", help="print only")
    args = parser.parse_args(argv)
    missing = missing_requirements()
    if missing:
        print("cannot run a BDII, missing: " + ", ".join(missing), file=sys.stderr)
        return 2
    if not 0 <= args.silent <= args.sites or args.jobs < 1:
        parser.error("give 0 <= --silent <= --sites and --jobs >= 1")
    with tempfile.TemporaryDirectory(prefix="cecap-site-bdiis-") as folder:
        work = Path(folder)
        try:
            pairs = start_sites(work, args.sites - args.silent, args.servers, args.ces)
            pairs += silent_sites(len(pairs), args.silent)
            pairs.sort()
            urls = work / "top-urls.conf"
            write_urls(urls, pairs)
            cmd = [*cecap_command(), "site-bdiis", "--urls", str(urls), "--format", "json"]
            cmd += [
                "--jobs",
                str(args.jobs),
                "--timeout",
                f"{args.timeout:g}",
                "--deadline",
                "3600",
            ]
            out = work / "site-bdiis.json"
            run = run_timed(cmd, out, env=cecap_env(work))
            rows = json.loads(out.read_text())["rows"]
            slowest = max(float(r["seconds"]) for r in rows)
            # The median site's read alone: cecap reading answering sites one at a time
            # (in the run above, 20 reads share the interpreter and each takes longer).
            alone = work / "alone.conf"
            write_urls(alone, [p for p in pairs if p[0] in ANSWERING][: args.alone])
            cmd[cmd.index(str(urls))] = str(alone)
            cmd[cmd.index("--jobs") + 1] = "1"
            single = run_timed(cmd, work / "alone.json", env=cecap_env(work))
            del single  # its time and RSS are not the point: each site's seconds are
            one_by_one = json.loads((work / "alone.json").read_text())["rows"]
            median = statistics.median(float(r["seconds"]) for r in one_by_one)
            in_run = statistics.median(float(r["seconds"]) for r in rows if r["reachable"])
            ideal = slowest + median * math.ceil(len(rows) / args.jobs)
            sequential = sequential_ldapsearch(pairs, args.timeout)
        finally:
            stop_all()
    answered = sum(1 for r in rows if r["reachable"])
    measured = Measured(
        run.seconds, run.max_rss_mb, slowest, median, in_run, ideal, sequential, args.alone
    )
    section = render(args, answered, measured)
    print(section)
    if not args.no_doc:
        write_doc(args.doc, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
