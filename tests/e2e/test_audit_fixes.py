"""cecap audit's fixes: LDIF that the real ldapmodify parses and applies to a real BDII, after
which the findings it fixes are gone and the others remain; --format ldif as one file."""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.bdii_server import BDIIServer
from helpers.cli import run_cli
from helpers.every_kind import every_kind_ldif, write_config
from helpers.glue_ldif import CESpec, bdii_ldif, simple_site
from helpers.paths import SAMPLE

Make = Callable[..., BDIIServer]


def rows(*args: str | Path, code: int) -> list[dict[str, Any]]:
    result = run_cli("audit", *args, "--format", "json")
    assert result.code == code, result.err
    found: list[dict[str, Any]] = json.loads(result.out)["rows"]
    return found


def dry_run(ldif: str) -> subprocess.CompletedProcess[str]:
    """The real ldapmodify parsing ``ldif`` without a server (-n: show, do not change)."""
    return subprocess.run(
        ["ldapmodify", "-n", "-v", "-x", "-H", "ldap://127.0.0.1:1"],
        input=ldif,
        capture_output=True,
        text=True,
        env={"LDAPNOINIT": "1", "PATH": "/usr/bin:/bin"},
        check=False,
    )


def test_fixes_applied_with_ldapmodify_clear_their_findings(
    bdii_factory: Make, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "config")
    server = bdii_factory()
    server.load_text(every_kind_ldif())
    before = rows("--bdii", server.url, "--config", config, code=1)
    fixable = [r for r in before if r["fix"] is not None]
    # Every kind a change of the BDII can fix has a fix; the rest a hint only.
    assert sorted({r["kind"] for r in fixable}) == [
        "glue-versions-disagree",
        "inconsistent-queues",
        "missing-advertisement",
        "near-miss-capability",
        "partial-voview",
        "runtime-environment-tag",
    ]
    assert all(r["hint"] for r in before)

    # Both trees: one file per database, each DN as this (top-level) BDII holds it.
    fixes = tmp_path / "fixes"
    fixes.mkdir()
    args = ("--bdii", server.url, "--config", config, "--dn-as-read", "--fixes-dir", fixes)
    ldif = run_cli("audit", *args, "--format", "csv")
    assert (ldif.code, ldif.err) == (1, "")  # the audit's own exit code: an error remains
    assert sorted(p.name for p in fixes.iterdir()) == ["glue.ldif", "grid.ldif"]
    applied = server.modify((fixes / "grid.ldif").read_text())
    applied += server.modify((fixes / "glue.ldif").read_text())
    # Six findings, five entries: WILLING's two findings share one.
    assert applied.count("modifying entry") == 5

    after = rows("--bdii", server.url, "--config", config, code=1)
    assert after == [r for r in before if r["fix"] is None]
    assert sorted(r["kind"] for r in after) == ["contradicts-stance", "not-in-production"]
    # Nothing is left to apply: each file has its header and no record.
    again = run_cli("audit", *args)
    assert again.code == 1, again.err
    for name in ("grid.ldif", "glue.ldif"):
        text = (fixes / name).read_text()
        assert "\ndn:" not in text and "changetype" not in text


def test_ldif_format_is_one_file_ldapmodify_parses() -> None:
    result = run_cli("audit", "--bdii", SAMPLE, "--format", "ldif")
    assert (result.code, result.err) == (1, "")
    out = result.out
    assert out.startswith(
        "version: 1\n\n# cecap audit: the fixes of 3 findings, as changes to 3 entries of the"
        " GLUE 1.3 database (o=grid)\n"
    )
    records = out.split("\n\n")[2:]
    assert [r.splitlines()[0] for r in records if r] == [
        "# Nebraska: missing-advertisement (warning)",
        "# RAL-LCG2: inconsistent-queues (warning)",
        "# pic: partial-voview (info)",
    ]
    # RAL-LCG2's production queues disagree for atlas and lhcb: one finding, one record
    # (its Draining queue, which advertises, is not compared).
    assert out.count("GlueCEUniqueID=lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-gridTest") == 1
    # Each DN as the resource BDII that publishes the entry holds it.
    dns = [line for line in out.splitlines() if line.startswith("dn")]
    assert len(dns) == 3 and all(dn.endswith(",Mds-Vo-name=resource,o=grid") for dn in dns)
    parsed = dry_run(out)
    assert parsed.returncode == 0, parsed.stderr
    assert parsed.stdout.count("!modifying entry") == 3
    # The same changes as the JSON fixes, record for record.
    fixes = [r["fix"] for r in rows("--bdii", SAMPLE, code=1) if r["fix"]]
    for fix in fixes:
        assert fix in out


def test_ldif_of_a_clean_bdii_has_no_record(tmp_path: Path) -> None:
    path = tmp_path / "clean.ldif"
    path.write_text(bdii_ldif([simple_site("RAL-LCG2", [CESpec("q1", ["atlas"])])]))
    result = run_cli("audit", "--bdii", path, "--format", "ldif")
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith("version: 1\n\n# cecap audit: the fixes of 0 findings")
    assert "dn:" not in result.out
    assert dry_run(result.out).returncode == 0


def _base64_where_needed(line: str) -> str:
    if line.isascii() and line.isprintable():
        return line
    name, _, value = line.partition(": ")
    return f"{name}:: {base64.b64encode(value.encode()).decode()}"


def test_hostile_names_stay_inside_comments_and_dns_are_base64(tmp_path: Path) -> None:
    # A site name that tries to end its comment line and start a record of its own, with an
    # escape sequence; the site's DNs with a non-ASCII name, which LDIF must give in base64.
    hostile_site = "GlueSiteName: EVIL\ndn: o=grid\nchangetype: delete\x1b[2J"
    text = bdii_ldif(
        [simple_site("EVIL", [CESpec("q1", ["atlas"]), CESpec("q2", ["atlas"], capabilities=())])]
    )
    text = text.replace("Mds-Vo-name=EVIL", "Mds-Vo-name=\u00c9VIL").replace(
        "Mds-Vo-name: EVIL", "Mds-Vo-name: \u00c9VIL"
    )
    lines = [hostile_site if line == "GlueSiteName: EVIL" else line for line in text.splitlines()]
    path = tmp_path / "hostile.ldif"
    path.write_text("\n".join(map(_base64_where_needed, lines)) + "\n")
    result = run_cli("audit", "--bdii", path, "--format", "ldif", "--dn-as-read")
    assert (result.code, result.err) == (0, "")
    assert "\x1b" not in result.out and "\nchangetype: delete" not in result.out
    comments = [line for line in result.out.splitlines() if line.startswith("# EVIL")]
    assert comments == [
        "# EVIL\\x0adn: o=grid\\x0achangetype: delete\\x1b[2J: inconsistent-queues (warning)"
    ]
    (dn,) = [line for line in result.out.splitlines() if line.startswith("dn")]
    assert dn.startswith("dn:: ")
    assert "Mds-Vo-name=\u00c9VIL" in base64.b64decode(dn[5:]).decode()
    parsed = dry_run(result.out)
    assert parsed.returncode == 0, parsed.stderr
    assert parsed.stdout.count("!modifying entry") == 1


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "github"])
def test_other_formats_keep_one_line_per_row_or_note(fmt: str) -> None:
    result = run_cli("audit", "--bdii", SAMPLE, "--format", fmt)
    assert result.code == 1, result.err
    if fmt == "table":
        # The terminal table shows each LDIF line of a fix on its own note line.
        assert "\n     changetype: modify\n" in result.out
    else:
        # One line per finding: the fix's newlines escaped, as every newline cecap shows
        # (in Markdown, the escape's backslash escaped too).
        escape = "\\\\x0a" if fmt == "github" else "\\x0a"
        assert f"changetype: modify{escape}add: GlueCECapability" in result.out
        assert "\nchangetype" not in result.out
