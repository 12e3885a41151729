"""Reading glexec test result files (CSV, JSON lines, result messages) for `results import`.

The files are untrusted: every problem is one InputError naming the file and the line,
and a file with one bad row gives no results at all (its import records nothing).

Three shapes, told apart by the first line that is not blank:

* CSV with the header ``time,ce,experiment,metric,status,summary`` (what a site's own
  script can write), or with ``output`` after it; ``summary`` and ``output`` may be empty;
* JSON lines: one object per line with those fields (``summary`` and ``output`` optional);
* the result messages of the SAM/ETF Nagios probes in the WLCG format: ``key: value``
  lines, each message ended by a line ``EOT``. A value may run over several lines, blank
  ones included (a probe's multi-line ``detailsData``): every line of a message is read
  as ARGO's consumer reads it (see ``_fields``). A file without any ``EOT`` line is read
  with a blank line between messages, and a blank-line separated block holding none of
  the fields every message has is the rest of the message before it. The fields read
  are those ARGO's consumer reads from each message (ARGOeu/argo-egi-consumer,
  modules/reader.py and modules/writer.py): ``timestamp`` (2010-04-01T12:00:00Z),
  ``hostName`` (the CE's host: every CE on it), ``metricName``, ``metricStatus``,
  ``summaryData`` (optional), ``detailsData`` (optional: the test's output), and for the
  experiment ``voName``, else the VO of ``voFqan`` (/cms/Role=pilot), else that of the
  ``-/VO/...`` suffix ETF gives a metric's name. Every other field is ignored.

A result's output (``output``, ``detailsData``) is kept to its first MAX_OUTPUT
characters (model/results.py): what shows the glexec mode is among its first lines.

``time`` is ISO 8601 with a zone; ``ce`` a GlueCEUniqueID or a host name; ``experiment``
an experiment's key, name or VO (experiments.yaml); ``status`` OK, WARNING, CRITICAL or
UNKNOWN. A result whose metric is not a glexec test of its experiment
(``glexec_metrics``) is skipped, and counted. A result later than now plus a tolerance
(``future``) is refused: a clock ahead would otherwise give the CE its last result until
that time comes. A time that cannot be held once in UTC (``9999-12-31T23:59:59-14:00``),
a number JSON cannot give Python (10,000 digits) and a lone surrogate in a JSON string
are refused the same way, naming the file and line.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..model.results import GlexecResult, ResultStatus, bounded
from ..policy.stances import Experiment
from ..text import HIDDEN, stamp
from .regular import read_regular

STDIN = "-"
MAX_FILE = 64 << 20  # bytes: years of hourly results for thousands of CEs
MAX_LINE = 64 << 10  # characters: a result is one short line
MAX_FIELD = 1024  # characters of a CE, experiment or metric
CSV_FIELDS = ("time", "ce", "experiment", "metric", "status", "summary", "output")
# How far past now a result's time may be (a probe's clock a little ahead of this host's).
DEFAULT_FUTURE = timedelta(minutes=5)
# The first line of a file of result messages: a field as the WLCG format spells it.
_MESSAGE_LINE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*: .*")
# ARGO's consumer reads a field from a line holding ": ": the key before it, the value
# after it (ARGOeu/argo-egi-consumer, modules/reader.py lines 71-76, at cabad71).
FIELD_SEPARATOR = ": "
# The line the WLCG format ends each message with, after detailsData, the one value that
# runs over several lines: ARGOeu/perl-Gridmon, lib/GridMon/MetricOutput.pm lines 101-104
# (wlcg_format), and ARGO's probes' own printer, lib/GridMon/sgutils.pm line 406; its
# message handler reads detailsData up to it, lib/GridMon/MsgHandler/MetricOutput.pm line 113.
END_OF_MESSAGE = "EOT"
# The fields ARGO's consumer requires of every message (ARGOeu/argo-egi-consumer,
# modules/writer.py line 166, _is_validmsg): a block holding none of them is no message.
MESSAGE_FIELDS = frozenset(("serviceType", "timestamp", "hostName", "metricName", "metricStatus"))
# The message fields cecap reads; every other one is left unread.
_READ: tuple[str, ...] = ("timestamp", "hostName", "metricName", "metricStatus")
_READ += ("summaryData", "detailsData", "voName", "voFqan")
_LONG = frozenset(("summary", "summaryData", "output", "detailsData"))  # free text
_OPTIONAL = frozenset(("summary", "output"))
_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class ResultFile:
    """What one file holds: its results, and how many results were not glexec tests."""

    name: str
    results: tuple[GlexecResult, ...]
    skipped: int


class _Bad(ValueError):
    """A problem on a line; the reader adds the file's name."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _text(name: str) -> str:
    try:
        if name == STDIN:
            stream = getattr(sys.stdin, "buffer", None)
            data = (
                stream.read(MAX_FILE + 1)
                if stream is not None
                else sys.stdin.read(MAX_FILE + 1).encode("utf-8")
            )
        else:
            data = read_regular(Path(name), MAX_FILE, "a result file")
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE:
        raise InputError(f"{name}: larger than {MAX_FILE >> 20} MiB: split it and import the parts")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{name}: line {line}: not UTF-8 text") from None


class _Reader:
    """Turns the fields of one result into a GlexecResult, for the experiments configured."""

    def __init__(
        self, experiments: Mapping[str, Experiment], now: datetime, future: timedelta
    ) -> None:
        self.experiments = experiments
        self.now = now
        self.future = future
        self.latest = now + future
        self.names: dict[str, str] = {}
        for e in experiments.values():
            for name in (e.key, e.name, e.vo):
                self.names.setdefault(name.strip().lower(), e.key)
        self.skipped = 0

    def field(
        self, line: int, fields: Mapping[str, Any], key: str, *, required: bool = True
    ) -> str:
        value = fields.get(key)
        if value is None or value == "":
            if required:
                raise _Bad(line, f"no {key}")
            return ""
        if not isinstance(value, str):
            raise _Bad(line, f"{key}: expected text, found {type(value).__name__}")
        _unicode(line, key, value)
        if key not in _LONG and len(value) > MAX_FIELD:
            raise _Bad(line, f"{key}: longer than {MAX_FIELD} characters")
        return value.strip()

    def result(
        self,
        line: int,
        when: str,
        ce: str,
        experiment: str,
        metric: str,
        status: str,
        summary: str,
        output: str = "",
    ) -> GlexecResult | None:
        try:
            moment = datetime.fromisoformat(when)
        except ValueError:
            raise _Bad(line, f"time '{when}' is not ISO 8601 (2010-04-01T12:00:00Z)") from None
        if moment.tzinfo is None:
            raise _Bad(line, f"time '{when}' has no zone: add Z or +01:00")
        try:
            moment = moment.astimezone(UTC)
        except OverflowError:
            raise _Bad(
                line, f"time '{when}' is out of range once in UTC (years 1 to 9999)"
            ) from None
        if moment > self.latest:
            raise _Bad(
                line,
                f"time '{when}' is later than now ({stamp(self.now)}) plus {_span(self.future)}:"
                " a clock ahead? (--future sets how far ahead a result may be)",
            )
        if not ce or any(c.isspace() for c in ce) or HIDDEN.search(ce):
            raise _Bad(line, f"ce '{ce}' is not a GlueCEUniqueID or a host name")
        key = self.names.get(experiment.lower())
        if key is None:
            raise _Bad(
                line,
                f"unknown experiment '{experiment}'; configured (by key, name or"
                f" VO): {', '.join(self.experiments)}",
            )
        try:
            word = ResultStatus(status.upper())
        except ValueError:
            words = ", ".join(s.value for s in ResultStatus)
            raise _Bad(line, f"status '{status}' is not one of {words}") from None
        if not self.experiments[key].counts_metric(metric):
            self.skipped += 1
            return None
        host_only = "/" not in ce and ":" not in ce
        return GlexecResult(
            moment, ce.lower() if host_only else ce, key, metric, word, summary, bounded(output)
        )


def _span(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if not seconds:
        return "0m"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _unicode(line: int, what: str, text: str) -> None:
    """Refuses a lone surrogate: only a JSON escape (\\ud800) can give one, the file
    itself being UTF-8, and SQLite, a terminal or a page could not take it."""
    found = _SURROGATE.search(text)
    if found:
        raise _Bad(line, f"{what}: a lone surrogate (U+{ord(found.group()):04X}): not Unicode text")


def _lines(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.split("\n"), 1):
        if len(line) > MAX_LINE:
            raise _Bad(number, f"longer than {MAX_LINE >> 10} KiB: not a result line")
        yield number, line.removesuffix("\r")


def _csv(reader: _Reader, lines: Sequence[tuple[int, str]]) -> list[GlexecResult | None]:
    out = []
    for number, line in lines[1:]:
        if not line.strip():
            continue
        try:
            rows = list(csv.reader([line], strict=True))
        except csv.Error as exc:
            raise _Bad(number, f"not a CSV row: {exc}") from None
        row = rows[0]
        if len(row) not in (5, 6, 7):
            raise _Bad(number, f"{len(row)} fields; expected {','.join(CSV_FIELDS[:6])}[,output]")
        fields = dict(zip(CSV_FIELDS, row, strict=False))
        out.append(_from_fields(reader, number, fields))
    return out


def _from_fields(reader: _Reader, number: int, fields: Mapping[str, Any]) -> GlexecResult | None:
    got = {k: reader.field(number, fields, k, required=k not in _OPTIONAL) for k in CSV_FIELDS}
    return reader.result(number, *got.values())


def _json(reader: _Reader, lines: Sequence[tuple[int, str]]) -> list[GlexecResult | None]:
    out = []
    for number, line in lines:
        if not line.strip():
            continue
        try:
            fields = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise _Bad(number, f"not a JSON object: {getattr(exc, 'msg', exc)}") from None
        except ValueError:
            # json gives Python's own refusal of an integer of more than 4300 digits
            # (sys.get_int_max_str_digits) as a plain ValueError.
            raise _Bad(number, "a number too long for Python to read (over 4300 digits)") from None
        if not isinstance(fields, dict):
            raise _Bad(number, "not a JSON object")
        for key in fields:
            _unicode(number, "a field's name", key)
        unknown = sorted(set(fields) - set(CSV_FIELDS))
        if unknown:
            raise _Bad(number, f"unknown field '{unknown[0]}'; fields: {', '.join(CSV_FIELDS)}")
        out.append(_from_fields(reader, number, fields))
    return out


def _vo_of(fqan: str) -> str:
    """The VO of an FQAN (/cms/Role=pilot -> cms)."""
    return fqan.strip().lstrip("/").split("/", 1)[0]


def _fields(lines: Sequence[tuple[int, str]]) -> dict[str, str]:
    """A message's fields, read as ARGO's consumer reads a message's body
    (ARGOeu/argo-egi-consumer, modules/reader.py lines 65-76, at cabad71): each line split
    at its first ": " (line 72); a line without one, blank or not, is skipped (line 73:
    the rest of a value that runs over several lines); a key given again replaces the
    value before (line 76)."""
    fields: dict[str, str] = {}
    for _, line in lines:
        key, separator, value = line.partition(FIELD_SEPARATOR)
        if separator:
            fields[key] = value
    return fields


def _details(lines: Sequence[tuple[int, str]]) -> str:
    """A message's detailsData whole: its first line's value and every line after it, the
    value the WLCG format writes last, over as many lines as it needs (ARGOeu/perl-Gridmon,
    lib/GridMon/MetricOutput.pm lines 101-104). A line of it holding ": " (the CMS test's
    "Warning: Same /usr/bin/id ...") is no field of the message."""
    for at, (_, line) in enumerate(lines):
        key, separator, value = line.partition(FIELD_SEPARATOR)
        if separator and key == "detailsData":
            return "\n".join([value, *(rest for _, rest in lines[at + 1 :])])
    return ""


def _message(
    reader: _Reader, number: int, fields: Mapping[str, str], details: str = ""
) -> GlexecResult | None:
    fields = {**fields, "detailsData": details}
    get = {k: reader.field(number, fields, k, required=False) for k in _READ}
    for key in ("timestamp", "hostName", "metricName", "metricStatus"):
        if not get.get(key):
            raise _Bad(number, f"a result message without {key}")
    metric = get["metricName"]
    experiment = get.get("voName") or _vo_of(get.get("voFqan", ""))
    if not experiment and "-/" in metric:
        experiment = _vo_of(metric.partition("-/")[2])
    if not experiment:
        raise _Bad(number, "a result message without voName, voFqan or a -/VO suffix to its metric")
    return reader.result(
        number,
        get["timestamp"],
        get["hostName"],
        experiment,
        metric,
        get["metricStatus"],
        get.get("summaryData", ""),
        get.get("detailsData", ""),
    )


def _blocks(
    lines: Sequence[tuple[int, str]], separator: Callable[[str], bool]
) -> list[list[tuple[int, str]]]:
    """The runs of lines between separator lines, each without its leading blank lines;
    runs of blank lines alone are left out."""
    out: list[list[tuple[int, str]]] = []
    block: list[tuple[int, str]] = []
    for number, line in [*lines, (0, END_OF_MESSAGE)]:
        if number == 0 or separator(line):
            if block:
                out.append(block)
            block = []
        elif block or line.strip():
            block.append((number, line))
    return out


def _messages(reader: _Reader, lines: Sequence[tuple[int, str]]) -> list[GlexecResult | None]:
    if any(line.strip() == END_OF_MESSAGE for _, line in lines):
        messages = _blocks(lines, lambda line: line.strip() == END_OF_MESSAGE)
    else:
        messages = []
        for block in _blocks(lines, lambda line: not line.strip()):
            if messages and not MESSAGE_FIELDS.intersection(_fields(block)):
                messages[-1].extend(block)  # the rest of a value with a blank line in it
            else:
                messages.append(block)
    return [_message(reader, block[0][0], _fields(block), _details(block)) for block in messages]


def read_results(
    name: str,
    experiments: Mapping[str, Experiment],
    *,
    now: datetime | None = None,
    future: timedelta = DEFAULT_FUTURE,
) -> ResultFile:
    """Every result of the file ``name`` (``-``: standard input), or an InputError; a
    result later than ``now`` plus ``future`` is an error."""
    text = _text(name)
    reader = _Reader(experiments, now or datetime.now(UTC), future)
    try:
        lines = list(_lines(text))
        content = [(n, line) for n, line in lines if line.strip()]
        if not content:
            raise _Bad(1, "no results (empty file)")
        first = content[0][1].strip()
        if first.startswith("{"):
            found = _json(reader, lines)
        elif first.replace(" ", "").lower() in {",".join(CSV_FIELDS[:n]) for n in (5, 6, 7)}:
            found = _csv(reader, lines[content[0][0] - 1 :])
        elif _MESSAGE_LINE.fullmatch(content[0][1]):
            found = _messages(reader, lines)
        else:
            raise _Bad(
                content[0][0],
                "not a result file: expected the CSV header"
                f" {','.join(CSV_FIELDS[:6])}, a JSON object, or a result message (key: value)",
            )
    except _Bad as exc:
        raise InputError(f"{name}: line {exc.line}: {exc}") from None
    results = tuple(r for r in found if r is not None)
    return ResultFile(name, results, reader.skipped)
