"""How long the terminal table takes to lay out a row with one huge value, at 1 MB and
10 MB: linear layout takes about ten times as long for ten times the value, a quadratic one
a hundred times. Prints the times and their ratio; asserts nothing.

    .venv/bin/python benchmarks/table_layout.py [--sizes 1,10]
"""

from __future__ import annotations

import argparse
import time

from cecap.formats.table import render_table
from cecap.rows.table import Column, Lines, Table


def table(size: int) -> Table:
    """An audit-factory-like table: an entry whose name is ``size`` bytes (no break in it,
    the worst case for wrapping), and a message and an LDIF value of that size in notes."""
    name = "x" * size
    rows = [
        {
            "entry": name,
            "kind": "entry-not-in-bdii",
            "ce": "ce01.example.org:2119/jobmanager-condor",
            "message": ("word " * (size // 5)).strip(),
            "fix": Lines(f"dn: GlueCEUniqueID={name},o=grid\nchangetype: modify"),
        }
    ]
    return Table(
        kind="layout",
        fields=("entry", "kind", "ce", "message", "fix"),
        rows=rows,
        compact=(Column("entry", "entry"), Column("kind", "kind"), Column("ce", "ce", spill=1)),
        note_fields=("message", "fix"),
        width=80,
    )


def seconds(size: int) -> float:
    laid = table(size)
    began = time.perf_counter()
    render_table(laid)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10", help="value sizes in MB, comma-separated")
    sizes = [int(float(s) * 1_000_000) for s in parser.parse_args().sizes.split(",")]
    times = [seconds(size) for size in sizes]
    for size, took in zip(sizes, times, strict=True):
        print(f"{size / 1e6:g} MB value: {took:.3f} s")
    for n in range(1, len(sizes)):
        grown, took = sizes[n] / sizes[n - 1], times[n] / times[n - 1]
        print(f"{grown:g}x the value: {took:.1f}x the time (linear: {grown:g}x)")


if __name__ == "__main__":
    main()
