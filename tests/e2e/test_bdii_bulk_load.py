"""BDIIServer.bulk_load: slapadd into the stopped databases serves what ldapadd would."""

from __future__ import annotations

import importlib.util
import io
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from helpers.bdii_server import BDIIError, BDIIServer, missing_requirements
from helpers.paths import BENCHMARKS

GENERATOR = BENCHMARKS / "generate_bdii.py"

pytestmark = pytest.mark.skipif(
    bool(missing_requirements()), reason="a real BDII needs slapd, ldap-utils and bdii"
)


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_bdii", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("generate_bdii", module)
    spec.loader.exec_module(module)
    return module


def _blocks(server: BDIIServer, base: str) -> list[str]:
    """The entries under base, sorted; object class names lower-cased (see bulk_load)."""
    proc = server.search("(objectClass=*)", base=base)
    assert proc.returncode == 0, proc.stderr
    text = re.sub(r"(?im)^objectClass: .*$", lambda m: m.group(0).lower(), proc.stdout)
    return sorted(block for block in text.split("\n\n") if block.strip())


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = io.StringIO()
    _generator().generate(2, out)
    path = tmp_path_factory.mktemp("ldif") / "two-sites.ldif"
    path.write_text(out.getvalue())
    return path


def test_bulk_load_serves_the_same_entries_as_ldapadd(tmp_path: Path, two_sites: Path) -> None:
    bulk = BDIIServer(tmp_path / "bulk")
    plain = BDIIServer(tmp_path / "plain")
    try:
        loaded = bulk.bulk_load(two_sites)
        bulk.start()
        plain.start()
        added = plain.load(two_sites)
        # The file repeats two seed entries; the rest is added by both ways.
        assert loaded.already_present == ("o=grid", "Mds-Vo-name=local,o=grid")
        assert added.already_present == loaded.already_present
        assert loaded.added == added.added == two_sites.read_text().count("\ndn: ") - 1
        for base in ("o=grid", "o=glue"):
            assert _blocks(bulk, base) == _blocks(plain, base)
        assert bulk.count("(objectClass=GlueCE)") > 0
    finally:
        bulk.stop()
        plain.stop()


def test_bulk_load_rewrites_folded_dns_for_the_relay(tmp_path: Path) -> None:
    # o=grid is a relay onto o=shadow: the DN is rewritten even when it is folded.
    site = "Mds-Vo-name=AVERYLONGSITENAMETHATFOLDS-0123456789,Mds-Vo-name=local,o=grid"
    ldif = tmp_path / "folded.ldif"
    dn_line = f"dn: {site}"
    ldif.write_text(
        f"{dn_line[:40]}\n {dn_line[40:]}\nobjectClass: MDS\n"
        "Mds-Vo-name: AVERYLONGSITENAMETHATFOLDS-0123456789\n"
    )
    server = BDIIServer(tmp_path / "bdii")
    try:
        assert server.bulk_load(ldif).added == 1
        server.start()
        assert server.count(base=site) == 1
    finally:
        server.stop()


def test_bulk_load_refuses_a_running_server_and_a_bad_entry(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ldif"
    bad.write_text(
        "dn: Mds-Vo-name=X,Mds-Vo-name=local,o=grid\nobjectClass: MDS\nNoSuchAttribute: 1\n"
    )
    server = BDIIServer(tmp_path / "bdii")
    try:
        with pytest.raises(BDIIError, match=r"slapadd of .*bad\.ldif into o=shadow failed"):
            server.bulk_load(bad)
        running = BDIIServer(tmp_path / "running")
        running.start()
        try:
            with pytest.raises(BDIIError, match="stopped BDII"):
                running.bulk_load(bad)
        finally:
            running.stop()
    finally:
        server.stop()
