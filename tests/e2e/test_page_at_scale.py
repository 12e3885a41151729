"""The readiness page of a 2,000-site top-level BDII (benchmarks/generate_bdii.py) in
headless Chromium: every verdict but not-advertised readable on a scale of its own and
not-advertised as a number, distinct run labels, every series of the history chart
visible, CE IDs that wrap only after a slash, a colon or a hyphen; its screenshot is in
test-artifacts/page-2000-sites.png. Also the headline's grammar and one "since" for every
card.

Each command runs in a process of its own: once a page has imported pygal in this one,
its import hook turns a later import into an ImportWarning, an error under pytest."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from helpers.browser import Element, parse, render, screenshot
from helpers.overlay import overlay_ldif
from helpers.paths import BENCHMARKS, SAMPLE
from helpers.process import run_process as run_cli


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(snapshot, history, page) of a generated 2,000-site BDII, three checks recorded."""
    tmp = tmp_path_factory.mktemp("page-2000")
    snapshot = tmp / "top-bdii.ldif"
    subprocess.run(
        [sys.executable, str(BENCHMARKS / "generate_bdii.py"), "--sites", "2000", "-o", snapshot],
        check=True,
        capture_output=True,
        timeout=300,
    )
    state = tmp / "history.sqlite"
    for _ in range(3):
        assert run_cli("check", "--bdii", snapshot, "--state", state).code in (0, 1, 2)
    www = tmp / "www"
    done = run_cli("page", "--bdii", snapshot, "--state", state, "-o", www)
    assert done.code == 0, done.err
    return snapshot, state, www / "index.html"


def counts(snapshot: Path) -> dict[str, Counter[str]]:
    done = run_cli("report", "--bdii", snapshot, "--all", "--format", "json")
    found: dict[str, Counter[str]] = {}
    for row in json.loads(done.out)["rows"]:
        found.setdefault(row["experiment"], Counter())[row["verdict"]] += 1
    return found


def svgs(dom: Element, figure: str) -> list[Element]:
    found = dom.by_id(figure)
    assert found is not None, figure
    return found.find_all("svg")


def texts(svg: Element, cls: str) -> list[str]:
    return [e.text.strip() for g in svg.find_all("g", cls) for e in g.find_all("text")]


def test_the_2000_site_page_reads_at_a_glance(big: tuple[Path, Path, Path]) -> None:
    snapshot, _, page = big
    shown = render(page.as_uri())
    assert shown.console == []
    dom = parse(shown.dom)
    expected = counts(snapshot)
    assert sum(c["not-advertised"] for c in expected.values()) > 5 * sum(
        c["ready"] for c in expected.values()
    ), "the shape this page is about: most CEs do not advertise"

    # One chart per verdict but not-advertised, each on a scale of its own: its highest
    # axis label at most twice its highest count, and its counts written on its bars.
    charts = svgs(dom, "chart-verdicts")
    titles = [texts(svg, "titles")[0] for svg in charts]
    drawn = [v for v in ("ready", "conditional", "no-stance", "mode-mismatch", "site-refuses",
                         "not-in-production") if any(c[v] for c in expected.values())]  # fmt: skip
    assert titles == drawn
    for verdict, svg in zip(titles, charts, strict=True):
        most = max(c[verdict] for c in expected.values())
        top = max(int(t) for t in texts(svg, "y") if t.isdigit())
        assert most <= top <= max(2 * most, 5), (verdict, most, top)
        written = [int(t) for t in texts(svg, "series") if t.isdigit()]
        assert sorted(written) == sorted(expected[e][verdict] for e in expected), verdict
    # not-advertised as a number per experiment, beside the charts.
    apart = dom.by_id("not-advertised")
    assert apart is not None
    told = {
        s.attrs["data-experiment"]: int(s.attrs["data-count"])
        for s in apart.find_all("span", "apart")
    }
    assert told == {e: c["not-advertised"] for e, c in expected.items()}

    # The history chart: one place and one distinct label per recorded run.
    (history,) = svgs(dom, "chart-history")
    labels = texts(history, "x")
    assert len(labels) == 3 and len(set(labels)) == 3, labels
    # Every series drawn, each narrower than those drawn before it, so that series with
    # the same counts show as nested lines.
    paths = [p for p in history.find_all("path") if p.has_class("reactive")]
    assert len(paths) == len(expected)
    style = "".join(e.text for e in history.find_all("style"))
    widths = [float(w) for w in re.findall(r"\.series\.serie-\d+\{stroke-width:([\d.]+)", style)]
    assert len(widths) == len(expected)
    assert widths == sorted(widths, reverse=True) and len(set(widths)) == len(widths)
    # ... and the page lets each line take its series' width.
    assert "#chart-history .series path.reactive { stroke-width: inherit; }" in shown.dom

    # CE IDs break only after a slash, a colon or a hyphen.
    cells = [td for td in dom.find_all("td", "id")]
    assert len(cells) == sum(sum(c.values()) for c in expected.values())
    for td in cells[:500]:
        pieces = [c for c in td.children if isinstance(c, str)]
        assert all(p[-1] in "/:-" for p in pieces[:-1]), pieces
        assert (
            len([c for c in td.children if not isinstance(c, str) and c.tag == "wbr"])
            == len(pieces) - 1
        )
    screenshot(page.as_uri(), "page-2000-sites")


def test_headlines_say_ce_for_one_and_count_from_one_run(tmp_path: Path) -> None:
    """A check records atlas and cms; then a CE that serves cms alone drains. Each card
    counts from the same run, whichever experiment changed."""
    state = tmp_path / "history.sqlite"
    assert run_cli("check", "--bdii", SAMPLE, "--state", state).code in (0, 1, 2)
    drained = overlay_ldif(
        SAMPLE,
        tmp_path / "drained.ldif",
        states={"ce.cism.ucl.ac.be:8443/cream-pbs-cms": "Draining"},
    )
    www = tmp_path / "www"
    assert run_cli("page", "--bdii", drained, "--state", state, "-o", www).code == 0
    dom = parse(render((www / "index.html").as_uri()).dom)
    changes = {
        e: dom.by_id(f"headline-{e}").find_all("div", "change")[0].text  # type: ignore[union-attr]
        for e in ("atlas", "cms", "lhcb", "alice")
    }
    assert all(text.startswith("+0 ready since run 1 (") for text in changes.values()), changes
    # One CE serving: "CE", not "CEs".
    serving = {e: int(dom.by_id(f"headline-{e}").attrs["data-serving"]) for e in changes}  # type: ignore[union-attr]
    for e, n in serving.items():
        line = dom.by_id(f"headline-{e}").find_all("div")[0].text  # type: ignore[union-attr]
        assert line.endswith(f"of {n} CE" if n == 1 else f"of {n} CEs"), line
    assert 1 in serving.values(), serving
