"""Reading result files: each accepted shape, and one clear error for a bad row."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cecap.errors import InputError
from cecap.model.results import ResultStatus
from cecap.policy.load import default_config_dir, load_policy
from cecap.sources import results as module
from cecap.sources.results import read_results

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
        ('{"colour": "red"}\n', "line 1: unknown field 'colour'; fields: time, ce, experiment, metric, status, summary"),
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
