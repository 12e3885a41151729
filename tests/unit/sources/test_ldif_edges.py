"""LDIF reader at the edges ("Trust at the edges", classes 2, 6, 12): folded comments as
ldapsearch writes them, empty and GLUE-less snapshots, change records, duplicate DNs,
invalid UTF-8, and inputs without an end (/dev/zero, a FIFO without a writer)."""

from __future__ import annotations

import gzip
import json
import os
import threading
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.ldif_samples import CE, CE_DN, SE
from helpers.paths import SAMPLE
from helpers.process import run_process

from cecap.errors import InputError
from cecap.history.store import History
from cecap.model.entry import Entry
from cecap.sources.base import read_model
from cecap.sources.ldif import LdifReader
from cecap.sources.ldif_text import CHUNK, MAX_ENTRY, MAX_LINE

SEED = """\
dn: o=grid
objectClass: organization
o: grid

dn: Mds-Vo-name=local,o=grid
objectClass: Mds
Mds-Vo-name: local
"""
HEADER = (
    "# extended LDIF\n#\n# LDAPv3\n# base <o=grid> with scope subtree\n"
    "# filter: (objectclass=*)\n# requesting: ALL\n#\n\n"
)


def trailer(entries: int, result: str = "0 Success") -> str:
    return (
        f"# search result\nsearch: 2\nresult: {result}\n\n"
        f"# numResponses: {entries + 1}\n# numEntries: {entries}\n"
    )


def write(tmp_path: Path, text: str | bytes, name: str = "dump.ldif") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def read(path: Path, **kw: object) -> list[Entry]:
    return list(LdifReader(path, **kw).entries())  # type: ignore[arg-type]


def refused(path: Path) -> str:
    with pytest.raises(InputError) as exc:
        read(path)
    message = str(exc.value)
    assert message.startswith(f"{path}: "), message
    return message


def fold(line: str, width: int = 76) -> str:
    """A line folded as ldapsearch folds it: ``width`` columns, continuations after a space."""
    out, rest = [line[:width]], line[width:]
    while rest:
        out.append(" " + rest[: width - 1])
        rest = rest[width - 1 :]
    return "\n".join(out)


# --- class 2: ldapsearch output without -LLL --------------------------------------------


def test_ldapsearch_dumps_folded_comment_before_an_entry(tmp_path: Path) -> None:
    comment = fold(
        "# ce.example.org:2119/jobmanager-pbs-atlas, SITE-A, local, grid, and so on and on"
    )
    assert "\n " in comment
    text = HEADER + SEED + "\n" + comment + "\n" + CE + "\n" + trailer(3)
    (entry,) = read(write(tmp_path, text))
    assert entry.dn == CE_DN
    assert entry.values("gluececapability") == ("glexec",)


def test_ldapsearch_dumps_folded_comments_everywhere(tmp_path: Path) -> None:
    """Folded header lines, several folded comments in a row, a folded comment inside an
    entry, a folded DN after a folded comment, CRLF: all read, and line numbers still right."""
    long_base = "o=" + "x" * 90
    header = (
        "# extended LDIF\n#\n# LDAPv3\n"
        + fold(f"# base <{long_base}> with scope subtree")
        + "\n# filter: (objectclass=*)\n# requesting: ALL\n#\n\n"
    )
    comments = fold("# first, " + "a" * 100) + "\n" + fold("# second, " + "b" * 160) + "\n"
    ce = CE.replace(f"dn: {CE_DN}\n", fold(f"dn: {CE_DN}") + "\n").replace(
        "GlueCEStateStatus:", fold("# inside, " + "c" * 90) + "\nGlueCEStateStatus:"
    )
    text = header + SEED + "\n" + comments + ce + "\n" + trailer(3)
    for variant in (text, text.replace("\n", "\r\n")):
        (entry,) = read(write(tmp_path, variant))
        assert entry.dn == CE_DN
        assert entry.values("gluecestatestatus") == ("Production",)
    # An error in the entry after the comments names its real line.
    broken = header + SEED + "\n" + comments + ce.replace("GlueCECapability", "garbage ") + "\n"
    lines = broken.split("\n")
    garbage = next(i for i, ln in enumerate(lines, 1) if ln.startswith("garbage"))
    assert f"line {garbage}: not an LDIF line" in refused(write(tmp_path, broken))


def test_ldapsearch_dumps_entry_line_after_folded_comments(tmp_path: Path) -> None:
    """The line named for an entry is its dn line, past the folded comment lines."""
    comment = fold("# " + "d" * 200)  # three physical lines
    text = SEED + "\n" + comment + "\n" + CE
    bad = text.replace("GlueCECapability: glexec", "GlueCECapability:: %%%")
    dn_line = bad.split("\n").index(f"dn: {CE_DN}") + 1
    assert f"entry at line {dn_line}:" in refused(write(tmp_path, bad))


def test_ldapsearch_dumps_version_line_and_comment_only_blocks(tmp_path: Path) -> None:
    """ldapsearch -L: "version: 1" alone, then a header without "# extended LDIF"."""
    text = "version: 1\n\n#\n# LDAPv3\n#\n\n" + fold("# " + "e" * 100) + "\n" + CE + "\n"
    assert len(read(write(tmp_path, text))) == 1


# --- class 6: empty snapshots are not BDIIs without CEs ---------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty (0 bytes)"),
        ("\n\n\n\n", "holds no entry"),
        ("# nothing here\n#\n\n# at all\n", "holds no entry"),
        ("version: 1\n\n", "holds no entry"),
        (HEADER + trailer(0), "holds no entry"),
        (SEED, "holds 2 entries but no GLUE entry"),
        (HEADER + SEED + "\n" + trailer(2), "holds 2 entries but no GLUE entry"),
    ],
    ids=[
        "zero-bytes",
        "blank-lines",
        "comments",
        "version-only",
        "header-trailer",
        "seed",
        "seed-dump",
    ],
)
def test_empty_input_is_an_error(tmp_path: Path, text: str, message: str) -> None:
    got = refused(write(tmp_path, text))
    assert message in got
    assert "not a snapshot of a BDII" in got


def test_empty_input_of_a_failed_search_names_its_result(tmp_path: Path) -> None:
    """What `ldapsearch -b o=wrong > file` leaves: header, result 32, no entry."""
    text = HEADER.replace("o=grid", "o=wrong") + trailer(0, "32 No such object")
    got = refused(write(tmp_path, text))
    assert "holds no entry" in got
    assert "LDAP result 32 (No such object)" in got


def test_empty_input_dev_null_and_empty_gzip(tmp_path: Path) -> None:
    assert "is empty (0 bytes)" in refused(Path(os.devnull))
    path = tmp_path / "empty.ldif.gz"
    path.write_bytes(gzip.compress(b""))
    assert "is empty (0 bytes)" in refused(path)
    path.write_bytes(gzip.compress(SEED.encode()))
    assert "no GLUE entry" in refused(path)


def test_empty_input_is_not_glue_less_when_any_glue_entry_is_there(tmp_path: Path) -> None:
    """GLUE without a CE (an SE, a GLUE 2.0 service, a VOView of other VOs, a base64
    objectClass) is a BDII with no CEs: read, no error."""
    glue2 = (
        "dn: GLUE2ServiceID=svc,GLUE2GroupID=resource,o=glue\n"
        "objectClass: GLUE2Service\nGLUE2ServiceID: svc\n"
    )
    b64 = "dn: cn=x,o=grid\nobjectClass:: R2x1ZVNpdGU=\n"  # "GlueSite"
    voview = (
        f"dn: GlueVOViewLocalID=cms,{CE_DN.replace('atlas', 'cms')}\nobjectClass: GlueVOView\n"
        "GlueVOViewLocalID: cms\nGlueCEAccessControlBaseRule: VO:cms\n"
    )
    for glue in (SE, glue2, b64, b64.replace("R2x1ZVNpdGU=", "R2x1ZVNF"), "objectclass: gluetop\n"):
        text = SEED + "\n" + (glue if glue.startswith("dn:") else "dn: cn=y,o=grid\n" + glue)
        model = read_model(LdifReader(write(tmp_path, text)))
        assert model.ces == ()
    assert read(write(tmp_path, SEED + "\n" + voview), vos=["atlas"]) == []


def test_empty_input_report_exits_2(tmp_path: Path) -> None:
    for text in ("", "# only a comment\n", SEED):
        path = write(tmp_path, text)
        result = run_cli("report", "--bdii", path)
        assert result.code == 2, result
        assert result.err.startswith(f"cecap: error: {path}: ")
        assert "no CE serves" not in result.out + result.err
    result = run_cli("report", "--bdii", os.devnull)
    assert result.code == 2
    assert "is empty (0 bytes)" in result.err


def test_empty_input_check_is_unknown_and_records_nothing(tmp_path: Path) -> None:
    state = tmp_path / "history.db"
    # A real run first, so that an empty snapshot could have marked every CE absent.
    good = run_cli("check", "--bdii", SAMPLE, "--state", state)
    assert good.code in (0, 1, 2), good
    with History.open(state) as history:
        before = history.runs()
    assert len(before) == 1
    for text in ("", "\n\n", "# extended LDIF\n#\n\n" + trailer(0), SEED):
        result = run_cli("check", "--bdii", write(tmp_path, text), "--state", state)
        assert result.code == 3, result
        assert result.out.startswith("CECAP UNKNOWN - "), result.out
        assert "not a snapshot of a BDII" in result.out
    result = run_cli("check", "--bdii", os.devnull, "--state", state)
    assert result.code == 3
    with History.open(state) as history:
        assert history.runs() == before
    # And nothing is recorded in a fresh database either.
    fresh = tmp_path / "fresh.db"
    assert run_cli("check", "--bdii", write(tmp_path, ""), "--state", fresh).code == 3
    if fresh.exists():
        with History.open(fresh) as history:
            assert history.runs() == []


# --- class 12: change records, duplicates, UTF-8, unbounded input -----------------------

ADD = f"dn: {CE_DN}\nchangetype: add\n" + CE.split("\n", 1)[1]


@pytest.mark.parametrize(
    "record",
    [
        ADD,
        f"dn: {CE_DN}\nchangetype: delete\n",
        f"dn: {CE_DN}\nchangetype: modify\nreplace: GlueCECapability\nGlueCECapability: glexec\n-\n",
        f"dn: {CE_DN}\nchangetype: modrdn\nnewrdn: GlueCEUniqueID=x\ndeleteoldrdn: 1\n",
        f"dn: {CE_DN}\nchangetype: moddn\nnewrdn: GlueCEUniqueID=x\ndeleteoldrdn: 0\n",
        f"dn: {CE_DN}\nChangeType: add\n" + CE.split("\n", 1)[1],
        f"dn: {CE_DN}\ncontrol: 1.2.840.113556.1.4.805 true\nchangetype: delete\n",
        fold(f"dn: {CE_DN}") + "\nchangetype:  add\n" + CE.split("\n", 1)[1],
        f"# a comment\ndn: {CE_DN}\nchangetype: add\n" + CE.split("\n", 1)[1],
    ],
    ids=["add", "delete", "modify", "modrdn", "moddn", "case", "control", "folded-dn", "comment"],
)
def test_change_records_refused(tmp_path: Path, record: str) -> None:
    text = SEED + "\n" + SE + "\n" + record
    line = text.split("\n").index(
        next(ln for ln in text.split("\n") if ln.lower().startswith("changetype"))
    )
    got = refused(write(tmp_path, text))
    assert f"line {line + 1}: an LDIF change record" in got
    assert "not change files for ldapmodify" in got


def test_change_records_refused_far_into_the_file_and_gzipped(tmp_path: Path) -> None:
    text = (SE + "\n") * 20000 + ADD
    line = text.count("\n") - ADD.count("\n") + 2
    assert len(text) > 2 * CHUNK
    assert f"line {line}: an LDIF change record" in refused(write(tmp_path, text))
    path = tmp_path / "changes.ldif.gz"
    path.write_bytes(gzip.compress(text.encode()))
    assert f"line {line}: an LDIF change record" in refused(path)


def test_change_records_refused_by_the_cli(tmp_path: Path) -> None:
    result = run_cli("report", "--bdii", write(tmp_path, SEED + "\n" + ADD), "--all")
    assert result.code == 2
    assert "an LDIF change record ('changetype: add')" in result.err
    assert "ce.example.org" not in result.out


def test_change_records_an_attribute_named_changetype_is_content(tmp_path: Path) -> None:
    """Away from the line after the dn, "changetype:" is an attribute (as in cn=changelog)."""
    entry = CE + "changeType: add\n"
    (got,) = read(write(tmp_path, SEED + "\n" + entry))
    assert got.dn == CE_DN


def test_duplicate_dn_warns(tmp_path: Path) -> None:
    other = CE.replace("GlueCECapability: glexec\n", "")
    text = SEED + "\n" + CE + "\n" + SE + "\n" + other
    lines = text.split("\n")
    first = lines.index(f"dn: {CE_DN}") + 1
    second = lines.index(f"dn: {CE_DN}", first) + 1
    seen: list[str] = []
    reader = LdifReader(write(tmp_path, text), on_warning=seen.append)
    assert len(list(reader.entries())) == 2
    assert reader.warnings == seen
    (warning,) = seen
    assert f"line {second}: entry {CE_DN!r} repeats the DN of the entry at line {first}" in warning
    assert "different values" in warning
    # The first copy is the one the model keeps (it advertises glexec).
    model = read_model(LdifReader(write(tmp_path, text), on_warning=None))
    assert [ce.capabilities for ce in model.ces] == [("glexec",)]


def test_duplicate_dn_warns_on_stderr_through_the_cli(tmp_path: Path) -> None:
    other = CE.replace("Production", "Draining")
    text = SEED + "\n" + CE + "\n" + other.replace(CE_DN, CE_DN.lower())
    lines = text.split("\n")
    first = lines.index(f"dn: {CE_DN}") + 1
    second = lines.index(f"dn: {CE_DN.lower()}") + 1
    path = write(tmp_path, text)
    result = run_cli("report", "--bdii", path, "--all", "--format", "json")
    assert result.code == 0, result
    assert result.err.startswith(f"cecap: warning: {path}: line {second}: entry "), result.err
    assert f"repeats the DN of the entry at line {first} with different values" in result.err
    assert json.loads(result.out)["rows"]


def test_duplicate_dn_identical_copies_are_silent(tmp_path: Path) -> None:
    reader = LdifReader(write(tmp_path, SEED + "\n" + CE + "\n" + CE), on_warning=None)
    assert len(list(reader.entries())) == 2
    assert reader.warnings == []
    result = run_cli("report", "--bdii", write(tmp_path, SEED + "\n" + CE + "\n" + CE))
    assert "warning" not in result.err


def test_duplicate_dn_many_are_summed_up(tmp_path: Path) -> None:
    ces = [CE.replace("pbs-atlas", f"pbs-{n}") for n in range(12)]
    changed = [ce.replace("Production", "Closed") for ce in ces]
    reader = LdifReader(write(tmp_path, "\n".join(ces + changed)), on_warning=None)
    list(reader.entries())
    assert len(reader.warnings) == 6
    assert "7 more entries repeat the DN" in reader.warnings[-1]


@pytest.mark.parametrize("line", [1, 2, 7, 5000])
def test_invalid_utf8_line(tmp_path: Path, line: int) -> None:
    lines = (SEED + "\n" + CE + "\n" + (SE + "\n") * 1000).split("\n")
    raw = "\n".join(lines).encode()
    offset = len("\n".join(lines[: line - 1]).encode()) + (1 if line > 1 else 0)
    data = raw[:offset] + b"\xff" + raw[offset:]
    for name, blob in (("bad.ldif", data), ("bad.ldif.gz", gzip.compress(data))):
        got = refused(write(tmp_path, blob, name))
        assert f": line {line}: not UTF-8 text" in got
        assert "near line" not in got
    crlf = data.replace(b"\n", b"\r\n")
    assert f": line {line}: not UTF-8 text" in refused(write(tmp_path, crlf))


def test_invalid_utf8_line_past_the_first_chunk(tmp_path: Path) -> None:
    body = (SE + "\n") * 20000
    assert len(body) > 2 * CHUNK
    line = body.count("\n") + 1
    data = body.encode() + b"GlueSEName: caf\xe9\n"
    assert f": line {line}: not UTF-8 text" in refused(write(tmp_path, data))


def test_invalid_utf8_line_a_character_split_across_chunks_is_fine(tmp_path: Path) -> None:
    """A multi-byte character that straddles the read boundary is valid UTF-8."""
    head = SEED + "\n" + CE + "GlueCEName: "
    pad = CHUNK - len(head.encode()) - 1
    text = head + "x" * pad + "é\n"  # é's two bytes on both sides of the boundary
    assert len(head.encode()) + pad == CHUNK - 1
    (entry,) = read(write(tmp_path, text))
    assert entry.values("gluecename") == ("x" * pad + "é",)


def test_unbounded_input_dev_zero_fails_fast(tmp_path: Path) -> None:
    got = refused(Path("/dev/zero"))
    assert "line 1: longer than 1 MiB" in got
    assert "a regular file or a pipe" in got
    result = run_cli("report", "--bdii", "/dev/zero")
    assert result.code == 2
    assert "/dev/zero: line 1: longer than 1 MiB" in result.err


def test_unbounded_input_a_long_line_names_its_line(tmp_path: Path) -> None:
    text = SEED + "\n" + CE + "GlueCEName: " + "x" * (MAX_LINE + 10) + "\n"
    line = (SEED + "\n" + CE).count("\n") + 1
    assert f"line {line}: longer than 1 MiB" in refused(write(tmp_path, text))
    # Just under the bound is read.
    ok = SEED + "\n" + CE + "GlueCEName: " + "x" * (MAX_LINE - 20) + "\n"
    assert len(read(write(tmp_path, ok))) == 1


def test_unbounded_input_a_huge_entry_names_its_line(tmp_path: Path) -> None:
    tags = "".join(f"GlueCEName: {n:07d}{'x' * 60}\n" for n in range(MAX_ENTRY // 70 + 10))
    text = SEED + "\n" + SE + "\n" + CE + tags
    line = (SEED + "\n" + SE + "\n").count("\n") + 1
    got = refused(write(tmp_path, text))
    assert f"line {line}: an entry larger than 16 MiB" in got
    # The same entry followed by another: the bound holds for complete entries too.
    assert f"line {line}: an entry larger than 16 MiB" in refused(write(tmp_path, text + "\n" + SE))


class Writer(threading.Thread):
    """Writes ``data`` (``times`` over, or for good) into a FIFO, from its own thread.

    A reader the test holds (``keep``) lets the writer open the FIFO before cecap does,
    so cecap never races it; closing ``keep`` after cecap is done stops an endless writer
    (no reader left: EPIPE)."""

    def __init__(self, fifo: Path, data: bytes, times: int | None = 1) -> None:
        super().__init__(daemon=True)
        self.fifo, self.data, self.times = fifo, data, times
        self.keep = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        self.opened = threading.Event()

    def run(self) -> None:
        try:
            with open(self.fifo, "wb") as out:
                self.opened.set()
                done = 0
                while self.times is None or done < self.times:
                    out.write(self.data)
                    done += 1
        except OSError:  # BrokenPipeError: the readers are gone
            pass

    def __enter__(self) -> Writer:
        self.start()
        assert self.opened.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self.keep)
        self.join(10)
        assert not self.is_alive()


def test_unbounded_input_endless_stream_from_a_pipe(tmp_path: Path) -> None:
    """`yes 'GlueCEName: x'` into a FIFO: one endless entry, stopped at the bound."""
    fifo = tmp_path / "endless.ldif"
    os.mkfifo(fifo)
    with Writer(fifo, b"dn: o=grid\n" + b"GlueCEName: x\n" * 1000, times=None):
        assert "an entry larger than 16 MiB" in refused(fifo)
    with Writer(fifo, b"\0" * 65536, times=None):
        assert "line 1: longer than 1 MiB" in refused(fifo)


def test_unbounded_input_fifo_without_a_writer_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "nobody.ldif"
    os.mkfifo(fifo)
    assert "a named pipe that gave nothing" in refused(fifo)
    # As real commands, under a timeout (TimeoutExpired if it hangs): exit 2 for report,
    # UNKNOWN (3) for check.
    done = run_process("report", "--bdii", fifo, timeout=60)
    assert done.code == 2, done
    assert "named pipe that gave nothing" in done.err
    done = run_process("check", "--bdii", fifo, "--state", tmp_path / "h.db", timeout=60)
    assert done.code == 3, done
    assert done.out.startswith("CECAP UNKNOWN - ")
    assert "named pipe that gave nothing" in done.out


def test_unbounded_input_fifo_with_a_writer_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "dump.ldif"
    os.mkfifo(fifo)
    expected = run_cli("report", "--bdii", SAMPLE, "--all", "--format", "json")
    with Writer(fifo, SAMPLE.read_bytes()):
        result = run_cli("report", "--bdii", fifo, "--all", "--format", "json")
    assert result.code == 0, result
    assert json.loads(result.out)["rows"] == json.loads(expected.out)["rows"]


def test_unbounded_input_says_what_a_snapshot_may_be(tmp_path: Path) -> None:
    assert "is a directory" in refused(tmp_path)
    got = refused(Path("/dev/zero"))
    assert "or '-' for standard input" in got
