"""The one reading of a CE: every kind of GLUE 1.3 CE ID and GLUE 2.0 endpoint interface
cecap meets (the samples, the OSG 2008 snapshot, the benchmark's generator, and the kinds
a BDII of later years holds), with every field's value; factory forms read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers.paths import REPO

from cecap.model.glue import CE, GLUE13, GLUE20
from cecap.model.reading import CEReading, EntryTarget, Middleware, read_ce, read_entry
from cecap.policy.glue2_load import load_glue2
from cecap.sources.base import ReadRequest
from cecap.sources.endpoints import open_source

CREAM, LCG, OSG, ARC, HTC, UNKNOWN = (
    Middleware.CREAM,
    Middleware.LCG_CE,
    Middleware.OSG_GRAM,
    Middleware.ARC,
    Middleware.HTCONDOR_CE,
    Middleware.UNKNOWN,
)

# (what the CE publishes) -> (middleware, flavour, host, port, batch system, queue,
#                             grid type, gatekeeper, rsl)
# What it publishes: (ID, host, implementation, interface, URL, GlueCEInfoLRMSType).
GLUE13_IDS: list[tuple[tuple[str, ...], tuple[Any, ...]]] = [
    # CREAM, as the sample and the generator publish it (implementation CREAM) ...
    (("lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M", "lcgce01.gridpp.rl.ac.uk", "CREAM",
      "", "", "pbs"),
     (CREAM, "CREAM-CE", "lcgce01.gridpp.rl.ac.uk", 8443, "pbs", "grid1000M", "cream",
      "lcgce01.gridpp.rl.ac.uk:8443/cream-pbs-grid1000M", None)),
    # ... and known by its ID alone.
    (("ce.example.org:8443/cream-lsf-grid_cms", "ce.example.org", "UNDEFINED", "", "", ""),
     (CREAM, "CREAM-CE", "ce.example.org", 8443, "lsf", "grid_cms", "cream",
      "ce.example.org:8443/cream-lsf-grid_cms", None)),
    # A CREAM ID naming no queue: no gatekeeper is made up.
    (("ce.example.org:8443/cream-pbs", "ce.example.org", "CREAM", "", "", "pbs"),
     (CREAM, "CREAM-CE", "ce.example.org", 8443, "pbs", "", "cream", None, None)),
    # lcg-CE (the generator's EGEE sites): the job manager lcgpbs, the batch system pbs.
    (("ce.example.org:2119/jobmanager-lcgpbs-atlas", "ce.example.org", "LCG-CE", "", "", "pbs"),
     (LCG, "CE", "ce.example.org", 2119, "pbs", "atlas", "gt2",
      "ce.example.org:2119/jobmanager-lcgpbs", "(queue=atlas)(jobtype=single)")),
    (("ce.example.org:2119/jobmanager-lcgcondor-long-q", "ce.example.org", "", "", "", ""),
     (LCG, "CE", "ce.example.org", 2119, "condor", "long-q", "gt2",
      "ce.example.org:2119/jobmanager-lcgcondor", "(queue=long-q)(jobtype=single)")),
    # OSG GRAM CEs of the 2008 snapshot (implementation UNDEFINED): condor, pbs, sge, lsf.
    (("gate01.aglt2.org:2119/jobmanager-condor-atlas", "gate01.aglt2.org", "UNDEFINED", "", "",
      "condor"),
     (OSG, "CE", "gate01.aglt2.org", 2119, "condor", "atlas", "gt2",
      "gate01.aglt2.org:2119/jobmanager-condor", "(queue=atlas)(jobtype=single)")),
    (("red.unl.edu:2119/jobmanager-pbs-cms", "red.unl.edu", "Globus", "", "", "pbs"),
     (OSG, "CE", "red.unl.edu", 2119, "pbs", "cms", "gt2",
      "red.unl.edu:2119/jobmanager-pbs", "(queue=cms)(jobtype=single)")),
    (("osg-ce.example.edu:2119/jobmanager-sge-default", "osg-ce.example.edu", "UNDEFINED", "",
      "", "sge"),
     (OSG, "CE", "osg-ce.example.edu", 2119, "sge", "default", "gt2",
      "osg-ce.example.edu:2119/jobmanager-sge", "(queue=default)(jobtype=single)")),
    # A queue may hold dashes: everything after the batch system is the queue.
    (("osgserv01.slac.stanford.edu:2119/jobmanager-lsf-kipac-long", "osgserv01.slac.stanford.edu",
      "UNDEFINED", "", "", "lsf"),
     (OSG, "CE", "osgserv01.slac.stanford.edu", 2119, "lsf", "kipac-long", "gt2",
      "osgserv01.slac.stanford.edu:2119/jobmanager-lsf", "(queue=kipac-long)(jobtype=single)")),
    # The snapshot's CEs that name no batch system (jobmanager--QUEUE) and publish none.
    (("rocks-fe.cise-nsf.gov:2119/jobmanager--gugrid", "rocks-fe.cise-nsf.gov", "UNDEFINED",
      "", "", ""),
     (OSG, "CE", "rocks-fe.cise-nsf.gov", 2119, "", "gugrid", "gt2", None,
      "(queue=gugrid)(jobtype=single)")),
    # OSG CEs naming no queue.
    (("fngp-osg.fnal.gov:2119/jobmanager-condor", "fngp-osg.fnal.gov", "UNDEFINED", "", "",
      "condor"),
     (OSG, "CE", "fngp-osg.fnal.gov", 2119, "condor", "", "gt2",
      "fngp-osg.fnal.gov:2119/jobmanager-condor", "(jobtype=single)")),
    (("ce.example.org:2119/jobmanager-", "ce.example.org", "", "", "", "pbs"),
     (OSG, "CE", "ce.example.org", 2119, "pbs", "", "gt2", None, "(jobtype=single)")),
    # ARC, by its ID or by its implementation.
    (("grid.example.se:2811/nordugrid-torque-short", "grid.example.se", "", "", "", "torque"),
     (ARC, "ARC-CE", "grid.example.se", 2811, "torque", "short", "nordugrid",
      "grid.example.se", "(queue=short)")),
    (("grid.example.se:2811/arc-torque-short", "grid.example.se", "nordugrid-arc", "", "", ""),
     (ARC, "ARC-CE", "grid.example.se", 2811, "torque", "short", "nordugrid",
      "grid.example.se", "(queue=short)")),
    (("grid.example.se:2811/nordugrid-slurm-main", "grid.example.se", "ARC-CE", "", "", ""),
     (ARC, "ARC-CE", "grid.example.se", 2811, "slurm", "main", "nordugrid",
      "grid.example.se", "(queue=main)")),
    # HTCondor-CE: its port, or its implementation.
    (("htc.example.org:9619/htcondorce-condor-cms", "htc.example.org", "", "", "", "condor"),
     (HTC, "HTCONDOR-CE", "htc.example.org", 9619, "condor", "cms", "condor",
      "htc.example.org htc.example.org:9619", None)),
    (("htc.example.org:9619/condor-condor-q", "htc.example.org", "HTCondorCE", "", "", ""),
     (HTC, "HTCONDOR-CE", "htc.example.org", 9619, "condor", "q", "condor",
      "htc.example.org htc.example.org:9619", None)),
    # Neither a known service nor a known implementation.
    (("ce.example.org:1234/other-x-y", "ce.example.org", "UNDEFINED", "", "", ""),
     (UNKNOWN, "CE", "ce.example.org", 1234, "x", "y", None, None, None)),
    # An ID of no CE ID form: the published host, nothing else.
    (("elsewhere", "ce.example.org", "", "", "", "pbs"),
     (UNKNOWN, "CE", "ce.example.org", None, "pbs", "", None, None, None)),
    (("ce201.cern.ch:port/cream-pbs-q", "ce201.cern.ch", "", "", "", ""),
     (UNKNOWN, "CE", "ce201.cern.ch", None, "", "", None, None, None)),
]  # fmt: skip

GLUE2_ENDPOINTS: list[tuple[tuple[str, ...], tuple[Any, ...]]] = [
    # CREAM as the GLUE 2.0 sample publishes it: no batch system, the queue is a share's.
    (("ce201.cern.ch_org.glite.ce.CREAM", "ce201.cern.ch", "CREAM", "org.glite.ce.CREAM",
      "https://ce201.cern.ch:8443/ce-cream/services", ""),
     (CREAM, "CREAM-CE", "ce201.cern.ch", 8443, "", "", "cream", None, None)),
    (("ce201.cern.ch_org.glite.ce.CREAM", "ce201.cern.ch", "", "org.glite.ce.CREAM",
      "https://ce201.cern.ch:8443/ce-cream/services", ""),
     (CREAM, "CREAM-CE", "ce201.cern.ch", 8443, "", "", "cream", None, None)),
    # With its manager's batch system (model.glue2); the queue is still a share's.
    (("ce201.cern.ch_org.glite.ce.CREAM", "ce201.cern.ch", "CREAM", "org.glite.ce.CREAM",
      "https://ce201.cern.ch:8443/ce-cream/services", "pbs"),
     (CREAM, "CREAM-CE", "ce201.cern.ch", 8443, "pbs", "", "cream", None, None)),
    # ARC's interfaces: GridFTP jobs, EMI-ES, BES, REST.
    (("urn:ogf:ComputingEndpoint:arc.example.se:gsiftp://arc.example.se:2811/jobs",
      "arc.example.se", "nordugrid-arc", "org.nordugrid.gridftpjob",
      "gsiftp://arc.example.se:2811/jobs", ""),
     (ARC, "ARC-CE", "arc.example.se", 2811, "", "", "nordugrid", "arc.example.se", None)),
    (("urn:ogf:ComputingEndpoint:arc.example.se:emies", "arc.example.se", "",
      "org.ogf.glue.emies", "https://arc.example.se:443/arex", ""),
     (ARC, "ARC-CE", "arc.example.se", 443, "", "", "nordugrid", "arc.example.se", None)),
    (("arc.example.se_bes", "arc.example.se", "", "org.ogf.bes",
      "https://arc.example.se:60000/arex", ""),
     (ARC, "ARC-CE", "arc.example.se", 60000, "", "", "nordugrid", "arc.example.se", None)),
    (("arc.example.se_rest", "arc.example.se", "", "org.nordugrid.arcrest",
      "https://arc.example.se/arex", ""),
     (ARC, "ARC-CE", "arc.example.se", None, "", "", "nordugrid", "arc.example.se", None)),
    # HTCondor-CE, by interface, implementation or URL port.
    (("htc.example.org_HTCondorCE", "htc.example.org", "HTCondorCE",
      "org.opensciencegrid.htcondorce", "condor://htc.example.org:9619", ""),
     (HTC, "HTCONDOR-CE", "htc.example.org", 9619, "", "", "condor",
      "htc.example.org htc.example.org:9619", None)),
    (("htc.example.org_ce", "htc.example.org", "", "", "htc.example.org:9619", ""),
     (HTC, "HTCONDOR-CE", "htc.example.org", 9619, "", "", "condor",
      "htc.example.org htc.example.org:9619", None)),
    # Globus GRAM.
    (("gram.example.edu_gram", "gram.example.edu", "Globus", "org.globus.gram",
      "https://gram.example.edu:2119/jobmanager", ""),
     (OSG, "CE", "gram.example.edu", 2119, "", "", "gt2", None, "(jobtype=single)")),
    # An interface cecap does not know.
    (("ce.example.org_batch", "ce.example.org", "", "org.example.batch",
      "https://ce.example.org:1234/x", ""),
     (UNKNOWN, "CE", "ce.example.org", 1234, "", "", None, None, None)),
]  # fmt: skip


def _ce(published: tuple[str, ...], version: str) -> CE:
    uid, host, impl, interface, url, lrms = published
    return CE(
        uid, "dn", "q", "Production", impl, lrms, host, (), (), (), None, "SITE",
        glue_version=version, interface=interface, url=url,
    )  # fmt: skip


def _fields(r: CEReading) -> tuple[Any, ...]:
    return (
        r.middleware,
        r.flavour,
        r.host,
        r.port,
        r.batch_system,
        r.queue,
        r.grid_type,
        r.gatekeeper,
        r.rsl,
    )


@pytest.mark.parametrize(("published", "expected"), GLUE13_IDS)
def test_glue13_ce_ids(published: tuple[str, ...], expected: tuple[Any, ...]) -> None:
    ce = _ce(published, GLUE13)
    assert _fields(ce.reading) == expected
    # The reading is the model's: made once, with the CE, from what it publishes.
    uid, host, impl, interface, url, lrms = published
    assert ce.reading == read_ce(
        uid, host, implementation=impl, interface=interface, url=url, lrms=lrms
    )


@pytest.mark.parametrize(("published", "expected"), GLUE2_ENDPOINTS)
def test_glue2_endpoints(published: tuple[str, ...], expected: tuple[Any, ...]) -> None:
    assert _fields(_ce(published, GLUE20).reading) == expected


def test_the_flavours_are_those_the_cms_vo_feed_readers_file_as_a_ce() -> None:
    # CMSCompOps/MonitoringScripts, vofeed/vofeed.py, flavour2category: these four are "CE".
    accepted = {"CE", "CREAM-CE", "ARC-CE", "HTCONDOR-CE"}
    assert {m.flavour for m in Middleware} == accepted


@pytest.mark.parametrize(("published", "expected"), GLUE13_IDS + GLUE2_ENDPOINTS)
def test_every_form_a_factory_may_write_reads_back_to_its_ce(
    published: tuple[str, ...], expected: tuple[Any, ...]
) -> None:
    reading = _ce(published, GLUE13).reading
    if reading.gatekeeper is None:
        assert reading.gatekeepers == ()
        return
    assert reading.gatekeepers[0] == reading.gatekeeper
    for form in reading.gatekeepers:
        target = read_entry(str(reading.grid_type), form, reading.rsl)
        assert target is not None, form
        assert reading.accepts(target), form
        # Another host, or another queue where both name one, is another CE.
        assert not reading.accepts(
            EntryTarget(target.grid_type, "other.example.org", *_rest(target))
        )
        if reading.queue:
            other = EntryTarget(target.grid_type, target.host, target.port, target.job_manager, "x")
            assert not reading.accepts(other)


def _rest(t: EntryTarget) -> tuple[Any, ...]:
    return (t.port, t.job_manager, t.queue)


@pytest.mark.parametrize(
    ("lrms", "gatekeeper"),
    [
        ("pbs", "ce201.cern.ch:8443/cream-pbs-cms"),
        ("slurm", "ce201.cern.ch:8443/cream-slurm-cms"),
        ("condor", "ce201.cern.ch:8443/cream-condor-cms"),
        # Nothing a CE ID's batch-system word cannot hold reaches a gatekeeper.
        ("", None),
        ("pbs-long", None),
        ("pbs long", None),
        ("pbs/x", None),
    ],
)
def test_a_glue2_cream_endpoint_s_gatekeeper_names_its_batch_system(
    lrms: str, gatekeeper: str | None
) -> None:
    reading = read_ce(
        "ce201.cern.ch_org.glite.ce.CREAM",
        "ce201.cern.ch",
        implementation="CREAM",
        interface="org.glite.ce.CREAM",
        url="https://ce201.cern.ch:8443/ce-cream/services",
        lrms=lrms,
    ).with_queue("cms")
    assert reading.gatekeeper == gatekeeper
    if gatekeeper is None:
        return
    # Every form a factory may write for it is judged its CE by the factory audit; an
    # entry naming another batch system or queue is not.
    assert reading.gatekeepers == (
        gatekeeper,
        f"https://ce201.cern.ch:8443/ce-cream/services/CREAM2 {lrms} cms",
    )
    for form in reading.gatekeepers:
        target = read_entry("cream", form, None)
        assert target is not None and reading.accepts(target), form
    for other in ("ce201.cern.ch:8443/cream-lsf-cms", "ce201.cern.ch:8443/cream-pbs-atlas"):
        if other != gatekeeper:
            target = read_entry("cream", other, None)
            assert target is not None and not reading.accepts(target), other


@pytest.mark.parametrize(
    ("gridtype", "gatekeeper", "rsl", "expected"),
    [
        ("gt2", "red.unl.edu", None, EntryTarget("gt2", "red.unl.edu")),
        ("gt2", "red.unl.edu:2119", "(queue=cms)", EntryTarget("gt2", "red.unl.edu", 2119, "", "cms")),
        ("gt2", "red.unl.edu/jobmanager-pbs", "(queue = \"cms\")(jobtype=single)",
         EntryTarget("gt2", "red.unl.edu", None, "pbs", "cms")),
        ("gt5", "red.unl.edu:2119/jobmanager-pbs", None,
         EntryTarget("gt2", "red.unl.edu", 2119, "pbs", "")),
        ("GT2", "red.unl.edu:2119/jobmanager", None, EntryTarget("gt2", "red.unl.edu", 2119)),
        ("cream", "ce.example.org:8443/cream-pbs-cms", None,
         EntryTarget("cream", "ce.example.org", 8443, "pbs", "cms")),
        ("cream", "https://ce.example.org:8443/ce-cream/services/CREAM2 pbs cms", None,
         EntryTarget("cream", "ce.example.org", 8443, "pbs", "cms")),
        ("condor", "htc.example.org htc.example.org:9619", None,
         EntryTarget("condor", "htc.example.org", 9619)),
        ("condor", "schedd@htc.example.org htc.example.org:9619", None,
         EntryTarget("condor", "htc.example.org", 9619)),
        ("nordugrid", "arc.example.se", "(queue=short)",
         EntryTarget("nordugrid", "arc.example.se", None, "", "short")),
        ("nordugrid", "gsiftp://arc.example.se:2811/jobs", None,
         EntryTarget("nordugrid", "arc.example.se", 2811)),
        # Not understood: grid types no BDII publishes, and gatekeepers of no known form.
        ("ec2", "https://ec2.example.org", None, None),
        ("batch", "pbs", None, None),
        ("cream", "ce.example.org:8443/cream-pbs", None, None),
        ("cream", "https://ce.example.org:8443/ce-cream/services/CREAM2 pbs", None, None),
        ("cream", "https://ce.example.org:8443/other/CREAM2 pbs cms", None, None),
        ("gt2", "red.unl.edu:2119/jobmanager-pbs extra", None, None),
        ("gt2", "https://red.unl.edu", None, None),
        ("condor", "a b c", None, None),
        ("nordugrid", "", None, None),
    ],
)  # fmt: skip
def test_factory_forms(
    gridtype: str, gatekeeper: str, rsl: str | None, expected: EntryTarget | None
) -> None:
    assert read_entry(gridtype, gatekeeper, rsl) == expected


def test_ports_and_job_managers_must_agree_where_both_are_named() -> None:
    reading = read_ce("red.unl.edu:2119/jobmanager-pbs-cms", "red.unl.edu")
    assert reading.accepts(EntryTarget("gt2", "RED.unl.edu", None, "", "cms"))
    assert not reading.accepts(EntryTarget("gt2", "red.unl.edu", 2120, "", "cms"))
    assert not reading.accepts(EntryTarget("gt2", "red.unl.edu", None, "condor", "cms"))
    assert not reading.accepts(EntryTarget("cream", "red.unl.edu", None, "pbs", "cms"))
    # A CE whose middleware has no grid type accepts nothing.
    assert not read_ce("elsewhere", "red.unl.edu").accepts(EntryTarget("gt2", "red.unl.edu"))


def _model(path: Path, versions: tuple[str, ...]) -> list[CE]:
    rules = load_glue2(REPO / "config")
    request = ReadRequest(versions, rules, None)
    return list(open_source(str(path)).read(request).ces)


@pytest.mark.parametrize(
    ("name", "versions", "kinds"),
    [
        ("sample-bdii.ldif", (GLUE13,), {CREAM, OSG}),
        ("sample-glue2.ldif", (GLUE20,), {CREAM}),
    ],
)
def test_every_sample_ce_has_a_known_middleware(
    name: str, versions: tuple[str, ...], kinds: set[Middleware]
) -> None:
    ces = _model(REPO / "examples" / name, versions)
    assert ces and {ce.reading.middleware for ce in ces} == kinds
    assert all(ce.reading.host == ce.host for ce in ces)


def test_every_osg_snapshot_ce_reads_as_an_osg_gram_ce(osg_snapshot: Path) -> None:
    ces = _model(osg_snapshot, (GLUE13,))
    assert len(ces) > 1000
    assert {ce.reading.middleware for ce in ces} == {OSG}
    assert all(ce.reading.port == 2119 and ce.reading.queue for ce in ces)
    # A gatekeeper for each but the CEs that name no job manager (jobmanager--QUEUE).
    without = {ce.unique_id for ce in ces if ce.reading.gatekeeper is None}
    assert without == {ce.unique_id for ce in ces if "/jobmanager--" in ce.unique_id}
    assert 0 < len(without) < 100


@pytest.mark.parametrize(
    ("unique_id", "implementation", "job_manager", "gatekeepers"),
    [
        ("ce.example.org:8443/cream-pbs-grid_cms", "CREAM", "pbs",
         ("ce.example.org:8443/cream-pbs-grid_cms",
          "https://ce.example.org:8443/ce-cream/services/CREAM2 pbs grid_cms")),
        ("ce.example.org:2119/jobmanager-lcgpbs-atlas", "LCG-CE", "lcgpbs",
         ("ce.example.org:2119/jobmanager-lcgpbs", "ce.example.org/jobmanager-lcgpbs",
          "ce.example.org:2119", "ce.example.org")),
        ("red.unl.edu:2119/jobmanager-pbs-cms", "UNDEFINED", "pbs",
         ("red.unl.edu:2119/jobmanager-pbs", "red.unl.edu/jobmanager-pbs", "red.unl.edu:2119",
          "red.unl.edu")),
        ("htc.example.org:9619/htcondorce-condor-cms", "", "condor",
         ("htc.example.org htc.example.org:9619", "htc.example.org")),
        ("grid.example.se:2811/nordugrid-torque-short", "", "torque", ("grid.example.se",)),
        ("rocks-fe.cise-nsf.gov:2119/jobmanager--gugrid", "UNDEFINED", "", ()),
    ],
)  # fmt: skip
def test_job_manager_and_every_gatekeeper_form(
    unique_id: str, implementation: str, job_manager: str, gatekeepers: tuple[str, ...]
) -> None:
    reading = read_ce(unique_id, "", implementation=implementation)
    assert (reading.job_manager, reading.gatekeepers) == (job_manager, gatekeepers)
