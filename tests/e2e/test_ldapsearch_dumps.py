"""Snapshots as operators take them: the real ldapsearch against a real BDII, in every
output form (with and without -L/-LL/-LLL, folded at 76 columns or not), read by cecap as
the file itself is; and what a failed `ldapsearch > file` in cron leaves."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.bdii_server import BDIIServer
from helpers.cli import run_cli
from helpers.paths import SAMPLE

from cecap.history.store import History

Make = Callable[..., BDIIServer]

# ldapsearch's output forms: -L (LDIFv1, with "version: 1"), -LL (no comments), -LLL (no
# version either), none (comments, folded "# DN" lines, trailer), each wrapped or not.
FORMS = {
    "plain": [],
    "plain-nowrap": ["-o", "ldif-wrap=no"],
    "L": ["-L"],
    "LL": ["-LL"],
    "LLL": ["-LLL"],
    "LLL-nowrap": ["-LLL", "-o", "ldif-wrap=no"],
    "L-nowrap": ["-L", "-o", "ldif-wrap=no"],
}


def ldapsearch(server: BDIIServer, out: Path, *options: str, base: str = "o=grid") -> int:
    """``ldapsearch -x -H URL -b BASE [options] > out``; its exit code."""
    cmd = ["ldapsearch", "-x", "-H", server.url, "-b", base, *options]
    # LDAPNOINIT: neither ~/.ldaprc nor /etc/ldap/ldap.conf may change what it writes.
    env = {**os.environ, "LDAPNOINIT": "1"}
    with out.open("wb") as handle:
        return subprocess.run(cmd, stdout=handle, env=env, timeout=60, check=False).returncode


def report(path: Path) -> dict[str, Any]:
    result = run_cli("report", "--all", "--format", "json", "--bdii", path)
    assert result.code == 0, result
    assert result.err == "", result.err
    data: dict[str, Any] = json.loads(result.out)
    return data


@pytest.fixture
def sample_bdii(bdii_factory: Make) -> BDIIServer:
    server = bdii_factory()
    loaded = server.load(SAMPLE)
    assert loaded.added > 0
    return server


def test_ldapsearch_dumps_read_as_the_sample(sample_bdii: BDIIServer, tmp_path: Path) -> None:
    expected = report(SAMPLE)
    assert expected["rows"], "the sample must give rows to compare"
    for name, options in FORMS.items():
        dump = tmp_path / f"dump-{name}.ldif"
        assert ldapsearch(sample_bdii, dump, *options) == 0
        text = dump.read_text()
        if not options or options[0] != "-LLL":
            assert "\n#" in text or text.startswith(("#", "version:")), name
        got = report(dump)
        assert got["rows"] == expected["rows"], name
        assert got["partial"] is False, name


def test_ldapsearch_dumps_fold_comments_and_lines(sample_bdii: BDIIServer, tmp_path: Path) -> None:
    """The forms differ where it matters: folded comments and lines are really there."""
    plain, nowrap = tmp_path / "plain.ldif", tmp_path / "nowrap.ldif"
    assert ldapsearch(sample_bdii, plain) == 0
    assert ldapsearch(sample_bdii, nowrap, "-o", "ldif-wrap=no") == 0
    lines = plain.read_text().split("\n")
    folded_comments = [
        i for i, ln in enumerate(lines[:-1]) if ln.startswith("#") and lines[i + 1].startswith(" ")
    ]
    assert folded_comments, "ldapsearch folds long '# DN' comment lines"
    assert not any(ln.startswith(" ") for ln in nowrap.read_text().split("\n"))
    # The first folded comment is where cecap used to stop ("entry does not start with dn:").
    assert report(plain)["rows"] == report(nowrap)["rows"]


def test_ldapsearch_dumps_gzipped(sample_bdii: BDIIServer, tmp_path: Path) -> None:
    dump = tmp_path / "dump.ldif"
    assert ldapsearch(sample_bdii, dump) == 0
    zipped = tmp_path / "dump.ldif.gz"
    zipped.write_bytes(gzip.compress(dump.read_bytes()))
    assert report(zipped)["rows"] == report(SAMPLE)["rows"]


def test_ldapsearch_dumps_of_a_failed_search_are_errors(
    sample_bdii: BDIIServer, tmp_path: Path
) -> None:
    """A wrong base: ldapsearch exits 32 and leaves a header and a trailer (or nothing with
    -LLL). report says so (exit 2), it does not say "no CE serves"."""
    for name, options in FORMS.items():
        dump = tmp_path / f"failed-{name}.ldif"
        assert ldapsearch(sample_bdii, dump, *options, base="o=nothere") == 32
        result = run_cli("report", "--bdii", dump)
        assert result.code == 2, (name, result)
        assert "not a snapshot of a BDII" in result.err, (name, result.err)
        assert "no CE" not in result.out, name
        if "\nresult: 32" in dump.read_text():  # -L and -LL write no result line
            assert "LDAP result 32 (No such object)" in result.err, name


def test_ldapsearch_dumps_of_a_stopped_bdii_in_cron(bdii_factory: Make, tmp_path: Path) -> None:
    """Cron: `ldapsearch ... > snap.ldif; cecap check --bdii snap.ldif`. A first run on a
    good dump is recorded; after the BDII is stopped, the dump is empty: check is UNKNOWN
    and records nothing, so no CE is marked as gone."""
    server = bdii_factory()
    server.load(SAMPLE)
    snap, state = tmp_path / "snap.ldif", tmp_path / "history.db"
    assert ldapsearch(server, snap, "-LLL") == 0
    first = run_cli("check", "--bdii", snap, "--state", state)
    assert first.code in (0, 1, 2), first
    with History.open(state) as history:
        runs = history.runs()
    assert len(runs) == 1
    server.stop()
    for options in ([], ["-LLL"]):
        assert ldapsearch(server, snap, *options) != 0
        assert snap.stat().st_size == 0  # nothing on stdout when it cannot connect
        result = run_cli("check", "--bdii", snap, "--state", state)
        assert result.code == 3, result
        assert result.out.startswith("CECAP UNKNOWN - "), result.out
        assert "is empty (0 bytes)" in result.out
    with History.open(state) as history:
        assert history.runs() == runs
