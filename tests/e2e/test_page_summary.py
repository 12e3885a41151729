"""The page's "What the tests show", rendered in headless Chromium: its headline per
experiment and its list are `summary --format json`'s on the same source and history."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from helpers.browser import parse, render, screenshot
from helpers.cli import run_cli
from helpers.overlay import overlay_ldif
from helpers.paths import SAMPLE
from helpers.results import METRIC, hours_ago

from cecap.text import visible

RAL = "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M"
PIC = "ce07.pic.es:8443/cream-pbs-glong"
NEB = "red.unl.edu:2119/jobmanager-pbs-cms"
CERN = "ce201.cern.ch:8443/cream-pbs-grid_cms"
LOG_ONLY = "Warning: Same /usr/bin/id for payload and pilot"
FIELDS = (
    "experiment",
    "tier",
    "site_name",
    "ce",
    "status",
    "last_status",
    "last_time",
    "last_output",
)


def test_the_pages_summary_is_summarys(tmp_path: Path) -> None:
    ldif = overlay_ldif(SAMPLE, tmp_path / "sample.ldif", {NEB: ["glexec"], PIC: ["glexec"]})
    now = datetime.now(UTC)
    # Hours well inside the 12h window, so the page's run and summary's count alike.
    results = [
        (RAL, 1, "CRITICAL", "Error: error 126 executing glexec <b>x</b> | y"),
        (RAL, 3, "OK", "Payload id: 20001"),
        (PIC, 2, "WARNING", LOG_ONLY),
        (NEB, 4, "OK", "Payload id: 20001"),
        (CERN, 5, "UNKNOWN", "\x1b[31mtimeout\x1b[0m"),
    ]
    lines = [
        json.dumps({"time": hours_ago(now, h), "ce": ce, "experiment": "cms",
                    "metric": METRIC, "status": s, "output": o})
        for ce, h, s, o in results
    ]  # fmt: skip
    (tmp_path / "r.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "h.sqlite"
    assert run_cli("results", "import", "--state", db, tmp_path / "r.jsonl").code == 0
    done = run_cli("page", "--bdii", ldif, "-o", tmp_path / "www", "--state", db)
    assert done.code == 0, done.err
    page = tmp_path / "www" / "index.html"
    shown = render(page.as_uri())
    assert shown.console == []
    dom = parse(shown.dom)
    done = run_cli("summary", "--bdii", ldif, "--state", db, "--format", "json")
    assert done.code == 0, done.err
    doc = json.loads(done.out)
    headlines = {
        p.attrs["data-experiment"]: p.find_all("span", "line")[0].text
        for p in dom.find_all("p", "tests-headline")
    }
    assert headlines == {k: visible(v) for k, v in doc["headlines"].items()}
    assert headlines["cms"] == "T1s failing 1/2, T2s failing 1/2, sites OK 2, untested 1"
    table = dom.by_id("tests-list")
    assert table is not None
    listed = [
        tuple(td.text for td in tr.find_all("td"))
        for tr in table.find_all("tr")
        if tr.find_all("td")
    ]
    assert listed == [
        tuple("" if r[f] is None else visible(str(r[f])) for f in FIELDS) for r in doc["rows"]
    ]
    # The hostile output shows as text: no element made of it, the escape visible.
    assert any("<b>x</b> | y" in row[-1] for row in listed)
    assert any("\\x1b[31mtimeout" in row[-1] for row in listed)
    assert not dom.find_all("b", None) or all(b.text != "x" for b in dom.find_all("b", None))
    screenshot(page.as_uri(), "page-tests")
