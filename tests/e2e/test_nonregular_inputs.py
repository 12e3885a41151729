"""Inputs that are not regular files (a FIFO with no writer above all) are refused at once
with exit 2, not waited on; the page never writes through a link; hostile encodings and
completion variables are bad input (2), never an internal error (4)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from helpers.paths import SAMPLE
from helpers.process import run_process

# A run that waited on the FIFO would be killed by this, failing the test.
QUICK = 60


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def test_results_import_refuses_a_fifo(fifo: Path, tmp_path: Path) -> None:
    done = run_process("results", "import", "--state", tmp_path / "h.sqlite", fifo, timeout=QUICK)
    assert done.code == 2
    assert done.err == f"cecap: error: {fifo}: is a FIFO, not a result file: name a regular file\n"
    assert not (tmp_path / "h.sqlite").exists()


def test_audit_factory_refuses_a_fifo_and_a_device(fifo: Path) -> None:
    done = run_process("audit-factory", fifo, "--bdii", SAMPLE, timeout=QUICK)
    assert done.code == 2
    assert done.err == (
        f"cecap: error: {fifo}: is a FIFO, not a factory configuration: name a regular file\n"
    )
    done = run_process("audit-factory", "/dev/zero", "--bdii", SAMPLE, timeout=QUICK)
    assert done.code == 2
    assert done.err == (
        "cecap: error: /dev/zero: is a device, not a factory configuration: name a regular file\n"
    )


def test_a_factory_file_behind_a_symlink_is_still_read(tmp_path: Path) -> None:
    real = tmp_path / "real.xml"
    real.write_text("<glidein><entries></entries></glidein>\n")
    link = tmp_path / "glideinWMS.xml"
    link.symlink_to(real)
    done = run_process("audit-factory", link, "--bdii", SAMPLE, "--format", "json")
    assert done.code == 0, done.err


@pytest.mark.parametrize("encoding", ["x-bogus-42", "utf-999", "a" * 300])
def test_an_unknown_xml_encoding_is_bad_input_with_its_line(encoding: str, tmp_path: Path) -> None:
    factory = tmp_path / "glideinWMS.xml"
    factory.write_text(f'<?xml version="1.0" encoding="{encoding}"?>\n<glidein/>\n')
    done = run_process("audit-factory", factory, "--bdii", SAMPLE)
    assert done.code == 2
    assert done.err.startswith(f"cecap: error: {factory}: line 1: the XML declaration names an")
    assert len(done.err.splitlines()) == 1


def test_page_refuses_a_fifo_as_its_index(fifo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "www"
    folder.mkdir()
    os.mkfifo(folder / "index.html")
    done = run_process("page", "--bdii", SAMPLE, "-o", folder, timeout=QUICK)
    assert done.code == 2
    assert done.err.startswith(f"cecap: error: cannot write {folder / 'index.html'}: it is a FIFO;")
    assert stat.S_ISFIFO(os.lstat(folder / "index.html").st_mode)


def test_page_never_writes_through_a_symlink(tmp_path: Path) -> None:
    folder = tmp_path / "www"
    folder.mkdir()
    victim = tmp_path / "shadow"
    victim.write_text("not cecap's\n")
    (folder / "index.html").symlink_to(victim)
    done = run_process("page", "--bdii", SAMPLE, "-o", folder)
    assert done.code == 2
    assert done.err == (
        f"cecap: error: cannot write {folder / 'index.html'}: it is a symlink; cecap replaces only"
        " a regular file there (it never writes through a link): remove it, or name another"
        " folder\n"
    )
    assert victim.read_text() == "not cecap's\n"
    assert os.readlink(folder / "index.html") == str(victim)
    # A dangling one too: the page is not made where it points.
    victim.unlink()
    assert run_process("page", "--bdii", SAMPLE, "-o", folder).code == 2
    assert not victim.exists()
    # A regular file is replaced, by a new file (the old one's inode is left alone).
    (folder / "index.html").unlink()
    (folder / "index.html").write_text("old page\n")
    before = os.lstat(folder / "index.html").st_ino
    assert run_process("page", "--bdii", SAMPLE, "-o", folder).code == 0
    assert os.lstat(folder / "index.html").st_ino != before
    assert (folder / "index.html").read_text().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("empty", ["", " "])
def test_page_o_empty_is_refused(empty: str, tmp_path: Path) -> None:
    done = run_process("page", "--bdii", SAMPLE, "-o", empty, cwd=tmp_path)
    assert done.code == 2
    assert (
        done.err == "cecap: error: --output: name the folder to write the page into, not nothing\n"
    )
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    ("env", "said"),
    [
        (
            {"COMP_WORDS": "cecap ", "COMP_CWORD": "abc"},
            "COMP_CWORD='abc' is not the number of a word",
        ),
        ({"COMP_CWORD": "1"}, "_CECAP_COMPLETE=bash_complete without COMP_WORDS"),
        ({"COMP_WORDS": "cecap "}, "_CECAP_COMPLETE=bash_complete without COMP_CWORD"),
    ],
)
def test_broken_completion_variables_are_bad_input(env: dict[str, str], said: str) -> None:
    done = run_process(env={"_CECAP_COMPLETE": "bash_complete", **env})
    assert done.code == 2
    assert done.out == ""
    assert done.err.startswith(f"cecap: error: shell completion: {said}")


def test_zsh_and_fish_completion_still_work() -> None:
    zsh = run_process(
        env={"_CECAP_COMPLETE": "zsh_complete", "COMP_WORDS": "cecap rep", "COMP_CWORD": "1"}
    )
    assert zsh.code == 0 and "report" in zsh.out
    fish = run_process(
        env={"_CECAP_COMPLETE": "fish_complete", "COMP_WORDS": "cecap rep", "COMP_CWORD": "rep"}
    )
    assert fish.code == 0 and "report" in fish.out
