"""Trust at the edges: a full disk and a read-only state folder (real mounts, as root)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.paths import SAMPLE


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here ({done.stderr.strip() or 'not root'}): needs root")


@pytest.fixture
def read_only_copy(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(writable folder, the same folder mounted read-only)."""
    if os.geteuid() != 0:
        pytest.skip("a read-only bind mount needs root")
    src, ro = tmp_path / "src", tmp_path / "ro"
    src.mkdir()
    ro.mkdir()
    _mount("--bind", str(src), str(ro))
    try:
        _mount("-o", "remount,ro,bind", str(ro))
        yield src, ro
    finally:
        subprocess.run(["umount", str(ro)], check=False)


def test_read_only_state_folder_reads_and_refuses_to_write_clearly(
    read_only_copy: tuple[Path, Path],
) -> None:
    src, ro = read_only_copy
    assert run_cli("report", "--bdii", SAMPLE, "--record", "--state", src / "h.sqlite")[0] == 0
    # A plain report reads the history (stable_runs) without writing anything.
    code, out, err = run_cli(
        "report", "--bdii", SAMPLE, "--format", "json", "--state", ro / "h.sqlite"
    )
    assert (code, err) == (0, "")
    assert {r["stable_runs"] for r in json.loads(out)["rows"]} == {1}
    code, out, err = run_cli("history", "--state", ro / "h.sqlite")
    assert code == 0 and "first recorded" in out
    # Recording there is refused with what is wrong, and no advice to move the file aside.
    code, _, err = run_cli("report", "--bdii", SAMPLE, "--record", "--state", ro / "h.sqlite")
    assert code == 2
    assert "may not write" in err or "Read-only file system" in err
    assert "move it aside" not in err and "internal error" not in err
    code, out, _ = run_cli("check", "--bdii", SAMPLE, "--state", ro / "h.sqlite")
    assert code == 3 and out.startswith("CECAP UNKNOWN - ")
    assert "move it aside" not in out


def test_full_disk_is_said_as_such(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("a small tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    _mount("-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk))
    try:
        fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:
            pass
        finally:
            os.close(fd)
        for command in (["report", "--bdii", SAMPLE, "--record"], ["check", "--bdii", SAMPLE]):
            code, out, err = run_cli(*command, "--state", disk / "h.sqlite")
            said = out + err
            assert code == (3 if command[0] == "check" else 2), said
            assert "internal error" not in said
            assert "move it aside" not in said
            assert "disk is full" in said or "No space left" in said, said
    finally:
        subprocess.run(["umount", str(disk)], check=False)
