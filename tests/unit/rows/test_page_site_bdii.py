"""How the readiness page says what a site's own BDII answered (page --site-bdiis)."""

from __future__ import annotations

import pytest

from cecap.rows.page import SiteBdiiSaid, site_bdii_said


def row(**kw: object) -> dict[str, object]:
    return {"reachable": True, "why": None, "updated": "2026-12-06T17:00:00Z", "freshness": 0, **kw}


@pytest.mark.parametrize(
    ("freshness", "age"),
    [
        (0, "0 s"),
        (119, "119 s"),
        (120, "2 min"),
        (7199, "119 min"),
        (7200, "2 h 0 min"),
        (3 * 3600 + 61, "3 h 1 min"),
        (2 * 86400 - 1, "47 h 59 min"),
        (2 * 86400, "2 days"),
        (30 * 86400 + 5, "30 days"),
    ],
)
def test_its_freshness(freshness: int, age: str) -> None:
    assert site_bdii_said(row(freshness=freshness)) == SiteBdiiSaid(
        f"Its site BDII answered; last updated 2026-12-06T17:00:00Z ({age} before this page).",
        True,
    )


def test_no_answer_and_no_update_time() -> None:
    assert site_bdii_said(row(reachable=False, why="timeout", updated=None)) == SiteBdiiSaid(
        "Its site BDII did not answer (timeout).", False
    )
    assert site_bdii_said(row(updated=None, freshness=None)) == SiteBdiiSaid(
        "Its site BDII answered; it publishes no update time.", True
    )
