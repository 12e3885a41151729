"""A check of some sites only (--site, as one Nagios service per site runs it) judges the
reliability of its own CEs: a CE of another site that stopped being reliable is that
site's news, never this check's."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from helpers.cli import run_cli

from e2e.test_reliable import METRIC, MIT, NEB, advertised, csv_file, hours_ago

__all__ = ["advertised"]  # the fixture, used by name below


def test_a_site_check_judges_only_its_own_ces(advertised: Path, tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    now = datetime.now(UTC)
    good = [
        (hours_ago(now, 2 + 5 * i), ce, "cms", METRIC, "OK", "")
        for i in range(30)
        for ce in (MIT, NEB)
    ]
    assert (
        run_cli("results", "import", "--state", db, csv_file(tmp_path / "ok.csv", good)).code == 0
    )
    code, out, _ = run_cli("check", "--bdii", advertised, "--state", db, "-e", "cms")
    assert code == 0, out
    assert " cms_reliable=2;;;0" in out.splitlines()[0]

    # MIT fails from now on; Nebraska's own service runs next.
    failing = [(hours_ago(now, h), MIT, "cms", METRIC, "CRITICAL", "") for h in (1.5, 1, 0.5)]
    assert (
        run_cli("results", "import", "--state", db, csv_file(tmp_path / "bad.csv", failing)).code
        == 0
    )
    args = ("check", "--bdii", advertised, "--state", db, "-e", "cms")
    code, out, _ = run_cli(*args, "--site", "Nebraska")
    assert code == 0, out
    assert "no longer reliable" not in out
    assert " cms_reliable=1;;;0" in out.splitlines()[0]
    # MIT's own service says it.
    code, out, _ = run_cli(*args, "--site", "MIT_CMS")
    assert code == 1, out
    assert f"1 no longer reliable: {MIT}" in out.splitlines()[0]
