"""Benchmark cecap on a synthetic top-level BDII of N sites, live and from a snapshot.

For each N it generates the LDIF (generate_bdii.py), starts a real BDII with the test
suite's harness (tests/helpers/bdii_server.py), loads the sites, and measures side by side, each
several times (medians reported):

1. live: ``cecap report --all --format json`` against the BDII, and ``ldapsearch`` making
   the same searches (base, filter, attributes taken from cecap's own reader);
2. snapshot: the same report on the LDIF file, and a parse of that file with the generic
   ``ldif`` package (benchmarks/parse_ldif.py);
3. the peak RSS of each cecap run (wait4 on the child process);
4. time per entry, for the scaling between the smallest and the largest N.

It prints a Markdown table and writes it, with a description of the machine, into the
results section of docs/performance.md (or the file --doc names).
"""

from __future__ import annotations

import argparse
import cProfile  # noqa: F401 - imported so a missing module fails before an hour of runs
import datetime
import io
import json
import os
import platform
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "benchmarks"
# The real-BDII harness lives with the tests; the benchmark uses it as the tests do.
sys.path.append(str(REPO / "tests"))
sys.path.append(str(BENCH))

import generate_bdii  # noqa: E402
from helpers.bdii_server import BDIIServer, missing_requirements  # noqa: E402

from cecap.model.glue2 import wanted as glue_wanted  # noqa: E402
from cecap.model.select import GLUE_CHOICES  # noqa: E402
from cecap.policy.load import config_dir, load_glue2, load_policy  # noqa: E402
from cecap.policy.stances import GLEXEC  # noqa: E402
from cecap.sources.base import EntrySource, SourceSettings  # noqa: E402
from cecap.sources.endpoints import open_source  # noqa: E402
from cecap.sources.ldap import LdapReader  # noqa: E402

DOC = REPO / "docs" / "performance.md"
BEGIN = "<!-- benchmark results: written by benchmarks/run.py, do not edit by hand -->"
END = "<!-- end of benchmark results -->"
# Generous: the benchmark measures how long a report takes, not whether it fits 30 s.
CECAP_TIMEOUT = "600"
GOALS = {"live": 2.0, "snapshot": 0.33, "rss_mb": 150.0, "scaling": 1.2}
Say = Callable[[str], None]


@dataclass(frozen=True)
class Run:
    """One timed child process: wall seconds and the peak resident set size."""

    seconds: float
    max_rss_mb: float


@dataclass
class Result:
    """Everything measured for one N."""

    sites: int
    entries: int
    ces: int
    ldif_mb: float
    rows: int = 0
    live: list[Run] = field(default_factory=list)
    ldapsearch: list[float] = field(default_factory=list)
    snapshot: list[Run] = field(default_factory=list)
    ldif_parse: list[float] = field(default_factory=list)

    def median(self, what: str) -> float:
        values = getattr(self, what)
        return statistics.median(v.seconds if isinstance(v, Run) else v for v in values)

    def peak_rss(self, what: str) -> float:
        return max(run.max_rss_mb for run in getattr(self, what))

    def ratio(self, what: str, baseline: str) -> float:
        return self.median(what) / self.median(baseline)

    def per_entry_us(self, what: str) -> float:
        return self.median(what) / self.entries * 1e6


class BenchmarkError(RuntimeError):
    """A step failed: the message says which and why."""


def run_timed(cmd: Sequence[str], stdout: Path, env: dict[str, str] | None = None) -> Run:
    """Run cmd with its output to a file; its wall time and peak RSS (from wait4)."""
    stderr = stdout.with_suffix(".stderr")
    with stdout.open("wb") as out, stderr.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        text = stderr.read_text(errors="replace").strip()
        raise BenchmarkError(f"{' '.join(cmd)} exited {proc.returncode}: {text[-2000:]}")
    # ru_maxrss is in KiB on Linux.
    return Run(seconds=seconds, max_rss_mb=usage.ru_maxrss / 1024)


def cecap_command() -> list[str]:
    """The installed ``cecap`` script beside this Python, else ``python -m cecap``."""
    script = Path(sys.executable).parent / "cecap"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "cecap"]


def cecap_env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CECAP_CONFIG", "LCG_GFAL_INFOSYS")}
    env["CECAP_STATE"] = str(workdir / "no-history.sqlite")  # no history: stable_runs null
    return env


def report_args(source: str) -> list[str]:
    return ["report", "--all", "--format", "json", "--timeout", CECAP_TIMEOUT, "--bdii", source]


def cecap_searches(url: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """(base, filter, attributes) of every search ``cecap report`` makes on a live BDII.

    Built the way the report command builds its reader (cli.load_model with all configured
    experiments' VOs, the default GLUE trees and capability, no run-time environment
    tags) and asked of that reader, so ldapsearch makes exactly cecap's searches;
    tests/e2e/test_benchmark_smoke.py checks them against the searches a report makes.
    """
    config = config_dir(None)
    vos = [e.vo for e in load_policy(config).experiments.values()]
    wanted = glue_wanted(GLUE_CHOICES["both"], load_glue2(config), [GLEXEC])
    wanted.pop("gluesubcluster", None)
    source = open_source(url, SourceSettings())
    assert isinstance(source, EntrySource), url
    reader = source.reader(wanted, vos)
    assert isinstance(reader, LdapReader), url
    return [
        (reader.glue2_base if cls.startswith("glue2") else reader.base, reader.filter_for(cls), a)
        for cls, a in wanted.items()
    ]


def run_ldapsearch(
    url: str, searches: Sequence[tuple[str, str, tuple[str, ...]]], out: Path
) -> float:
    """Wall time of ldapsearch making the searches one after the other, output to a file."""
    env = {**os.environ, "LDAPNOINIT": "1"}
    started = time.perf_counter()
    with out.open("wb") as sink:
        for base, filterstr, attributes in searches:
            cmd = ["ldapsearch", "-x", "-LLL", "-o", "ldif-wrap=no", "-H", url, "-b", base]
            proc = subprocess.run(
                [*cmd, "-s", "sub", filterstr, *attributes],
                stdout=sink,
                stderr=subprocess.PIPE,
                env=env,
                check=False,
            )
            if proc.returncode != 0:
                raise BenchmarkError(
                    f"ldapsearch -b {base} {filterstr} exited {proc.returncode}:"
                    f" {proc.stderr.decode(errors='replace').strip()}"
                )
    return time.perf_counter() - started


def report_rows(path: Path) -> list[dict[str, object]]:
    doc = json.loads(path.read_text())
    if doc.get("partial"):
        raise BenchmarkError(f"{path}: cecap says its answer is partial: {doc['partial_reason']}")
    rows: list[dict[str, object]] = doc["rows"]
    return rows


def generate(sites: int, path: Path) -> dict[str, int]:
    with path.open("w", encoding="ascii", newline="\n") as out:
        return generate_bdii.generate(sites, out)


def start_bdii(workdir: Path, ldif: Path, entries: int, loader: str) -> BDIIServer:
    server = BDIIServer(workdir)
    if loader == "slapadd":
        server.bulk_load(ldif)
        server.start()
    else:
        server.start()
        server.load(ldif)
    # Every generated entry but o=grid sits under Mds-Vo-name=local,o=grid.
    found = server.count(base="Mds-Vo-name=local,o=grid")
    if found != entries - 1:
        server.stop()
        raise BenchmarkError(f"the BDII holds {found} entries, the LDIF {entries - 1}")
    return server


def measure(sites: int, repeat: int, workdir: Path, loader: str, say: Say) -> Result:
    folder = workdir / f"n{sites}"
    folder.mkdir(parents=True, exist_ok=True)
    ldif = folder / f"bdii-{sites}.ldif"
    counts = generate(sites, ldif)
    result = Result(sites, counts["entries"], counts["ces"], ldif.stat().st_size / 1e6)
    say(f"N={sites}: {result.entries} entries, {result.ces} CEs, {result.ldif_mb:.0f} MB")
    started = time.perf_counter()
    server = start_bdii(folder / "bdii", ldif, result.entries, loader)
    say(
        f"N={sites}: BDII at {server.url}, loaded with {loader} in"
        f" {time.perf_counter() - started:.1f} s"
    )
    try:
        cecap = cecap_command()
        env = cecap_env(workdir)
        searches = cecap_searches(server.url)
        run_ldapsearch(server.url, searches, folder / "ldapsearch.ldif")  # warm the server
        for number in range(1, repeat + 1):
            result.live.append(
                run_timed([*cecap, *report_args(server.url)], folder / "live.json", env)
            )
            result.ldapsearch.append(
                run_ldapsearch(server.url, searches, folder / "ldapsearch.ldif")
            )
            result.snapshot.append(
                run_timed([*cecap, *report_args(str(ldif))], folder / "snapshot.json", env)
            )
            parse = [sys.executable, str(BENCH / "parse_ldif.py"), str(ldif)]
            result.ldif_parse.append(run_timed(parse, folder / "parse.out").seconds)
            say(
                f"N={sites} run {number}/{repeat}: live {result.live[-1].seconds:.2f} s,"
                f" ldapsearch {result.ldapsearch[-1]:.2f} s, snapshot"
                f" {result.snapshot[-1].seconds:.2f} s, ldif {result.ldif_parse[-1]:.2f} s"
            )
    finally:
        server.stop()
    live_rows = report_rows(folder / "live.json")
    if live_rows != report_rows(folder / "snapshot.json"):
        raise BenchmarkError(f"N={sites}: the live and snapshot reports differ")
    parsed = int((folder / "parse.out").read_text())
    if parsed != result.entries:
        raise BenchmarkError(f"N={sites}: the ldif package read {parsed} of {result.entries}")
    result.rows = len(live_rows)
    return result


def profile(result: Result, workdir: Path, loader: str, top: int) -> str:
    """cProfile of one live and one snapshot report at this N, top functions by own time."""
    sites = result.sites
    folder = workdir / f"n{sites}"
    ldif = folder / f"bdii-{sites}.ldif"
    server = start_bdii(folder / "bdii-profile", ldif, result.entries, loader)
    out = []
    try:
        for mode, source in (("live", server.url), ("snapshot", str(ldif))):
            stats_file = folder / f"{mode}.prof"
            cmd = [sys.executable, "-m", "cProfile", "-o", str(stats_file), "-m", "cecap"]
            run_timed(
                [*cmd, *report_args(source)], folder / f"{mode}-profile.json", cecap_env(workdir)
            )
            text = io.StringIO()
            stats = pstats.Stats(str(stats_file), stream=text)
            stats.strip_dirs().sort_stats("tottime").print_stats(top)
            body = text.getvalue()
            body = body[body.index("ncalls") :] if "ncalls" in body else body
            total = re.search(r"in ([\d.]+) seconds", text.getvalue())
            seconds = f", {total.group(1)} s under the profiler" if total else ""
            out.append(
                f"{mode} (N={sites}{seconds}), top {top} by own time:\n\n```\n"
                f"{body.rstrip()}\n```\n"
            )
    finally:
        server.stop()
    return "\n".join(out)


# --- the report ---


def machine() -> list[tuple[str, str]]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        found = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
        if found:
            ram = f"{int(found.group(1)) / 1024**2:.1f} GiB"
    except OSError:
        pass
    slapd = shutil.which("slapd") or "/usr/sbin/slapd"
    probe = subprocess.run([slapd, "-VV"], capture_output=True, text=True, check=False)
    version = re.search(r"slapd ([^\s$]+)", probe.stderr + probe.stdout)
    return [
        ("CPU", f"{cpu}, {os.cpu_count()} cores"),
        ("RAM", ram),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("slapd", version.group(1) if version else "?"),
        ("ldap3", metadata.version("ldap3")),
        ("ldif", metadata.version("ldif")),
    ]


def results_table(results: Sequence[Result]) -> str:
    head = (
        "| N sites | entries | CEs | LDIF MB | rows | live cecap s | ldapsearch s | live ratio"
        " | snapshot cecap s | ldif parse s | snapshot ratio | RSS live MB | RSS snapshot MB"
        " | live µs/entry | snapshot µs/entry |"
    )
    lines = [head, "|" + "---:|" * head.count(" | ") + "---:|"]
    for r in results:
        lines.append(
            f"| {r.sites} | {r.entries} | {r.ces} | {r.ldif_mb:.0f} | {r.rows}"
            f" | {r.median('live'):.2f} | {r.median('ldapsearch'):.2f}"
            f" | {r.ratio('live', 'ldapsearch'):.2f}"
            f" | {r.median('snapshot'):.2f} | {r.median('ldif_parse'):.2f}"
            f" | {r.ratio('snapshot', 'ldif_parse'):.2f}"
            f" | {r.peak_rss('live'):.0f} | {r.peak_rss('snapshot'):.0f}"
            f" | {r.per_entry_us('live'):.1f} | {r.per_entry_us('snapshot'):.1f} |"
        )
    return "\n".join(lines)


def goals_table(results: Sequence[Result]) -> str:
    first, last = results[0], results[-1]
    rows: list[tuple[str, str, float, bool]] = [
        (
            f"live cecap / ldapsearch, N={last.sites}",
            f"≤ {GOALS['live']}",
            last.ratio("live", "ldapsearch"),
            last.ratio("live", "ldapsearch") <= GOALS["live"],
        ),
        (
            f"snapshot cecap / ldif parse, N={last.sites}",
            f"≤ {GOALS['snapshot']}",
            last.ratio("snapshot", "ldif_parse"),
            last.ratio("snapshot", "ldif_parse") <= GOALS["snapshot"],
        ),
    ]
    for mode in ("live", "snapshot"):
        rss = last.peak_rss(mode)
        rows.append(
            (
                f"peak RSS {mode}, N={last.sites} (MB)",
                f"≤ {GOALS['rss_mb']:.0f}",
                rss,
                rss <= GOALS["rss_mb"],
            )
        )
    if last is not first:
        for mode in ("live", "snapshot"):
            scale = last.per_entry_us(mode) / first.per_entry_us(mode)
            rows.append(
                (
                    f"{mode} time per entry, N={last.sites} / N={first.sites}",
                    f"≤ {GOALS['scaling']}",
                    scale,
                    scale <= GOALS["scaling"],
                )
            )
    lines = ["| figure | goal | measured | met |", "|---|---|---:|---|"]
    lines += [
        f"| {name} | {goal} | {value:.2f} | {'yes' if ok else 'no'} |"
        for name, goal, value, ok in rows
    ]
    return "\n".join(lines)


def render(
    results: Sequence[Result],
    command: str,
    repeat: int,
    loader: str,
    load: tuple[tuple[float, ...], tuple[float, ...]],
    profiles: str,
) -> str:
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    described = "\n".join(f"| {k} | {v} |" for k, v in machine())
    before, after = (" / ".join(f"{x:.2f}" for x in avg) for avg in load)
    parts = [
        BEGIN,
        f"Measured {when} with `{command}` (medians of {repeat} runs each; peak RSS is the"
        f" largest of them; the BDII was loaded with {loader}).",
        "",
        "| machine | |\n|---|---|\n" + described,
        f"| load average (1/5/15 min) at start | {before} |",
        f"| load average (1/5/15 min) at end | {after} |",
        "",
        results_table(results),
        "",
        goals_table(results),
        "",
    ]
    if profiles:
        parts += [
            "### Profiles\n\ncProfile, one run of each mode (times are inflated by the profiler):",
            "",
            profiles,
        ]
    parts.append(END)
    return "\n".join(parts) + "\n"


def write_doc(path: Path, section: str) -> None:
    """Put the results section into the doc, replacing the previous one."""
    if path.is_file():
        text = path.read_text()
        if BEGIN in text and END in text:
            head, _, rest = text.partition(BEGIN)
            _, _, tail = rest.partition(END)
            text = head + section.rstrip("\n") + tail
        else:
            text = text.rstrip("\n") + "\n\n" + section
    else:
        text = "# cecap performance\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def parse_sites(text: str) -> list[int]:
    try:
        sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of numbers: {text}") from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("give one or more numbers of sites, each 1 or more")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--sites",
        type=parse_sites,
        default=[250, 500, 1000, 2000],
        help="comma-separated numbers of sites (default 250,500,1000,2000)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--doc", type=Path, default=DOC, help=f"doc to write (default {DOC})")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="folder for LDIF files and BDIIs (default: a temporary one)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the workdir afterwards")
    parser.add_argument(
        "--load",
        choices=("slapadd", "ldapadd"),
        default="slapadd",
        help="load the BDII with slapadd into its stopped databases (fast)"
        " or entry by entry with ldapadd (as the tests do)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="TOP",
        help="also profile one report of each mode at the largest N and put"
        " the TOP functions by own time in the doc",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    missing = missing_requirements()
    if missing:
        print("run.py: a real BDII needs " + ", ".join(missing), file=sys.stderr)
        return 2

    def say(message: str) -> None:
        print(f"run.py: {message}", file=sys.stderr, flush=True)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="cecap-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    given = list(argv if argv is not None else sys.argv[1:])
    command = " ".join([".venv/bin/python benchmarks/run.py", *_shown(given)])
    load_before = os.getloadavg()
    try:
        results = [measure(n, args.repeat, workdir, args.load, say) for n in args.sites]
        profiles = profile(results[-1], workdir, args.load, args.profile) if args.profile else ""
    except BenchmarkError as exc:
        print(f"run.py: {exc}", file=sys.stderr)
        return 1
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    section = render(
        results, command, args.repeat, args.load, (load_before, os.getloadavg()), profiles
    )
    print(results_table(results))
    print()
    print(goals_table(results))
    write_doc(args.doc, section)
    say(f"wrote {args.doc}")
    return 0


def _shown(argv: Sequence[str]) -> list[str]:
    """The arguments as given, without the ones that only say where files go."""
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ("--doc", "--workdir"):
            skip = True
            continue
        if arg.startswith(("--doc=", "--workdir=")) or arg == "--keep":
            continue
        out.append(arg)
    return out


if __name__ == "__main__":
    sys.exit(main())
