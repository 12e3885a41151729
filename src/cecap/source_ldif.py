"""Source step for snapshots: stream GLUE entries out of an LDIF file (plain or gzip)."""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

from .errors import InputError
from .source import GLUE13_WANTED, Entry

_CHUNK = 1 << 20

# One regex pass tells whether an entry is of a class cecap reads, so the bulk of a
# top-level BDII (SEs, SAs, services) is skipped without being decoded line by line.
_OBJECTCLASS_RE = re.compile(
    r"^objectclass:[ \t]*([A-Za-z0-9]+)[ \t]*$", re.IGNORECASE | re.MULTILINE
)
# A line that is neither "attr: value", "attr:: b64", "attr:< url", a continuation nor a
# comment: the file is not LDIF (or was garbled).
_BAD_LINE_RE = re.compile(r"^(?![A-Za-z][A-Za-z0-9;.\-]*:|[ #]|$)", re.MULTILINE)
_NUM_ENTRIES_RE = re.compile(r"^# numEntries: (\d+)$", re.MULTILINE)
_RESULT_RE = re.compile(r"^result: (\d+)(?: (.*))?$", re.MULTILINE)


class LdifReader:
    """Reads the GLUE entries cecap uses from an ``ldapsearch`` dump.

    Accepts what operators produce: with or without ``-LLL`` (comments and the
    ``# search result`` trailer), folded lines, base64 values, CRLF, ``.gz``.
    The file is read in chunks; only entries of wanted classes are decoded.
    """

    def __init__(
        self, path: Path | str, wanted: Mapping[str, tuple[str, ...]] = GLUE13_WANTED
    ) -> None:
        self.path = Path(path)
        self.origin = str(path)
        self.partial: str | None = None
        self._wanted = {cls: frozenset(attrs) for cls, attrs in wanted.items()}

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

    def entries(self) -> Iterator[Entry]:
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
                at = lineno + block.count("\n", 0, bad.start())
                end = block.find("\n", bad.start())
                text = block[bad.start() : end if end >= 0 else len(block)]
                raise InputError(f"{self.path}: line {at}: not an LDIF line: {text[:60]!r}")
            if block.startswith("#") or "\n#" in block:
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
            wanted_attrs = self._wanted_for(block)
            if wanted_attrs is None:
                continue
            yield _parse_entry(self.path, lineno, block, wanted_attrs)
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

    def _wanted_for(self, block: str) -> frozenset[str] | None:
        for match in _OBJECTCLASS_RE.finditer(block):
            attrs = self._wanted.get(match.group(1).lower())
            if attrs is not None:
                return attrs
        if "objectclass::" in block.lower():
            # A base64-encoded objectClass is legal but rare: decode to decide.
            for value in _parse_entry(self.path, 0, block, frozenset({"objectclass"})).values(
                "objectclass"
            ):
                attrs = self._wanted.get(value.strip().lower())
                if attrs is not None:
                    return attrs
        return None


def _parse_entry(path: Path, lineno: int, block: str, keep: frozenset[str]) -> Entry:
    # Unfold continuation lines (RFC 2849: a line starting with one space continues the last).
    text = block.rstrip("\n").replace("\n ", "")
    attrs: dict[str, list[str]] = {}
    dn = ""
    for offset, line in enumerate(text.split("\n")):
        name, sep, value = line.partition(":")
        if not sep:
            raise InputError(f"{path}: entry at line {lineno}: not an LDIF line: {line[:60]!r}")
        if value.startswith(":"):
            try:
                value = base64.b64decode(value[1:].strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise InputError(
                    f"{path}: entry at line {lineno}: attribute {name!r} has a base64 value"
                    " that does not decode"
                ) from None
        elif value.startswith("<"):
            raise InputError(
                f"{path}: entry at line {lineno}: attribute {name!r} refers to an external"
                " file (':<'), which cecap does not follow"
            )
        else:
            value = value[1:] if value.startswith(" ") else value
        key = name.lower()
        if offset == 0:
            if key != "dn":
                raise InputError(f"{path}: line {lineno}: entry does not start with 'dn:'")
            dn = value.strip()
            continue
        # Attribute options (";lang-en", ";binary") do not change what cecap reads.
        key = key.split(";", 1)[0]
        if key in keep:
            attrs.setdefault(key, []).append(value)
    return Entry(dn=dn, attrs={k: tuple(v) for k, v in attrs.items()})
