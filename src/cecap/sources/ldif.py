"""Source step for snapshots: stream GLUE entries out of an LDIF file (plain or gzip)."""

from __future__ import annotations

import base64
import binascii
import gzip
import os
import re
import sys
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

from ..errors import InputError
from ..model.entry import Entry
from ..model.glue13 import GLUE13_WANTED
from .base import EntrySource, Source, SourceKind, SourceSettings, register

_CHUNK = 1 << 20

# A line (after the first) that is neither "attr: value", "attr:: b64", "attr:< url", a
# continuation nor a comment: the file is not LDIF, or was garbled.  Anchored on the
# newline, not on ^ with MULTILINE, which the regex engine scans several times slower.
_BAD_LINE_RE = re.compile(r"\n(?![A-Za-z][A-Za-z0-9;.\-]*:|[ #\n]|\Z)")
_NUM_ENTRIES_RE = re.compile(r"^# numEntries: (\d+)$", re.MULTILINE)
_RESULT_RE = re.compile(r"^result: (\d+)(?: (.*))?$", re.MULTILINE)
# Attribute names as spelled in files -> the lower-case key, one string shared by every
# entry (a top-level BDII repeats a dozen names hundreds of thousands of times).
_KEYS: dict[str, str] = {}


class LdifReader:
    """Reads the GLUE entries cecap uses from an ``ldapsearch`` dump.

    Accepts what operators produce: with or without ``-LLL`` (comments and the
    ``# search result`` trailer), folded lines, base64 values, CRLF, ``.gz``.
    The file is read in chunks; only entries of wanted classes are decoded.
    With ``vos``, as a live search does (sources.ldap.vo_filter), GlueVOViews that do
    not name one of them anywhere are skipped too: they cannot matter for those VOs.
    """

    def __init__(
        self,
        path: Path | str,
        wanted: Mapping[str, tuple[str, ...]] = GLUE13_WANTED,
        vos: Sequence[str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.origin = str(path)
        self.partial: str | None = None
        usable = vos and all(v.strip() for v in vos)
        self._vos = tuple(v.strip().lower() for v in vos) if vos and usable else None
        # The class is known from the match, so objectClass values need not be decoded.
        self._attr_res = {
            cls: _attr_pattern(a for a in attrs if a != "objectclass")
            for cls, attrs in wanted.items()
        }
        # One search of the lower-cased entry tells whether it is of a class cecap reads,
        # so the bulk of a top-level BDII (SEs, SAs, services) is skipped undecoded.
        classes = _alternation(wanted)
        self._class_re = re.compile(rf"\nobjectclass:[ \t]*({classes})[ \t]*(?:\n|\Z)")

    def _open(self) -> IO[str]:
        try:
            if self.path.suffix == ".gz":
                return gzip.open(self.path, "rt", encoding="utf-8", newline=None)
            return self.path.open("r", encoding="utf-8", newline=None)
        except FileNotFoundError:
            raise InputError(f"{self.path}: no such file") from None
        except IsADirectoryError:
            raise InputError(f"{self.path}: is a directory, not an LDIF file") from None
        except PermissionError:
            raise InputError(f"{self.path}: permission denied") from None

    def _blocks(self) -> Iterator[tuple[int, str]]:
        """Yield (first line number, text) of each blank-line separated block."""
        line = 1
        rest = ""
        with self._open() as handle:
            while True:
                try:
                    chunk = handle.read(_CHUNK)
                except UnicodeDecodeError as exc:
                    raise InputError(
                        f"{self.path}: near line {line + rest.count(chr(10))}: not UTF-8 text"
                        f" ({exc.reason}); is this an LDIF file?"
                    ) from None
                except (EOFError, OSError, zlib.error) as exc:
                    raise InputError(
                        f"{self.path}: near line {line + rest.count(chr(10))}: cannot read"
                        f" compressed data ({exc}); the file is truncated or corrupt"
                    ) from None
                if not chunk:
                    break
                parts = (rest + chunk).split("\n\n")
                rest = parts.pop()
                for part in parts:
                    yield line, part
                    line += part.count("\n") + 2
        if rest.strip("\n"):
            yield line, rest

    def entries(self) -> Iterator[Entry]:  # noqa: C901, PLR0912, PLR0915
        seen_header = False
        seen_trailer = False
        count = 0
        declared: int | None = None
        for lineno, block in self._blocks():
            # Leading newlines (more than one blank line between entries) shift the start.
            stripped = block.lstrip("\n")
            lineno += len(block) - len(stripped)
            block = stripped
            if not block:
                continue
            bad = _BAD_LINE_RE.search(block)
            if bad:
                start = bad.start() + 1
                at = lineno + block.count("\n", 0, start)
                end = block.find("\n", start)
                text = block[start : end if end >= 0 else len(block)]
                raise InputError(f"{self.path}: line {at}: not an LDIF line: {text[:60]!r}")
            # One-character search first: it is several times faster than for "\n#".
            if "#" in block and (block.startswith("#") or "\n#" in block):
                if block.startswith("# extended LDIF"):
                    seen_header = True
                found = _NUM_ENTRIES_RE.search(block)
                if found:
                    declared = int(found.group(1))
                lines = block.split("\n")
                while lines and lines[0].startswith("#"):
                    lines.pop(0)
                    lineno += 1
                block = "\n".join(ln for ln in lines if not ln.startswith("#"))
                if not block:
                    continue
            if not block.startswith("dn:"):  # else an entry, as nearly every block is
                if block.startswith(("search:", "result:")):
                    seen_trailer = True
                    result = _RESULT_RE.search(block)
                    if result and result.group(1) != "0":
                        self.partial = (
                            f"the dump ends with LDAP result {result.group(1)}"
                            f" ({result.group(2) or 'error'}): the server cut the search short"
                        )
                    continue
                if block.startswith("version:") and "\ndn:" not in block:
                    continue
                if block.startswith("version:"):
                    block = block.split("\n", 1)[1]
                    lineno += 1
                if not block.startswith("dn:"):
                    raise InputError(
                        f"{self.path}: line {lineno}: entry does not start with 'dn:'"
                        f" ({block.split(chr(10), 1)[0][:60]!r}); the file is garbled"
                    )
            count += 1
            kind = self._wanted_for(block)
            if kind is None:
                continue
            yield _parse_entry(self.path, lineno, block, self._attr_res[kind], kind)
        if seen_header and not seen_trailer:
            raise InputError(
                f"{self.path}: ends without the '# search result' trailer that ldapsearch"
                " writes: the file is truncated; take the snapshot again"
            )
        if declared is not None and declared != count:
            raise InputError(
                f"{self.path}: holds {count} entries but its trailer says numEntries:"
                f" {declared}: the file is truncated or was edited; take the snapshot again"
            )

    def _wanted_for(self, block: str) -> str | None:
        """The wanted object class of an entry (lower-case), or None to skip it."""
        lowered = block.lower()
        match = self._class_re.search(lowered)
        if match:
            kind = match.group(1)
            if (
                kind == "gluevoview"
                and self._vos
                and "::" not in block  # a base64 value could hide a VO name
                and not any(vo in lowered for vo in self._vos)
            ):
                return None
            return kind
        if "objectclass::" in lowered:
            # A base64-encoded objectClass is legal but rare: decode to decide.
            entry = _parse_entry(self.path, 0, block, _attr_pattern(["objectclass"]), "")
            for value in entry.values("objectclass"):
                if value.strip().lower() in self._attr_res:
                    return value.strip().lower()
        return None


def _alternation(words: Iterable[str]) -> str:
    """A regex for exactly ``words``, factored on common prefixes (a trie): the regex engine
    then reads a name once instead of retrying every word on it from the start."""
    unique = sorted(set(words))
    if unique == [""]:
        return ""
    tails: dict[str, list[str]] = {}
    for word in unique:
        if word:
            tails.setdefault(word[0], []).append(word[1:])
    branches = [re.escape(first) + _alternation(rest) for first, rest in tails.items()]
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    return f"(?:{body})?" if "" in unique else body


def _attr_pattern(attributes: Iterable[str]) -> re.Pattern[str]:
    """Matches the lines of the given attributes (any case, any options) after unfolding."""
    names = _alternation(attributes)
    # Anchored on the newline (the entry text is given with one in front) and
    # case-insensitive only for the name: both keep the regex engine's fast scan.
    return re.compile(rf"\n((?i:{names}))(?:;[^:\n]*)?:([:<]?)[ ]*(.*)")


def _decode(path: Path, lineno: int, name: str, kind: str, value: str) -> str:
    if kind == ":":
        try:
            return base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise InputError(
                f"{path}: entry at line {lineno}: attribute {name!r} has a base64 value"
                " that does not decode"
            ) from None
    if kind == "<":
        raise InputError(
            f"{path}: entry at line {lineno}: attribute {name!r} refers to an external"
            " file (':<'), which cecap does not follow"
        )
    return value


def _parse_entry(path: Path, lineno: int, block: str, pattern: re.Pattern[str], kind: str) -> Entry:
    # Unfold continuation lines (RFC 2849: a line starting with one space continues the last).
    text = block.rstrip("\n").replace("\n ", "")
    first, newline, rest = text.partition("\n")
    how = ":" if first.startswith("dn::") else ""
    dn = _decode(path, lineno, "dn", how, first[3 + len(how) :])
    attrs: dict[str, list[str]] = {}
    # Only the lines of attributes cecap uses are matched (and decoded): the rest of a
    # GLUE entry (policies, counters) is never split into Python strings.
    for name, how, value in pattern.findall(newline + rest):
        if how:
            value = _decode(path, lineno, name, how, value)
        key = _KEYS.get(name)
        if key is None:
            key = _KEYS[name] = sys.intern(name.lower())
        attrs.setdefault(key, []).append(value)
    return Entry(dn=dn.strip(), attrs={k: tuple(v) for k, v in attrs.items()}, kind=kind)


_LDIF_SUFFIXES = (".ldif", ".ldif.gz", ".gz")


def is_ldif_path(item: str) -> bool:
    """A snapshot file rather than an endpoint: an existing file, a path, or an LDIF name."""
    if "://" in item:
        return False
    lowered = item.lower()
    return (
        lowered.endswith(_LDIF_SUFFIXES)
        or os.path.isfile(item)
        or "/" in item
        or item.startswith(("~", "."))
    )


def open_ldif(item: str, settings: SourceSettings) -> Source:
    path = Path(item).expanduser()
    return EntrySource(str(path), lambda wanted, vos: LdifReader(path, wanted, vos))


LDIF = register(SourceKind("ldif", is_ldif_path, open_ldif))
