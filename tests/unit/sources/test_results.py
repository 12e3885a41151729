"""Reading result files: each accepted shape, and one clear error for a bad row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cecap.errors import InputError
from cecap.model.results import ResultStatus
from cecap.policy.load import default_config_dir, load_policy
from cecap.sources import results as module
from cecap.sources.results import read_results
from cecap.text import parse_stamp, stamp

EXPERIMENTS = load_policy(default_config_dir()).experiments
WHEN = datetime(2010, 4, 1, 12, tzinfo=UTC)


def write(tmp_path: Path, text: str, name: str = "r.txt") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_each_shape(tmp_path: Path) -> None:
    csv = write(
        tmp_path,
        "time,ce,experiment,metric,status,summary\r\n"
        '2010-04-01T12:00:00Z,CE.Example.org,CMS,org.cms.glexec.WN-gLExec,ok,"a, b"\r\n',
    )
    (r,) = read_results(csv, EXPERIMENTS).results
    assert (r.time, r.ce, r.experiment, r.status, r.summary) == (
        WHEN, "ce.example.org", "cms", ResultStatus.OK, "a, b"
    )  # fmt: skip
    jsonl = write(
        tmp_path,
        '{"time": "2010-04-01T14:00:00+02:00", "ce": "ce.example.org:2119/jobmanager-pbs-cms",'
        ' "experiment": "cms", "metric": "org.sam.glexec.WN-gLExec", "status": "CRITICAL"}\n',
    )
    (r,) = read_results(jsonl, EXPERIMENTS).results
    assert (r.time, r.ce, r.summary) == (WHEN, "ce.example.org:2119/jobmanager-pbs-cms", "")
    message = write(
        tmp_path,
        "timestamp: 2010-04-01T12:00:00Z\nhostName: ce.example.org\nmetricName:"
        " emi.cream.glexec.WN-gLExec\nmetricStatus: WARNING\nvoFqan: /atlas/Role=pilot\n"
        "detailsData: ignored\n",
    )
    (r,) = read_results(message, EXPERIMENTS).results
    assert (r.experiment, r.status, r.metric) == (
        "atlas",
        ResultStatus.WARNING,
        "emi.cream.glexec.WN-gLExec",
    )


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "line 1: no results (empty file)"),
        ("time,ce,experiment,metric,status,summary\nx,ce,cms,m,OK,\n", "line 2: time 'x' is not ISO 8601 (2010-04-01T12:00:00Z)"),
        (
            "time,ce,experiment,metric,status,summary\n2010-04-01T12:00:00Z,ce,nobody,m,OK,\n",
            "line 2: unknown experiment 'nobody'; configured (by key, name or VO): atlas, cms, lhcb, alice",
        ),
        ('{"time": "2010-04-01T12:00:00Z"}\n[1]\n', "line 1: no ce"),
        ('{"time": 1, "ce": "c"}\n', "line 1: time: expected text, found int"),
        ('{"colour": "red"}\n', "line 1: unknown field 'colour'; fields: time, ce, experiment, metric, status, summary, output"),
        ("hostName: ce\nmetricStatus: OK\n", "line 1: a result message without timestamp"),
        ("timestamp: 2010-04-01T12:00:00Z\nhostName: ce\nmetricName: m\nmetricStatus: OK\n",
         "line 1: a result message without voName, voFqan or a -/VO suffix to its metric"),
        ("time,ce,experiment,metric,status,summary\n2010-04-01T12:00:00Z,c\x1b[2J,cms,m,OK,\n",
         "line 2: ce 'c\x1b[2J' is not a GlueCEUniqueID or a host name"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_naming_file_and_line(tmp_path: Path, text: str, error: str) -> None:
    name = write(tmp_path, text)
    with pytest.raises(InputError) as exc:
        read_results(name, EXPERIMENTS)
    assert str(exc.value) == f"{name}: {error}"


def test_bounds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    long = write(tmp_path, "time,ce,experiment,metric,status,summary\n" + "x" * (70 << 10) + "\n")
    with pytest.raises(InputError, match=r": line 2: longer than 64 KiB: not a result line$"):
        read_results(long, EXPERIMENTS)
    monkeypatch.setattr(module, "MAX_FILE", 10)
    with pytest.raises(InputError, match=r"larger than 0 MiB: split it"):
        read_results(write(tmp_path, "x" * 11), EXPERIMENTS)
    with pytest.raises(InputError, match=r"line 2: not UTF-8 text$"):
        monkeypatch.setattr(module, "MAX_FILE", 1 << 20)
        (tmp_path / "bin").write_bytes(b"a\n\xff\n")
        read_results(str(tmp_path / "bin"), EXPERIMENTS)


NOW = datetime(2010, 4, 2, tzinfo=UTC)
DETAILS = (
    "detailsData: glexec test on wn042\n"
    "\n"
    "  /usr/sbin/glexec /bin/id\n"
    "uid=501(cmsprd) gid=501(cms)\n"
    "\n"
    "\n"
    "Payload ran as the mapped user\n"
)


def message(when: str = "2010-04-01T12:00:00Z", status: str = "OK", details: str = DETAILS) -> str:
    """A message in the WLCG format, its fields in the order ARGOeu/perl-Gridmon's
    lib/GridMon/MetricOutput.pm wlcg_format (lines 72-104) writes them: detailsData last."""
    return (
        "serviceURI: ce.example.org\nhostName: ce.example.org\nserviceFlavour: CREAM-CE\n"
        f"metricStatus: {status}\nmetricName: org.sam.glexec.WN-gLExec\n"
        f"summaryData: {status}: glexec ran\ntimestamp: {when}\nvoName: cms\n"
        f"serviceType: CREAM-CE\n{details}"
    )


def test_a_value_over_several_lines_blank_ones_included_ends_at_eot(tmp_path: Path) -> None:
    # Messages ended by EOT, as ARGOeu/perl-Gridmon writes them (MetricOutput.pm line 104),
    # a blank line and a line without ": " inside detailsData: ARGO's consumer skips
    # them (ARGOeu/argo-egi-consumer modules/reader.py lines 71-73).
    text = (
        message("2010-04-01T12:00:00Z", "OK") + "EOT\n"
        + message("2010-04-01T13:00:00Z", "CRITICAL") + "EOT\n"
    )  # fmt: skip
    got = read_results(write(tmp_path, text), EXPERIMENTS, now=NOW).results
    assert [(r.time.hour, r.status, r.summary) for r in got] == [
        (12, ResultStatus.OK, "OK: glexec ran"),
        (13, ResultStatus.CRITICAL, "CRITICAL: glexec ran"),
    ]
    # The line numbers are those of the file: the second message starts on line 18.
    bad = text.replace("timestamp: 2010-04-01T13:00:00Z", "timestamp: yesterday")
    with pytest.raises(InputError, match=r": line 18: time 'yesterday' is not ISO 8601"):
        read_results(write(tmp_path, bad), EXPERIMENTS, now=NOW)


def test_without_eot_a_block_of_no_message_field_is_the_rest_of_the_value(tmp_path: Path) -> None:
    # A file of blank-line separated messages whose detailsData has blank lines: a block
    # holding none of the fields ARGO requires of a message (modules/writer.py line 166)
    # is the rest of the message before it, not a message of its own.
    text = message("2010-04-01T12:00:00Z") + "\n" + message("2010-04-01T13:00:00Z", "WARNING")
    assert "\n\n" in DETAILS and "EOT" not in text
    got = read_results(write(tmp_path, text), EXPERIMENTS, now=NOW).results
    assert [(r.time.hour, r.status) for r in got] == [
        (12, ResultStatus.OK),
        (13, ResultStatus.WARNING),
    ]
    # A detailsData longer than a CE's name is not read at all: no limit applies to it.
    long = message(details="detailsData: " + "x" * 5000 + "\n\n" + "y" * 5000 + "\n")
    (r,) = read_results(write(tmp_path, long), EXPERIMENTS, now=NOW).results
    assert r.status is ResultStatus.OK


def test_fields_are_read_as_argo_reads_them(tmp_path: Path) -> None:
    # ARGOeu/argo-egi-consumer modules/reader.py: a line split at its first ": " (line 72),
    # the key given again replaces the value before (line 76), a line without ": " skipped
    # (line 73), even one that looks like a field ("metricStatus:CRITICAL").
    text = message(details="metricStatus:CRITICAL\nsummaryData: second: the last one\n")
    (r,) = read_results(write(tmp_path, text), EXPERIMENTS, now=NOW).results
    assert (r.status, r.summary) == (ResultStatus.OK, "second: the last one")
    assert module._fields([(1, "a: b: c"), (2, "a:b"), (3, ""), (4, " a: d")]) == {
        "a": "b: c",
        " a": "d",
    }


@pytest.mark.parametrize(
    ("when", "error"),
    [
        ("2010-04-02T00:05:01Z", "time '2010-04-02T00:05:01Z' is later than now (2010-04-02T00:00:00Z) plus 5m"),
        ("2099-01-01T00:00:00+01:00", "time '2099-01-01T00:00:00+01:00' is later than now"),
        ("9999-12-31T23:59:59-14:00", "time '9999-12-31T23:59:59-14:00' is out of range once in UTC"),
        ("0001-01-01T00:00:00+14:00", "time '0001-01-01T00:00:00+14:00' is out of range once in UTC"),
        ("99999-01-01T00:00:00Z", "time '99999-01-01T00:00:00Z' is not ISO 8601"),
        ("2010-04-01T12:00:00+24:00", "time '2010-04-01T12:00:00+24:00' is not ISO 8601"),
        ("2010-02-30T12:00:00Z", "time '2010-02-30T12:00:00Z' is not ISO 8601"),
        ("NaN", "time 'NaN' is not ISO 8601"),
    ],
)  # fmt: skip
def test_times_that_cannot_be_held_or_lie(tmp_path: Path, when: str, error: str) -> None:
    for text, line in (
        (f"time,ce,experiment,metric,status\n2010-04-01T12:00:00Z,ce,cms,m,OK\n{when},ce,cms,m,OK\n", 3),
        (message() + "EOT\n" + message(when) + "EOT\n", 18),
    ):  # fmt: skip
        name = write(tmp_path, text)
        with pytest.raises(InputError) as exc:
            read_results(name, EXPERIMENTS, now=NOW)
        assert str(exc.value).startswith(f"{name}: line {line}: {error}"), exc.value


def test_the_tolerance_for_the_future(tmp_path: Path) -> None:
    name = write(
        tmp_path,
        "time,ce,experiment,metric,status\n2010-04-02T00:05:00Z,ce,cms,org.cms.glexec.WN-gLExec,OK\n",
    )
    (r,) = read_results(name, EXPERIMENTS, now=NOW).results  # 5m by default
    assert r.time == NOW + module.DEFAULT_FUTURE == NOW + timedelta(minutes=5)
    with pytest.raises(InputError, match=r"line 2: time .* plus 4m: a clock ahead"):
        read_results(name, EXPERIMENTS, now=NOW, future=timedelta(minutes=4))
    with pytest.raises(InputError, match=r"plus 0m"):
        read_results(name, EXPERIMENTS, now=NOW, future=timedelta(0))


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ('{"time": "2010-04-01T12:00:00Z", "ce": "c", "experiment": "cms", "metric": "m", "status": "OK", "summary": "\\ud800"}',
         "summary: a lone surrogate (U+D800): not Unicode text"),
        ('{"time": "2010-04-01T12:00:00Z", "ce": "c\\udfff", "experiment": "cms", "metric": "m", "status": "OK"}',
         "ce: a lone surrogate (U+DFFF): not Unicode text"),
        ('{"\\ud800": 1}', "a field's name: a lone surrogate (U+D800): not Unicode text"),
        ('{"time": ' + "9" * 10_000 + "}", "a number too long for Python to read (over 4300 digits)"),
        ('{"time": NaN}', "time: expected text, found float"),
        ('{"time": -Infinity}', "time: expected text, found float"),
        ('{"time": 1e999}', "time: expected text, found float"),
        ('{"time": ' + "9" * 4000 + "}", "time: expected text, found int"),
        ('{"time": ' + "[" * 20_000 + "}", "not a JSON object"),
    ],
)  # fmt: skip
def test_numbers_and_text_python_cannot_hold(tmp_path: Path, line: str, error: str) -> None:
    name = write(
        tmp_path,
        '{"time": "2010-04-01T12:00:00Z", "ce": "c", "experiment": "cms", "metric": "m", "status": "OK"}\n'
        + line
        + "\n",
    )
    with pytest.raises(InputError) as exc:
        read_results(name, EXPERIMENTS, now=NOW)
    assert str(exc.value).startswith(f"{name}: line 2: {error}"), exc.value
    str(exc.value).encode("utf-8")  # the message itself holds no surrogate


def test_a_time_at_the_calendars_edges_is_stored_and_read_back(tmp_path: Path) -> None:
    name = write(
        tmp_path, "time,ce,experiment,metric,status\n0001-01-01T00:00:00-14:00,ce,cms,m,OK\n"
    )
    read_results(name, EXPERIMENTS, now=NOW)  # held in UTC: 0001-01-01T14:00:00Z
    for moment in (
        datetime(1, 1, 1, 14, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
    ):
        assert parse_stamp(stamp(moment)) == moment
    assert stamp(datetime(1, 1, 1, tzinfo=UTC)) == "0001-01-01T00:00:00Z"  # fixed width


CMS_LOG_ONLY = "Warning: Same /usr/bin/id for payload and pilot"


def test_output_is_kept_in_each_shape(tmp_path: Path) -> None:
    csv = write(
        tmp_path,
        "time,ce,experiment,metric,status,summary,output\n"
        f'2010-04-01T12:00:00Z,ce.example.org,cms,org.cms.glexec.WN-gLExec,WARNING,w,"a\n{CMS_LOG_ONLY}"\n',
    )
    # A quoted CSV value over two lines is not one row: each row is one line.
    with pytest.raises(InputError, match=r"line 2: not a CSV row: unexpected end of data$"):
        read_results(csv, EXPERIMENTS)
    csv = write(
        tmp_path,
        "time,ce,experiment,metric,status,summary,output\n"
        f"2010-04-01T12:00:00Z,ce.example.org,cms,org.cms.glexec.WN-gLExec,WARNING,w,{CMS_LOG_ONLY}\n"
        "2010-04-01T13:00:00Z,ce.example.org,cms,org.cms.glexec.WN-gLExec,OK,fine\n",
    )
    got = read_results(csv, EXPERIMENTS).results
    assert [(r.summary, r.output) for r in got] == [("w", CMS_LOG_ONLY), ("fine", "")]
    jsonl = write(
        tmp_path,
        '{"time": "2010-04-01T12:00:00Z", "ce": "ce.example.org", "experiment": "cms",'
        ' "metric": "org.cms.glexec.WN-gLExec", "status": "WARNING",'
        f' "output": "Payload id: 501\\n{CMS_LOG_ONLY}\\u001b[2J"}}\n',
    )
    (r,) = read_results(jsonl, EXPERIMENTS).results
    # Kept as it came: escaped where it is shown, not where it is stored.
    assert r.output == f"Payload id: 501\n{CMS_LOG_ONLY}\x1b[2J"
    assert r.text == f"\nPayload id: 501\n{CMS_LOG_ONLY}\x1b[2J"


def test_details_data_is_read_whole_with_lines_holding_a_colon(tmp_path: Path) -> None:
    # The CMS test's log-only line holds ": ": it is part of detailsData, not a field.
    details = (
        "detailsData: Ran at 2010-04-01 12:00:00 UTC on host wn01 as user:\n"
        "uid=501(cmsprd) gid=501(cms)\n\nGlexec Invocation:\n"
        f"{CMS_LOG_ONLY}\nPayload id: 501\n"
    )
    text = (
        message(status="WARNING", details=details)
        + "EOT\n"
        + message("2010-04-01T13:00:00Z", details="detailsData: one line\n")
        + "EOT\n"
    )
    got = read_results(write(tmp_path, text), EXPERIMENTS, now=NOW).results
    assert got[0].output == (
        "Ran at 2010-04-01 12:00:00 UTC on host wn01 as user:\n"
        "uid=501(cmsprd) gid=501(cms)\n\nGlexec Invocation:\n"
        f"{CMS_LOG_ONLY}\nPayload id: 501"
    )
    assert got[1].output == "one line"
    # Without detailsData, no output.
    (r,) = read_results(write(tmp_path, message(details="")), EXPERIMENTS, now=NOW).results
    assert r.output == ""


def test_a_long_output_is_cut_saying_how_much(tmp_path: Path) -> None:
    long = "x" * (module.MAX_LINE - 200)
    jsonl = write(
        tmp_path,
        '{"time": "2010-04-01T12:00:00Z", "ce": "ce.example.org", "experiment": "cms",'
        f' "metric": "org.cms.glexec.WN-gLExec", "status": "OK", "output": "{long}"}}\n',
    )
    (r,) = read_results(jsonl, EXPERIMENTS).results
    kept = 8192
    assert r.output == "x" * kept + f"\n[{len(long) - kept} more characters not kept]"
