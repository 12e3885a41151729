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
