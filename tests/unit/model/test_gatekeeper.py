"""Gatekeepers: each CE kind's glideinWMS form, and a factory entry read back to match it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cecap.model.gatekeeper import Gatekeeper, of_ce, of_entry
from cecap.model.glue import CE, GLUE20

BASE = CE(
    unique_id="",
    dn="",
    name="q",
    state="Production",
    implementation="",
    lrms="pbs",
    host="ce.example.org",
    rules=(),
    capabilities=(),
    voviews=(),
    cluster_id=None,
    site="SITE",
)


@pytest.mark.parametrize(
    ("unique_id", "gridtype", "gatekeeper", "rsl"),
    [
        ("ce.example.org:8443/cream-pbs-grid_cms", "cream",
         "ce.example.org:8443/cream-pbs-grid_cms", None),
        ("ce.example.org:2119/jobmanager-pbs-cms", "gt2",
         "ce.example.org:2119/jobmanager-pbs", "(queue=cms)(jobtype=single)"),
        ("ce.example.org:2119/jobmanager-lcgpbs-long-q", "gt2",
         "ce.example.org:2119/jobmanager-lcgpbs", "(queue=long-q)(jobtype=single)"),
        ("ce.example.org:2811/nordugrid-torque-atlas", "nordugrid", "ce.example.org",
         "(queue=atlas)"),
    ],
)  # fmt: skip
def test_glue13_ce_ids(unique_id: str, gridtype: str, gatekeeper: str, rsl: str | None) -> None:
    gk = of_ce(replace(BASE, unique_id=unique_id))
    assert gk is not None
    assert (gk.kind, gk.gatekeeper, gk.rsl) == (gridtype, gatekeeper, rsl)
    back = of_entry(gridtype, gatekeeper, rsl)
    assert back is not None and gk.matches(back)


def test_glue2_endpoints() -> None:
    condor = of_ce(replace(BASE, glue_version=GLUE20, implementation="HTCondorCE"))
    assert condor == Gatekeeper("condor", "ce.example.org", None)
    assert condor.gatekeeper == "ce.example.org ce.example.org:9619"
    arc = of_ce(replace(BASE, glue_version=GLUE20, implementation="nordugrid-arc"))
    assert arc is not None and (arc.kind, arc.gatekeeper, arc.rsl) == (
        "nordugrid",
        "ce.example.org",
        None,
    )
    # A GLUE 2.0 CREAM endpoint: the model holds no queue, so no gatekeeper is made up.
    assert of_ce(replace(BASE, glue_version=GLUE20, implementation="CREAM")) is None


def test_matching_needs_the_same_queue_host_and_kind() -> None:
    gk = of_ce(replace(BASE, unique_id="ce.example.org:2119/jobmanager-pbs-cms"))
    assert gk is not None
    assert gk.matches(of_entry("gt2", "CE.example.org/jobmanager-pbs", "(queue=cms)"))  # type: ignore[arg-type]
    assert not gk.matches(of_entry("gt2", "ce.example.org/jobmanager-pbs", "(queue=atlas)"))  # type: ignore[arg-type]
    assert not gk.matches(of_entry("gt2", "ce.example.org:2120/jobmanager-pbs", "(queue=cms)"))  # type: ignore[arg-type]
    assert not gk.matches(of_entry("cream", "ce.example.org:8443/cream-pbs-cms", None))  # type: ignore[arg-type]
    assert of_entry("ec2", "https://ec2.example.org", None) is None
