"""A real BDII (Debian's slapd, bdii configuration and GLUE schemas) on loopback, for tests."""

from __future__ import annotations

import base64
import gzip
import io
import itertools
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

BDII_SHARE = Path("/usr/share/bdii")
# The package's pristine copy of /var/lib/bdii/gip/ldif/default.ldif (identical file).
SEED_LDIF = BDII_SHARE / "default.ldif"
SLAPD_USER = "openldap"
ROOT_PASSWORD = "secret"  # rootpw of every database in Debian's bdii configuration
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
_PORT_ATTEMPTS = 3
_REQUIRED_FILES = (
    BDII_SHARE / "bdii-slapd.conf",
    BDII_SHARE / "bdii-top-slapd.conf",
    SEED_LDIF,
)


class BDIIError(RuntimeError):
    """The BDII could not be started, loaded or stopped; the message says why."""


@dataclass(frozen=True)
class TLSFiles:
    ca_cert: Path
    server_cert: Path
    server_key: Path

    def as_tuple(self) -> tuple[Path, Path, Path]:
        return Path(self.ca_cert), Path(self.server_cert), Path(self.server_key)


@dataclass(frozen=True)
class RefusedEntry:
    dn: str
    error: str  # as ldapadd reports it, e.g. "Object class violation (65), additional info: ..."


@dataclass(frozen=True)
class LoadResult:
    added: int
    refused: tuple[RefusedEntry, ...]
    # Seed entries (o=grid, Mds-Vo-name=local,o=grid, ...) the file repeated: a BDII has them.
    already_present: tuple[str, ...]


def find_slapd() -> str | None:
    """Path of the slapd binary (Debian puts it in /usr/sbin, often not on PATH), or None."""
    found = shutil.which("slapd")
    if found:
        return found
    return "/usr/sbin/slapd" if os.access("/usr/sbin/slapd", os.X_OK) else None


def missing_requirements() -> list[str]:
    """What is missing to run a BDII here: binaries, then files, by name; empty when ready."""
    missing = [] if find_slapd() else ["slapd (package slapd)"]
    missing += [
        f"{tool} (package ldap-utils)"
        for tool in ("ldapadd", "ldapsearch")
        if not shutil.which(tool)
    ]
    missing += [f"{path} (package bdii)" for path in _REQUIRED_FILES if not path.is_file()]
    return missing


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _openssl(*args: str) -> str:
    proc = subprocess.run(["openssl", *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BDIIError(f"openssl {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc.stdout


def make_test_ca(
    dirpath: Path | str, names: tuple[str, ...] = ("IP:127.0.0.1", "DNS:localhost")
) -> tuple[TLSFiles, Path]:
    """A throwaway CA and a server certificate for ``names`` (subjectAltName entries),
    made with openssl.

    Returns the files and a hashed CA directory (``<subject_hash>.0``), laid out like
    /etc/grid-security/certificates.
    """
    directory = Path(dirpath)
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca_cert = str(directory / "ca.key"), str(directory / "ca.pem")
    key, csr, cert = (str(directory / name) for name in ("server.key", "server.csr", "server.pem"))
    ext = directory / "server.ext"
    ext.write_text(
        f"subjectAltName = {', '.join(names)}\n"
        "basicConstraints = CA:FALSE\n"
        "keyUsage = digitalSignature, keyEncipherment\n"
        "extendedKeyUsage = serverAuth\n"
    )
    new_key = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    ca_subject = ("-subj", "/O=cecap tests/CN=cecap test CA", "-days", "30")
    ca_ext = ("-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=keyCertSign")
    _openssl("req", "-x509", *new_key, *ca_subject, *ca_ext, "-keyout", ca_key, "-out", ca_cert)
    _openssl("req", *new_key, "-subj", "/CN=localhost", "-keyout", key, "-out", csr)
    signed = ("-CA", ca_cert, "-CAkey", ca_key, "-set_serial", "2", "-days", "30")
    _openssl("x509", "-req", "-in", csr, *signed, "-extfile", str(ext), "-out", cert)
    subject_hash = _openssl("x509", "-hash", "-noout", "-in", ca_cert).strip()
    ca_dir = directory / "certificates"
    ca_dir.mkdir(exist_ok=True)
    shutil.copyfile(ca_cert, ca_dir / f"{subject_hash}.0")
    return TLSFiles(ca_cert=Path(ca_cert), server_cert=Path(cert), server_key=Path(key)), ca_dir


# --- LDIF records, just enough to route each entry to the database that holds it ---


@dataclass(frozen=True)
class _Record:
    dn: str
    raw: bytes  # the record's lines as read, ready to be written back


def _records(stream: Iterable[bytes]) -> Iterator[_Record]:
    """The entries of an LDIF stream; the version line and comment-only blocks are dropped."""
    lines: list[bytes] = []
    for number, line in enumerate(stream):
        if number == 0 and line.startswith(b"version:"):
            continue  # RFC 2849 allows the entries to follow it without a blank line
        if line.strip():
            lines.append(line if line.endswith(b"\n") else line + b"\n")
            continue
        if lines:
            record = _record(lines)
            if record is not None:
                yield record
            lines = []
    if lines:
        record = _record(lines)
        if record is not None:
            yield record


def _record(lines: list[bytes]) -> _Record | None:
    # Unfold continuation lines (RFC 2849: a line starting with one space continues the last).
    logical: list[bytes] = []
    for line in lines:
        line = line.rstrip(b"\r\n")
        if line.startswith(b" ") and logical:
            logical[-1] += line[1:]
        else:
            logical.append(line)
    for line in logical:
        if line.startswith(b"#"):
            continue
        if line[:3].lower() != b"dn:":
            return None  # not an entry
        if line[3:4] == b":":
            dn = base64.b64decode(line[4:].strip()).decode("utf-8", errors="replace")
        else:
            dn = line[3:].strip().decode("utf-8", errors="replace")
        return _Record(dn=dn, raw=b"".join(lines))
    return None


def _normalize_dn(dn: str) -> str:
    """Case and spaces around separators folded, which is all GLUE DNs need to compare."""
    return ",".join("=".join(p.strip() for p in rdn.split("=", 1)) for rdn in dn.split(",")).lower()


def _dn_within(dn: str, suffix: str) -> bool:
    return dn == suffix or dn.endswith("," + suffix)


def _parse_routes(config: str) -> list[tuple[str, str]]:
    """(suffix, bind DN) for every database that can take writes, longest suffix first.

    A relay database (the top-level BDII serves o=grid as a relay onto o=shadow) routes to
    the rootdn of the database its suffix is massaged onto.
    """
    databases: list[dict[str, str]] = []
    for line in config.splitlines():
        words = line.split(None, 1)
        if len(words) != 2:
            continue
        key, value = words[0].lower(), words[1].strip().strip('"')
        if key == "database":
            databases.append({"type": value})
        elif databases and key in ("suffix", "rootdn", "suffixmassage"):
            databases[-1][key] = _normalize_dn(value)
    rootdns = {db["suffix"]: db["rootdn"] for db in databases if "rootdn" in db and "suffix" in db}
    routes: list[tuple[str, str]] = []
    for db in databases:
        suffix = db.get("suffix")
        if suffix is None or "*" in suffix:
            continue
        if "rootdn" in db:
            routes.append((suffix, db["rootdn"]))
        elif "suffixmassage" in db:
            target = db["suffixmassage"]
            owner = max((s for s in rootdns if _dn_within(target, s)), key=len, default=None)
            if owner is not None:
                routes.append((suffix, rootdns[owner]))
    return sorted(routes, key=lambda route: len(route[0]), reverse=True)


def _storage_targets(config: str) -> list[tuple[str, str, str]]:
    """(suffix, database suffix, stored suffix) of each database, longest suffix first.

    A relay (the top-level BDII's o=grid onto o=shadow) stores ``X,o=grid`` as
    ``X,o=grid,o=shadow`` in the database whose suffix holds its massaged suffix.
    """
    databases: list[dict[str, str]] = []
    for line in config.splitlines():
        words = line.split(None, 1)
        if len(words) != 2:
            continue
        key, value = words[0].lower(), words[1].strip().strip('"')
        if key == "database":
            databases.append({"type": value})
        elif databases and key in ("suffix", "directory", "suffixmassage"):
            databases[-1][key] = _normalize_dn(value) if key != "directory" else value
    stored = [db["suffix"] for db in databases if "directory" in db and "suffix" in db]
    targets = [(suffix, suffix, suffix) for suffix in stored]
    for db in databases:
        suffix, target = db.get("suffix"), db.get("suffixmassage")
        if suffix is None or target is None or "*" in suffix:
            continue
        owner = max((s for s in stored if _dn_within(target, s)), key=len, default=None)
        if owner is not None:
            targets.append((suffix, owner, target))
    return sorted(targets, key=lambda t: len(t[0]), reverse=True)


def _stored_dn(dn: str, targets: list[tuple[str, str, str]]) -> tuple[str, str] | None:
    """(database suffix, DN as that database stores it), or None when no database holds dn."""
    normalized = _normalize_dn(dn)
    for suffix, database, stored in targets:
        if _dn_within(normalized, suffix):
            rdns = [rdn.strip() for rdn in dn.split(",")]
            kept = rdns[: len(rdns) - len(suffix.split(","))]
            return database, ",".join([*kept, stored])
    return None


def _with_dn(record: _Record, dn: str) -> bytes:
    """The record's raw lines with its DN line (and the DN's folded lines) replaced."""
    lines = record.raw.splitlines(keepends=True)
    out: list[bytes] = []
    in_dn = done = False
    for line in lines:
        if not done and not in_dn and line[:3].lower() == b"dn:":
            in_dn = True
            encoded = base64.b64encode(dn.encode("utf-8")).decode("ascii")
            plain = dn.isascii() and dn.isprintable() and not dn.startswith((" ", ":", "<"))
            out.append(f"dn: {dn}\n".encode() if plain else f"dn:: {encoded}\n".encode())
            continue
        if in_dn and line.startswith(b" "):
            continue  # a folded part of the old DN
        if in_dn:
            in_dn, done = False, True
        out.append(line)
    return b"".join(out)


def _error_code(error: str) -> int | None:
    match = re.search(r"\((-?\d+)\)", error)
    return int(match.group(1)) if match else None


def _openldap_can_reach(path: Path, uid: int, gid: int) -> bool:
    """Whether the openldap user may traverse every folder down to path (mode bits only)."""
    for folder in [path, *path.parents]:
        info = folder.stat()
        if info.st_uid == uid:
            bit = stat.S_IXUSR
        elif info.st_gid == gid:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not info.st_mode & bit:
            return False
    return True


class BDIIServer:
    """A real BDII (Debian slapd + bdii config + GLUE schemas) on a free loopback port in a
    private folder.

    Debian's own configuration is used as shipped, with the paths moved to the private
    folder, an LMDB ``maxsize`` large enough for real dumps, and optionally a ``sizelimit``
    and TLS. The seed entries of default.ldif are loaded on start.
    """

    host = "127.0.0.1"

    def __init__(
        self,
        workdir: Path | str,
        *,
        sizelimit: int | None = None,
        tls: TLSFiles | None = None,
        top_level: bool = True,
        extra_ports: int = 0,
    ) -> None:
        if sizelimit is not None and sizelimit < 1:
            raise ValueError(f"sizelimit must be a positive number of entries, not {sizelimit}")
        self.workdir = Path(workdir)
        self.sizelimit = sizelimit
        self.tls = tls
        self.top_level = top_level
        # More loopback ports slapd listens on (-h "ldap://127.0.0.1:P1 ldap://..."), each
        # serving the same databases: as many site BDIIs as ports, one slapd.
        self.extra_ports = extra_ports
        self.more_ports: list[int] = []
        self.port = 0
        self.ldaps_port: int | None = None
        # The private folder: workdir, or a folder under /tmp when openldap can't reach workdir.
        self.root = self.workdir
        self._own_root = False
        self._proc: subprocess.Popen[bytes] | None = None
        self._routes: list[tuple[str, str]] = []
        self._seed_dns: frozenset[str] = frozenset()
        self._loads = 0

    @property
    def url(self) -> str:
        return f"ldap://{self.host}:{self.port}"

    @property
    def ldaps_url(self) -> str | None:
        return None if self.ldaps_port is None else f"ldaps://{self.host}:{self.ldaps_port}"

    @property
    def log_path(self) -> Path:
        return self.root / "slapd.log"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # --- lifecycle ---

    def start(self) -> None:
        if self._proc is not None:
            raise BDIIError(f"the BDII in {self.root} is already started")
        missing = missing_requirements()
        if missing:
            raise BDIIError("cannot run a BDII, missing: " + ", ".join(missing))
        slapd = find_slapd()
        assert slapd is not None
        account = self._slapd_account()
        self._prepare_root(account)
        for attempt in range(1, _PORT_ATTEMPTS + 1):
            self.port = free_port()
            self.ldaps_port = free_port() if self.tls else None
            self.more_ports = [free_port() for _ in range(self.extra_ports)]
            config = self._render_config()
            self._routes = _parse_routes(config)
            conf_path = self.root / "slapd.conf"
            conf_path.write_text(config)
            conf_path.chmod(0o644)
            more = [f"ldap://{self.host}:{port}" for port in self.more_ports]
            urls = " ".join(u for u in (self.url, self.ldaps_url, *more) if u)
            cmd = [slapd, "-f", str(conf_path), "-h", urls, "-d", "none"]
            if account is not None:
                cmd += ["-u", SLAPD_USER, "-g", SLAPD_USER]
            # -d keeps slapd in the foreground, so we own the process; "none" logs only errors.
            with self.log_path.open("wb") as log:
                self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            try:
                self._wait_ready()
                break
            except BDIIError:
                log_text = self._log_text()
                self._reap()
                if "Address already in use" in log_text and attempt < _PORT_ATTEMPTS:
                    continue  # another process took the free port first
                self._cleanup_root()
                raise
        # The site-level configuration has no o=shadow database for that seed entry.
        seeds = [r for r in self._read_records(SEED_LDIF) if self._bind_dn(r.dn) is not None]
        self._seed_dns = frozenset(_normalize_dn(r.dn) for r in seeds)
        try:
            self._load_records(seeds, source=str(SEED_LDIF), strict=True)
        except BDIIError:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop slapd and wait until it has exited; safe to call twice."""
        self._reap()
        self._cleanup_root()

    def __enter__(self) -> BDIIServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- data ---

    def load(self, ldif: Path | str, *, strict: bool = True) -> LoadResult:
        """Add the entries of an LDIF file (plain or .gz) with ldapadd, as the rootdn of
        the database each entry belongs to.

        Seed entries the file repeats are counted in ``already_present``. Any other entry the
        server refuses is listed in ``refused``; with ``strict`` (the default) that raises
        BDIIError naming the entries and ldapadd's errors instead.
        """
        path = Path(ldif)
        if not path.is_file():
            raise BDIIError(f"LDIF file not found: {path}")
        return self._load_records(self._read_records(path), source=str(path), strict=strict)

    def load_text(self, ldif: str, *, strict: bool = True) -> LoadResult:
        """Like load(), for LDIF given as text."""
        records = list(_records(io.BytesIO(ldif.encode("utf-8"))))
        return self._load_records(records, source="LDIF text", strict=strict)

    def modify(self, ldif: str) -> str:
        """Apply LDIF change records with the real ldapmodify, each bound as the rootdn of
        the database its entry belongs to; ldapmodify's output. Any refused change raises
        BDIIError with ldapmodify's message."""
        if not self.running:
            raise BDIIError(f"the BDII in {self.root} is not running; start() it before modify")
        groups: dict[str, list[_Record]] = {}
        for record in _records(io.BytesIO(ldif.encode("utf-8"))):
            bind_dn = self._bind_dn(record.dn)
            if bind_dn is None:
                raise BDIIError(f"no database of the BDII at {self.url} holds {record.dn}")
            groups.setdefault(bind_dn, []).append(record)
        out = []
        for bind_dn, records in groups.items():
            self._loads += 1
            path = self.root / "load" / f"{self._loads}.modify.ldif"
            path.write_bytes(b"\n".join(r.raw for r in records))
            cmd = ["ldapmodify", "-x", "-H", self.url, "-D", bind_dn, "-w", ROOT_PASSWORD]
            proc = subprocess.run(
                [*cmd, "-f", str(path)], capture_output=True, env=_ldap_env(), check=False
            )
            path.unlink(missing_ok=True)
            if proc.returncode != 0:
                raise BDIIError(
                    f"ldapmodify to {self.url} as {bind_dn} failed (status {proc.returncode}):"
                    f" {proc.stderr.decode(errors='replace').strip()}"
                )
            out.append(proc.stdout.decode(errors="replace"))
        return "".join(out)

    def bulk_load(self, ldif: Path | str) -> LoadResult:
        """Write the entries of an LDIF file (plain or .gz) straight into the databases of the
        stopped BDII with Debian's slapadd; call it before start().

        For whole top-level dumps: many times faster than load(), with the same schema
        checks; one bad entry fails the whole load. The seed entries are written first, so
        start() finds them present; those the file repeats are in ``already_present``.
        One difference: object class names stay as the file spells them, where ldapadd
        through the o=grid relay stores the schema's spelling (``MDS`` becomes ``Mds``).
        """
        path = Path(ldif)
        if not path.is_file():
            raise BDIIError(f"LDIF file not found: {path}")
        if self._proc is not None:
            raise BDIIError(f"bulk_load() writes the databases of a stopped BDII: {self.url} runs")
        slapadd = shutil.which("slapadd") or "/usr/sbin/slapadd"
        account = self._slapd_account()
        self._prepare_root(account)
        config = self._render_config()
        conf_path = self.root / "slapd.conf"
        conf_path.write_text(config)
        targets = _storage_targets(config)
        seeds = self._read_records(SEED_LDIF)
        seed_dns = {_normalize_dn(r.dn) for r in seeds}
        files: dict[str, Path] = {}
        outputs: dict[str, IO[bytes]] = {}
        added = 0
        already: list[str] = []
        try:
            with path.open("rb") as raw:
                gzipped = raw.read(2) == b"\x1f\x8b"
            with gzip.open(path, "rb") if gzipped else path.open("rb") as stream:
                records = itertools.chain(
                    ((r, True) for r in seeds), ((r, False) for r in _records(stream))
                )
                for record, is_seed in records:
                    if not is_seed and _normalize_dn(record.dn) in seed_dns:
                        already.append(record.dn)
                        continue
                    stored = _stored_dn(record.dn, targets)
                    if stored is None:
                        if is_seed:
                            continue  # the site-level configuration has no o=shadow
                        raise BDIIError(f"{path}: no database of this BDII holds {record.dn!r}")
                    database, dn = stored
                    if database not in outputs:
                        files[database] = self.root / "load" / f"slapadd-{len(files)}.ldif"
                        outputs[database] = files[database].open("wb")
                    outputs[database].write(_with_dn(record, dn) + b"\n")
                    added += 0 if is_seed else 1
        finally:
            for output in outputs.values():
                output.close()
        try:
            for database, file in files.items():
                cmd = [slapadd, "-q", "-f", str(conf_path), "-b", database, "-l", str(file)]
                proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
                if proc.returncode != 0:
                    raise BDIIError(
                        f"slapadd of {path} into {database} failed ({proc.returncode}):"
                        f" {proc.stderr.strip()[-2000:]}"
                    )
        finally:
            for file in files.values():
                file.unlink(missing_ok=True)
        if account is not None:
            # slapadd ran as root; slapd, as openldap, must open and lock what it wrote.
            for folder, _, names in os.walk(self.root / "db"):
                for name in [".", *names]:
                    os.chown(Path(folder, name), account.pw_uid, account.pw_gid)
        return LoadResult(added=added, refused=(), already_present=tuple(already))

    def search(
        self,
        filterstr: str = "(objectClass=*)",
        *attrs: str,
        base: str = "o=grid",
        scope: str = "sub",
    ) -> subprocess.CompletedProcess[str]:
        """Anonymous ``ldapsearch -x -LLL`` against the server; the result code is not checked."""
        cmd = ["ldapsearch", "-x", "-LLL", "-o", "ldif-wrap=no", "-H", self.url]
        cmd += ["-b", base, "-s", scope, filterstr, *attrs]
        return subprocess.run(cmd, capture_output=True, text=True, env=_ldap_env(), check=False)

    def count(self, filterstr: str = "(objectClass=*)", *, base: str = "o=grid") -> int:
        """How many entries under base match filterstr."""
        proc = self.search(filterstr, "1.1", base=base)
        if proc.returncode != 0:
            raise BDIIError(f"ldapsearch {filterstr} on {self.url} failed: {proc.stderr.strip()}")
        return sum(1 for line in proc.stdout.splitlines() if line.startswith("dn:"))

    # --- internals ---

    def _slapd_account(self) -> pwd.struct_passwd | None:
        """The account slapd drops to: openldap when we are root, else none (we are the user)."""
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam(SLAPD_USER)
        except KeyError:
            return None  # no such user: slapd stays root, which works too

    def _prepare_root(self, account: pwd.struct_passwd | None) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self._own_root:
            pass  # bulk_load() already made the private folder that start() must reuse
        elif account is not None and not _openldap_can_reach(
            self.workdir, account.pw_uid, account.pw_gid
        ):
            # pytest's tmp_path sits in a mode-700 folder of root's: slapd, once it is the
            # openldap user, could not open its own databases there.
            self.root = Path(tempfile.mkdtemp(prefix="cecap-bdii-"))
            self.root.chmod(0o755)
            self._own_root = True
            (self.workdir / "bdii-folder.txt").write_text(f"{self.root}\n")
        else:
            self.root = self.workdir
        folders = [self.root / "db" / name for name in ("grid", "glue", "stats")]
        folders += [self.root / "run" / "db", self.root / "tls", self.root / "load"]
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
        owned = [self.root, self.root / "db", self.root / "run", *folders]
        if self.tls is not None:
            # slapd reads its TLS files after dropping to openldap: give it copies it can read.
            for source, target in zip(self.tls.as_tuple(), self._tls_copies(), strict=True):
                shutil.copyfile(source, target)
                target.chmod(0o600)
                owned.append(target)
        if account is not None:
            for path in owned:
                os.chown(path, account.pw_uid, account.pw_gid)

    def _tls_copies(self) -> tuple[Path, Path, Path]:
        tls = self.root / "tls"
        return tls / "ca.pem", tls / "server.pem", tls / "server.key"

    def _render_config(self) -> str:
        name = "bdii-top-slapd.conf" if self.top_level else "bdii-slapd.conf"
        text = (BDII_SHARE / name).read_text()
        text = text.replace("/var/lib/bdii", str(self.root)).replace(
            "/run/bdii", f"{self.root}/run"
        )
        # LMDB's default map is 10 MiB: about 6,000 GLUE entries, then "entry store failed".
        text = re.sub(r"(?m)^(directory\s.*)$", r"\1\nmaxsize 4294967296", text)
        if self.sizelimit is not None:
            text, replaced = re.subn(r"(?m)^sizelimit\s.*$", f"sizelimit {self.sizelimit}", text)
            if replaced != 1:
                raise BDIIError(f"{name}: expected one global sizelimit line, found {replaced}")
        for include in re.findall(r"(?m)^include\s+(\S+)", text):
            if not Path(include).is_file():
                raise BDIIError(
                    f"{name} includes {include}, which is missing (package glue-schema?)"
                )
        if self.tls is not None:
            ca_cert, server_cert, server_key = self._tls_copies()
            directives = (
                f"TLSCACertificateFile {ca_cert}\n"
                f"TLSCertificateFile {server_cert}\n"
                f"TLSCertificateKeyFile {server_key}\n\n"
            )
            # Global directives must come before the first database section.
            text = re.sub(r"(?m)^database\s", lambda m: directives + m.group(0), text, count=1)
        return text

    def _wait_ready(self) -> None:
        """Wait until slapd has read its configuration and its port answers."""
        assert self._proc is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise BDIIError(
                    f"slapd for {self.url} exited with status {self._proc.returncode} on start;"
                    f" its log ({self.log_path}):\n{self._log_text()}"
                )
            if "slapd starting" in self._log_text() and self._port_answers():
                return
            time.sleep(0.02)
        raise BDIIError(
            f"slapd for {self.url} did not answer within {START_TIMEOUT:.0f} s;"
            f" its log ({self.log_path}):\n{self._log_text()}"
        )

    def _port_answers(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=1):
                return True
        except OSError:
            return False

    def _log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def _reap(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def _cleanup_root(self) -> None:
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)
            self._own_root = False

    def _read_records(self, path: Path) -> list[_Record]:
        with path.open("rb") as raw:
            gzipped = raw.read(2) == b"\x1f\x8b"
        with gzip.open(path, "rb") if gzipped else path.open("rb") as stream:
            return list(_records(stream))

    def _bind_dn(self, dn: str) -> str | None:
        normalized = _normalize_dn(dn)
        for suffix, bind_dn in self._routes:
            if _dn_within(normalized, suffix):
                return bind_dn
        return None

    def _load_records(self, records: Iterable[_Record], *, source: str, strict: bool) -> LoadResult:
        if not self.running:
            raise BDIIError(f"the BDII in {self.root} is not running; start() it before loading")
        refused: list[RefusedEntry] = []
        groups: dict[str, list[_Record]] = {}
        for record in records:
            bind_dn = self._bind_dn(record.dn)
            if bind_dn is None:
                refused.append(RefusedEntry(record.dn, "no database of this BDII holds this DN"))
            else:
                groups.setdefault(bind_dn, []).append(record)
        added = 0
        already: list[str] = []
        for bind_dn, group in groups.items():
            group_added, skipped = self._ldapadd(bind_dn, group, source)
            added += group_added
            for entry in skipped:
                if _error_code(entry.error) == 68 and _normalize_dn(entry.dn) in self._seed_dns:
                    already.append(entry.dn)
                else:
                    refused.append(entry)
        result = LoadResult(added=added, refused=tuple(refused), already_present=tuple(already))
        if strict and refused:
            shown = "\n".join(f"  {e.dn}: {e.error}" for e in refused[:10])
            more = f"\n  ... and {len(refused) - 10} more" if len(refused) > 10 else ""
            raise BDIIError(
                f"the BDII at {self.url} refused {len(refused)} of the entries of {source}"
                f" ({added} added):\n{shown}{more}"
            )
        return result

    def _ldapadd(
        self, bind_dn: str, records: list[_Record], source: str
    ) -> tuple[int, list[RefusedEntry]]:
        """Run ldapadd -c on records; the number added, and the entries it skipped with why."""
        self._loads += 1
        ldif = self.root / "load" / f"{self._loads}.ldif"
        skipped_file = self.root / "load" / f"{self._loads}.skipped.ldif"
        with ldif.open("wb") as out:
            for record in records:
                out.write(record.raw)
                out.write(b"\n")
        cmd = ["ldapadd", "-x", "-c", "-H", self.url, "-D", bind_dn, "-w", ROOT_PASSWORD]
        cmd += ["-f", str(ldif), "-S", str(skipped_file)]
        try:
            proc = subprocess.run(cmd, capture_output=True, env=_ldap_env(), check=False)
            skipped: list[RefusedEntry] = []
            if skipped_file.exists():
                skipped = _skipped_entries(skipped_file)
        finally:
            ldif.unlink(missing_ok=True)
            skipped_file.unlink(missing_ok=True)
        attempted = proc.stdout.count(b"adding new entry ")
        stderr = proc.stderr.decode(errors="replace").strip()
        # A data error skips one entry; anything else (bind refused, server gone: ldapadd's
        # own negative codes) means the load itself failed, strict or not.
        broken = [e for e in skipped if (_error_code(e.error) or -1) < 0]
        if attempted != len(records) or broken:
            raise BDIIError(
                f"ldapadd of {source} to {self.url} as {bind_dn} failed after {attempted} of"
                f" {len(records)} entries (status {proc.returncode}): {stderr}"
            )
        return attempted - len(skipped), skipped


def _skipped_entries(path: Path) -> list[RefusedEntry]:
    """Read ldapadd's -S file: each skipped record follows a ``# Error: ...`` comment."""
    entries: list[RefusedEntry] = []
    with path.open("rb") as stream:
        for record in _records(stream):
            errors = [
                line[len(b"# Error: ") :].decode(errors="replace").strip()
                for line in record.raw.splitlines()
                if line.startswith(b"# Error: ")
            ]
            entries.append(RefusedEntry(record.dn, errors[0] if errors else "refused"))
    return entries


def _ldap_env() -> dict[str, str]:
    # LDAPNOINIT: neither ~/.ldaprc nor /etc/ldap/ldap.conf may change what the tools do.
    return {**os.environ, "LDAPNOINIT": "1"}
