"""Writing the file --output names: atomic replace for files, direct writes for devices,
FIFOs and stdout, and nothing else replaced or created (cecap often runs as root)."""

from __future__ import annotations

import contextlib
import errno
import gzip
import os
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from cecap.errors import InputError
from cecap.formats.output import output_target, temp_pattern, write_atomically

LDIF = ["version: 1\n\n", "dn: o=grid\nobjectClass: organization\no: grid\n\n"]
TEXT = "".join(LDIF)


def listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def temps(folder: Path, name: str) -> list[str]:
    return [n for n in os.listdir(folder) if temp_pattern(name).fullmatch(n)]


def mknod(path: Path, kind: int, major: int, minor: int) -> None:
    """A device node in a temporary folder, or skip: only root (with CAP_MKNOD) makes one."""
    if os.geteuid() != 0:
        pytest.skip("making a device node with os.mknod needs root")
    try:
        os.mknod(path, kind | 0o666, os.makedev(major, minor))
    except PermissionError as exc:
        pytest.skip(f"os.mknod refused here (no CAP_MKNOD in this container?): {exc}")
    os.chmod(path, 0o666)  # the umask applies to mknod too


# --- regular files: replaced atomically ---


def test_snapshot_output_replaces_a_regular_file_atomically(tmp_path: Path) -> None:
    out = tmp_path / "snap.ldif"
    out.write_text("old snapshot\n")
    before = out.stat().st_ino
    assert output_target(out).kind == "replace"
    write_atomically(out, LDIF)
    assert out.read_text() == TEXT
    assert out.stat().st_ino != before  # a new file renamed over the old one
    assert listing(tmp_path) == ["snap.ldif"]


def test_snapshot_output_keeps_the_original_until_the_rename(tmp_path: Path) -> None:
    out = tmp_path / "snap.ldif"
    out.write_text("old snapshot\n")
    seen: list[list[str]] = []

    def failing() -> Iterator[str]:
        yield LDIF[0]
        # Mid-write: the original is untouched and the bytes go to a temporary beside it.
        assert out.read_text() == "old snapshot\n"
        seen.append(temps(tmp_path, "snap.ldif"))
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(InputError, match=r"cannot write .*snap\.ldif: No space left on device"):
        write_atomically(out, failing())
    assert len(seen) == 1 and len(seen[0]) == 1
    assert out.read_text() == "old snapshot\n"
    assert listing(tmp_path) == ["snap.ldif"]  # the temporary file is gone


def test_snapshot_output_removes_its_temporary_file_on_interrupt(tmp_path: Path) -> None:
    out = tmp_path / "snap.ldif"
    out.write_text("old snapshot\n")

    def interrupted() -> Iterator[str]:
        yield LDIF[0]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(out, interrupted())
    assert out.read_text() == "old snapshot\n"
    assert listing(tmp_path) == ["snap.ldif"]


def test_snapshot_output_gzips_a_file_named_gz(tmp_path: Path) -> None:
    out = tmp_path / "snap.ldif.gz"
    write_atomically(out, LDIF)
    assert gzip.decompress(out.read_bytes()).decode() == TEXT


def test_snapshot_output_keeps_the_mode_of_the_replaced_file(tmp_path: Path) -> None:
    out = tmp_path / "snap.ldif"
    out.write_text("old snapshot\n")
    out.chmod(0o604)
    old = os.umask(0o077)  # the umask must not decide for an existing file
    try:
        write_atomically(out, LDIF)
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o604


@pytest.mark.parametrize(("umask", "mode"), [(0o027, 0o640), (0o002, 0o664)])
def test_snapshot_output_gives_a_new_file_0666_less_the_umask(
    tmp_path: Path, umask: int, mode: int
) -> None:
    old = os.umask(umask)
    try:
        write_atomically(tmp_path / "snap.ldif", LDIF)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "snap.ldif").stat().st_mode) == mode


def test_snapshot_output_keeps_the_owner_when_root(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another user")
    out = tmp_path / "snap.ldif"
    out.write_text("old snapshot\n")
    os.chown(out, 12345, 23456)
    write_atomically(out, LDIF)
    assert (out.stat().st_uid, out.stat().st_gid) == (12345, 23456)
    assert out.read_text() == TEXT


def test_snapshot_output_cleans_temporary_files_a_killed_run_left(tmp_path: Path) -> None:
    out = tmp_path / "snap.ldif"
    out.write_text("old snapshot\n")
    stale = [".snap.ldif.0123abcd.tmp", ".snap.ldif.ffffffff.tmp"]
    kept = [
        ".snap.ldif.0123ABCD.tmp",  # not the pattern the code writes
        ".snap.ldif.0123abc.tmp",
        ".snap.ldif.0123abcd.tmp.bak",
        "snap.ldif.0123abcd.tmp",
        ".other.ldif.0123abcd.tmp",  # another target's
        ".snap.ldif.gz.0123abcd.tmp",
    ]
    for name in stale + kept:
        (tmp_path / name).write_text("half a snapshot\n")
    (tmp_path / ".snap.ldif.aaaaaaaa.tmp").mkdir()  # not a file: left alone
    (tmp_path / ".snap.ldif.bbbbbbbb.tmp").symlink_to(tmp_path / "snap.ldif")
    write_atomically(out, LDIF)
    assert listing(tmp_path) == sorted(
        [*kept, "snap.ldif", ".snap.ldif.aaaaaaaa.tmp", ".snap.ldif.bbbbbbbb.tmp"]
    )
    assert out.read_text() == TEXT


# --- symlinks: the file they name is written, the link kept ---


def test_snapshot_output_writes_the_target_of_a_symlink(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "links").mkdir()
    (tmp_path / "data").mkdir()
    real = tmp_path / "data" / "snap.ldif"
    real.write_text("old snapshot\n")
    link = tmp_path / "links" / "latest.ldif"
    link.symlink_to(Path("..") / "data" / "snap.ldif")
    renamed: list[tuple[str, str]] = []
    replace = os.replace

    def spy(src: str | Path, dst: str | Path) -> None:
        renamed.append((str(src), str(dst)))
        replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    write_atomically(link, LDIF)
    assert link.is_symlink()
    assert os.readlink(link) == os.path.join("..", "data", "snap.ldif")
    assert real.read_text() == TEXT
    # The temporary file went beside the real target, so the rename stays in one folder.
    [(src, dst)] = renamed
    assert Path(src).parent == real.parent and dst == str(real)
    assert listing(tmp_path / "links") == ["latest.ldif"]
    assert listing(tmp_path / "data") == ["snap.ldif"]


def test_snapshot_output_keeps_the_mode_of_a_symlinked_file(tmp_path: Path) -> None:
    real = tmp_path / "snap.ldif"
    real.write_text("old snapshot\n")
    real.chmod(0o600)
    link = tmp_path / "latest.ldif"
    link.symlink_to(real)
    write_atomically(link, LDIF)
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert link.is_symlink() and real.read_text() == TEXT


def test_snapshot_output_writes_the_missing_file_a_symlink_names(tmp_path: Path) -> None:
    link = tmp_path / "latest.ldif"
    link.symlink_to("snap.ldif")  # dangling, in a folder that exists
    write_atomically(link, LDIF)
    assert link.is_symlink() and os.readlink(link) == "snap.ldif"
    assert (tmp_path / "snap.ldif").read_text() == TEXT
    assert listing(tmp_path) == ["latest.ldif", "snap.ldif"]


def test_snapshot_output_refuses_a_symlink_into_a_missing_folder(tmp_path: Path) -> None:
    link = tmp_path / "latest.ldif"
    link.symlink_to(tmp_path / "gone" / "snap.ldif")
    with pytest.raises(
        InputError,
        match=r"latest\.ldif \(resolves to .*gone/snap\.ldif\): folder .*gone does not exist",
    ):
        write_atomically(link, LDIF)
    assert listing(tmp_path) == ["latest.ldif"]  # no folder made


def test_snapshot_output_refuses_a_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(InputError, match="symlink loop"):
        write_atomically(tmp_path / "a", LDIF)
    assert listing(tmp_path) == ["a", "b"]


# --- what is refused ---


def test_snapshot_output_refuses_a_directory(tmp_path: Path) -> None:
    folder = tmp_path / "snaps"
    folder.mkdir()
    with pytest.raises(InputError, match=r"cannot write .*snaps: it is a directory") as caught:
        write_atomically(folder, LDIF)
    assert "\n" not in str(caught.value)
    assert listing(folder) == [] and listing(tmp_path) == ["snaps"]


def test_snapshot_output_refuses_a_symlink_to_a_directory(tmp_path: Path) -> None:
    (tmp_path / "snaps").mkdir()
    (tmp_path / "latest").symlink_to("snaps")
    with pytest.raises(InputError, match="it is a directory"):
        write_atomically(tmp_path / "latest", LDIF)
    assert (tmp_path / "latest").is_symlink() and listing(tmp_path / "snaps") == []


def test_snapshot_output_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"folder .*nowhere does not exist"):
        write_atomically(tmp_path / "nowhere" / "snap.ldif", LDIF)
    assert listing(tmp_path) == []  # never creates folders


def test_snapshot_output_refuses_a_path_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x\n")
    with pytest.raises(InputError, match="cannot write"):
        write_atomically(tmp_path / "plain" / "snap.ldif", LDIF)
    assert (tmp_path / "plain").read_text() == "x\n"


def test_snapshot_output_refuses_a_socket(tmp_path: Path) -> None:
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(InputError, match="it is a socket"):
            write_atomically(path, LDIF)
        assert stat.S_ISSOCK(os.lstat(path).st_mode)


# --- written directly: stdout, FIFOs, devices ---


def test_snapshot_output_dash_is_plain_ldif_on_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert output_target("-").kind == "stdout"
    write_atomically("-", LDIF)
    assert capsys.readouterr().out == TEXT
    write_atomically(Path("-"), LDIF)
    assert capsys.readouterr().out == TEXT
    assert listing(tmp_path) == []  # no file called -


def test_snapshot_output_a_file_called_dash_needs_a_folder(tmp_path: Path) -> None:
    write_atomically(tmp_path / "-", LDIF)
    assert (tmp_path / "-").read_text() == TEXT


def read_fifo(path: Path, into: list[bytes]) -> threading.Thread:
    def read() -> None:
        with open(path, "rb") as fifo:
            into.append(fifo.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def release(path: Path, reader: threading.Thread) -> None:
    """Let the reader finish: had the write never opened the FIFO, it would wait forever."""
    with contextlib.suppress(OSError):  # ENXIO: the reader is gone already
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
    reader.join(timeout=10)
    assert not reader.is_alive()


@pytest.mark.parametrize("name", ["snap.fifo", "snap.ldif.gz"])
def test_snapshot_output_writes_a_fifo_to_its_reader(tmp_path: Path, name: str) -> None:
    fifo = tmp_path / name
    os.mkfifo(fifo)
    assert output_target(fifo).kind == "direct"
    got: list[bytes] = []
    reader = read_fifo(fifo, got)
    try:
        write_atomically(fifo, LDIF)
    finally:
        release(fifo, reader)
    data = gzip.decompress(got[0]) if name.endswith(".gz") else got[0]
    assert data.decode() == TEXT
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still the FIFO
    assert listing(tmp_path) == [name]


def test_snapshot_output_writes_a_fifo_through_a_symlink(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "out.ldif").symlink_to("pipe")
    got: list[bytes] = []
    reader = read_fifo(fifo, got)
    try:
        write_atomically(tmp_path / "out.ldif", LDIF)
    finally:
        release(fifo, reader)
    assert got == [TEXT.encode()]
    assert (tmp_path / "out.ldif").is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_snapshot_output_writes_a_null_device_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    null = tmp_path / "null"
    mknod(null, stat.S_IFCHR, 1, 3)  # what /dev/null is
    before = os.lstat(null)

    def no_fsync(fd: int) -> None:
        raise AssertionError("a device is not fsynced")

    monkeypatch.setattr(os, "fsync", no_fsync)
    write_atomically(null, LDIF)
    after = os.lstat(null)
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert stat.S_IMODE(after.st_mode) == 0o666
    assert listing(tmp_path) == ["null"]


def test_snapshot_output_reports_a_full_device_and_keeps_it(tmp_path: Path) -> None:
    full = tmp_path / "full"
    mknod(full, stat.S_IFCHR, 1, 7)  # what /dev/full is: every write fails with ENOSPC
    with pytest.raises(InputError, match=r"cannot write .*full: No space left on device"):
        write_atomically(full, LDIF)
    assert stat.S_ISCHR(os.lstat(full).st_mode)
    assert listing(tmp_path) == ["full"]


def test_snapshot_output_opens_a_block_device_and_never_replaces_it(tmp_path: Path) -> None:
    # 240-254 are for local or experimental use: no driver answers, so nothing real is
    # written; the open fails on the node itself, which is left as it was.
    block = tmp_path / "disk"
    mknod(block, stat.S_IFBLK, 240, 0)
    before = os.lstat(block)
    assert output_target(block).kind == "direct"
    with pytest.raises(InputError, match=r"cannot write .*disk: "):
        write_atomically(block, LDIF)
    after = os.lstat(block)
    assert stat.S_ISBLK(after.st_mode) and after.st_ino == before.st_ino
    assert listing(tmp_path) == ["disk"]
