"""check's per-experiment Nagios ranges through the CLI: -w EXP=RANGE beside -w RANGE."""

# The sample has 3 ready atlas CEs of 8, 1 ready cms CE of 7, 3 lhcb of 5 and 1 alice
# of 1; the real OSG 2008 snapshot has no CE serving VO alice at all.

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.paths import SAMPLE

ZERO_REST = (
    "{e}_conditional={c};;;0 {e}_no_stance={ns};;;0 {e}_mode_mismatch={mm};;;0"
    " {e}_site_refuses={sr};;;0 {e}_not_in_production={nip};;;0 {e}_not_advertised={na};;;0"
    " {e}_reliable=0;;;0"
)
SAMPLE_REST = {
    "atlas": ZERO_REST.format(e="atlas", c=1, ns=1, mm=1, sr=0, nip=1, na=1),
    "cms": ZERO_REST.format(e="cms", c=2, ns=0, mm=1, sr=1, nip=1, na=2),
    "lhcb": ZERO_REST.format(e="lhcb", c=1, ns=0, mm=0, sr=0, nip=0, na=1),
    "alice": ZERO_REST.format(e="alice", c=0, ns=0, mm=0, sr=0, nip=0, na=0),
}
READY = {"atlas": 3, "cms": 1, "lhcb": 3, "alice": 1}


def perfdata(ranges: dict[str, str]) -> str:
    """The sample's perfdata, each experiment's ready count with its ``;warn;crit``."""
    return " ".join(f"{e}_ready={READY[e]}{ranges.get(e, ';;')};0 {SAMPLE_REST[e]}" for e in READY)


def runs(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM runs").fetchone()[0])


def test_the_operators_example(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    code, out, err = run_cli(
        "check", "--bdii", SAMPLE, "--state", db,
        "-w", "atlas=20:", "-w", "cms=10:", "-c", "atlas=10:",
    )  # fmt: skip
    assert (code, err) == (2, "")
    assert out.splitlines() == [
        "CECAP CRITICAL - atlas: 3 ready (critical: outside 10:). cms: 1 ready (warning:"
        " outside 10:) | " + perfdata({"atlas": ";20:;10:", "cms": ";10:;"}),
        "atlas CRITICAL: 3 ready of 8 CEs serving VO atlas (first recorded run)",
        "cms WARNING: 1 ready of 8 CEs serving VO cms (first recorded run)",
        "lhcb OK: 3 ready of 5 CEs serving VO lhcb (first recorded run)",
        "alice OK: 1 ready of 1 CE serving VO alice (first recorded run)",
    ]


def test_a_plain_range_applies_to_every_experiment_without_its_own(tmp_path: Path) -> None:
    code, out, _ = run_cli(
        "check", "--bdii", SAMPLE, "--state", tmp_path / "h.sqlite",
        "-w", "2:", "-w", "ATLAS=~:5", "-c", "1:", "-c", "lhcb=@3",
    )  # fmt: skip
    assert code == 2
    assert out.splitlines()[0] == (
        "CECAP CRITICAL - lhcb: 3 ready (critical: inside 3). cms: 1 ready (warning: outside"
        " 2:). alice: 1 ready (warning: outside 2:) | "
        + perfdata({"atlas": ";~:5;1:", "cms": ";2:;1:", "lhcb": ";2:;@3", "alice": ";2:;1:"})
    )


def test_a_range_for_an_experiment_not_checked_is_unused(tmp_path: Path) -> None:
    # One Nagios command line for the services of every experiment: -e picks one.
    code, out, _ = run_cli(
        "check", "--bdii", SAMPLE, "--state", tmp_path / "h.sqlite", "-e", "atlas",
        "-w", "atlas=3:", "-w", "cms=10:", "-c", "cms=5:",
    )  # fmt: skip
    assert code == 0
    assert out.splitlines() == [
        f"CECAP OK - ready CEs: atlas 3 | atlas_ready=3;3:;;0 {SAMPLE_REST['atlas']}",
        "atlas OK: 3 ready of 8 CEs serving VO atlas (first recorded run)",
    ]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["-w", "atlas=20:", "-c", "babar=1:"],
            "CECAP UNKNOWN - --critical 'babar=1:': unknown experiment 'babar'; configured:"
            " atlas, cms, lhcb, alice",
        ),
        (
            ["-w", "atlas=20:", "-w", "atlas=10:"],
            "CECAP UNKNOWN - --warning is given twice for atlas ('atlas=20:' and"
            " 'atlas=10:'); give one",
        ),
        (
            ["-w", "20:", "-w", "10:"],
            "CECAP UNKNOWN - --warning is given twice for every experiment ('20:' and '10:');"
            " give one",
        ),
        (
            ["-c", "cms=ten"],
            "CECAP UNKNOWN - Invalid value for '--critical' / '-c': cms: 'ten' is not a Nagios"
            " range (forms: 10, 10:, ~:10, 10:20, @10:20)",
        ),
        (
            ["-w", "=20:"],
            "CECAP UNKNOWN - Invalid value for '--warning' / '-w': '=20:': name the experiment"
            " before '=', e.g. atlas=20:",
        ),
    ],
)
def test_bad_ranges_are_unknown_and_nothing_is_recorded(
    args: list[str], line: str, tmp_path: Path
) -> None:
    db = tmp_path / "h.sqlite"
    code, out, err = run_cli("check", "--bdii", SAMPLE, "--state", db, *args)
    # A usage error of a Nagios plugin is UNKNOWN (3), as for every check failure.
    assert (code, out, err) == (3, line + "\n", "")
    assert not db.exists()


def test_no_ce_serving_the_vo_is_said_and_its_ranges_apply(
    osg_snapshot: Path, tmp_path: Path
) -> None:
    db = tmp_path / "h.sqlite"
    for n in range(2):
        code, out, err = run_cli(
            "check", "--bdii", osg_snapshot, "--state", db, "-e", "alice", "-e", "lhcb",
            "-c", "alice=1:", "-w", "lhcb=0",
        )  # fmt: skip
        assert (code, err) == (2, "")
        compared = "first recorded run" if n == 0 else "0 ready at the previous run"
        # In the order of -e.
        assert out.splitlines() == [
            "CECAP CRITICAL - alice: no CE serves VO alice (critical: outside 1:) |"
            " alice_ready=0;;1:;0 "
            + ZERO_REST.format(e="alice", c=0, ns=0, mm=0, sr=0, nip=0, na=0)
            + " lhcb_ready=0;0;;0 "
            + ZERO_REST.format(e="lhcb", c=0, ns=0, mm=0, sr=0, nip=0, na=1),
            f"alice CRITICAL: no CE serves VO alice ({compared})",
            "lhcb OK: 0 ready of 1 CE serving VO lhcb ("
            + ("first recorded run" if n == 0 else "0 at the previous run")
            + ")",
        ]
    assert runs(db) == 2
