"""Benchmark cecap on synthetic top-level BDIIs of N sites and several shapes.

For each shape and N it generates the LDIF (generate_bdii.py), starts a real BDII with the
test suite's harness (tests/helpers/bdii_server.py), loads the sites, and measures side by
side, each several times (medians reported):

1. live: ``cecap report --all --format json`` against the BDII, and ``ldapsearch``
   fetching the object classes and attributes cecap reads, without cecap's VO filter;
2. snapshot: the same report on the LDIF file, and a parse of that file with the generic
   ``ldif`` package (benchmarks/parse_ldif.py);
3. the peer: ``lcg-infosites --vo cms ce`` against the same BDII, next to
   ``cecap report -e cms --all --format lines`` (skipped, with a note, without it);
4. the peak RSS of each cecap run (wait4 in benchmarks/rss.py, which starts it), and at
   the largest N of the snapshot report in every format for scripts;
5. time per entry, for the scaling between the smallest and the largest N.

Once per run it also times ``cecap --version`` and ``cecap stances`` against
``python -c "import click"``.

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
from collections.abc import Callable, Mapping, Sequence
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
from cecap.policy.glue2_load import load_glue2  # noqa: E402
from cecap.policy.load import config_dir, load_policy  # noqa: E402
from cecap.policy.stances import GLEXEC  # noqa: E402
from cecap.sources.base import EntrySource, SourceSettings  # noqa: E402
from cecap.sources.endpoints import open_source  # noqa: E402
from cecap.sources.ldap import LdapReader  # noqa: E402

DOC = REPO / "docs" / "performance.md"
BEGIN = "<!-- benchmark results: written by benchmarks/run.py, do not edit by hand -->"
END = "<!-- end of benchmark results -->"
# Generous: the benchmark measures how long a report takes, not whether it fits 30 s.
CECAP_TIMEOUT = "600"
GOALS = {
    "live": 2.0,
    "snapshot": 0.33,
    "rss_mb": 150.0,
    "scaling": 1.2,
    "startup": 2.0,
    # cecap page against the snapshot report in json, and the page's size.
    "page": 1.5,
    "page_mb": 5.0,
}
# lcg-infosites, the peer, beside the checkout (see ../shared/peers/README.md).
PEER = REPO.parent / "shared" / "peers" / "lcg-infosites"
PEER_ENV = "CECAP_BENCH_PEER"
STARTUP_RUNS = 11
# The report in json is measured with every run; these once, at the largest N.
FORMATS = ("csv", "tsv", "lines")
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
    cms_lines: list[Run] = field(default_factory=list)
    peer: list[float] = field(default_factory=list)
    # Peak RSS (MB) of the snapshot report in each format, at the largest N only.
    format_rss: dict[str, float] = field(default_factory=dict)
    # cecap page on the snapshot, at the largest N only (each run, beside the snapshot
    # report's), and the HTML's megabytes.
    page: list[Run] = field(default_factory=list)
    page_mb: float = 0.0

    def median(self, what: str) -> float:
        values = getattr(self, what)
        return statistics.median(v.seconds if isinstance(v, Run) else v for v in values)

    def cell(self, what: str, baseline: str | None = None) -> str:
        """A median (or with ``baseline``, a ratio) for the table; "-" when not measured."""
        if not getattr(self, what) or (baseline and not getattr(self, baseline)):
            return "-"
        return f"{self.ratio(what, baseline) if baseline else self.median(what):.2f}"

    def peak_rss(self, what: str) -> float:
        return max(run.max_rss_mb for run in getattr(self, what))

    def ratio(self, what: str, baseline: str) -> float:
        return self.median(what) / self.median(baseline)

    def per_entry_us(self, what: str) -> float:
        return self.median(what) / self.entries * 1e6


class BenchmarkError(RuntimeError):
    """A step failed: the message says which and why."""


def run_timed(cmd: Sequence[str], stdout: Path, env: dict[str, str] | None = None) -> Run:
    """Run cmd with its output to a file; its wall time and peak RSS, both measured by
    rss.py (a small process, so that the RSS is the program's own, not this one's)."""
    stderr = stdout.with_suffix(".stderr")
    measured = stdout.with_suffix(".rss")
    wrapper = [sys.executable, "-S", str(BENCH / "rss.py"), str(measured), "--"]
    with stdout.open("wb") as out, stderr.open("wb") as err:
        subprocess.run(
            [*wrapper, *cmd], stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, check=False
        )
    try:
        seconds, rss_kib, code = measured.read_text().split()
    except (OSError, ValueError):
        seconds, rss_kib, code = "0", "0", "-1"
    if int(code) != 0:
        text = stderr.read_text(errors="replace").strip()
        raise BenchmarkError(f"{' '.join(cmd)} exited {code}: {text[-2000:]}")
    return Run(seconds=float(seconds), max_rss_mb=int(rss_kib) / 1024)


def cecap_command() -> list[str]:
    """The installed ``cecap`` script beside this Python, else ``python -m cecap``."""
    script = Path(sys.executable).parent / "cecap"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "cecap"]


def cecap_env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CECAP_CONFIG", "LCG_GFAL_INFOSYS")}
    env["CECAP_STATE"] = str(workdir / "no-history.sqlite")  # no history: stable_runs null
    return env


def report_args(source: str, fmt: str = "json") -> list[str]:
    return ["report", "--all", "--format", fmt, "--timeout", CECAP_TIMEOUT, "--bdii", source]


def baseline_searches(url: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """The searches of cecap's report as a plain client makes them: each object class
    cecap reads, with its attributes, and no VO filter (narrowing the VOViews on the
    server is cecap's choice, not the baseline's)."""
    searches = cecap_searches(url)
    return [
        (base, f"(objectClass={cls})", attrs)
        for (base, _, attrs), cls in zip(searches, report_wanted(), strict=True)
    ]


def report_wanted() -> dict[str, tuple[str, ...]]:
    """The object classes a report reads, each with its attributes (no subclusters: their
    run-time environment tags are for cecap audit only)."""
    wanted = glue_wanted(GLUE_CHOICES["both"], load_glue2(config_dir(None)), [GLEXEC])
    wanted.pop("gluesubcluster", None)
    return wanted


def cecap_searches(url: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """(base, filter, attributes) of every search ``cecap report`` makes on a live BDII.

    Built the way the report command builds its reader (cli.load_model with all configured
    experiments' VOs, only the CEs that serve them, the default GLUE trees and capability,
    no run-time environment tags) and asked of that reader, so ldapsearch makes exactly
    cecap's searches; tests/e2e/test_benchmark_smoke.py checks them against the searches a
    report makes.
    """
    config = config_dir(None)
    vos = [e.vo for e in load_policy(config).experiments.values()]
    wanted = report_wanted()
    source = open_source(url, SourceSettings())
    assert isinstance(source, EntrySource), url
    reader = source.reader(wanted, vos, serving_only=True)
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


def generate(sites: int, path: Path, shape: str) -> dict[str, int]:
    with path.open("w", encoding="ascii", newline="\n") as out:
        return generate_bdii.generate(sites, out, shape=generate_bdii.SHAPES[shape])


def peer_command(given: Path | None) -> tuple[list[str] | None, str]:
    """``perl lcg-infosites`` (the option, $CECAP_BENCH_PEER, else beside the checkout),
    or None with the reason it cannot run."""
    path = given or Path(os.environ.get(PEER_ENV) or PEER)
    if not path.is_file():
        return None, f"lcg-infosites not found at {path} (--peer or ${PEER_ENV} names it)"
    perl = shutil.which("perl")
    probe = [perl, "-MNet::LDAP", "-e", "1"] if perl else None
    if probe is None or subprocess.run(probe, capture_output=True, check=False).returncode:
        return None, ("lcg-infosites needs Perl's Net::LDAP: apt-get install libnet-ldap-perl")
    return [perl, str(path)], ""


def run_peer(peer: Sequence[str], server: BDIIServer, out: Path) -> float:
    host = server.url.split("://", 1)[1]
    started = time.perf_counter()
    run_timed([*peer, "--is", host, "--vo", "cms", "ce"], out)
    return time.perf_counter() - started


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


@dataclass(frozen=True)
class Plan:
    """What every measurement of the run shares."""

    repeat: int
    workdir: Path
    loader: str
    peer: list[str] | None
    say: Say


def measure(shape: str, sites: int, plan: Plan, formats: bool) -> Result:
    repeat, loader, say, peer = plan.repeat, plan.loader, plan.say, plan.peer
    workdir = plan.workdir
    folder = workdir / shape / f"n{sites}"
    folder.mkdir(parents=True, exist_ok=True)
    ldif = folder / f"bdii-{sites}.ldif"
    counts = generate(sites, ldif, shape)
    result = Result(sites, counts["entries"], counts["ces"], ldif.stat().st_size / 1e6)
    say(f"{shape} N={sites}: {result.entries} entries, {result.ces} CEs, {result.ldif_mb:.0f} MB")
    started = time.perf_counter()
    server = start_bdii(folder / "bdii", ldif, result.entries, loader)
    say(
        f"N={sites}: BDII at {server.url}, loaded with {loader} in"
        f" {time.perf_counter() - started:.1f} s"
    )
    try:
        cecap = cecap_command()
        env = cecap_env(workdir)
        searches = baseline_searches(server.url)
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
            if formats:
                result.page.append(
                    run_timed(
                        [*cecap, "page", "--bdii", str(ldif), "-o", str(folder / "page")],
                        folder / "page.out",
                        env,
                    )
                )
            parse = [sys.executable, str(BENCH / "parse_ldif.py"), str(ldif)]
            result.ldif_parse.append(run_timed(parse, folder / "parse.out").seconds)
            if peer:
                cms = ["report", "-e", "cms", "--all", "--format", "lines", "--bdii", server.url]
                result.cms_lines.append(run_timed([*cecap, *cms], folder / "cms.lines", env))
                result.peer.append(run_peer(peer, server, folder / "peer.out"))
            say(
                f"{shape} N={sites} run {number}/{repeat}: live {result.live[-1].seconds:.2f} s,"
                f" ldapsearch {result.ldapsearch[-1]:.2f} s, snapshot"
                f" {result.snapshot[-1].seconds:.2f} s, ldif {result.ldif_parse[-1]:.2f} s"
                + (f", peer {result.peer[-1]:.2f} s" if peer else "")
            )
    finally:
        server.stop()
    if formats:
        for fmt in FORMATS:
            run = run_timed([*cecap, *report_args(str(ldif), fmt)], folder / f"out.{fmt}", env)
            result.format_rss[fmt] = run.max_rss_mb
        result.page_mb = (folder / "page" / "index.html").stat().st_size / 1e6
    live_rows = report_rows(folder / "live.json")
    if live_rows != report_rows(folder / "snapshot.json"):
        raise BenchmarkError(f"N={sites}: the live and snapshot reports differ")
    parsed = int((folder / "parse.out").read_text())
    if parsed != result.entries:
        raise BenchmarkError(f"N={sites}: the ldif package read {parsed} of {result.entries}")
    result.rows = len(live_rows)
    return result


def startup() -> dict[str, float]:
    """Median wall seconds of ``cecap --version``, ``cecap stances`` and ``python -c
    "import click"``, interleaved, with bytecode compiled (as an installed cecap has it)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cmds = {
        "import click": [sys.executable, "-c", "import click"],
        "cecap --version": [*cecap_command(), "--version"],
        "cecap stances": [*cecap_command(), "stances"],
    }
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for number in range(STARTUP_RUNS + 1):
        for name, cmd in cmds.items():
            started = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, env=env, check=True)
            if number:  # the first round writes the bytecode
                times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def profile(shape: str, result: Result, workdir: Path, loader: str, top: int) -> str:
    """cProfile of one live and one snapshot report at this N, top functions by own time."""
    sites = result.sites
    folder = workdir / shape / f"n{sites}"
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
                f"{mode} ({shape}, N={sites}{seconds}), top {top} by own time:\n\n```\n"
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
        " | live µs/entry | snapshot µs/entry | cms lines s | lcg-infosites s | peer ratio |"
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
            f" | {r.per_entry_us('live'):.1f} | {r.per_entry_us('snapshot'):.1f}"
            f" | {r.cell('cms_lines')} | {r.cell('peer')} | {r.cell('cms_lines', 'peer')} |"
        )
    return "\n".join(lines)


Goal = tuple[str, str, float, bool]


def _goal(name: str, key: str, value: float, unit: str = "") -> Goal:
    goal = f"≤ {GOALS[key]:.0f}" if unit else f"≤ {GOALS[key]}"
    return (f"{name}{unit}", goal, value, value <= GOALS[key])


def goals_rows(results: Sequence[Result]) -> list[Goal]:
    first, last = results[0], results[-1]
    n = last.sites
    rows = [
        _goal(f"live cecap / ldapsearch, N={n}", "live", last.ratio("live", "ldapsearch")),
        _goal(
            f"snapshot cecap / ldif parse, N={n}", "snapshot", last.ratio("snapshot", "ldif_parse")
        ),
    ]
    for mode in ("live", "snapshot"):
        rows.append(_goal(f"peak RSS {mode} json, N={n}", "rss_mb", last.peak_rss(mode), " (MB)"))
    for fmt, rss in last.format_rss.items():
        rows.append(_goal(f"peak RSS snapshot {fmt}, N={n}", "rss_mb", rss, " (MB)"))
    if last is not first:
        for mode in ("live", "snapshot"):
            scale = last.per_entry_us(mode) / first.per_entry_us(mode)
            rows.append(_goal(f"{mode} time per entry, N={n} / N={first.sites}", "scaling", scale))
    if last.page:
        ratio = last.median("page") / last.median("snapshot")
        rows.append(_goal(f"cecap page / snapshot report json, N={n}", "page", ratio))
        rows.append(_goal(f"page size, N={n}", "page_mb", last.page_mb, " (MB)"))
    if last.peer:
        ratio = last.ratio("cms_lines", "peer")
        rows.append((f"cecap / lcg-infosites, N={n}", "< 1", ratio, ratio < 1))
    return rows


def goals_table(results: Sequence[Result]) -> str:
    lines = ["| figure | goal | measured | met |", "|---|---|---:|---|"]
    lines += [
        f"| {name} | {goal} | {value:.2f} | {'yes' if ok else 'no'} |"
        for name, goal, value, ok in goals_rows(results)
    ]
    return "\n".join(lines)


def startup_table(times: dict[str, float]) -> str:
    base = times["import click"]
    lines = ["| command | median ms | / import click | goal | met |", "|---|---:|---:|---|---|"]
    for name, seconds in times.items():
        ratio = seconds / base
        goal, met = ("", "") if name == "import click" else (f"≤ {GOALS['startup']}", ratio)
        shown = "yes" if isinstance(met, float) and met <= GOALS["startup"] else "no"
        lines.append(
            f"| `{name}` | {seconds * 1000:.0f} | {ratio:.2f} | {goal} | {shown if goal else ''} |"
        )
    return "\n".join(lines)


def tables(shaped: Mapping[str, Sequence[Result]]) -> str:
    """Every shape's results and goals, as printed and as written into the doc."""
    parts = []
    for shape, results in shaped.items():
        parts += [f"#### Shape {shape}", "", results_table(results), "", goals_table(results), ""]
    return "\n".join(parts)


def render(
    shaped: Mapping[str, Sequence[Result]],
    times: dict[str, float],
    command: str,
    plan: Plan,
    load: tuple[tuple[float, ...], tuple[float, ...]],
    notes: Sequence[str],
    profiles: str,
) -> str:
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    described = "\n".join(f"| {k} | {v} |" for k, v in machine())
    before, after = (" / ".join(f"{x:.2f}" for x in avg) for avg in load)
    parts = [
        BEGIN,
        f"Measured {when} with `{command}` (medians of {plan.repeat} runs each; peak RSS is"
        f" the largest of them; the BDII was loaded with {plan.loader}).",
        "",
        "| machine | |\n|---|---|\n" + described,
        f"| load average (1/5/15 min) at start | {before} |",
        f"| load average (1/5/15 min) at end | {after} |",
        "",
        *(f"Note: {note}.\n" for note in notes),
        f"Start-up (medians of {STARTUP_RUNS} runs, bytecode compiled):",
        "",
        startup_table(times),
        "",
        tables(shaped),
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
    parser.add_argument(
        "--shapes",
        type=lambda text: [part for part in text.split(",") if part],
        default=list(generate_bdii.SHAPES),
        help=f"comma-separated shapes (default {','.join(generate_bdii.SHAPES)})",
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
        "--peer",
        type=Path,
        default=None,
        help=f"lcg-infosites to run side by side (default ${PEER_ENV}, else {PEER})",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="TOP",
        help="also profile one report of each mode at the largest N of each shape and put"
        " the TOP functions by own time in the doc",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    unknown = [shape for shape in args.shapes if shape not in generate_bdii.SHAPES]
    if unknown or not args.shapes:
        parser.error(f"--shapes: choose among {', '.join(generate_bdii.SHAPES)}")
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
    peer, why = peer_command(args.peer)
    notes = [f"the peer was skipped: {why}"] if peer is None else []
    for note in notes:
        say(note)
    plan = Plan(args.repeat, workdir, args.load, peer, say)
    load_before = os.getloadavg()
    try:
        times = startup()
        shaped: dict[str, list[Result]] = {}
        profiles = []
        for shape in args.shapes:
            largest = args.sites[-1]
            shaped[shape] = [measure(shape, n, plan, n == largest) for n in args.sites]
            if args.profile:
                profiles.append(profile(shape, shaped[shape][-1], workdir, args.load, args.profile))
    except BenchmarkError as exc:
        print(f"run.py: {exc}", file=sys.stderr)
        return 1
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    section = render(
        shaped, times, command, plan, (load_before, os.getloadavg()), notes, "\n".join(profiles)
    )
    print(startup_table(times))
    print()
    print(tables(shaped))
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
