"""audit-factory against glideinWMS 3.4.6's own reader (../shared/consumers/glideinwms-3.4.6,
gwms.py entries): the entries cecap judges are those glideinWMS reads, with the same
gatekeeper and GLEXEC_BIN, for factories of every shape; and each configuration that once
passed in silence now fails with its finding."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import run_cli
from helpers.gwms import FIXTURE_MAIN, gwms, need_gwms
from helpers.paths import SAMPLE

from cecap.sources.factory import read_factory

REFUSING = "ce.cism.ucl.ac.be:8443/cream-pbs-cms"  # site-refuses for cms in the sample
CONDITIONAL = "ce201.cern.ch:8443/cream-pbs-grid_cms"  # conditional for cms


def gwms_entries(main: Path) -> list[dict[str, Any]]:
    code, rows, err = gwms("entries", main)
    assert code == 0, err
    return rows


def attr(name: str, value: str) -> str:
    return (
        f'<attr name="{name}" const="True" glidein_publish="False" job_publish="False"'
        f' parameter="True" publish="True" type="string" value="{value}"/>'
    )


def entry(
    name: str,
    gridtype: str,
    gatekeeper: str,
    rsl: str | None = None,
    glexec: str | None = None,
    tag: str = "entry",
) -> str:
    rsl_attr = f' rsl="{rsl}"' if rsl else ""
    attrs = attr("GLIDEIN_Supported_VOs", "CMS") + (attr("GLEXEC_BIN", glexec) if glexec else "")
    return (
        f'<{tag} name="{name}" auth_method="grid_proxy" enabled="True" gridtype="{gridtype}"'
        f' gatekeeper="{gatekeeper}"{rsl_attr} trust_domain="grid" verbosity="std"'
        f' work_dir="."><attrs>{attrs}</attrs></{tag}>'
    )


def factory(tmp_path: Path, fragments: dict[str, str]) -> Path:
    """glideinWMS's own test factory's main file, with ``fragments`` as its config.d."""
    need_gwms()
    main = tmp_path / "glideinWMS.xml"
    shutil.copy(FIXTURE_MAIN, main)
    conf = tmp_path / "config.d"
    conf.mkdir()
    for name, text in fragments.items():
        (conf / name).write_text(text)
    return main


FORMS = "".join(
    (
        entry("cream_id", "cream", REFUSING),
        entry("cream_long", "cream", "https://ce201.cern.ch:8443/ce-cream/services/CREAM2 pbs grid_cms"),
        entry("gt2_host", "gt2", "red.unl.edu", "(queue=cms)(jobtype=single)"),
        entry("gt2_port", "gt2", "red.unl.edu:2119", "(queue=cms)"),
        entry("gt2_full", "gt2", "red.unl.edu:2119/jobmanager-pbs", "(queue=cms)(jobtype=single)"),
        entry("gt5", "gt5", "red.unl.edu/jobmanager-pbs"),
        entry("condor", "condor", "htc.example.org htc.example.org:9619"),
        entry("nordugrid", "nordugrid", "arc.example.se", "(queue=short)"),
        entry("ec2", "ec2", "https://ec2.example.org/"),
    )
)  # fmt: skip

SHAPES = {
    "config.d with a global GLEXEC_BIN": {
        "10-global.xml": f"<glidein><attrs>{attr('GLEXEC_BIN', '/usr/sbin/glexec')}</attrs></glidein>",
        "20-sites.xml": f"<glidein><entries>{entry('refusing', 'cream', REFUSING)}</entries></glidein>",
    },
    "entries directly in entry_sets": {
        "50-sets.xml": "<glidein><entry_sets>"
        + entry("direct", "cream", REFUSING, glexec="OSG")
        + entry("direct2", "gt2", "red.unl.edu:2119", "(queue=cms)")
        + "</entry_sets></glidein>",
    },
    "an entry_set": {
        "50-set.xml": '<glidein><entry_sets><entry_set alias="NEB" enabled="True">'
        f"<attrs>{attr('GLEXEC_BIN', 'glite')}</attrs><entries>"
        + entry("neb_1", "gt2", "red.unl.edu", "(queue=cms)")
        + entry("neb_2", "cream", CONDITIONAL)
        + "</entries></entry_set></entry_sets></glidein>",
    },
    "every gatekeeper form": {"50-forms.xml": f"<glidein><entries>{FORMS}</entries></glidein>"},
    "two files naming one entry": {
        "10-a.xml": f"<glidein><entries>{entry('twice', 'cream', REFUSING, glexec='OSG')}</entries></glidein>",
        "20-b.xml": f"<glidein><entries>{entry('twice', 'cream', CONDITIONAL)}</entries></glidein>",
        "30-notes.txt": "<glidein><entries><entry name='ignored'/></entries></glidein>",
    },
}  # fmt: skip


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_cecap_judges_the_entries_glideinwms_reads(tmp_path: Path, shape: str) -> None:
    need_gwms()
    main = factory(tmp_path, SHAPES[shape])
    theirs = {
        (r["name"], r["gridtype"], r["gatekeeper"], r["GLEXEC_BIN"], r["file"])
        for r in gwms_entries(main)
    }
    for given in (main, tmp_path):
        ours = {
            (e.name, e.gridtype, e.gatekeeper, e.attr("GLEXEC_BIN"), e.file)
            for e in read_factory(given)
        }
        assert ours == theirs
    result = run_cli("audit-factory", main, "--bdii", SAMPLE, "-e", "cms", "--format", "json", "-v")
    assert result.code in (0, 1), result.err
    assert f"cecap: {len(theirs)} entries read: " in result.err
    rows = json.loads(result.out)["rows"]
    assert {r["entry"] for r in rows} <= {t[0] for t in theirs}


def _audit(main: Path) -> tuple[int, list[dict[str, Any]], str]:
    """The audit's exit code, rows and stderr, with -v: the counts end stderr."""
    args = ("audit-factory", main, "--bdii", SAMPLE, "-e", "cms", "--format", "json")
    result = run_cli(*args, "-v")
    quiet = run_cli(*args)
    # Without -v the same audit says the same, and nothing on stderr but its warnings.
    assert (quiet.code, quiet.out) == (result.code, result.out)
    assert "entries read" not in quiet.err
    assert result.err.endswith("\n") and quiet.err == result.err.rsplit("cecap: ", 1)[0]
    return result.code, json.loads(result.out)["rows"], result.err


def test_a_clean_audit_prints_nothing_on_stderr_unless_verbose(tmp_path: Path) -> None:
    main = tmp_path / "glideinWMS.xml"
    exported = run_cli("export", "--format", "glideinwms", "-e", "cms", "--bdii", SAMPLE)
    assert exported.code == 0, exported.err
    main.write_text(exported.out)
    entries = exported.out.count("<entry ")
    assert entries > 1
    args = ("audit-factory", main, "--bdii", SAMPLE, "-e", "cms")
    # As cron runs it: nothing at all with lines, the one "no findings" line with table.
    assert run_cli(*args, "--format", "lines") == (0, "", "")
    table = run_cli(*args)
    assert (table.code, table.err) == (0, "")
    assert table.out.startswith("no findings")
    verbose = run_cli(*args, "--format", "lines", "-v")
    assert (verbose.code, verbose.out) == (0, "")
    assert verbose.err == (
        f"cecap: {entries} entries read: {entries} matched, 0 not in the BDII, 0 not understood\n"
    )


def test_a_config_d_glexec_bin_on_a_refusing_site_fails(tmp_path: Path) -> None:
    main = factory(tmp_path, SHAPES["config.d with a global GLEXEC_BIN"])
    code, rows, err = _audit(main)
    assert code == 1
    (refused,) = [r for r in rows if r["kind"] == "glexec-where-refused"]
    assert (refused["entry"], refused["ce"], refused["glexec_bin"]) == (
        "refusing",
        REFUSING,
        "/usr/sbin/glexec",
    )
    assert refused["file"] == str(tmp_path / "config.d" / "20-sites.xml")
    assert "2 entries read: 1 matched, 1 not in the BDII, 0 not understood" in err


def test_entries_standing_in_entry_sets_are_read(tmp_path: Path) -> None:
    code, rows, _ = _audit(factory(tmp_path, SHAPES["entries directly in entry_sets"]))
    assert code == 1
    assert {(r["entry"], r["kind"]) for r in rows if r["severity"] == "error"} == {
        ("direct", "glexec-where-refused")
    }


@pytest.mark.parametrize(
    ("gridtype", "gatekeeper", "rsl", "kind"),
    [
        # red.unl.edu is not-advertised for cms in the sample: glexec there is refused.
        ("gt2", "red.unl.edu", "(queue=cms)", "glexec-where-refused"),
        ("gt2", "red.unl.edu:2119", "(queue=cms)", "glexec-where-refused"),
        ("cream", "https://ce.cism.ucl.ac.be:8443/ce-cream/services/CREAM2 pbs cms", None,
         "glexec-where-refused"),
        ("cream", "ce.cism.ucl.ac.be:8443/cream-pbs", None, "entry-not-understood"),
        ("batch", "pbs", None, "entry-not-understood"),
    ],
)  # fmt: skip
def test_gatekeepers_once_skipped_in_silence_now_fail(
    tmp_path: Path, gridtype: str, gatekeeper: str, rsl: str | None, kind: str
) -> None:
    text = entry("one", gridtype, gatekeeper, rsl, glexec="/usr/sbin/glexec")
    main = factory(tmp_path, {"50-one.xml": f"<glidein><entries>{text}</entries></glidein>"})
    code, rows, err = _audit(main)
    assert code == 1
    assert [(r["entry"], r["kind"], r["severity"]) for r in rows if r["entry"] == "one"] == [
        ("one", kind, "error")
    ]
    # With the main file's own TEST_ENTRY, whose gatekeeper no BDII holds.
    counts = "0 matched, 1 not in the BDII, 1 not understood"
    if kind != "entry-not-understood":
        counts = "1 matched, 1 not in the BDII, 0 not understood"
    assert f"cecap: 2 entries read: {counts}" in err


def test_glexec_where_conditional_quotes_the_proviso(tmp_path: Path) -> None:
    text = entry("cern", "cream", CONDITIONAL, glexec="glite")
    main = factory(tmp_path, {"50-one.xml": f"<glidein><entries>{text}</entries></glidein>"})
    code, rows, _ = _audit(main)
    (row,) = [r for r in rows if r["entry"] == "cern"]
    assert (row["kind"], row["severity"], row["ce"]) == (
        "glexec-where-conditional",
        "warning",
        CONDITIONAL,
    )
    assert "the verdict is conditional: site" in row["message"]
    assert code == 0
