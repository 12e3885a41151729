"""Writes the shipped samples: a small, made-up top-level BDII that shows every verdict.

Run from the repository root:

    python examples/make_sample.py > examples/sample-bdii.ldif
    python examples/make_sample.py --glue2 > examples/sample-glue2.ldif

The first is GLUE 1.3 (o=grid), one GlueCE per queue; the second the same sites' CEs in
GLUE 2.0 (o=glue), as CREAM publishes them: one GLUE2ComputingEndpoint per CE host, with
one GLUE2ComputingShare per VO and its service's GLUE2ComputingManager (torque).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from helpers.glue2_ldif import EndpointSpec, Site2Spec, glue2_ldif
from helpers.glue_ldif import CESpec, ClusterSpec, SiteSpec, bdii_ldif, simple_site

LHC = ["atlas", "cms", "lhcb", "alice"]

HEADER = """\
# SAMPLE DATA, NOT A REAL BDII. Made up by cecap (examples/make_sample.py) to show
# every verdict of `cecap report`. Site names are real GOCDB names so that the
# shipped questionnaire stances apply; hosts and queues are invented.
#
"""
HEADER_GLUE2 = """\
# SAMPLE DATA, NOT A REAL BDII. Made up by cecap (examples/make_sample.py --glue2): the
# CEs of sample-bdii.ldif in GLUE 2.0, one computing endpoint per CE host with a share
# per VO, its service's computing manager torque (the CE IDs' pbs). Site names are real
# GOCDB names; hosts are invented.
#
"""


def sites() -> list[SiteSpec]:
    return [
        # yes / require setuid / no log-only / no bypass: ready in setuid, fail closed.
        SiteSpec(
            "RAL-LCG2",
            [
                ClusterSpec(
                    "lcgce01.gridpp.rl.ac.uk",
                    [
                        CESpec("grid1000M", LHC),
                        CESpec("grid500M", ["atlas", "cms"], state="Draining"),
                        CESpec("gridTest", ["atlas", "lhcb"], capabilities=["UNDEFINED"]),
                    ],
                )
            ],
        ),
        # yes / allow / allow / bypass yes: ready, the pilot may run the payload itself.
        simple_site(
            "UKI-NORTHGRID-MAN-HEP",
            [CESpec("long", ["atlas", "lhcb"])],
            "ce01.tier2.hep.manchester.ac.uk",
        ),
        # MUPJ "depends": conditional.
        simple_site(
            "CERN-PROD",
            [CESpec("grid_atlas", ["atlas"]), CESpec("grid_cms", ["cms"])],
            "ce201.cern.ch",
        ),
        # MUPJ no: the site refuses, although it publishes glexec.
        simple_site("BelGrid-UCL", [CESpec("cms", ["cms"])], "ce.cism.ucl.ac.be"),
        # setuid no, log-only allow: mode mismatch for ATLAS and CMS, ready in log-only for LHCb.
        simple_site("DESY-HH", [CESpec("desy", ["atlas", "cms", "lhcb"])], "grid-ce3.desy.de"),
        # Not in the questionnaire: no stance.
        simple_site("TRIUMF-LCG2", [CESpec("atlas", ["atlas"])], "ce1.triumf.ca"),
        # MUPJ yes, pending glexec/SGE compatibility; modes unanswered: conditional.
        simple_site(
            "UKI-LT2-IC-HEP", [CESpec("sge", ["cms", "lhcb"])], "ceprod03.grid.hep.ph.ic.ac.uk"
        ),
        # glexec on the ATLAS VOView only: ready for ATLAS, not advertised for CMS.
        simple_site(
            "pic",
            [
                CESpec(
                    "glong",
                    ["atlas", "cms"],
                    capabilities=[],
                    view_capabilities={"atlas": ["glexec"]},
                )
            ],
            "ce07.pic.es",
        ),
        # An OSG CE (Globus GRAM 2, as OSG's GIP published it) with htpc, not glexec: the
        # site said yes, so the audit misses glexec; --capability htpc finds it advertised.
        simple_site(
            "Nebraska",
            [
                CESpec(
                    "cms",
                    ["cms"],
                    capabilities=["htpc"],
                    unique_id="red.unl.edu:2119/jobmanager-pbs-cms",
                    implementation="Globus",
                )
            ],
            "red.unl.edu",
        ),
    ]


def glue2_sites(sites13: list[SiteSpec]) -> list[Site2Spec]:
    """The same CEs in GLUE 2.0: per CE host one endpoint serving every VO of its queues,
    advertising what any queue advertises on the CE (VOView capabilities go on the share of
    that VO), in production when any queue is."""
    out = []
    for site in sites13:
        hosts: dict[str, list[CESpec]] = {}
        for cluster in site.clusters:
            for ce in cluster.ces:
                hosts.setdefault(ce.host or cluster.unique_id, []).append(ce)
        endpoints = []
        for host, ces in hosts.items():
            vos = list(dict.fromkeys(vo for ce in ces for vo in ce.vos))
            caps = [c for c in ("glexec", "htpc") if any(c in ce.capabilities for ce in ces)]
            views = {vo: list(v) for ce in ces for vo, v in ce.view_capabilities.items()}
            states = [ce.state for ce in ces]
            serving = "production" if "Production" in states else states[0].lower()
            endpoints.append(EndpointSpec(host, vos, serving, "ok", caps, (), views))
        out.append(Site2Spec(site.name, endpoints))
    return out


def main() -> None:
    if sys.argv[1:] == ["--glue2"]:
        sys.stdout.write(HEADER_GLUE2 + glue2_ldif(glue2_sites(sites())))
    elif sys.argv[1:]:
        sys.exit("usage: make_sample.py [--glue2]")
    else:
        sys.stdout.write(HEADER + bdii_ldif(sites()))


if __name__ == "__main__":
    main()
