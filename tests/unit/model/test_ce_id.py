"""CE IDs taken apart: host, port, service, batch system and queue."""

from __future__ import annotations

import pytest

from cecap.model.ce_id import CEAddress, parse_ce_id


@pytest.mark.parametrize(
    ("ce_id", "expected"),
    [
        (
            "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M",
            CEAddress("lcgce01.gridpp.rl.ac.uk", 8443, "cream", "pbs", "grid1000M"),
        ),
        (
            "gate01.aglt2.org:2119/jobmanager-condor-atlas",
            CEAddress("gate01.aglt2.org", 2119, "jobmanager", "condor", "atlas"),
        ),
        # A queue may hold dashes: everything after the batch system is the queue.
        (
            "osgserv01.slac.stanford.edu:2119/jobmanager-lsf-kipac-long",
            CEAddress("osgserv01.slac.stanford.edu", 2119, "jobmanager", "lsf", "kipac-long"),
        ),
        # OSG CEs often name no queue.
        (
            "fngp-osg.fnal.gov:2119/jobmanager-condor",
            CEAddress("fngp-osg.fnal.gov", 2119, "jobmanager", "condor", None),
        ),
        (
            "grid.example.se:2811/nordugrid-torque-short",
            CEAddress("grid.example.se", 2811, "nordugrid", "torque", "short"),
        ),
        ("ce.example.org:2119/jobmanager-", CEAddress("ce.example.org", 2119, "jobmanager")),
    ],
)
def test_glue13_ids(ce_id: str, expected: CEAddress) -> None:
    assert parse_ce_id(ce_id) == expected


@pytest.mark.parametrize(
    "ce_id",
    ["ce201.cern.ch_org.glite.ce.CREAM", "ce201.cern.ch:port/cream-pbs-q", ":8443/cream-pbs-q"],
)
def test_an_id_of_another_form_gives_the_published_host_only(ce_id: str) -> None:
    assert parse_ce_id(ce_id, "ce201.cern.ch") == CEAddress("ce201.cern.ch")
