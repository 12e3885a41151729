"""The terminal table's layout: identifier and verdict on the row's line, what does not fit
in the row's note, the header optional."""

from __future__ import annotations

import dataclasses

from cecap.formats import render
from cecap.rows.table import Column, Table

CE = "ce.example.org:8443/cream-pbs-long"  # 34 characters
SITE = "SITE-WITH-A-LONG-NAME"  # 21


def table(width: int) -> Table:
    fields = ("exp", "site", "ce", "verdict", "mode", "reason")
    values = ("atlas", SITE, CE, "ready", "setuid", "why")
    rows = [dict(zip(fields, values, strict=True))]
    return Table(
        kind="test",
        fields=fields,
        rows=rows,
        compact=(
            Column("exp", "exp", spill=2),
            Column("site", "site", spill=3),
            Column("ce", "ce"),
            Column("verdict", "verdict"),
            Column("mode", "mode", spill=1),
        ),
        note_fields=("reason",),
        width=width,
    )


def test_everything_on_one_line_when_it_fits() -> None:
    out = render("table", table(84)).splitlines()
    assert out[0].split() == ["#", "exp", "site", "ce", "verdict", "mode"]
    assert out[2] == f"1  atlas  {SITE}  {CE}  ready    setuid"
    assert out[3:] == ["", "  1. why"]
    assert max(map(len, out)) == 84


def test_lowest_spill_leaves_first_and_room_left_takes_one_back() -> None:
    # 60: mode, exp and site must leave before the row fits (46 characters); exp (7) then
    # fits back in what is left, site (23) and mode (8) do not.
    out = render("table", table(60)).splitlines()
    assert out[0].split() == ["#", "exp", "ce", "verdict"]
    assert out[2] == f"1  atlas  {CE}  ready"
    assert out[4:] == [f"  1. site: {SITE}  mode: setuid", "     why"]
    assert max(map(len, out)) <= 60


def test_the_identifier_wraps_only_when_the_staying_columns_do_not_fit() -> None:
    # 33: the CE gets 33 - len("#  ") - len("  verdict") = 21, and breaks after the port.
    out = render("table", table(33)).splitlines()
    assert out[0].split() == ["#", "ce", "verdict"]
    assert out[2:4] == ["1  " + "ce.example.org:8443/".ljust(21) + "  ready", "   cream-pbs-long"]
    assert max(map(len, out)) <= 33


def test_no_header_drops_header_and_dashes() -> None:
    out = render("table", dataclasses.replace(table(84), header=False)).splitlines()
    # Without headers, columns are as wide as their values.
    assert out[0] == f"1  atlas  {SITE}  {CE}  ready  setuid"


def test_fields_spill_only_the_last_named() -> None:
    # --fields ce,site,mode,verdict,exp at 55: ce (34) stays; site (21) does not fit beside
    # it, so neither does anything named after it, though mode, verdict and exp would fit in
    # the room site leaves: the columns on the line are always the first ones named.
    chosen = table(55).choose(["ce", "site", "mode", "verdict", "exp"])
    out = render("table", chosen).splitlines()
    assert out[0].split() == ["#", "ce"]
    assert out[2] == f"1  {CE}"
    assert out[4:] == [f"  1. site: {SITE}  mode: setuid", "     verdict: ready  exp: atlas"]
    # Where site fits, the next ones named come back in order, as far as they fit.
    out = render("table", dataclasses.replace(chosen, width=70)).splitlines()
    assert out[0].split() == ["#", "ce", "site", "mode"]
    assert out[4:] == ["  1. verdict: ready  exp: atlas"]
