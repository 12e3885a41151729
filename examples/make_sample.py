"""Writes examples/sample-bdii.ldif: a small, made-up top-level BDII that shows every verdict.

Run from the repository root: python examples/make_sample.py > examples/sample-bdii.ldif
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from helpers.glue_ldif import CESpec, ClusterSpec, SiteSpec, bdii_ldif, simple_site

LHC = ["atlas", "cms", "lhcb", "alice"]

HEADER = """\
# SAMPLE DATA, NOT A REAL BDII. Made up by cecap (examples/make_sample.py) to show
# every verdict of `cecap report`. Site names are real GOCDB names so that the
# shipped questionnaire stances apply; hosts and queues are invented.
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
    ]


def main() -> None:
    sys.stdout.write(HEADER + bdii_ldif(sites()))


if __name__ == "__main__":
    main()
