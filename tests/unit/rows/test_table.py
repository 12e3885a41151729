"""Table: its key, and --fields narrowing it."""

from __future__ import annotations

import pytest

from cecap.rows.table import Column, Table

FIELDS = ("site", "ce", "verdict", "mode", "reason")


def table() -> Table:
    return Table(
        kind="test",
        fields=FIELDS,
        rows=[dict(zip(FIELDS, ("S", "ce1", "ready", "setuid", "why"), strict=True))],
        compact=(
            Column("site", "site", spill=2),
            Column("ce", "ce"),
            Column("verdict", "verdict"),
            Column("mode", "mode", spill=1),
        ),
        note_fields=("reason",),
        key=("ce",),
    )


def test_choose_orders_fields_columns_and_key() -> None:
    chosen = table().choose(["verdict", "reason", "ce", "site"])
    assert chosen.fields == ("verdict", "reason", "ce", "site")
    assert chosen.key == chosen.fields
    # Columns follow the chosen order; the first stays, the others spill from the last
    # chosen, a column that stays in the command's own layout (ce) too; a note field
    # stays a note.
    assert chosen.compact == (
        Column("verdict", "verdict"),
        Column("ce", "ce", spill=2),
        Column("site", "site", spill=1),
    )
    assert chosen.note_fields == ("reason",)
    assert chosen.named and not table().named


def test_chosen_fields_spill_from_the_last_chosen() -> None:
    base = Table(
        "test",
        ("a", "b", "c", "d"),
        [],
        (Column("a", "a"), Column("b", "B", spill=3), Column("d", "D", spill=1)),
    )
    # The first chosen stays, whatever its own spill; one that stays in the command's own
    # layout spills when chosen after it.
    assert base.choose(["c", "a"]).compact == (Column("c", "c"), Column("a", "a", spill=1))
    # The others spill last chosen first, whatever their own order.
    assert base.choose(["a", "b", "d", "c"]).compact == (
        Column("a", "a"),
        Column("b", "B", spill=3),
        Column("d", "D", spill=2),
        Column("c", "c", spill=1),
    )


def test_only_long_fields_chosen_become_the_columns() -> None:
    chosen = table().choose(["reason"])
    assert (chosen.compact, chosen.note_fields) == ((Column("reason", "reason"),), ())


def test_key_defaults_to_the_first_field() -> None:
    assert Table("test", ("a", "b"), [], ()).key_fields == ("a",)
    assert table().key_fields == ("ce",)


def test_a_key_or_column_outside_the_fields_is_a_bug() -> None:
    with pytest.raises(ValueError, match="not among the fields"):
        Table("test", ("a",), [], (Column("b", "b"),))
    with pytest.raises(ValueError, match="not among the fields"):
        Table("test", ("a",), [], (), key=("z",))
