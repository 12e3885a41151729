"""`cecap snapshot -o` end to end on the sample: it writes what was named, how it was named,
and replaces or creates nothing else."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import threading
from pathlib import Path

import pytest

from cecap.cli import main
from cecap.sources.ldif import LdifReader

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sample-bdii.ldif"
SUMMARY = f": 72 entries (12 CEs) from {SAMPLE}\n"


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str | Path
) -> tuple[int, str, str]:
    """``cecap snapshot --bdii SAMPLE -v ARGS`` in this process: exit code, stdout, stderr."""
    for name in list(os.environ):
        if name.startswith(("CECAP_", "LCG_GFAL")):
            monkeypatch.delenv(name)
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main(["snapshot", "--bdii", str(SAMPLE), "-v", *map(str, args)])
    out, err = capsys.readouterr()
    code = done.value.code
    assert isinstance(code, int)
    return code, out, err


def dns(path: Path) -> list[str]:
    return [entry.dn for entry in LdifReader(path).entries()]


def without_stamp(text: str) -> list[str]:
    """The LDIF less its header line naming the source and the time."""
    return [line for line in text.splitlines() if not line.startswith("# cecap snapshot of")]


def test_snapshot_output_replaces_a_file_and_writes_through_a_symlink(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "snaps" / "sample.ldif"
    real.parent.mkdir()
    real.write_text("yesterday's snapshot\n")
    real.chmod(0o640)
    inode = real.stat().st_ino
    link = tmp_path / "latest.ldif"
    link.symlink_to(Path("snaps") / "sample.ldif")

    code, out, err = run(capsys, monkeypatch, "-o", link)
    assert (code, out, err) == (0, f"wrote {link}{SUMMARY}", "")
    assert link.is_symlink() and os.readlink(link) == os.path.join("snaps", "sample.ldif")
    assert real.stat().st_ino != inode and stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(os.listdir(real.parent)) == ["sample.ldif"]
    assert sorted(dns(link)) == sorted(dns(SAMPLE))  # read back through the link


def test_snapshot_output_dash_is_only_ldif_on_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, monkeypatch, "-o", "-")
    assert code == 0
    assert err == f"wrote stdout{SUMMARY}"  # the summary moves to stderr
    assert out.startswith("version: 1\n") and out.endswith("# numEntries: 72\n")
    assert os.listdir(tmp_path) == []

    # The same LDIF a file gets, uncompressed even when a .gz file would be gzip.
    assert run(capsys, monkeypatch, "-o", tmp_path / "file.ldif")[0] == 0
    assert without_stamp(out) == without_stamp((tmp_path / "file.ldif").read_text())

    # ./- is a file called -, not stdout.
    code, out, err = run(capsys, monkeypatch, "-o", "./-")
    assert (code, out, err) == (0, f"wrote {tmp_path / '-'}{SUMMARY}", "")
    assert (tmp_path / "-").read_text().startswith("version: 1\n")


def test_snapshot_output_fifo_and_device_are_written_in_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = tmp_path / "pipe.ldif"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as pipe:
            got.append(pipe.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    code, out, err = run(capsys, monkeypatch, "-o", fifo)
    # Should cecap have failed before opening the FIFO, the reader would wait forever.
    with contextlib.suppress(OSError):  # ENXIO: the reader is gone already
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    reader.join(timeout=10)
    assert (code, out, err) == (0, f"wrote {fifo}{SUMMARY}", "")
    assert got[0].decode().endswith("# numEntries: 72\n")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)

    if os.geteuid() != 0:
        pytest.skip("making a device node like /dev/null with os.mknod needs root")
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError as exc:
        pytest.skip(f"os.mknod refused here (no CAP_MKNOD in this container?): {exc}")
    before = os.lstat(null)
    code, out, err = run(capsys, monkeypatch, "-o", null)
    assert (code, out, err) == (0, f"wrote {null}{SUMMARY}", "")
    after = os.lstat(null)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == os.makedev(1, 3)
    assert after.st_ino == before.st_ino
    assert sorted(os.listdir(tmp_path)) == ["null", "pipe.ldif"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        ("folder", r"cannot write .*/snaps: it is a directory; name a file, a device, a FIFO or -"),
        ("missing", r"cannot write .*/nowhere/snap\.ldif: folder .*/nowhere does not exist"),
    ],
)
def test_snapshot_output_refuses_a_directory_and_a_missing_folder(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    make: str,
    message: str,
) -> None:
    if make == "folder":
        target = tmp_path / "snaps"
        target.mkdir()
    else:
        target = tmp_path / "nowhere" / "snap.ldif"
    code, out, err = run(capsys, monkeypatch, "-o", target)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("cecap: error: ")
    assert re.fullmatch(f"cecap: error: {message}\n", err)
    expected = ["snaps"] if make == "folder" else []
    assert sorted(os.listdir(tmp_path)) == expected  # nothing made, nothing replaced


@pytest.mark.parametrize("target", ["file.ldif", "file.ldif.gz", "-"])
def test_snapshot_says_nothing_when_it_succeeds_without_verbose(
    target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cron job mails whatever a command prints: a snapshot that worked prints nothing but
    the LDIF asked for on stdout."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("CECAP_", "LCG_GFAL")):
            monkeypatch.delenv(name)
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main(["snapshot", "--bdii", str(SAMPLE), "-o", target])
    out, err = capsys.readouterr()
    assert done.value.code == 0
    assert err == ""
    if target == "-":
        assert out.startswith("version: 1\n")
    else:
        assert out == ""
        assert sorted(dns(tmp_path / target)) == sorted(dns(SAMPLE))
