"""`cecap page`: the readiness page, loaded from file:// in headless Chromium.

The DOM Chromium renders is checked against `report --all --format json` and `sites
--format json` on the same source: one matrix row per site, the headline counts, each
CE's row; with glexec test results in the history, each headline's reliable CEs are
`report --reliable`'s and the line chart draws them; the filter box (given ?q=) hides the rows that do not match; the page logs no
console message (a deliberate error proves a console error would be seen). A hostile
site name renders as text. Screenshots at 1280x900 go to test-artifacts/.
"""

from __future__ import annotations

import base64
import json
import os
import re
import stat
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers.browser import Element, parse, render, screenshot
from helpers.cli import run_cli
from helpers.glue_ldif import CESpec, bdii_ldif, simple_site
from helpers.overlay import overlay_ldif
from helpers.paths import SAMPLE

from cecap.text import stamp, visible


def _json(*args: str | Path) -> dict:
    result = run_cli(*args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def _page(source: Path, out: Path, *extra: str | Path) -> Path:
    result = run_cli("page", "--bdii", source, "-o", out, *extra)
    assert result.code == 0, result.err
    assert (result.out, result.err) == ("", "")
    return out / "index.html"


def _matrix_rows(dom: Element) -> list[Element]:
    matrix = dom.by_id("matrix")
    assert matrix is not None
    return matrix.find_all("tr", "site")


def _check_against_report(page: Path, source: Path) -> Element:
    """The rendered page's sites, headlines and CE rows are the report's."""
    shown = render(page.as_uri())
    assert shown.console == []
    dom = parse(shown.dom)
    report = _json("report", "--all", "--bdii", source)["rows"]
    sites = {row["site"] for row in _json("sites", "--bdii", source)["rows"]}
    rows = _matrix_rows(dom)
    assert sorted(r.find_all("a")[0].text for r in rows) == sorted(visible(s) for s in sites)
    assert not any("hidden" in r.attrs for r in rows)
    for experiment, counts in _counts(report).items():
        headline = dom.by_id(f"headline-{experiment}")
        assert headline is not None, experiment
        ready, serving = counts["ready"], sum(counts.values())
        assert headline.attrs["data-ready"] == str(ready)
        assert headline.attrs["data-conditional"] == str(counts["conditional"])
        ces = "CE" if serving == 1 else "CEs"
        assert f"{ready} ready of {serving} {ces}" in " ".join(headline.text.split())
    ce_rows = [
        tuple(td.text for td in tr.find_all("td"))[:3]
        for table in dom.find_all("table", "ces")
        for tr in table.find_all("tr")
        if tr.find_all("td")
    ]
    assert sorted(ce_rows) == sorted(
        (r["experiment"], visible(r["ce"]), r["verdict"]) for r in report
    )
    return dom


def _counts(report: list[dict]) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for row in report:
        out.setdefault(row["experiment"], Counter())[row["verdict"]] += 1
    return out


def test_sample_page_in_a_browser(tmp_path: Path) -> None:
    page = _page(SAMPLE, tmp_path / "www")
    dom = _check_against_report(page, SAMPLE)
    # Self-contained: no file, style sheet, script or image from anywhere else.
    html = page.read_text(encoding="utf-8")
    assert 'src="' not in html and "<link" not in html and "@import" not in html
    # The only addresses are the SVG namespaces, which are names, never fetched.
    found = re.findall(r"[\w:-]+=\"https?://[^\"]*\"|url\((?!#)|https?://", html)
    assert 'xmlns="http://www.w3.org/2000/svg"' in found
    assert set(found) <= {
        'xmlns:xlink="http://www.w3.org/1999/xlink"',
        'xmlns="http://www.w3.org/2000/svg"',
    }
    # The verdict chart is inline SVG, its text as text; no history, no line chart.
    chart = dom.by_id("chart-verdicts")
    assert chart is not None and chart.find_all("svg")
    assert "ready" in chart.text and dom.by_id("not-advertised") is not None
    assert dom.by_id("chart-history") is None
    assert dom.by_id("partial") is None
    # Each cell writes its word: colour is never the only sign.
    cern = next(r for r in _matrix_rows(dom) if r.find_all("a")[0].text == "CERN-PROD")
    assert [td.text for td in cern.find_all("td")] == [
        "conditional",
        "conditional",
        "no CE",
        "no CE",
    ]
    assert [td.attrs["class"] for td in cern.find_all("td")][:1] == ["v v-conditional"]
    # Each site links to its CE rows.
    target = dom.by_id(cern.find_all("a")[0].attrs["href"][1:])
    assert target is not None and "ce201.cern.ch:8443/cream-pbs-grid_atlas" in target.text
    # The questionnaire verbatim, its normalized value beside it.
    stances = dom.find_all("table", "stances")[0]
    assert "depends: compliant experiments are supported" in stances.text
    assert any(td.has_class("a-depends") for td in stances.find_all("td"))
    # The audit's findings, per site.
    assert dom.by_id("audit") is not None and dom.find_all("section", "site-findings")
    shot = screenshot(page.as_uri(), "page-sample")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_filter_box_hides_rows(tmp_path: Path) -> None:
    page = _page(SAMPLE, tmp_path / "www")
    shown = render(page.as_uri() + "?q=ukI-")
    assert shown.console == []
    dom = parse(shown.dom)
    visible_rows = [r.find_all("a")[0].text for r in _matrix_rows(dom) if "hidden" not in r.attrs]
    # Case ignored; a respondent's name (UKI-RAL-LCG2) matches its sites too.
    assert visible_rows == ["UKI-LT2-IC-HEP", "UKI-NORTHGRID-MAN-HEP", "RAL-LCG2"]
    # The groups left empty are hidden.
    groups = dom.by_id("matrix").find_all("tbody", "group")
    assert len(groups) == 9
    assert sum("hidden" not in g.attrs for g in groups) == 3
    box = dom.by_id("filter")
    assert box is not None and "hidden" not in box.attrs


def test_page_without_script_shows_every_row(tmp_path: Path) -> None:
    """With scripts off the filter box stays hidden and every row shows: the HTML itself
    hides nothing."""
    dom = parse(_page(SAMPLE, tmp_path / "www").read_text(encoding="utf-8"))
    rows = _matrix_rows(dom)
    assert rows and not any("hidden" in r.attrs for r in rows)
    assert "hidden" in dom.by_id("filter").attrs


def test_console_errors_are_seen(tmp_path: Path) -> None:
    """The negative control: the same check catches an error in a page's script."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><meta charset="utf-8"><script>noSuchFunction();</script>')
    assert render(bad.as_uri()).console == [
        f'"Uncaught ReferenceError: noSuchFunction is not defined", source: {bad.as_uri()} (1)'
    ]


HOSTILE = "<script>alert(1)</script>\x1b[2J\u202e"


def test_hostile_site_name_renders_as_text(tmp_path: Path) -> None:
    lines = []
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        if line == "GlueSiteName: RAL-LCG2":
            line = "GlueSiteName:: " + base64.b64encode(HOSTILE.encode()).decode()
        lines.append(line)
    source = tmp_path / "hostile.ldif"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page = _page(source, tmp_path / "www")
    html = page.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "\x1b" not in html and "\u202e" not in html
    dom = _check_against_report(page, source)
    # The one script is the page's own filter.
    assert len(dom.find_all("script")) == 1 and "alert" not in dom.find_all("script")[0].text
    names = [r.find_all("a")[0].text for r in _matrix_rows(dom)]
    assert visible(HOSTILE) in names
    assert visible(HOSTILE) == "<script>alert(1)</script>\\x1b[2J\\u202e"


def test_osg_snapshot_page(tmp_path: Path, osg_snapshot: Path) -> None:
    page = _page(osg_snapshot, tmp_path / "www")
    _check_against_report(page, osg_snapshot)
    screenshot(page.as_uri(), "page-osg")


def test_history_chart_and_change_since_previous_run(tmp_path: Path) -> None:
    state = tmp_path / "history.sqlite"
    glue2 = SAMPLE.with_name("sample-glue2.ldif")
    # The GLUE 2.0 sample lacks one ready atlas CE... or not: whatever it has, the page
    # after a check on the GLUE 1.3 sample compares with the run before that check.
    for source in (glue2, SAMPLE):
        assert run_cli("check", "--bdii", source, "--state", state).code in (0, 1, 2)
    before = _json("report", "--bdii", glue2, "--all")["rows"]
    page = _page(SAMPLE, tmp_path / "www", "--state", state)
    shown = render(page.as_uri())
    assert shown.console == []
    dom = parse(shown.dom)
    assert dom.by_id("chart-history") is not None
    ready_before = _counts(before)["atlas"]["ready"]
    ready_now = _counts(_json("report", "--bdii", SAMPLE, "--all")["rows"])["atlas"]["ready"]
    change = dom.by_id("headline-atlas").find_all("div", "change")[0].text
    assert change.startswith(f"{ready_now - ready_before:+d} ready since run 1 (")


NEB = "red.unl.edu:2119/jobmanager-pbs-cms"
MIT = "ce01.cmsaf.mit.edu:2119/jobmanager-condor-cms"


def test_reliable_headline_is_the_reports(tmp_path: Path, osg_snapshot: Path) -> None:
    """Two checks, the second after test results are imported: the page's reliable count
    per experiment is `report --reliable`'s, its change since the first check is shown,
    and the line chart draws the reliable CEs of each check."""
    source = overlay_ldif(osg_snapshot, tmp_path / "osg.ldif", {NEB: ["glexec"], MIT: ["glexec"]})
    state = tmp_path / "history.sqlite"
    assert run_cli("check", "--bdii", source, "--state", state).code == 0
    now = datetime.now(UTC)
    results = tmp_path / "results.csv"
    results.write_text(
        "time,ce,experiment,metric,status,summary\n"
        + "".join(
            f"{stamp(now - timedelta(hours=2 + 5 * i))},{ce},cms,org.cms.glexec.WN-gLExec,"
            f"{'CRITICAL' if ce == NEB and i < 3 else 'OK'},\n"
            for ce in (MIT, NEB)
            for i in range(30)
        ),
        encoding="utf-8",
    )
    assert run_cli("results", "import", "--state", state, results).code == 0
    # Nebraska's last three tests failed: a warning, and MIT alone is reliable.
    assert run_cli("check", "--bdii", source, "--state", state).code == 1
    page = _page(source, tmp_path / "www", "--state", state)
    shown = render(page.as_uri())
    assert shown.console == []
    dom = parse(shown.dom)
    switch = _json("report", "--bdii", source, "--state", state, "--reliable")["rows"]
    assert [r["ce"] for r in switch] == [MIT]
    reliable = Counter(r["experiment"] for r in switch)
    for experiment in ("atlas", "cms", "lhcb", "alice"):
        headline = dom.by_id(f"headline-{experiment}")
        assert headline is not None
        if experiment == "cms":
            assert headline.attrs["data-reliable"] == str(reliable["cms"]) == "1"
            [line] = headline.find_all("div", "reliable")
            assert line.text == "1 reliable (glexec tests succeed)"
            changes = [" ".join(d.text.split()) for d in headline.find_all("div", "change")]
            assert changes[1] == "+1 reliable since run 1"
        else:
            # No test result for the experiment: no reliable count, rather than 0.
            assert "data-reliable" not in headline.attrs
            assert headline.find_all("div", "reliable") == []
    chart = dom.by_id("chart-history")
    assert chart is not None
    assert "cms reliable" in chart.text and "atlas reliable" not in chart.text
    assert "dashed, the CEs each check found reliable" in chart.text
    screenshot(page.as_uri(), "page-reliable")


def test_partial_answer_banner(tmp_path: Path) -> None:
    source = tmp_path / "cut.ldif"
    source.write_text(
        SAMPLE.read_text(encoding="utf-8")
        + "\n# search result\nsearch: 2\nresult: 4 Size limit exceeded\n",
        encoding="utf-8",
    )
    result = run_cli("page", "--bdii", source, "-o", tmp_path / "www")
    assert result.code == 3
    assert "partial answer" in result.err
    dom = parse((tmp_path / "www" / "index.html").read_text(encoding="utf-8"))
    banner = dom.by_id("partial")
    assert banner is not None and "Size limit exceeded" in banner.text
    allowed = run_cli("page", "--bdii", source, "-o", tmp_path / "www", "--allow-partial")
    assert allowed.code == 0, allowed.err


def test_output_folder_rules(tmp_path: Path) -> None:
    # DIR itself is made when its parent exists, never its parents.
    missing = run_cli("page", "--bdii", SAMPLE, "-o", tmp_path / "no" / "www")
    assert missing.code == 2
    assert f"folder {tmp_path / 'no'} does not exist" in missing.err
    assert not (tmp_path / "no").exists()
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert run_cli("page", "--bdii", SAMPLE, "-o", a_file).code == 2
    assert a_file.read_text() == "x"
    # An existing page is replaced, keeping its mode; no temporary file stays.
    www = tmp_path / "www"
    page = _page(SAMPLE, www)
    os.chmod(page, 0o640)
    _page(SAMPLE, www)
    assert stat.S_IMODE(page.stat().st_mode) == 0o640
    assert sorted(p.name for p in www.iterdir()) == ["index.html"]
    # A bad source writes nothing.
    broken = run_cli("page", "--bdii", tmp_path / "none.ldif", "-o", tmp_path / "w2")
    assert broken.code == 2 and not (tmp_path / "w2").exists()


def test_without_the_page_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes `import pygal` fail as if it were not installed.
    monkeypatch.setitem(sys.modules, "pygal", None)
    result = run_cli("page", "--bdii", SAMPLE, "-o", tmp_path)
    assert result.code == 2
    assert result.err == "cecap: error: cecap page needs pygal: pip install 'cecap[page]'\n"
    assert list(tmp_path.iterdir()) == []
    # The other commands do not need it.
    assert run_cli("report", "--bdii", SAMPLE).code == 0


def test_other_commands_do_not_import_the_page_libraries() -> None:
    import subprocess

    code = (
        "import sys; from cecap.cli import main\n"
        "try:\n    main(['report', '--bdii', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('jinja2', 'pygal') if m in sys.modules), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(SAMPLE)], capture_output=True, text=True, check=True
    )
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_the_audit_on_the_page_is_of_the_ces_serving_the_experiments(tmp_path: Path) -> None:
    # The same near miss on two queues; only the cms one serves an experiment's VO.
    ces = [
        CESpec("cmsq", ["cms"], capabilities=("glexec-enabled",)),
        CESpec("dteamq", ["dteam"], capabilities=("glexec-enabled",)),
    ]
    source = tmp_path / "bdii.ldif"
    source.write_text(bdii_ldif([simple_site("CERN-PROD", ces)]))
    audited = _json("audit", "--bdii", source)["rows"]
    near = [r["dn"] for r in audited if r["kind"] == "near-miss-capability"]
    assert len(near) == 2 and any("cmsq" in dn for dn in near)
    html = _page(source, tmp_path / "www").read_text()
    findings = html.split('id="audit"', 1)[1]
    # The page names no DN: the one near miss left is the cms queue's.
    assert findings.count("<td>near-miss-capability</td>") == 1
