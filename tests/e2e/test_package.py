"""cecap's packages as a site admin meets them.

The Debian package: built by scripts/package.sh from a clean copy of this tree, installed
with `apt-get install ./cecap_*.deb` (its dependencies from Debian 12, whose click,
tabulate and pygal are older than pyproject.toml's floors), run from /usr/bin, its
conffiles, systemd units, cron job and man pages checked, lintian without an error, then
purged, leaving nothing behind. It installs system-wide, so it needs root on Debian with
the tools scripts/test.sh installs; where they are missing it fails, it never skips.
`pytest -m 'not package'` leaves it out by choice.

The RPM: rpmlint on cecap.spec, and what scripts/package.sh does with Debian's rpm, which
cannot build it (no pyproject-rpm-macros in Debian): the source tarball rpmbuild -tb takes
on EL9, %prep run on it, and the reason it stops.

Other tests run in parallel while cecap is installed: each runs this checkout's cecap
(.venv/bin first on PATH, or sys.executable -m cecap), and a cecap run from a source tree
reads that tree's config/, never /etc/cecap.
"""

from __future__ import annotations

import fcntl
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.paths import REPO
from packaging.requirements import Requirement

from cecap import __version__
from cecap.formats.tabulated import SAFE

pytestmark = pytest.mark.package

DEB = f"cecap_{__version__}_all.deb"
SAMPLES = Path("/usr/share/doc/cecap/examples")
ETC = Path("/etc/cecap")
STATE = Path("/var/lib/cecap")
UNITS = [
    Path("/lib/systemd/system/cecap-check.service"),
    Path("/lib/systemd/system/cecap-check.timer"),
]
# Every shipped config file, the check's settings and the cron job: the admin's to edit.
CONFIG_FILES = sorted(p.name for p in (REPO / "config").glob("*.yaml"))
CONFFILES = [
    *(ETC / name for name in ("check.env", *CONFIG_FILES)),
    Path("/etc/cron.d/cecap"),
]
DEB_TOOLS = ("dpkg-buildpackage", "apt-get", "dpkg-query", "lintian", "systemd-analyze", "man")
VENV_CECAP = Path(sys.executable).parent / "cecap"
# Debian's own programs, not a Python or a cecap found earlier on PATH.
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
LOCK = Path("/tmp/cecap-package-test.lock")
KEPT = ("/usr/share/doc/cecap/*", "/usr/share/man/man1/cecap*")


def system_env(**extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("CECAP_", "LCG_GFAL", "PYTHON"))
    }
    return {
        **env,
        "PATH": SYSTEM_PATH,
        "DEBIAN_FRONTEND": "noninteractive",
        "COLUMNS": "80",
        **extra,
    }


def run(*args: str | Path, check: bool = True, **kw: object) -> subprocess.CompletedProcess[str]:
    kw.setdefault("env", system_env())
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=False, timeout=900, **kw
    )
    if check:
        assert done.returncode == 0, (
            f"{shlex.join(map(str, args))}: {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return done


def apt_get(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    # Another apt or dpkg run (a parallel scripts/test.sh) holds the lock for a while: wait.
    return run("apt-get", "-o", "DPkg::Lock::Timeout=600", "-q", "-y", *args, check=False, cwd=cwd)


def installed() -> bool:
    done = run("dpkg-query", "-W", "-f", "${db:Status-Status}", "cecap", check=False)
    return done.stdout not in ("", "not-installed")


def purge() -> None:
    if installed():
        done = apt_get("purge", "cecap")
        assert done.returncode == 0, done.stderr
    assert not installed()


@pytest.fixture(scope="module")
def deb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .deb, built by scripts/package.sh from a clean copy of the tree."""
    missing = [tool for tool in DEB_TOOLS if shutil.which(tool, path=SYSTEM_PATH) is None]
    if os.geteuid() != 0 or missing:
        pytest.fail(
            "the package test installs cecap system-wide: it needs root and "
            + (", ".join(missing) or "nothing more")
            + " (scripts/test.sh installs them); pytest -m 'not package' leaves it out"
        )
    out = tmp_path_factory.mktemp("dist")
    run(REPO / "scripts" / "package.sh", "-o", out, "deb")
    built = sorted(p.name for p in out.iterdir())
    assert built == sorted(
        [DEB, f"cecap_{__version__}.dsc", f"cecap_{__version__}.tar.xz"]
        + [p for p in built if p.endswith((".buildinfo", ".changes"))]
    )
    # The source package is the tree's own files: nothing of the venv, caches or builds.
    with tarfile.open(out / f"cecap_{__version__}.tar.xz") as source:
        names = source.getnames()
    assert "cecap/debian/control" in names or f"cecap-{__version__}/debian/control" in names
    assert not [
        n for n in names if re.search(r"/(\.venv|\.git|__pycache__|test-artifacts|dist)(/|$)", n)
    ]
    return out / DEB


@pytest.fixture(scope="module")
def package(deb: Path) -> Iterator[list[str]]:
    """cecap installed from the .deb; purged afterwards whatever happens. Its files.

    One such test at a time on the host (another checkout's may run beside this one): a
    lock held from install to purge."""
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield from _installed(deb)


def _installed(deb: Path) -> Iterator[list[str]]:
    purge()  # a run killed earlier may have left it
    try:
        # As an admin types it, in the folder of the .deb; Recommends too, as apt's default.
        # Slim container images tell dpkg to leave out docs and man pages (path-exclude in
        # /etc/dpkg/dpkg.cfg.d); cecap's are what this test checks, so they come back in.
        keep = [f"DPkg::Options::=--path-include={p}" for p in KEPT]
        install = (
            *(arg for option in keep for arg in ("-o", option)),
            *("-o", "APT::Install-Recommends=true", "install", f"./{deb.name}"),
        )
        done = apt_get(*install, cwd=deb.parent)
        if done.returncode != 0 and "Unable to locate" in done.stderr + done.stdout:
            apt_get("update")
            done = apt_get(*install, cwd=deb.parent)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        yield run("dpkg-query", "-L", "cecap").stdout.splitlines()
    finally:
        purge()


def test_installed_from_debian_packages(package: list[str]) -> None:
    fields = run("dpkg-query", "-W", "-f", "${Depends}\n${Recommends}", "cecap").stdout.split("\n")
    depends = {d.split()[0] for d in fields[0].split(", ")}
    assert {
        "python3-ldap3",
        "python3-click",
        "python3-tabulate",
        "python3-yaml",
        "python3-defusedxml",
    } <= depends
    # Versions are asked only of Python and of ldap3, which cecap pins to the 2.9 series it
    # is tested on (Debian 12's 2.9.1 meets it: apt installed it above).
    versioned = [d for d in fields[0].split(", ") if "(" in d]
    assert sorted(versioned) == [
        "python3-ldap3 (<< 2.10~)",
        "python3-ldap3 (>= 2.9.1)",
        "python3:any (>= 3.11~)",
    ], fields[0]
    assert fields[1] == "python3-jinja2, python3-pygal"
    assert "/usr/bin/cecap" in package
    assert run("/usr/bin/cecap", "--version").stdout == f"cecap, version {__version__}\n"
    # pyproject.toml asks for no more than the versions Debian installed (page's extra too).
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    for line in (*project["dependencies"], *project["optional-dependencies"]["page"]):
        requirement = Requirement(line)
        code = f"import importlib.metadata as m; print(m.version({requirement.name!r}))"
        version = run("/usr/bin/python3", "-c", code).stdout.strip()
        assert requirement.specifier.contains(version), (line, version)


@pytest.fixture(scope="module")
def venv_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CECAP_", "LCG_GFAL"))}
    return {**env, "COLUMNS": "80", "XDG_STATE_HOME": str(tmp_path_factory.mktemp("state"))}


def test_report_on_the_installed_sample_with_debians_libraries(
    package: list[str], venv_env: dict[str, str]
) -> None:
    sample = SAMPLES / "sample-bdii.ldif"
    assert str(sample) in package
    # Debian 12's click 8.1.3 and tabulate 0.8.9 give what this checkout's cecap gives with
    # the libraries pyproject.toml asks for, byte for byte: the terminal table, JSON, and
    # every tabulate format that Debian's tabulate knows.
    formats = run(
        "/usr/bin/python3",
        "-c",
        "import tabulate; print(tabulate.__version__, *tabulate.tabulate_formats)",
    ).stdout.split()
    assert formats[0] == "0.8.9"
    # tabulate's formats that write markup raw are not offered (their lists of names
    # differ by version).
    offered = [f for f in formats[1:] if f in SAFE]
    for raw in ("unsafehtml", "latex_raw", "mediawiki"):
        assert raw in formats[1:]
        refused = run(
            "/usr/bin/cecap",
            "report",
            "--bdii",
            str(sample),
            "--format",
            raw,
            env=system_env(),
            check=False,
        )
        assert refused.returncode == 2, raw
    for fmt in ("table", "json", "csv", *offered):
        args = ["report", "--bdii", str(sample), "--all", "--format", fmt]
        ours = run("/usr/bin/cecap", *args, env=system_env(), check=False)
        venv = run(VENV_CECAP, *args, env=venv_env, check=False)
        assert (ours.returncode, ours.stdout, ours.stderr) == (
            venv.returncode,
            venv.stdout,
            venv.stderr,
        ), fmt
    table = run("/usr/bin/cecap", "report", "--bdii", sample).stdout
    assert table.startswith("#  ") and re.search(r" ready\n", table), table


def _without_chart_styles(page: str) -> str:
    # pygal 2.4.0 has no guide_stroke_color (pygal 3.0 added it): each chart's <style>
    # differs, grey guide lines instead of light ones. The time stamps differ too.
    page = re.sub(r"(<svg[^>]*>\s*<defs>\s*<style[^>]*>).*?(</style>)", r"\1\2", page, flags=re.S)
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "TIME", page)


def test_page_with_debians_pygal_and_jinja2(
    package: list[str], venv_env: dict[str, str], tmp_path: Path
) -> None:
    assert (
        run("/usr/bin/python3", "-c", "import pygal; print(pygal.__version__)").stdout == "2.4.0\n"
    )
    sample = SAMPLES / "sample-bdii.ldif"
    history = tmp_path / "history.sqlite"
    for source in (sample, SAMPLES / "sample-glue2.ldif"):
        done = run("/usr/bin/cecap", "check", "--bdii", source, "--state", history, check=False)
        assert done.returncode in (0, 1, 2), done.stderr
    pages = {}
    for name, cecap, env in (
        ("deb", Path("/usr/bin/cecap"), system_env()),
        ("venv", VENV_CECAP, venv_env),
    ):
        run(cecap, "page", "--bdii", sample, "--state", history, "-o", tmp_path / name, env=env)
        pages[name] = (tmp_path / name / "index.html").read_text(encoding="utf-8")
    # A chart per verdict drawn, and the history's.
    assert pages["deb"].count("<svg") == pages["venv"].count("<svg") > 2
    assert "stroke-dasharray:1,0;stroke:#e0e0e0" in pages["venv"]
    assert "stroke:#e0e0e0" not in pages["deb"]
    assert _without_chart_styles(pages["deb"]) == _without_chart_styles(pages["venv"])


def test_page_names_the_debian_packages_when_missing(package: list[str], tmp_path: Path) -> None:
    # As if python3-pygal were not installed (None in sys.modules fails its import).
    code = "import sys; sys.modules['pygal'] = None; from cecap.cli import main; main()"
    done = run(
        "/usr/bin/python3",
        "-c",
        code,
        "page",
        "--bdii",
        SAMPLES / "sample-bdii.ldif",
        "-o",
        tmp_path / "p",
        check=False,
    )
    assert (done.returncode, done.stderr) == (
        2,
        "cecap: error: cecap page needs pygal: apt install python3-pygal\n",
    )
    assert not (tmp_path / "p").exists()


def test_check_from_usr_bin_and_the_units_command(package: list[str], tmp_path: Path) -> None:
    sample = SAMPLES / "sample-bdii.ldif"
    done = run(
        "/usr/bin/cecap",
        "check",
        "--bdii",
        sample,
        "--state",
        tmp_path / "h.sqlite",
        "-w",
        "atlas=1:",
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("CECAP OK - ready CEs: ")
    # The service's command line, with the options of the shipped check.env, as systemd
    # runs it: $CECAP_CHECK_OPTIONS split at blanks, LCG_GFAL_INFOSYS the BDII.
    service = UNITS[0].read_text()
    exec_start = re.search(r"^ExecStart=(.*)$", service, re.M)
    assert exec_start is not None
    assert re.search(r"^SuccessExitStatus=1 2$", service, re.M)
    settings = dict(re.findall(r'^(\w+)="(.*)"$', (ETC / "check.env").read_text(), re.M))
    assert set(settings) == {"LCG_GFAL_INFOSYS", "CECAP_CHECK_OPTIONS"}
    state = str(STATE / "history.sqlite")
    command = exec_start.group(1).replace("$CECAP_CHECK_OPTIONS", settings["CECAP_CHECK_OPTIONS"])
    args = [a.replace(state, str(tmp_path / "service.sqlite")) for a in command.split()]
    assert args[0] == "/usr/bin/cecap" and str(tmp_path) in " ".join(args)
    done = run(*args, env=system_env(LCG_GFAL_INFOSYS=str(sample)), check=False)
    assert done.returncode in (0, 1, 2), done.stdout + done.stderr
    assert done.stdout.startswith("CECAP ")
    assert (tmp_path / "service.sqlite").is_file()


def test_the_cron_job_is_commented_out_and_runs_as_cron_would(
    package: list[str], tmp_path: Path
) -> None:
    text = Path("/etc/cron.d/cecap").read_text()
    assert [line for line in text.splitlines() if line.strip() and not line.startswith("#")] == []
    jobs = [line[2:] for line in text.splitlines() if re.match(r"# \d", line)]
    assert len(jobs) == 1
    minute, hour, day, month, weekday, user, command = jobs[0].split(None, 6)
    assert (minute, hour, day, month, weekday, user) == ("17", "*", "*", "*", "*", "root")
    assert "%" not in command  # cron would cut the line there
    # Run by sh as cron runs it, against the sample and with a history of the test's own.
    env_file = tmp_path / "check.env"
    env_file.write_text(
        (ETC / "check.env")
        .read_text()
        .replace(
            'LCG_GFAL_INFOSYS="lcg-bdii.cern.ch:2170"',
            f'LCG_GFAL_INFOSYS="{SAMPLES}/sample-bdii.ldif"',
        )
    )
    assert str(SAMPLES) in env_file.read_text()
    command = command.replace(str(ETC / "check.env"), str(env_file)).replace(
        str(STATE), str(tmp_path)
    )
    assert "/var/lib" not in command and "/etc/cecap" not in command
    done = run(
        "/bin/sh", "-c", command, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, check=False
    )
    # The default ranges are none: OK, so cron has nothing to mail.
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert (tmp_path / "check.txt").read_text().startswith("CECAP OK - ")
    assert (tmp_path / "history.sqlite").is_file()


def test_conffiles_and_the_config_they_hold(package: list[str]) -> None:
    listed = run("dpkg-query", "-W", "-f", "${Conffiles}", "cecap").stdout.split("\n")
    conffiles = {Path(line.split()[0]): line.split()[1] for line in listed if line.strip()}
    assert sorted(conffiles) == sorted(CONFFILES)
    for path, md5 in conffiles.items():
        assert run("md5sum", path).stdout.split()[0] == md5
    assert {"stances.yaml", "sites.yaml", "experiments.yaml"} <= set(CONFIG_FILES)
    for name in CONFIG_FILES:
        assert (ETC / name).read_bytes() == (REPO / "config" / name).read_bytes()
        assert (
            Path(f"/usr/share/cecap/config/{name}").read_bytes()
            == (REPO / "config" / name).read_bytes()
        )
    # The installed cecap reads /etc/cecap: an admin's edit there is what it reads.
    sites = ETC / "sites.yaml"
    original = sites.read_text()
    try:
        sites.write_text(original + "surprise: 1\n")
        done = run("/usr/bin/cecap", "stances", check=False)
        assert done.returncode == 2
        assert done.stderr.startswith("cecap: error: /etc/cecap/sites.yaml: ")
        # --config and $CECAP_CONFIG come first.
        assert (
            run("/usr/bin/cecap", "stances", "--config", "/usr/share/cecap/config").returncode == 0
        )
        assert (
            run(
                "/usr/bin/cecap", "stances", env=system_env(CECAP_CONFIG="/usr/share/cecap/config")
            ).returncode
            == 0
        )
    finally:
        sites.write_text(original)
    assert run("/usr/bin/cecap", "stances").returncode == 0


def test_units_verify_and_the_timer_is_not_enabled(package: list[str]) -> None:
    for unit in UNITS:
        assert str(unit) in package
    done = run("systemd-analyze", "verify", "--man=no", *UNITS, check=False)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    timer = UNITS[1].read_text()
    assert re.search(r"^OnCalendar=hourly$", timer, re.M)
    assert run("systemctl", "is-enabled", "cecap-check.timer", check=False).stdout == "disabled\n"
    assert not Path("/etc/systemd/system/timers.target.wants/cecap-check.timer").exists()
    assert STATE.is_dir() and list(STATE.iterdir()) == []


def test_man_pages_and_examples(package: list[str]) -> None:
    pages = sorted(p for p in package if p.startswith("/usr/share/man/man1/"))
    commands = (
        "audit",
        "audit-factory",
        "check",
        "diff",
        "explain",
        "export",
        "help",
        "history",
        "page",
        "report",
        "results",
        "results-import",
        "site-bdiis",
        "sites",
        "snapshot",
        "stances",
        "summary",
        "testlist",
    )
    assert pages == sorted(
        f"/usr/share/man/man1/{n}.1.gz" for n in ("cecap", *(f"cecap-{c}" for c in commands))
    )
    found = run("man", "-w", "cecap-check").stdout.strip()
    assert found == "/usr/share/man/man1/cecap-check.1.gz"
    shown = run(
        "man", "-P", "cat", "cecap-check", env=system_env(MANWIDTH="80", LC_ALL="C.UTF-8")
    ).stdout
    assert "--state PATH" in shown and "Nagios" in shown
    examples = sorted(p for p in package if p.startswith(f"{SAMPLES}/"))
    assert examples == [
        f"{SAMPLES}/{n}" for n in ("nagios-cecap.cfg", "sample-bdii.ldif", "sample-glue2.ldif")
    ]
    nagios = (SAMPLES / "nagios-cecap.cfg").read_text()
    assert re.search(r"^\s+command_line\s+/usr/bin/cecap check ", nagios, re.M)


def test_lintian_finds_no_error(deb: Path) -> None:
    changes = next(deb.parent.glob("*.changes"))
    done = run("lintian", "--pedantic", changes, check=False)
    tags = [line for line in done.stdout.splitlines() if re.match(r"[EWIPX]: ", line)]
    assert not [t for t in tags if t.startswith("E: ")], tags
    assert done.returncode == 0, done.stdout + done.stderr


def test_purge_leaves_nothing(package: list[str]) -> None:
    # Runs last: the fixture purges again, whatever failed before.
    (STATE / "history.sqlite").write_text("a history the checks wrote")
    purge()
    left = [p for p in package if os.path.lexists(p) and not os.path.isdir(p)]
    assert left == []
    own_folders = [
        p
        for p in package
        if re.match(
            r"/(etc/cecap|var/lib/cecap|usr/share/cecap|usr/share/doc/cecap|usr/lib/python3/dist-packages/cecap)(/|$)",
            p,
        )
    ]
    assert own_folders and not [p for p in own_folders if os.path.lexists(p)]
    assert not Path("/usr/lib/python3/dist-packages/cecap").exists()
    assert not list(Path("/var/lib/systemd/deb-systemd-helper-enabled").glob("**/cecap-check*"))
    assert not list(Path("/var/lib/systemd/deb-systemd-helper-masked").glob("cecap-check*"))
    assert run("dpkg-query", "-W", "cecap", check=False).returncode == 1


# -- RPM --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rpm_tools() -> None:
    missing = [
        tool for tool in ("rpmlint", "rpmbuild") if shutil.which(tool, path=SYSTEM_PATH) is None
    ]
    if missing:
        pytest.fail(
            f"needs {', '.join(missing)} (rpm, rpmlint; scripts/test.sh installs them); pytest -m 'not package' leaves it out"
        )


def test_rpmlint_on_the_spec(rpm_tools: None) -> None:
    done = run("rpmlint", REPO / "cecap.spec", check=False)
    assert done.returncode == 0, done.stdout
    found = sorted(re.findall(r"^cecap\.spec: ([EW]): (.*)$", done.stdout, re.M))
    # rpmlint 2.4 (Debian 12) asks for a BuildRoot tag, which rpm has ignored since 4.6,
    # and a URL for Source0, which scripts/package.sh makes.
    assert found == [("W", "invalid-url Source0: cecap-0.1.0.tar.gz"), ("W", "no-buildroot-tag")]


def test_rpm_with_debians_rpmbuild(rpm_tools: None, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    done = run(REPO / "scripts" / "package.sh", "-o", out, "rpm", check=False)
    tarball = out / f"cecap-{__version__}.tar.gz"
    with tarfile.open(tarball) as source:
        names = source.getnames()
    top = f"cecap-{__version__}"
    assert {
        f"{top}/cecap.spec",
        f"{top}/packaging/cecap-check.timer",
        f"{top}/src/cecap/cli/manpage.py",
    } <= set(names)
    assert not [n for n in names if n.startswith((f"{top}/debian", f"{top}/.venv", f"{top}/.git/"))]
    if done.returncode == 0:  # an rpmbuild with Fedora's macros
        assert (out / f"cecap-{__version__}-1.noarch.rpm").exists() or list(
            out.glob("cecap-*.noarch.rpm")
        )
        return
    # Debian's rpm: no Fedora Python macros, and package.sh says so.
    assert done.returncode == 1
    assert "lacks Fedora's Python and systemd macros" in done.stderr, done.stderr
    assert run("rpm", "--eval", "%{?pyproject_wheel:yes}").stdout.strip() == ""
    # What rpmbuild itself says: its build dependencies are no RPMs here, and without
    # checking them it stops at the first pyproject macro.
    top_dir = tmp_path / "rpmbuild"
    build = run("rpmbuild", "-tb", "--define", f"_topdir {top_dir}", tarball, check=False)
    assert build.returncode != 0
    assert "error: Failed build dependencies:" in build.stderr, build.stderr
    build = run(
        "rpmbuild", "-tb", "--nodeps", "--define", f"_topdir {top_dir}", tarball, check=False
    )
    assert build.returncode == 1
    assert "%pyproject_buildrequires: not found" in build.stdout + build.stderr
    # %prep ran: the tarball unpacks with the spec's %autosetup.
    assert (top_dir / "BUILD" / top / "cecap.spec").is_file()
