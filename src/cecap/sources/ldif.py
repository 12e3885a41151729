"""Source step for snapshots: stream GLUE entries out of an LDIF file (plain or gzip)."""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..model.dn import split_rdns, unescape
from ..model.entry import Entry
from ..model.glue13 import GLUE13_WANTED
from ..model.questions import narrowing_vos
from ..text import visible
from .base import EntrySource, ServingCEs, Source, SourceKind, SourceSettings, register
from .ldif_entry import attr_pattern, entry_dn, parse_entry, refuse_change_record
from .ldif_scan import PlainScan, VoRules
from .ldif_text import LdifText, is_ldif_path

# A line (after the first) that is neither "attr: value", "attr:: b64", "attr:< url", a
# continuation nor a comment: the file is not LDIF, or was garbled.  Anchored on the
# newline, not on ^ with MULTILINE, which the regex engine scans several times slower.
# A "changetype:" line matches too, for no more time (only lines that start with a C are
# tested for it): a change record is refused (see ldif_entry.refuse_change_record), an
# attribute of that name elsewhere in an entry is let through.
_BAD_LINE_RE = re.compile(
    r"\n(?![A-BD-Za-bd-z][A-Za-z0-9;.\-]*:"
    r"|[Cc](?![Hh][Aa][Nn][Gg][Ee][Tt][Yy][Pp][Ee]:)[A-Za-z0-9;.\-]*:|[ #\n]|\Z)"
)
_NUM_ENTRIES_RE = re.compile(r"^# numEntries: (\d+)$", re.MULTILINE)
_RESULT_RE = re.compile(r"^result: (\d+)(?: (.*))?$", re.MULTILINE)
# Comment lines (RFC 2849: "#" first, continued like any line by lines that start with one
# space) at the start of a block, as ldapsearch without -LLL writes before every entry.
_LEADING_COMMENTS_RE = re.compile(r"(?:#[^\n]*(?:\n [^\n]*)*(?:\n|\Z))+")
# Any comment line with its continuations (the rare comment inside an entry).
_COMMENT_RE = re.compile(r"^#[^\n]*(?:\n [^\n]*)*(?:\n|\Z)", re.MULTILINE)
# What makes an entry a GLUE entry, for the "is there any GLUE at all" check: an
# objectClass value that starts with "Glue" in any case, which every GLUE 1.3 class
# (GlueTop, GlueCE, GlueSE, ...) and every GLUE 2.0 class (GLUE2Service, ...) does.
_GLUE_CLASS_RE = re.compile(r"\nobjectclass:[ \t]*glue")  # searched in the lower-cased entry
# Duplicate DNs with different values are named one by one up to this many, then counted.
_MAX_DUPLICATE_WARNINGS = 5
# The classes whose entries are left out when their rules name none of the VOs.
_BY_VO = ("gluece", "gluevoview")


@dataclass
class _Tally:
    """What LdifReader.entries learns along the way, for the checks at the end."""

    header: bool = False  # ldapsearch's "# extended LDIF" header
    trailer: bool = False  # its "search:"/"result:" trailer
    count: int = 0  # entries
    declared: int | None = None  # the trailer's "# numEntries:"
    glue: bool = False  # an entry of a GLUE class was seen
    duplicates: int = 0  # entries that repeat a DN with other values


def _stderr_warning(message: str) -> None:
    # The DNs quoted come from the file: shown escaped, as every output is.
    print(f"cecap: warning: {visible(message)}", file=sys.stderr)


class LdifReader:
    """Reads the GLUE entries cecap uses from an ``ldapsearch`` dump.

    Accepts what operators produce: with or without ``-LLL`` (comments, folded or not,
    the ``# search result`` trailer), folded lines, base64 values, CRLF, ``.gz``; from a
    file, a pipe or a FIFO. Read in runs of whole entries; a plain run (ldif_scan) is
    scanned whole, any other entry by entry; only entries of wanted classes are decoded.
    With ``vos``, as a live search does (sources.ldap_filters.vo_filter), GlueVOViews whose
    access rules and local ID name none of them are skipped too (ldif_scan.VoRules): they
    cannot matter for those VOs. With ``serving_only`` as well, so are GlueCEs whose rules
    name none (a regular file only): should a VOView read name one of them, the file is
    read a second time for those CEs alone.

    Refused (InputError): change records, text that is not UTF-8, a line over 1 MiB or an
    entry over 16 MiB (ldif_text), and an input without a single GLUE entry (one with an
    objectClass starting with "Glue", any case), such as an empty file, /dev/null, only
    comments, or what a failed ``ldapsearch > file`` leaves.
    ``warnings``: a DN given twice with different texts (cecap reads the first); each is
    also given to ``on_warning``, by default printed on stderr as ``cecap: warning: ...``.
    """

    def __init__(
        self,
        path: Path | str,
        wanted: Mapping[str, tuple[str, ...]] = GLUE13_WANTED,
        vos: Sequence[str] | None = None,
        on_warning: Callable[[str], None] | None = _stderr_warning,
        serving_only: bool = False,
    ) -> None:
        self.path = Path(path)
        self.origin = str(path)
        self.partial: str | None = None
        self.warnings: list[str] = []
        self._on_warning = on_warning
        narrowed = narrowing_vos(vos)
        self._vo_rules = VoRules(narrowed) if narrowed else None
        self._serving_only = serving_only and narrowed is not None and "gluevoview" in wanted
        # The class is known from the match, so objectClass values need not be decoded.
        self._attr_res = {
            cls: attr_pattern(a for a in attrs if a != "objectclass")
            for cls, attrs in wanted.items()
        }
        # Plain runs are scanned whole; an entry read alone is searched with the same
        # class line, so the bulk of a top-level BDII (SEs, SAs, services) is skipped
        # undecoded either way.
        self._scan = PlainScan(wanted)
        self._text = LdifText(self.path)
        self._result: str | None = None  # the trailer's LDAP result, when not success

    def entries(self) -> Iterator[Entry]:
        tally = _Tally()
        # DN (case-folded, hashed) -> (line, hash of the text) of each entry given.
        given: dict[int, tuple[int, int]] = {}
        # CEs left undecoded: their rules name none of the VOs (see ServingCEs).
        ces, left_out, identity = ServingCEs(), LeftOut(), self._identity()
        for lineno, kind, block, may_name_vo in self._candidates(self._text, tally):
            entry = None
            if kind == "gluece" and identity and not may_name_vo:
                dn = entry_dn(self.path, lineno, block)
                left_out.add(lineno, dn)
            else:
                entry = parse_entry(self.path, lineno, block, self._attr_res[kind], kind)
                dn = entry.dn
            first = given.setdefault(hash(dn.lower()), (lineno, hash(block)))
            if first[0] != lineno and first[1] != hash(block):
                self._duplicate(tally, lineno, first[0], dn)
            if entry is not None:
                if identity:
                    ces.saw(entry)
                yield entry
        self._finish(tally)
        lines = left_out.lines(ces.missing())
        if lines:
            yield from self._read_again(lines, identity)

    def _candidates(self, text: LdifText, tally: _Tally) -> Iterator[tuple[int, str, str, bool]]:
        """(first line, class, text, whether its rules may name one of the VOs) of each
        entry of a wanted class, every line checked; VOViews that cannot matter for the
        VOs are left out. A plain run (see ldif_scan) is scanned whole; any other run
        entry by entry."""
        for run in text.runs():
            lowered = run.lower()
            found = self._scan.hits(run, lowered) if run.isascii() else None
            if found is None:
                yield from self._block_candidates(text, run, tally)
                continue
            count, hits = found
            tally.count += count
            tally.glue = tally.glue or bool(hits) or bool(_GLUE_CLASS_RE.search(lowered))
            line, at = text.line, 0  # the line this offset of the run is on
            by_vo = self._vo_rules.may_name_one if self._vo_rules else None
            for start, end, kind in hits:
                may = by_vo is None or kind not in _BY_VO or by_vo(lowered, start, end)
                if may or kind == "gluece":
                    line += run.count("\n", at, start)  # counted up to the entries given
                    at = start
                    yield line, kind, run[start:end], may
            text.line = line + run.count("\n", at) + 2

    def _block_candidates(
        self, text: LdifText, run: str, tally: _Tally
    ) -> Iterator[tuple[int, str, str, bool]]:
        """_candidates for a run that is not plain: block by block."""
        for part in run.split("\n\n"):
            lineno = text.line
            text.line += part.count("\n") + 2
            found = self._entry_block(tally, lineno, part)
            if found is None:
                continue
            lineno, block = found
            tally.count += 1
            lowered = block.lower()
            kind = self._wanted_for(block, lowered)
            if kind is None:
                tally.glue = tally.glue or self._is_glue(block, lowered)
                continue
            tally.glue = True
            may = self._may_name_vo(kind, lowered, 0, len(lowered))
            if may or kind == "gluece":
                yield lineno, kind, block, may

    def _entry_block(self, tally: _Tally, lineno: int, block: str) -> tuple[int, str] | None:
        """(first line, text) of the entry in a block, every line checked (see
        _BAD_LINE_RE); None when the block holds no entry."""
        if block.startswith("dn:") and "#" not in block:  # an entry, as nearly all are
            bad = _BAD_LINE_RE.search(block)
            if bad:
                self._bad_line(lineno, block, bad)
            return lineno, block
        return self._entry_text(tally, lineno, block)

    def _identity(self) -> tuple[int, ...] | None:
        """The file's identity when CEs may be left out for a second reading, else None."""
        return file_identity(self.path) if self._serving_only else None

    def _read_again(self, lines: set[int], identity: tuple[int, ...] | None) -> Iterator[Entry]:
        """The CE entries that start on ``lines``, read from the file a second time."""
        if self._identity() != identity:
            raise InputError(
                f"{self.path}: changed while cecap read it; read it again once it is"
                " written (write snapshots to a new file and rename it into place)"
            )
        for lineno, kind, block, _ in self._candidates(LdifText(self.path), _Tally()):
            if kind == "gluece" and lineno in lines:
                yield parse_entry(self.path, lineno, block, self._attr_res["gluece"], kind)

    def _bad_line(self, lineno: int, block: str, bad: re.Match[str] | None) -> None:
        """InputError for the first line _BAD_LINE_RE found, unless it is a "changetype:"
        line that does not make a change record; then the search goes on after it."""
        while bad:
            start = bad.start() + 1
            end = block.find("\n", start)
            text = block[start : end if end >= 0 else len(block)]
            if text[:11].lower() != "changetype:":
                at = lineno + block.count("\n", 0, start)
                raise InputError(f"{self.path}: line {at}: not an LDIF line: {text[:60]!r}")
            refuse_change_record(self.path, lineno, block)
            bad = _BAD_LINE_RE.search(block, start)

    def _entry_text(self, tally: _Tally, lineno: int, block: str) -> tuple[int, str] | None:
        """The entry of a block that is not plainly one (comments, a "version:" line, the
        trailer, blank lines), with its first line; None when it holds no entry."""
        # Leading newlines (more than one blank line between entries) shift the start.
        stripped = block.lstrip("\n")
        lineno += len(block) - len(stripped)
        block = stripped
        bad = _BAD_LINE_RE.search(block)
        if bad:
            self._bad_line(lineno, block, bad)
        # One-character search first: it is several times faster than for "\n#".
        if "#" in block and (block.startswith("#") or "\n#" in block):
            lineno, block = self._strip_comments(tally, lineno, block)
        if not block or block.startswith("dn:"):
            return (lineno, block) if block else None
        if block.startswith(("search:", "result:")):
            tally.trailer = True
            result = _RESULT_RE.search(block)
            if result and result.group(1) != "0":
                self._result = f"LDAP result {result.group(1)} ({result.group(2) or 'error'})"
                self.partial = f"the dump ends with {self._result}: the server cut the search short"
            return None
        if block.startswith("version:"):
            if "\ndn:" not in block:
                return None
            block = block.split("\n", 1)[1]
            lineno += 1
        if not block.startswith("dn:"):
            raise InputError(
                f"{self.path}: line {lineno}: entry does not start with 'dn:'"
                f" ({block.split(chr(10), 1)[0][:60]!r}); the file is garbled"
            )
        return lineno, block

    def _strip_comments(self, tally: _Tally, lineno: int, block: str) -> tuple[int, str]:
        """The block without its comment lines (each with its continuation lines, as
        ldapsearch folds a long "# DN" comment), and the line it then starts on; what
        ldapsearch's header and trailer comments say goes into ``tally``."""
        if block.startswith("# extended LDIF"):
            tally.header = True
        if "# numEntries:" in block:
            found = _NUM_ENTRIES_RE.search(block)
            tally.declared = int(found.group(1)) if found else tally.declared
        lead = _LEADING_COMMENTS_RE.match(block)
        if lead:
            lineno += block.count("\n", 0, lead.end())
            block = block[lead.end() :]
        if "\n#" in block:
            block = _COMMENT_RE.sub("", block).rstrip("\n")
        return lineno, block

    def _duplicate(self, tally: _Tally, lineno: int, first: int, dn: str) -> None:
        """An entry repeats the DN of an earlier one, with another text."""
        tally.duplicates += 1
        if tally.duplicates <= _MAX_DUPLICATE_WARNINGS:
            self._warn(
                f"{self.path}: line {lineno}: entry {dn!r} repeats the DN of the entry at"
                f" line {first} with different values; cecap reads the first"
            )

    def _finish(self, tally: _Tally) -> None:
        if tally.duplicates > _MAX_DUPLICATE_WARNINGS:
            self._warn(
                f"{self.path}: {tally.duplicates - _MAX_DUPLICATE_WARNINGS} more entries"
                " repeat the DN of an earlier one with different values (cecap reads the"
                " first): were two dumps put together?"
            )
        if tally.header and not tally.trailer:
            raise InputError(
                f"{self.path}: ends without the '# search result' trailer that ldapsearch"
                " writes: the file is truncated; take the snapshot again"
            )
        if tally.declared is not None and tally.declared != tally.count:
            raise InputError(
                f"{self.path}: holds {tally.count} entries but its trailer says numEntries:"
                f" {tally.declared}: the file is truncated or was edited; take the snapshot"
                " again"
            )
        if not tally.glue:
            raise InputError(self._no_glue(tally.count))

    def _no_glue(self, count: int) -> str:
        """Why an input without a single GLUE entry is not read as a BDII with no CEs."""
        if self._text.size == 0:
            what = "is empty (0 bytes)"
            if self._text.fifo:
                what = "is a named pipe that gave nothing (no writer, or it wrote nothing)"
        elif count == 0:
            what = "holds no entry (only blank lines, comments or an ldapsearch trailer)"
        else:
            what = (
                f"holds {count} entries but no GLUE entry (none has an objectClass"
                " starting with Glue or GLUE2)"
            )
        if self._result:
            return (
                f"{self.path}: {what}; the search it holds ended with {self._result}: not a"
                " snapshot of a BDII; check the base and the server, and take it again"
            )
        return (
            f"{self.path}: {what}: not a snapshot of a BDII (a failed ldapsearch?); take"
            " the snapshot again"
        )

    def _is_glue(self, block: str, lowered: str) -> bool:
        """Whether a skipped entry is of a GLUE class (only asked until one is seen)."""
        if _GLUE_CLASS_RE.search(lowered):
            return True
        if "objectclass::" in lowered:
            entry = parse_entry(self.path, 0, block, attr_pattern(["objectclass"]), "")
            return any(v.strip().lower().startswith("glue") for v in entry.values("objectclass"))
        return False

    def _warn(self, message: str) -> None:
        self.warnings.append(message)
        if self._on_warning is not None:
            self._on_warning(message)

    def _may_name_vo(self, kind: str, lowered: str, start: int, end: int) -> bool:
        """Whether the entry at lowered[start:end] can matter for the VOs (see VoRules)."""
        if kind not in _BY_VO or self._vo_rules is None:
            return True
        return self._vo_rules.may_name_one(lowered, start, end)

    def _wanted_for(self, block: str, lowered: str) -> str | None:
        """The wanted object class of an entry (lower-case), or None to skip it."""
        match = self._scan.class_line.search(lowered)
        if match:
            return match.group(1)
        if "objectclass::" in lowered:
            # A base64-encoded objectClass is legal but rare: decode to decide.
            entry = parse_entry(self.path, 0, block, attr_pattern(["objectclass"]), "")
            for value in entry.values("objectclass"):
                if value.strip().lower() in self._attr_res:
                    return value.strip().lower()
        return None


def open_ldif(item: str, settings: SourceSettings) -> Source:
    # "-" is standard input: ldapsearch ... | cecap report --bdii -
    path = Path("/dev/stdin") if item == "-" else Path(item).expanduser()
    return EntrySource(
        str(path),
        lambda wanted, vos, serving_only: LdifReader(path, wanted, vos, serving_only=serving_only),
    )


LDIF = register(SourceKind("ldif", is_ldif_path, open_ldif))


# -- a second reading of a regular file, when the first left CEs undecoded (ServingCEs):
# the lines to read again, and the file's identity, so that a file changed in between is
# refused rather than half read.


def file_identity(path: Path) -> tuple[int, ...] | None:
    """What tells a regular file from another (or from itself rewritten); None for a
    pipe, a FIFO or a device, which cannot be read twice."""
    try:
        info = os.stat(path)
    except OSError:
        return None  # reading it says why
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


class LeftOut:
    """The CE entries left undecoded, by the line each starts on, with their DNs: the lines
    to read again for a CE ID (their DN's first RDN, lower-case). The DNs are read only
    when an ID is asked for, which is rare: nearly every VOView's CE was read."""

    def __init__(self) -> None:
        self._left: list[tuple[int, str]] = []

    def add(self, lineno: int, dn: str) -> None:
        self._left.append((lineno, dn))

    def lines(self, missing: list[str]) -> set[int]:
        """The lines of the CEs left out that may have one of the ``missing`` IDs: those
        of that ID, and those whose DN's first RDN is not a GlueCEUniqueID."""
        if not missing:
            return set()
        wanted = set(missing)
        found = set()
        for lineno, dn in self._left:
            name, _, value = split_rdns(dn)[0].partition("=")
            if name.strip().lower() != "glueceuniqueid" or (
                unescape(value.strip()).lower() in wanted
            ):
                found.add(lineno)
        return found
