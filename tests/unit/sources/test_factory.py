"""Reading factory configurations: entries, entry sets, inherited attributes, and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from cecap.errors import InputError
from cecap.sources.factory import read_factory

DOC = """<glidein>
 <attrs><attr name="GLEXEC_BIN" value="OSG"/></attrs>
 <entries>
  <entry name="A" gatekeeper="a.example.org/jobmanager-pbs" gridtype="gt2" rsl="(queue=q)">
   <attrs><attr name="GLEXEC_BIN" value="NONE"/></attrs>
  </entry>
  <entry name="B" gatekeeper="b.example.org b.example.org:9619" enabled="False"/>
 </entries>
 <entry_sets>
  <entry_set alias="S">
   <attrs><attr name="GLIDEIN_Supported_VOs" value="CMS, ATLAS"/></attrs>
   <entries><entry name="C" gatekeeper="c.example.org:8443/cream-pbs-q" gridtype="cream"/></entries>
  </entry_set>
 </entry_sets>
</glidein>
"""


def test_entries_and_sets(tmp_path: Path) -> None:
    path = tmp_path / "f.xml"
    path.write_text(DOC)
    a, b, c = read_factory(path)
    assert (a.name, a.gridtype, a.rsl, a.uses_glexec) == ("A", "gt2", "(queue=q)", False)
    # No gridtype: factory_defaults.xml's; the factory's GLEXEC_BIN is inherited.
    assert (b.gridtype, b.enabled, b.glexec_bin, b.uses_glexec) == ("condor", False, "OSG", True)
    assert c.supported_vos == ("CMS", "ATLAS")
    assert c.uses_glexec


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<frontend/>", "not a glideinWMS factory configuration"),
        ("<glidein><entries><entry name='x'/></entries></glidein>", "entry 'x' has no gatekeeper"),
        ("<glidein>", "not well-formed XML"),
        ('<!DOCTYPE glidein SYSTEM "http://example.org/g.dtd"><glidein/>', "declares a DTD"),
    ],
)
def test_refusals(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "f.xml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        read_factory(path)


def _attr(name: str, value: str) -> str:
    return f'<attr name="{name}" value="{value}"/>'


def test_main_file_and_config_d_in_glideinwms_order(tmp_path: Path) -> None:
    (tmp_path / "glideinWMS.xml").write_text(
        "<glidein><attrs>" + _attr("GLEXEC_BIN", "NONE") + "</attrs><entries>"
        '<entry name="A" gatekeeper="a.example.org" gridtype="gt2"/>'
        '<entry name="B" gatekeeper="b.example.org" gridtype="gt2"/></entries></glidein>'
    )
    conf = tmp_path / "config.d"
    conf.mkdir()
    # Sorted by name: 10- before 20-; a later file's entry of the same name replaces it,
    # a later global attr replaces the one before; files not ending in .xml are not read.
    (conf / "20-late.xml").write_text(
        "<glidein><attrs>" + _attr("GLEXEC_BIN", "/usr/sbin/glexec") + "</attrs><entries>"
        '<entry name="B" gatekeeper="b2.example.org" gridtype="cream"/></entries></glidein>'
    )
    (conf / "10-early.xml").write_text(
        "<glidein><attrs>" + _attr("GLEXEC_BIN", "glite") + "</attrs><entry_sets>"
        '<entry name="D" gatekeeper="d.example.org d.example.org:9619"/>'
        "</entry_sets></glidein>"
    )
    (conf / "notes.txt").write_text("<not xml")
    for given in (tmp_path, tmp_path / "glideinWMS.xml"):
        found = {e.name: e for e in read_factory(given)}
        assert sorted(found) == ["A", "B", "D"]
        assert found["B"].gatekeeper == "b2.example.org"
        assert found["B"].file == str(conf / "20-late.xml")
        assert found["A"].file == str(tmp_path / "glideinWMS.xml")
        # The merged global attrs are every entry's default, wherever it stands.
        assert {e.glexec_bin for e in found.values()} == {"/usr/sbin/glexec"}
        assert found["D"].gridtype == "condor"
        assert found["D"].where == f"{conf / '10-early.xml'}: entry 'D'"


def test_an_entry_set_is_one_entry_as_glideinwms_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "f.xml"
    path.write_text(
        '<glidein><entry_sets><entry_set alias="S" rsl="(queue=q)"><attrs>'
        + _attr("GLEXEC_BIN", "OSG")
        + '</attrs><entries><entry name="M1" gatekeeper="m1.example.org" gridtype="gt2"/>'
        '<entry name="M2" gatekeeper="m2.example.org" gridtype="nordugrid" rsl="(queue=r)">'
        "<attrs>" + _attr("GLEXEC_BIN", "NONE") + "</attrs></entry>"
        "</entries></entry_set></entry_sets></glidein>"
    )
    (entry,) = read_factory(path)
    assert (entry.name, entry.gridtype, entry.gatekeeper, entry.entry_set) == (
        "M1",
        "gt2",
        "m1.example.org",
        "S",
    )
    assert entry.glexec_bin == "OSG"
    assert [(m.name, m.gridtype, m.gatekeeper, m.rsl) for m in entry.submissions] == [
        ("M1", "gt2", "m1.example.org", "(queue=q)"),
        ("M2", "nordugrid", "m2.example.org", "(queue=r)"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<glidein><entry_sets><entry_set/></entry_sets></glidein>", "has no alias"),
        (
            "<glidein><entry_sets><entry_set alias='S'/></entry_sets></glidein>",
            "entry set 'S' has no <entry>",
        ),
        (
            "<glidein><entry_sets><entry_set alias='S'><entries><entry name='x'/>"
            "</entries></entry_set></entry_sets></glidein>",
            "entry set 'S': entry 'x' has no gatekeeper",
        ),
    ],
)
def test_entry_set_refusals(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "f.xml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        read_factory(path)


def test_a_broken_config_d_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "glideinWMS.xml").write_text("<glidein/>")
    (tmp_path / "config.d").mkdir()
    (tmp_path / "config.d" / "x.xml").write_text("<glidein>")
    with pytest.raises(InputError, match=r"config\.d/x\.xml: not well-formed XML"):
        read_factory(tmp_path)
