"""A source that is not LDAP: one module registering a kind is all it takes."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cecap.cli import main
from cecap.model.glue import CE, GlueModel
from cecap.sources.base import KINDS, ReadRequest, Source, SourceKind, SourceSettings, register

CATALOGUE = """ce,site,state,vos,capabilities
ce07.pic.es:8443/cream-pbs-glong,pic,Production,atlas cms lhcb,glexec
lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M,RAL-LCG2,Production,atlas lhcb,glexec
ce.example.org:8443/cream-pbs-long,NOWHERE,Production,atlas,
"""


class CsvSource:
    """A CSV catalogue of CEs (``ce,site,state,vos,capabilities``) read into the model
    directly: no entries, no DNs, no LDAP."""

    def __init__(self, item: str) -> None:
        self.path = Path(item.removeprefix("cecsv:"))
        self.origin = f"cecsv:{self.path}"

    def read(self, request: ReadRequest) -> GlueModel:
        with self.path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        ces = tuple(
            CE(
                unique_id=row["ce"],
                dn="",
                name=row["ce"].rsplit("-", 1)[-1],
                state=row["state"],
                implementation="CREAM",
                lrms="pbs",
                host=row["ce"].split(":", 1)[0],
                rules=tuple(f"VO:{vo}" for vo in row["vos"].split()),
                capabilities=tuple(row["capabilities"].split()),
                voviews=(),
                cluster_id=None,
                site=row["site"],
            )
            for row in rows
        )
        return GlueModel(
            origin=self.origin,
            ces=ces,
            sites=tuple(sorted({ce.site for ce in ces}, key=str.lower)),
            glue_versions=("1.3",),
        )


def _open(item: str, settings: SourceSettings) -> Source:
    return CsvSource(item)


@pytest.fixture
def csv_kind() -> Iterator[SourceKind]:
    kind = register(SourceKind("cecsv", lambda item: item.startswith("cecsv:"), _open))
    try:
        yield kind
    finally:
        KINDS.remove(kind)


def test_a_non_ldap_source_feeds_every_command(
    csv_kind: SourceKind, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalogue = tmp_path / "ces.csv"
    catalogue.write_text(CATALOGUE, encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        main(["report", "--bdii", f"cecsv:{catalogue}", "--all", "--format", "json", "-e", "atlas"])
    out = capsys.readouterr().out
    assert done.value.code == 0
    rows = {r["ce"]: (r["site"], r["verdict"], r["mode"]) for r in json.loads(out)["rows"]}
    assert rows == {
        "ce07.pic.es:8443/cream-pbs-glong": ("pic", "ready", "setuid"),
        "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M": ("RAL-LCG2", "ready", "setuid"),
        "ce.example.org:8443/cream-pbs-long": ("NOWHERE", "not-advertised", None),
    }
    assert json.loads(out)["source"] == f"cecsv:{catalogue}"


def test_the_kind_is_asked_before_the_built_in_ones(csv_kind: SourceKind) -> None:
    from cecap.sources.endpoints import open_source

    assert isinstance(open_source("cecsv:/some/where.csv"), CsvSource)
    assert not isinstance(open_source("bdii.example.org"), CsvSource)
