"""Generate a realistic synthetic top-level BDII LDIF snapshot (GLUE 1.3) of N sites.

The shape (VOViews per CE and the VOs they name, run-time environment tags, the share of
storage entries, CEs per site, the share of queues serving LHC VOs) is a ``Shape``; the
named ones are in SHAPES, and each parameter can be given on the command line.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import io
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO, TextIO

# The shape follows the real OSG 2008 top-level dump (shared/data/osg-bdii-2008.ldif.gz):
# every entry lives under Mds-Vo-name=SITE,Mds-Vo-name=local,o=grid, parents come before
# children, joins go CE -GlueForeignKey-> cluster -GlueForeignKey-> site and
# VOView/subcluster/SA -GlueChunkKey-> parent.  Volumes are scaled to about 65 entries
# and 12.5 CEs per site: the real dump has 113 entries per site, a quarter of them
# CESEBindGroup/CESEBind entries, which cecap never reads and which are left out here.


@dataclass(frozen=True, slots=True)
class Shape:
    """How a top-level BDII is made up; the defaults are the OSG 2008 dump's proportions.

    Every default leaves the random draws as they are, so "osg-2008" gives the same bytes
    for the same N and seed whatever the other shapes do.
    """

    # VOViews per CE: None, one per access rule of the queue (as gLite publishes them); a
    # number, exactly that many, the queue's rules first, then views of other VOs.
    voviews_per_ce: int | None = None
    # The VOs the added views name: "roles" (VOMS roles of the queue's VOs, then other
    # VOs of the site) or "others" (VOs of the site that are not LHC experiments).
    extra_views: str = "roles"
    rte_share: float = 1.0  # share of each subcluster's run-time environment tags kept
    se_share: float = 1.0  # share of storage elements published (with their children)
    sa_share: float = 1.0  # share of storage areas published, of those an SE has
    ces_per_site: tuple[int, int] = (9, 16)  # CE queues per site, drawn in this range
    # Share of CE queues that serve an LHC experiment; None: as the site's menu falls.
    lhc_share: float | None = None


SHAPES: dict[str, Shape] = {
    # The OSG 2008 dump's proportions: dozens of run-time environment tags per subcluster,
    # storage as the bulk of the entries, one VOView per access rule.
    "osg-2008": Shape(),
    # A top-level BDII where CEs and their views are most of the bytes: two VOViews per
    # CE, few tags, less storage (about 125,000 entries at 2,000 sites).
    "ce-heavy": Shape(voviews_per_ce=2, rte_share=0.15, se_share=0.8),
    # Many small VOs: four views per CE naming non-LHC VOs, a third of the queues for LHC
    # experiments, so most views are ones a report for the experiments never reads.
    "vo-rich": Shape(
        voviews_per_ce=4, extra_views="others", rte_share=0.5, lhc_share=0.3, sa_share=0.6
    ),
}


@dataclass(frozen=True, slots=True)
class NamedSite:
    """Who a site is; the named ones carry real BDII names, so site stances can match."""

    name: str
    flavour: str  # "osg" (VDT/Globus gatekeepers) or "egee" (lcg-CE / CREAM)
    domain: str
    gatekeeper: str  # first CE host; OSG sites use it as GlueSiteUniqueID (real quirk)
    location: str
    latitude: str
    longitude: str
    experiments: tuple[str, ...]
    glexec: str  # "all", "some" or "none": fixed so tests do not depend on the seed


# The questionnaire respondents and other well-known sites come first, in this order, so a
# small N still exercises stances; which of them advertise glexec is invented.
NAMED_SITES: tuple[NamedSite, ...] = (
    NamedSite("CERN-PROD", "egee", "cern.ch", "ce128.cern.ch", "Geneva, Switzerland",
              "46.2324", "6.0502", ("alice", "atlas", "cms", "lhcb"), "some"),
    NamedSite("FZK-LCG2", "egee", "gridka.de", "ce-1-fzk.gridka.de", "Karlsruhe, Germany",
              "49.0964", "8.4297", ("alice", "atlas", "cms", "lhcb"), "all"),
    NamedSite("RAL-LCG2", "egee", "gridpp.rl.ac.uk", "lcgce01.gridpp.rl.ac.uk",
              "Didcot, UK", "51.5713", "-1.3151", ("alice", "atlas", "cms", "lhcb"), "none"),
    NamedSite("UKI-LT2-IC-HEP", "egee", "hep.ph.ic.ac.uk", "ceprod03.grid.hep.ph.ic.ac.uk",
              "London, UK", "51.4987", "-0.1749", ("cms", "lhcb"), "none"),
    NamedSite("IN2P3-CC", "egee", "in2p3.fr", "cclcgceli03.in2p3.fr", "Lyon, France",
              "45.7837", "4.8655", ("alice", "atlas", "cms", "lhcb"), "some"),
    NamedSite("GRIF", "egee", "grif.fr", "grid10.lal.in2p3.fr", "Paris, France",
              "48.7096", "2.1626", ("alice", "atlas", "cms", "lhcb"), "none"),
    NamedSite("NDGF-T1", "egee", "ndgf.org", "ce01.ndgf.org", "Copenhagen, Denmark",
              "55.6969", "12.5714", ("alice", "atlas"), "none"),
    NamedSite("SARA-MATRIX", "egee", "sara.nl", "ce.gina.sara.nl", "Amsterdam, Netherlands",
              "52.3561", "4.9526", ("alice", "atlas", "lhcb"), "all"),
    NamedSite("NIKHEF-ELPROD", "egee", "nikhef.nl", "gazon.nikhef.nl",
              "Amsterdam, Netherlands", "52.3561", "4.9512", ("alice", "atlas", "lhcb"), "all"),
    NamedSite("pic", "egee", "pic.es", "ce07.pic.es", "Barcelona, Spain",
              "41.5011", "2.1106", ("atlas", "cms", "lhcb"), "some"),
    NamedSite("INFN-T1", "egee", "cr.cnaf.infn.it", "ce04-lcg.cr.cnaf.infn.it",
              "Bologna, Italy", "44.4939", "11.3426", ("alice", "atlas", "cms", "lhcb"), "none"),
    NamedSite("AGLT2", "osg", "aglt2.org", "gate01.aglt2.org", "Ann Arbor ,USA",
              "42.276752", "-83.740937", ("atlas",), "none"),
    NamedSite("Nebraska", "osg", "unl.edu", "red.unl.edu", "Lincoln,NE ,USA",
              "40.82", "-96.68", ("cms",), "some"),
    NamedSite("CIT_CMS_T2", "osg", "ultralight.org", "cit-gatekeeper.ultralight.org",
              "Pasadena ,US", "34.14", "-118.08", ("cms",), "none"),
    NamedSite("UCSDT2", "osg", "t2.ucsd.edu", "osg-gw-2.t2.ucsd.edu", "La Jolla ,USA",
              "32.8851", "-117.2397", ("cms",), "all"),
    NamedSite("MIT_CMS", "osg", "cmsaf.mit.edu", "ce01.cmsaf.mit.edu", "Cambridge,MA ,USA",
              "42.36", "-71.09", ("cms",), "none"),
    NamedSite("GLOW", "osg", "hep.wisc.edu", "cmsgrid01.hep.wisc.edu", "Madison ,USA",
              "43.0731", "-89.4011", ("cms",), "none"),
    NamedSite("UKI-NORTHGRID-MAN-HEP", "egee", "tier2.hep.manchester.ac.uk",
              "ce01.tier2.hep.manchester.ac.uk", "Manchester, UK", "53.4668", "-2.2339",
              ("atlas", "lhcb"), "none"),
    NamedSite("UKI-SCOTGRID-GLASGOW", "egee", "gla.scotgrid.ac.uk", "svr021.gla.scotgrid.ac.uk",
              "Glasgow, UK", "55.8721", "-4.2882", ("atlas", "cms", "lhcb"), "some"),
    NamedSite("USCMS-FNAL-WC1", "osg", "fnal.gov", "cmsosgce.fnal.gov", "Batavia ,USA",
              "41.8412", "-88.2546", ("cms",), "none"),
    NamedSite("BNL_ATLAS_1", "osg", "racf.bnl.gov", "gridgk01.racf.bnl.gov",
              "Long Island,NY ,USA", "40.866", "-72.888", ("atlas",), "none"),
    NamedSite("Purdue-RCAC", "osg", "rcac.purdue.edu", "osg.rcac.purdue.edu",
              "West Lafayette ,USA", "40.444", "-86.911", ("cms",), "none"),
    NamedSite("UFlorida-PG", "osg", "ihepa.ufl.edu", "pg.ihepa.ufl.edu", "Gainesville ,USA",
              "29.65", "-82.34", ("cms",), "some"),
    NamedSite("SPRACE", "osg", "sprace.org.br", "osg-ce.sprace.org.br", "Sao Paulo ,Brazil",
              "-23.5592", "-46.7358", ("cms",), "none"),
    NamedSite("MWT2_UC", "osg", "uchicago.edu", "uct2-grid6.uchicago.edu", "Chicago ,USA",
              "41.789489", "-87.599444", ("atlas",), "none"),
    NamedSite("SWT2_CPB", "osg", "atlas-swt2.org", "gk01.atlas-swt2.org", "Arlington ,USA",
              "32.730", "-97.112", ("atlas",), "none"),
    NamedSite("OU_OCHEP_SWT2", "osg", "ochep.ou.edu", "tier2-01.ochep.ou.edu",
              "Norman,OK ,USA", "35.1835", "-97.4405", ("atlas",), "none"),
    NamedSite("BU_ATLAS_Tier2", "osg", "bu.edu", "atlas.bu.edu", "Boston ,US",
              "42.349045", "-71.104487", ("atlas",), "none"),
    NamedSite("PROD_SLAC", "osg", "slac.stanford.edu", "osgserv01.slac.stanford.edu",
              "Menlo Park ,USA", "37.42", "-122.20", ("atlas",), "none"),
    NamedSite("TRIUMF-LCG2", "egee", "triumf.ca", "lcg-ce1.triumf.ca", "Vancouver, Canada",
              "49.2475", "-123.2300", ("atlas",), "none"),
    NamedSite("Taiwan-LCG2", "egee", "grid.sinica.edu.tw", "w-ce01.grid.sinica.edu.tw",
              "Taipei, Taiwan", "25.0418", "121.6146", ("atlas", "cms"), "some"),
    NamedSite("DESY-HH", "egee", "desy.de", "grid-ce3.desy.de", "Hamburg, Germany",
              "53.5751", "9.8808", ("atlas", "cms", "lhcb"), "all"),
    NamedSite("CSCS-LCG2", "egee", "cscs.ch", "ce01.lcg.cscs.ch", "Manno, Switzerland",
              "46.0267", "8.9192", ("atlas", "cms", "lhcb"), "none"),
    NamedSite("UKI-SOUTHGRID-OX-HEP", "egee", "physics.ox.ac.uk", "t2ce02.physics.ox.ac.uk",
              "Oxford, UK", "51.7594", "-1.2577", ("atlas", "lhcb"), "none"),
    NamedSite("UKI-LT2-QMUL", "egee", "ph.qmul.ac.uk", "ce02.esc.qmul.ac.uk", "London, UK",
              "51.5236", "-0.0399", ("atlas", "lhcb"), "none"),
    NamedSite("IFIC-LCG2", "egee", "ific.uv.es", "ce01.ific.uv.es", "Valencia, Spain",
              "39.5093", "-0.4205", ("atlas",), "none"),
    NamedSite("praguelcg2", "egee", "farm.particle.cz", "golias25.farm.particle.cz",
              "Prague, Czech Republic", "50.1222", "14.4667", ("alice", "atlas"), "some"),
    NamedSite("CYFRONET-LCG2", "egee", "cyf-kr.edu.pl", "ce.cyf-kr.edu.pl", "Krakow, Poland",
              "50.0647", "19.9450", ("alice", "atlas", "cms", "lhcb"), "none"),
    NamedSite("TOKYO-LCG2", "egee", "icepp.jp", "lcg-ce01.icepp.jp", "Tokyo, Japan",
              "35.7128", "139.7619", ("atlas",), "none"),
    NamedSite("INFN-PISA", "egee", "pi.infn.it", "gridce3.pi.infn.it", "Pisa, Italy",
              "43.7196", "10.4219", ("cms",), "none"),
)  # fmt: skip

LHC_VOS = ("alice", "atlas", "cms", "lhcb")
OSG_VOS = (
    "osg", "mis", "dzero", "cdf", "ivdgl", "grase", "nanohub", "fmri", "sdss", "fermilab",
    "engage", "dosar", "ligo", "star", "gadu", "osgedu", "glow", "des", "ops", "geant4",
    "nwicg", "i2u2", "gpn", "compbiogrid", "nysgrid", "ilc", "sbgrid", "minos",
)  # fmt: skip
EGEE_VOS = (
    "ops", "dteam", "biomed", "compchem", "esr", "fusion", "hone", "ilc", "zeus", "pheno",
    "magic", "geant4", "enmr.eu", "see", "vo.gear.cern.ch", "calice", "na48",
)  # fmt: skip
# VOMS roles sites map to dedicated accounts (and so publish as separate VOViews).
ROLES = {
    "atlas": ("production", "pilot", "lcgadmin"),
    "cms": ("production", "pilot", "lcgadmin"),
    "lhcb": ("pilot", "production", "lcgadmin"),
    "alice": ("lcgadmin", "production"),
    "ops": ("lcgadmin",),
    "dteam": ("lcgadmin",),
}
SHARED_QUEUES = ("default", "short", "long", "medium", "grid", "workq", "express", "infinite")

STATES = ("Production",) * 85 + ("Draining",) * 6 + ("Closed",) * 5 + ("Queueing",) * 4
NEAR_MISSES = ("glexec=yes", "glexec=yes", "glexec-enabled", "no-glexec")

OSG_LRMS = (("condor", ("6.8.5", "6.8.6", "7.0.1", "6.9.4", "7.0.5")),) * 6 + (
    ("pbs", ("2.1.8", "2.3.0", "PBSPro_9.1.0.72982", "torque_2.1.9")),
    ("pbs", ("2.1.8", "2.3.0", "PBSPro_9.1.0.72982", "torque_2.1.9")),
    ("sge", ("6.0u10", "6.1u4", "6.2")),
    ("lsf", ("6.1", "7.0", "7.0.3")),
)
EGEE_LRMS = (("pbs", ("2.1.8", "2.3.6", "2.3.10")),) * 5 + (
    ("lsf", ("6.1", "7.0", "7.0.5")),
    ("sge", ("6.1u4", "6.2u3")),
    ("condor", ("7.0.5", "7.2.4")),
)
SE_KINDS_EGEE = (
    ("dcache", "1.9.5-19", "multi-disk"),
    ("dpm", "1.7.4-7", "multidisk"),
    ("castor", "2.1.8-12", "tape"),
    ("storm", "1.5.1-3", "disk"),
)
SE_KINDS_OSG = (
    ("dcache", "1.8.0-15p7", "multi-disk"),
    ("bestman", "2.2.1.2.e1", "disk"),
    ("UNDEFINED", "UNDEFINED", "disk"),
)
SA_ROOTS = {
    "dcache": "/pnfs/{dom}/data",
    "dpm": "/dpm/{dom}/home",
    "castor": "/castor/{dom}/grid",
    "storm": "/storage",
    "bestman": "/mnt/hadoop/user",
}
CPU_MODELS = (
    ("GenuineIntel", "Intel(R) Xeon(R) CPU E5345 @ 2.33GHz", 2333),
    ("GenuineIntel", "Intel(R) Xeon(R) CPU E5430 @ 2.66GHz", 2660),
    ("GenuineIntel", "Intel(R) Xeon(R) CPU L5420 @ 2.50GHz", 2500),
    ("GenuineIntel", "Intel(R) Xeon(R) CPU E5520 @ 2.27GHz", 2270),
    ("GenuineIntel", "Intel(R) Xeon(TM) CPU 3.06GHz", 3060),
    ("AuthenticAMD", "Dual Core AMD Opteron(tm) Processor 275", 2200),
    ("AuthenticAMD", "Dual-Core AMD Opteron(tm) Processor 2218", 2600),
    ("AuthenticAMD", "Quad-Core AMD Opteron(tm) Processor 2356", 2300),
)
OS_RELEASES = (
    ("ScientificSL", "4.7", "Beryllium"),
    ("ScientificSL", "5.3", "Boron"),
    ("ScientificCERNSLC", "4.8", "Beryllium"),
    ("ScientificCERNSLC", "5.4", "Boron"),
    ("CentOS", "4.6", "Final"),
    ("CentOS", "5.3", "Final"),
    ("RedHatEnterpriseAS", "4", "NahantUpdate6"),
)


def _versions(prefix: str, series: Sequence[tuple[str, int]], sep: str = "_") -> tuple[str, ...]:
    return tuple(f"{prefix}{base}{sep}{n}" for base, n_max in series for n in range(n_max))


# Run-time environment tags per VO, oldest first: a site installs a contiguous window of
# releases, which is what makes subclusters carry dozens of tags.
CMSSW_SERIES = (
    ("1_6", 12), ("1_7", 8), ("1_8", 5), ("2_0", 12), ("2_1", 19), ("2_2", 13), ("3_1", 6),
    ("3_3", 6), ("3_5", 8),
)  # fmt: skip
ATLAS_SERIES = (("14.1.0", 6), ("14.2.2", 5), ("14.5.2", 7), ("15.3.1", 9))
LHCB_SERIES = (("Gauss-v36r", 6), ("Boole-v18r", 4), ("Brunel-v35r", 8), ("DaVinci-v24r", 6))
RTE_BY_VO: dict[str, tuple[str, ...]] = {
    "cms": (
        *_versions("VO-cms-CMSSW_", CMSSW_SERIES),
        "VO-cms-slc4_ia32_gcc345",
        "VO-cms-slc5_ia32_gcc434",
    ),
    "atlas": (
        *(
            f"VO-atlas-{r}-i686-slc4-gcc34-opt"
            for r in _versions("AtlasProduction-", ATLAS_SERIES, ".")
        ),
        "VO-atlas-offline-15.5.1",
        "VO-atlas-offline-15.6.1",
    ),
    "lhcb": (
        *_versions("VO-lhcb-", LHCB_SERIES, ""),
        "VO-lhcb-lcg-sl4-x86_64",
        "VO-lhcb-lcg-slc5-x86_64",
    ),
    "alice": (
        *_versions("VO-alice-AliRoot-v4-", (("17-Rev-", 12), ("18-Rev-", 6)), ""),
        "VO-alice-AliEn",
        "VO-alice-ROOT-v5-23-04",
    ),
}
RTE_BASE_OSG = (
    "MountPoints", "SAMPLE_LOCATION", "SAMPLE_SCRATCH", "OSG-1.0.0", "OSG-1.2.3", "CONDOR",
    "PACMAN", "GLITE-3_1_0", "VO-ops-GLITE-3.1.0-6", "ATLAS_STAGE", "ATLAS_DATA", "ATLAS_APP",
)  # fmt: skip
RTE_BASE_EGEE = (
    "LCG-2", "LCG-2_1_0", "LCG-2_1_1", "LCG-2_2_0", "LCG-2_3_0", "LCG-2_3_1", "LCG-2_4_0",
    "LCG-2_5_0", "LCG-2_6_0", "LCG-2_7_0", "GLITE-3_0_0", "GLITE-3_1_0", "GLITE-3_2_0",
    "R-GMA", "SI00MeanPerCPU_1500", "SF00MeanPerCPU_1450", "MPI-START", "OPENMPI",
)  # fmt: skip

SUFFIX = ",Mds-Vo-name=local,o=grid"
HEAD = "dn: o=grid\nobjectClass: organization\no: grid\n\n" + (
    "dn: Mds-Vo-name=local,o=grid\nobjectClass: MDS\nMds-Vo-name: local\n\n"
)
SCHEMA_13 = "GlueSchemaVersionMajor: 1\nGlueSchemaVersionMinor: 3\n"
OC_SITE = "objectClass: GlueTop\nobjectClass: GlueSite\nobjectClass: GlueKey\n" + (
    "objectClass: GlueSchemaVersion\n"
)
OC_CLUSTER = (
    "objectClass: GlueClusterTop\nobjectClass: GlueCluster\nobjectClass: GlueSchemaVersion\n"
    "objectClass: GlueInformationService\nobjectClass: GlueKey\n"
)
OC_SUBCLUSTER = (
    "objectClass: GlueClusterTop\nobjectClass: GlueSubCluster\nobjectClass: GlueSchemaVersion\n"
    "objectClass: GlueHostApplicationSoftware\nobjectClass: GlueHostArchitecture\n"
    "objectClass: GlueHostBenchmark\nobjectClass: GlueHostMainMemory\n"
    "objectClass: GlueHostNetworkAdapter\nobjectClass: GlueHostOperatingSystem\n"
    "objectClass: GlueHostProcessor\nobjectClass: GlueInformationService\nobjectClass: GlueKey\n"
)
OC_CE = (
    "objectClass: GlueCETop\nobjectClass: GlueCE\nobjectClass: GlueSchemaVersion\n"
    "objectClass: GlueCEAccessControlBase\nobjectClass: GlueCEInfo\nobjectClass: GlueCEPolicy\n"
    "objectClass: GlueCEState\nobjectClass: GlueInformationService\nobjectClass: GlueKey\n"
)
OC_VOVIEW = (
    "objectClass: GlueCETop\nobjectClass: GlueVOView\nobjectClass: GlueCEInfo\n"
    "objectClass: GlueCEState\nobjectClass: GlueCEAccessControlBase\n"
    "objectClass: GlueCEPolicy\nobjectClass: GlueKey\nobjectClass: GlueSchemaVersion\n"
)
OC_SE = (
    "objectClass: GlueSETop\nobjectClass: GlueSE\nobjectClass: GlueInformationService\n"
    "objectClass: GlueKey\nobjectClass: GlueSchemaVersion\n"
)
OC_CP = (
    "objectClass: GlueSETop\nobjectClass: GlueSEControlProtocol\nobjectClass: GlueKey\n"
    "objectClass: GlueSchemaVersion\n"
)
OC_AP = (
    "objectClass: GlueSETop\nobjectClass: GlueSEAccessProtocol\nobjectClass: GlueKey\n"
    "objectClass: GlueSchemaVersion\n"
)
OC_SA = (
    "objectClass: GlueSATop\nobjectClass: GlueSA\nobjectClass: GlueSAPolicy\n"
    "objectClass: GlueSAState\nobjectClass: GlueSAAccessControlBase\nobjectClass: GlueKey\n"
    "objectClass: GlueSchemaVersion\n"
)
OC_SERVICE = "objectClass: GlueTop\nobjectClass: GlueService\nobjectClass: GlueKey\n" + (
    "objectClass: GlueSchemaVersion\n"
)
OC_LOCATION = (
    "objectClass: GlueClusterTop\nobjectClass: GlueLocation\nobjectClass: GlueSchemaVersion\n"
    "objectClass: GlueKey\n"
)
# Attributes a GLUE 1.3 CE has and a 1.2 one lacks (the real dump mixes both).
CE_13_ONLY = (
    "GlueCEPolicyMaxObtainableCPUTime: 0\nGlueCEPolicyMaxObtainableWallClockTime: 0\n"
    "GlueCEPolicyMaxSlotsPerJob: 0\nGlueCEPolicyMaxWaitingJobs: 0\nGlueCEPolicyPreemption: 0\n"
)

# Every OSG subcluster of the real dump publishes these three locations.
OSG_LOCATIONS = (("OSG_GRID", "/osg/wn-client"), ("OSG_SITE_READ", ""), ("OSG_SITE_WRITE", ""))
COUNT_KEYS = (
    "sites", "entries", "clusters", "subclusters", "locations", "ces", "glexec_ces", "voviews",
    "ses", "sas", "control_protocols", "access_protocols", "services", "bytes",
)  # fmt: skip


def site_name(index: int) -> str:
    """BDII name of the site at 0-based ``index``: the named sites, then SYNTH-0041, ..."""
    if index < len(NAMED_SITES):
        return NAMED_SITES[index].name
    return f"SYNTH-{index + 1:04d}"


def _synthetic_site(rng: random.Random, index: int) -> NamedSite:
    name = site_name(index)
    flavour = "egee" if rng.random() < 0.6 else "osg"
    # example.org keeps invented hosts out of real domains; the site name keeps them unique.
    domain = f"{name.lower()}.example.org"
    gatekeeper = f"{rng.choice(('ce01', 'gate01', 'osg-ce', 'grid-ce', 'lcg-ce'))}.{domain}"
    experiments = tuple(sorted(rng.sample(LHC_VOS, rng.choice((1, 1, 1, 2, 2, 3, 4)))))
    draw = rng.random()
    # 10% of sites on every CE, 10% on half of them: about 15% of all CEs.
    glexec = "all" if draw < 0.10 else "some" if draw < 0.20 else "none"
    location = rng.choice(("Chicago ,USA", "Madrid, Spain", "Bern, Switzerland", "Lyon, France"))
    latitude = f"{rng.uniform(-40.0, 60.0):.4f}"
    longitude = f"{rng.uniform(-120.0, 140.0):.4f}"
    return NamedSite(
        name, flavour, domain, gatekeeper, location, latitude, longitude, experiments, glexec
    )


@dataclass(slots=True)
class _Queue:
    name: str
    rules: list[str]  # GlueCEAccessControlBaseRule values, one VOView each


# What a cluster's CEs share: port, jobmanager, implementation lines, LRMS, its version, CPUs.
_CEKind = tuple[int, str, str, str, str, int]


@dataclass(slots=True)
class _Site:
    """What every entry of one site shares, decided once per site."""

    spec: NamedSite
    rng: random.Random
    counts: dict[str, int]
    egee: bool
    site_id: str
    sfx: str  # DN suffix: Mds-Vo-name=SITE,Mds-Vo-name=local,o=grid
    is_url: str
    shape: Shape
    site_vos: tuple[str, ...] = ()
    default_se: str = ""
    app_dir: str = ""
    data_dir: str = ""
    ce_serial: int = 0


def _queue_menu(rng: random.Random, site: NamedSite) -> list[_Queue]:
    """Queues a site defines: one per supported VO, FQAN views on LHC ones, shared ones."""
    egee = site.flavour == "egee"
    others = rng.sample(EGEE_VOS if egee else OSG_VOS, rng.randint(4, 10))
    menu: list[_Queue] = []
    for vo in site.experiments + tuple(others):
        rules = [f"VO:{vo}"]
        roles = ROLES.get(vo, ())
        if roles and rng.random() < (0.7 if egee else 0.35):
            rules += [f"VOMS:/{vo}/Role={r}" for r in roles[: rng.randint(1, len(roles))]]
        menu.append(_Queue(vo, rules))
    for qname in rng.sample(SHARED_QUEUES, 3):
        pool = list(site.experiments) + others
        vos = rng.sample(pool, min(len(pool), rng.randint(2, 7)))
        menu.append(_Queue(qname, [f"VO:{vo}" for vo in vos]))
    return menu


def _voview_id(rule: str) -> str:
    # gLite names an FQAN view after the FQAN with '=' made safe: /atlas/Role_pilot
    return rule[3:] if rule.startswith("VO:") else rule[5:].replace("=", "_")


def _capabilities(s: _Site, minor: str) -> list[str]:
    if minor == "2":
        return []  # GLUE 1.2 had no GlueCECapability
    rng, glexec = s.rng, s.spec.glexec
    caps: list[str] = []
    if glexec == "all" or (glexec == "some" and s.ce_serial % 2 == 1):
        caps.append("glexec")
        s.counts["glexec_ces"] += 1
    elif rng.random() < 0.025:
        caps.append(rng.choice(NEAR_MISSES))  # must not count as glexec
    elif not s.egee:
        caps.append("UNDEFINED")  # what every OSG CE published in 2008
    elif rng.random() < 0.1:
        caps.append("htpc")
    if s.egee:
        caps.append(f"CPUScalingReferenceSI00={rng.randrange(1200, 2600, 50)}")
    return caps


def _view_rules(s: _Site, q: _Queue) -> list[str]:
    """The access rules a CE publishes, one VOView each, as the shape asks."""
    wanted = s.shape.voviews_per_ce
    if wanted is None:
        return q.rules
    rules = q.rules[:wanted]
    extra: list[str] = []
    if s.shape.extra_views == "roles":
        for rule in q.rules[:1]:
            vo = rule[3:]
            extra += [f"VOMS:/{vo}/Role={r}" for r in ("lcgadmin", "production", "pilot")]
    others = [vo for vo in s.site_vos if vo not in LHC_VOS] or list(s.site_vos)
    extra += [f"VO:{vo}" for vo in s.rng.sample(others, len(others))]
    for rule in extra:
        if len(rules) >= wanted:
            break
        if rule not in rules:
            rules.append(rule)
    return rules


def _ce(s: _Site, host: str, cluster_id: str, q: _Queue, kind: _CEKind) -> tuple[str, list[str]]:
    """One CE queue: its ID, and its entry followed by its VOViews (whose jobs it sums)."""
    rng, sfx = s.rng, s.sfx
    port, jm, impl_lines, lrms, lrms_version, total_cpus = kind
    ce_id = f"{host}:{port}/{jm}-{q.name}"
    s.ce_serial += 1
    minor = "3" if s.egee or rng.random() < 0.8 else "2"
    caps = "".join(f"GlueCECapability: {cap}\n" for cap in _capabilities(s, minor))
    blocks = [""]
    run_sum = wait_sum = 0
    view_rules = _view_rules(s, q)
    for rule in view_rules:
        lid = _voview_id(rule)
        vo = lid.split("/")[1] if lid.startswith("/") else lid
        running = rng.choice((0, 0, 0, rng.randint(1, 400)))
        waiting = rng.choice((0, 0, rng.randint(1, 900)))
        free = rng.choice((0, rng.randint(1, 64)))
        ert = 0 if free else rng.randint(60, 86400)
        run_sum += running
        wait_sum += waiting
        blocks.append(
            f"dn: GlueVOViewLocalID={lid},GlueCEUniqueID={ce_id},{sfx}\n{OC_VOVIEW}"
            f"GlueCEAccessControlBaseRule: {rule}\nGlueCEInfoApplicationDir: {s.app_dir}/{vo}\n"
            f"GlueCEInfoDataDir: {s.data_dir}\nGlueCEInfoDefaultSE: {s.default_se}\n"
            f"GlueCEStateEstimatedResponseTime: {ert}\nGlueCEStateFreeJobSlots: {free}\n"
            f"GlueCEStateRunningJobs: {running}\nGlueCEStateTotalJobs: {running + waiting}\n"
            f"GlueCEStateWaitingJobs: {waiting}\nGlueCEStateWorstResponseTime: {ert * 3}\n"
            f"GlueChunkKey: GlueCEUniqueID={ce_id}\n{SCHEMA_13}GlueVOViewLocalID: {lid}\n\n"
        )
    s.counts["voviews"] += len(view_rules)
    rules = "".join(f"GlueCEAccessControlBaseRule: {r}\n" for r in view_rules)
    free_cpus = rng.choice((0, 0, rng.randint(1, total_cpus // 4)))
    max_wall = rng.choice((2880, 4320, 2880, 1440, 10080, 6000))
    contact = f"https://{host}:8443/ce-cream/services" if port == 8443 else ce_id
    blocks[0] = (
        f"dn: GlueCEUniqueID={ce_id},{sfx}\n{OC_CE}{rules}{caps}"
        f"GlueCEHostingCluster: {cluster_id}\n{impl_lines if minor == '3' else ''}"
        f"GlueCEInfoApplicationDir: {s.app_dir}\nGlueCEInfoContactString: {contact}\n"
        f"GlueCEInfoDataDir: {s.data_dir}\nGlueCEInfoDefaultSE: {s.default_se}\n"
        f"GlueCEInfoGatekeeperPort: {port}\nGlueCEInfoHostName: {host}\n"
        f"GlueCEInfoJobManager: {jm.split('-', 1)[1]}\nGlueCEInfoLRMSType: {lrms}\n"
        f"GlueCEInfoLRMSVersion: {lrms_version}\nGlueCEInfoTotalCPUs: {total_cpus}\n"
        f"GlueCEName: {q.name}\nGlueCEPolicyAssignedJobSlots: {total_cpus}\n"
        f"GlueCEPolicyMaxCPUTime: {max_wall * 2 // 3}\n{CE_13_ONLY if minor == '3' else ''}"
        f"GlueCEPolicyMaxRunningJobs: {total_cpus}\nGlueCEPolicyMaxTotalJobs: 0\n"
        f"GlueCEPolicyMaxWallClockTime: {max_wall}\n"
        f"GlueCEPolicyPriority: {rng.choice((0, 1, 1, 100))}\n"
        f"GlueCEStateEstimatedResponseTime: {0 if free_cpus else 14400}\n"
        f"GlueCEStateFreeCPUs: {free_cpus}\nGlueCEStateFreeJobSlots: {free_cpus}\n"
        f"GlueCEStateRunningJobs: {run_sum}\nGlueCEStateStatus: {rng.choice(STATES)}\n"
        f"GlueCEStateTotalJobs: {run_sum + wait_sum}\nGlueCEStateWaitingJobs: {wait_sum}\n"
        f"GlueCEStateWorstResponseTime: 0\nGlueCEUniqueID: {ce_id}\n"
        f"GlueForeignKey: GlueClusterUniqueID={cluster_id}\n"
        f"GlueInformationServiceURL: {s.is_url}\n"
        f"GlueSchemaVersionMajor: 1\nGlueSchemaVersionMinor: {minor}\n\n"
    )
    return ce_id, blocks


def _rtes(s: _Site, vos: Sequence[str]) -> str:
    rng = s.rng
    base = RTE_BASE_EGEE if s.egee else RTE_BASE_OSG
    tags = list(base[: rng.randint(len(base) // 2, len(base))])
    for vo in vos:
        pool = RTE_BY_VO.get(vo)
        if pool:
            width = rng.randint(6, 22)
            start = rng.randint(0, max(0, len(pool) - width))
            tags.extend(pool[start : start + width])
    if s.shape.rte_share < 1.0:
        tags = tags[: max(1, round(len(tags) * s.shape.rte_share))]
    return "".join(f"GlueHostApplicationSoftwareRunTimeEnvironment: {t}\n" for t in tags)


def _subcluster(s: _Site, cluster_id: str, sub_id: str, vos: Sequence[str]) -> list[str]:
    """A subcluster with its run-time environment tags, and on OSG its locations."""
    rng = s.rng
    vendor, model, clock = rng.choice(CPU_MODELS)
    os_name, os_release, os_version = rng.choice(OS_RELEASES)
    smp = rng.choice((2, 4, 8, 8))
    physical = rng.randint(16, 600)
    ram = smp * rng.choice((1024, 2048, 2048))
    dn = f"GlueSubClusterUniqueID={sub_id},GlueClusterUniqueID={cluster_id},{s.sfx}"
    blocks = [
        f"dn: {dn}\n{OC_SUBCLUSTER}GlueChunkKey: GlueClusterUniqueID={cluster_id}\n"
        f"{_rtes(s, vos)}"
        f"GlueHostArchitecturePlatformType: {rng.choice(('i686', 'x86_64'))}\n"
        f"GlueHostArchitectureSMPSize: {smp}\nGlueHostBenchmarkSF00: 0\n"
        f"GlueHostBenchmarkSI00: {rng.randrange(1000, 2400, 25)}\n"
        f"GlueHostMainMemoryRAMSize: {ram}\nGlueHostMainMemoryVirtualSize: {ram * 2}\n"
        f"GlueHostNetworkAdapterInboundIP: FALSE\nGlueHostNetworkAdapterOutboundIP: TRUE\n"
        f"GlueHostOperatingSystemName: {os_name}\nGlueHostOperatingSystemRelease: {os_release}\n"
        f"GlueHostOperatingSystemVersion: {os_version}\nGlueHostProcessorClockSpeed: {clock}\n"
        f"GlueHostProcessorModel: {model}\nGlueHostProcessorVendor: {vendor}\n"
        f"GlueInformationServiceURL: {s.is_url}\n{SCHEMA_13}"
        f"GlueSubClusterLogicalCPUs: {physical * smp}\nGlueSubClusterName: {sub_id}\n"
        f"GlueSubClusterPhysicalCPUs: {physical}\nGlueSubClusterTmpDir: {s.data_dir}\n"
        f"GlueSubClusterUniqueID: {sub_id}\nGlueSubClusterWNTmpDir: /scratch\n\n"
    ]
    s.counts["subclusters"] += 1
    if not s.egee:
        for lid, path in OSG_LOCATIONS:
            blocks.append(
                f"dn: GlueLocationLocalID={lid},{dn}\n{OC_LOCATION}"
                f"GlueChunkKey: GlueSubClusterUniqueID={sub_id}\nGlueLocationLocalID: {lid}\n"
                f"GlueLocationName: {lid}\nGlueLocationPath: {path or s.data_dir}\n"
                f"GlueLocationVersion: UNDEFINED\n{SCHEMA_13}\n"
            )
        s.counts["locations"] += len(OSG_LOCATIONS)
    return blocks


def _queues(s: _Site, menu: Sequence[_Queue], count: int) -> list[_Queue]:
    """``count`` of the site's queues; with the shape's lhc_share, that share for LHC VOs."""
    if s.shape.lhc_share is None:
        return s.rng.sample(menu, count)
    lhc = [q for q in menu if q.name in LHC_VOS]
    other = [q for q in menu if q.name not in LHC_VOS]
    s.rng.shuffle(lhc)
    s.rng.shuffle(other)
    picked: list[_Queue] = []
    while len(picked) < count and (lhc or other):
        first, second = (lhc, other) if s.rng.random() < s.shape.lhc_share else (other, lhc)
        picked.append((first or second).pop())
    return picked


def _cluster(
    s: _Site, c: int, share: int, menu: Sequence[_Queue], lrms: tuple[str, str], cpus: int
) -> tuple[str, list[str], list[str]]:
    """Cluster ``c`` with ``share`` CEs: (cluster entry, subcluster entries, CE entries)."""
    rng, dom = s.rng, s.spec.domain
    # A queue is published once per CE host, so a big share may need several hosts.
    n_hosts = max(2 if share >= 4 and rng.random() < 0.4 else 1, -(-share // len(menu)))
    if c == 0:
        hosts = [s.spec.gatekeeper] + [f"ce{h + 2:02d}.{dom}" for h in range(n_hosts - 1)]
    else:
        hosts = [f"ce{c + 1}{h + 1}.{dom}" for h in range(n_hosts)]
    cluster_id = hosts[0]
    cream = s.egee and rng.random() < 0.35
    if cream:
        impl = f"GlueCEImplementationName: CREAM\nGlueCEImplementationVersion: 1.6.{c}\n"
        kind = (8443, f"cream-{lrms[0]}", impl, *lrms, cpus)
    elif s.egee:
        impl = "GlueCEImplementationName: LCG-CE\nGlueCEImplementationVersion: 3.1.40\n"
        kind = (2119, f"jobmanager-lcg{lrms[0]}", impl, *lrms, cpus)
    else:
        impl = "GlueCEImplementationName: UNDEFINED\nGlueCEImplementationVersion: UNDEFINED\n"
        kind = (2119, f"jobmanager-{lrms[0]}", impl, *lrms, cpus)
    queues = _queues(s, menu, -(-share // n_hosts))
    ces: list[str] = []
    ce_ids: list[str] = []
    vos: set[str] = set()
    for host in hosts:
        for q in queues[: share - len(ce_ids)]:
            ce_id, blocks = _ce(s, host, cluster_id, q, kind)
            ce_ids.append(ce_id)
            ces += blocks
            vos.update(_voview_id(r).lstrip("/").split("/")[0] for r in q.rules)
    s.counts["ces"] += len(ce_ids)
    services = "".join(f"GlueClusterService: {h}\n" for h in hosts)
    fks = "".join(f"GlueForeignKey: GlueCEUniqueID={i}\n" for i in ce_ids)
    cluster = (
        f"dn: GlueClusterUniqueID={cluster_id},{s.sfx}\n{OC_CLUSTER}"
        f"GlueClusterName: {cluster_id}\n{services}GlueClusterTmpDir: {s.data_dir}\n"
        f"GlueClusterUniqueID: {cluster_id}\nGlueClusterWNTmpDir: /scratch\n{fks}"
        f"GlueForeignKey: GlueSiteUniqueID={s.site_id}\n"
        f"GlueInformationServiceURL: {s.is_url}\n{SCHEMA_13}\n"
    )
    subclusters: list[str] = []
    for k in range(1 if c else rng.choice((1, 1, 2))):
        sub_id = cluster_id if k == 0 else f"{cluster_id}-sub{k + 1}"
        subclusters += _subcluster(s, cluster_id, sub_id, sorted(vos))
    return cluster, subclusters, ces


def _service(s: _Site, kind: tuple[str, str, str, str], uid: str, url: str, acl: str) -> str:
    stype, version, name, semantics = kind
    s.counts["services"] += 1
    return (
        f"dn: GlueServiceUniqueID={uid},{s.sfx}\n{OC_SERVICE}"
        f"GlueForeignKey: GlueSiteUniqueID={s.site_id}\n{SCHEMA_13}{acl}"
        f"GlueServiceAccessPointURL: {url}\nGlueServiceEndpoint: {url}\n"
        f"GlueServiceName: {name}\nGlueServiceOwner: {s.spec.experiments[0]}\n"
        f"GlueServiceSemantics: {semantics}\nGlueServiceStartTime: 1970-01-01T00:00:00Z\n"
        f"GlueServiceStatus: OK\nGlueServiceStatusInfo: No Problems\nGlueServiceType: {stype}\n"
        f"GlueServiceURI: {url}\nGlueServiceUniqueID: {uid}\nGlueServiceVersion: {version}\n"
        f"GlueServiceWSDL: UNDEFINED\n\n"
    )


def _storage_element(
    s: _Site, k: int, se: tuple[str, str, str, str], vos: Sequence[str]
) -> tuple[str, list[str], list[str]]:
    """SE ``k``: (SE entry, its protocols and SAs, the SRM service it runs if any)."""
    rng, sfx, dom = s.rng, s.sfx, s.spec.domain
    se_id, impl, version, arch = se
    srm = impl != "UNDEFINED"  # the rest are classic gsiftp servers
    total = rng.randint(20, 2000) * 1000
    used = rng.randint(0, total)
    entry = (
        f"dn: GlueSEUniqueID={se_id},{sfx}\n{OC_SE}"
        f"GlueForeignKey: GlueSiteUniqueID={s.site_id}\nGlueInformationServiceURL: {s.is_url}\n"
        f"GlueSEArchitecture: {arch}\nGlueSEImplementationName: {impl}\n"
        f"GlueSEImplementationVersion: {version}\n"
        f"GlueSEName: {s.spec.name}:{'srm' if srm else 'disk'}\n"
        f"GlueSEPort: {8443 if srm else 2811}\nGlueSESizeFree: {total - used}\n"
        f"GlueSESizeTotal: {total}\nGlueSEStatus: Production\n"
        f"GlueSETotalNearlineSize: {total * 2 if arch == 'tape' else 0}\n"
        f"GlueSETotalOnlineSize: {total}\nGlueSEUniqueID: {se_id}\n"
        f"GlueSEUsedNearlineSize: 0\nGlueSEUsedOnlineSize: {used}\n{SCHEMA_13}\n"
    )
    ref = f"GlueSEUniqueID={se_id},{sfx}"
    chunk = f"GlueChunkKey: GlueSEUniqueID={se_id}\n"
    children: list[str] = []
    services: list[str] = []
    if srm:
        protocols = (("srm_v2", "2.2.0", "managerv2"), ("srm_v1", "1.1.0", "managerv1"))
        for proto, ver, path in protocols[: rng.choice((1, 2))]:
            url = f"httpg://{se_id}:8443/srm/{path}"
            children.append(
                f"dn: GlueSEControlProtocolLocalID={proto},{ref}\n{OC_CP}{chunk}"
                f"GlueSEControlProtocolCapability: control\n"
                f"GlueSEControlProtocolEndpoint: {url}\nGlueSEControlProtocolLocalID: {proto}\n"
                f"GlueSEControlProtocolType: SRM\nGlueSEControlProtocolVersion: {ver}\n"
                f"{SCHEMA_13}\n"
            )
            if k == 0 and proto == "srm_v2":
                acl = "".join(f"GlueServiceAccessControlRule: {vo}\n" for vo in vos)
                srm_kind = ("SRM", ver, f"{s.spec.name}-SRM", "http://sdm.lbl.gov/srm-wg/")
                services.append(_service(s, srm_kind, url, url, acl))
        s.counts["control_protocols"] += len(children)
    doors = [f"gsiftp{d}" if d else "gsiftp" for d in range(rng.choice((1, 1, 2, 3)))]
    if srm and rng.random() < 0.4:
        doors.append("dcap" if impl == "dcache" else "rfio")
    for door in doors:
        ptype = door.rstrip("0123456789")
        port = {"gsiftp": 2811, "dcap": 22125, "rfio": 5001}[ptype]
        children.append(
            f"dn: GlueSEAccessProtocolLocalID={door},{ref}\n{OC_AP}{chunk}"
            f"GlueSEAccessProtocolCapability: file transfer\n"
            f"GlueSEAccessProtocolEndpoint: {ptype}://{se_id}:{port}\n"
            f"GlueSEAccessProtocolLocalID: {door}\nGlueSEAccessProtocolMaxStreams: 10\n"
            f"GlueSEAccessProtocolPort: {port}\n"
            f"GlueSEAccessProtocolSupportedSecurity: {'none' if ptype == 'rfio' else 'GSI'}\n"
            f"GlueSEAccessProtocolType: {ptype}\nGlueSEAccessProtocolVersion: 1.0.0\n"
            f"{SCHEMA_13}\n"
        )
    s.counts["access_protocols"] += len(doors)
    sa_root = SA_ROOTS.get(impl, "/data").format(dom=dom)
    sa_vos = rng.sample(vos, min(len(vos), rng.randint(2, 6)))
    if s.shape.sa_share < 1.0:
        sa_vos = [vo for vo in sa_vos if rng.random() < s.shape.sa_share] or sa_vos[:1]
    for vo in sa_vos:
        sa_total = rng.randint(1, 400) * 1000
        sa_used = rng.randint(0, sa_total)
        voms = ""
        if s.egee and vo in LHC_VOS:
            voms = f"GlueSAAccessControlBaseRule: VOMS:/{vo}/Role=production\n"
        children.append(
            f"dn: GlueSALocalID={vo},{ref}\n{OC_SA}{chunk}"
            f"GlueSAAccessControlBaseRule: {vo}\nGlueSAAccessControlBaseRule: VO:{vo}\n{voms}"
            f"GlueSAAccessLatency: online\nGlueSACapability: file storage\n"
            f"GlueSAExpirationMode: neverExpire\nGlueSAFreeNearlineSize: 0\n"
            f"GlueSAFreeOnlineSize: {sa_total - sa_used}\nGlueSALocalID: {vo}\n"
            f"GlueSAName: {vo}_default\nGlueSAPath: {sa_root}/{vo}\n"
            f"GlueSAPolicyFileLifeTime: permanent\nGlueSAPolicyMaxData: 100\n"
            f"GlueSAPolicyMaxFileSize: 10000\nGlueSAPolicyMaxNumFiles: 10\n"
            f"GlueSAPolicyMaxPinDuration: 10\nGlueSAPolicyMinFileSize: 1\nGlueSAPolicyQuota: 0\n"
            f"GlueSAReservedNearlineSize: 0\nGlueSAReservedOnlineSize: 0\n"
            f"GlueSARetentionPolicy: replica\nGlueSARoot: {vo}:/{vo}\n"
            f"GlueSAStateAvailableSpace: {sa_total - sa_used}\nGlueSAStateUsedSpace: {sa_used}\n"
            f"GlueSATotalNearlineSize: 0\nGlueSATotalOnlineSize: {sa_total}\n"
            f"GlueSAType: permanent\nGlueSAUsedNearlineSize: 0\nGlueSAUsedOnlineSize: {sa_used}\n"
            f"{SCHEMA_13}\n"
        )
    s.counts["sas"] += len(sa_vos)
    return entry, children, services


def _site_entry(s: _Site) -> str:
    spec, dom = s.spec, s.spec.domain
    contact = f"mailto: grid-admin@{dom}"
    if s.egee:
        tier = "1" if spec.experiments == LHC_VOS else "2"
        extra = f"GlueSiteOtherInfo: GRID=WLCG\nGlueSiteOtherInfo: TIER={tier}\n"
    else:
        extra = (
            f"GlueSiteOtherInfo: UNDEFINED\n"
            f"GlueSiteSponsor: {spec.experiments[0]}:{s.rng.choice((80, 90, 100))}\n"
        )
    return (
        f"dn: GlueSiteUniqueID={s.site_id},{s.sfx}\n{OC_SITE}"
        f"GlueForeignKey: GlueSiteUniqueID={s.site_id}\n{SCHEMA_13}"
        f"GlueSiteDescription: {'LCG Site' if s.egee else 'OSG Site'}\n"
        f"GlueSiteEmailContact: {contact}\nGlueSiteLatitude: {spec.latitude}\n"
        f"GlueSiteLocation: {spec.location}\nGlueSiteLongitude: {spec.longitude}\n"
        f"GlueSiteName: {spec.name}\n{extra}GlueSiteSecurityContact: {contact}\n"
        f"GlueSiteSysAdminContact: {contact}\nGlueSiteUniqueID: {s.site_id}\n"
        f"GlueSiteUserSupportContact: {contact}\nGlueSiteWeb: http://www.{dom}/grid\n\n"
    )


def _site_entries(rng: random.Random, index: int, counts: dict[str, int], shape: Shape) -> str:
    """All entries of one site, parents first, as one LDIF string."""
    spec = NAMED_SITES[index] if index < len(NAMED_SITES) else _synthetic_site(rng, index)
    name, dom, egee = spec.name, spec.domain, spec.flavour == "egee"
    sfx = f"Mds-Vo-name={name}{SUFFIX}"
    if egee:
        is_url = f"ldap://site-bdii.{dom}:2170/mds-vo-name={name},o=grid"
        s = _Site(spec, rng, counts, egee, name, sfx, is_url, shape)
    else:
        # OSG published the gatekeeper host as GlueSiteUniqueID and one central IS URL.
        is_url = f"ldap://is.grid.iu.edu:2170/mds-vo-name={name},mds-vo-name=local,o=grid"
        s = _Site(spec, rng, counts, egee, spec.gatekeeper, sfx, is_url, shape)
    s.app_dir = "/opt/exp_soft" if egee else rng.choice(("/osg/app", "/grid/app", "/opt/osg/app"))
    s.data_dir = "unset" if egee else s.app_dir.replace("app", "data")
    out = [f"dn: {sfx}\nobjectClass: MDS\nMds-Vo-name: {name}\n\n", _site_entry(s)]

    # Storage is planned first because every CE names its default SE.
    se_kinds = SE_KINDS_EGEE if egee else SE_KINDS_OSG
    ses: list[tuple[str, str, str, str]] = []  # (id, implementation, version, architecture)
    for k in range(rng.choice((1, 1, 2, 2, 3))):
        kind = se_kinds[0 if k == 0 and not egee else rng.randrange(len(se_kinds))]
        host = rng.choice(("se", "dpm", "storage", "gridftp")) + f"{k + 1:02d}" if k else "srm"
        ses.append((f"{host}.{dom}", *kind))
    s.default_se = ses[0][0]

    menu = _queue_menu(rng, spec)
    s.site_vos = tuple(sorted({q.rules[0][3:] for q in menu}))
    lrms_name, lrms_versions = rng.choice(EGEE_LRMS if egee else OSG_LRMS)
    lrms = (lrms_name, rng.choice(lrms_versions))
    cpus = rng.choice((64, 128, 256, 444, 512, 1024, 2048, 4096))
    n_clusters = rng.choice((1, 1, 1, 1, 2, 2, 2, 3, 3, 4))
    # Split the CEs over the clusters, the first one (the main farm) taking the most.
    shares = [1] * n_clusters
    for _ in range(rng.randint(*shape.ces_per_site) - n_clusters):
        shares[0 if rng.random() < 0.5 else rng.randrange(n_clusters)] += 1
    clusters: list[str] = []
    subclusters: list[str] = []
    ces: list[str] = []
    for c, share in enumerate(shares):
        cluster, subs, cluster_ces = _cluster(s, c, share, menu, lrms, cpus)
        clusters.append(cluster)
        subclusters += subs
        ces += cluster_ces
    counts["clusters"] += n_clusters

    site_vos = sorted({q.rules[0][3:] for q in menu})
    se_entries: list[str] = []
    se_children: list[str] = []
    services: list[str] = []
    for k, se in enumerate(ses):
        before = dict(counts)
        entry, children, srm_services = _storage_element(s, k, se, site_vos)
        if shape.se_share < 1.0 and k and rng.random() >= shape.se_share:
            counts.update(before)  # not published (CEs name only the first, always kept)
            continue
        se_entries.append(entry)
        se_children += children
        services += srm_services
    counts["ses"] += len(se_entries)
    # The authorization/information service: GUMS on OSG, the site BDII on EGEE.
    if egee:
        uid = f"site-bdii.{dom}_bdii_site_{rng.randrange(1000, 9999)}"
        bdii = ("bdii_site", "3.9.1", f"{name}-bdii_site", "http://glite.cern.ch/bdii")
        services.append(_service(s, bdii, uid, s.is_url, ""))
    else:
        url = f"https://gums.{dom}:8443/gums/services/GUMSAuthorizationServicePort"
        gums = ("GUMS", "1.2.16", "Authorization", "https://www.racf.bnl.gov/Facility/GUMS/")
        services.append(_service(s, gums, url, url, ""))

    # The site's top entries first, then subclusters and SE children (roughly the real
    # dump's order); VOViews and locations already follow their CE or subcluster.
    out += clusters
    out += ces
    out += se_entries
    out += services
    out += subclusters
    out += se_children
    counts["entries"] += len(out)
    return "".join(out)


def generate(
    n_sites: int, out: TextIO, seed: int = 1, shape: Shape = SHAPES["osg-2008"]
) -> dict[str, int]:
    """Write an LDIF of ``n_sites`` sites to ``out``; return what was written, counted."""
    if n_sites < 0:
        raise ValueError(f"n_sites must be >= 0, got {n_sites}")
    rng = random.Random(seed)
    counts = dict.fromkeys(COUNT_KEYS, 0)
    out.write(HEAD)
    counts["entries"] = 2
    written = len(HEAD)
    for index in range(n_sites):
        text = _site_entries(rng, index, counts, shape)
        out.write(text)
        written += len(text)  # all values are ASCII (the schema's IA5 syntax): chars == bytes
    counts["sites"] = n_sites
    counts["bytes"] = written
    return counts


def _open_output(path: str) -> tuple[TextIO, BinaryIO | None]:
    """A text stream for ``path`` ("-" is stdout) and the raw file to close after it."""
    if path == "-":
        return sys.stdout, None
    raw = open(path, "wb")  # noqa: SIM115 - main() closes it after the text layer
    if path.endswith(".gz"):
        # mtime=0 and no file name in the header: same N and seed, byte-identical .gz.
        # Level 6 (gzip(1)'s default) is 5x faster than the module's 9 for 4% more bytes.
        zipped = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0)
        return io.TextIOWrapper(zipped, encoding="ascii", newline="\n"), raw
    return io.TextIOWrapper(raw, encoding="ascii", newline="\n"), None


def _range(text: str) -> tuple[int, int]:
    low, _, high = text.partition(",")
    try:
        return int(low), int(high or low)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not MIN,MAX: {text}") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, required=True, help="number of sites (N)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("-o", "--output", default="-", help="output file; .gz compresses")
    parser.add_argument(
        "--shape", choices=sorted(SHAPES), default="osg-2008", help="named shape (default osg-2008)"
    )
    # Each field of Shape can be set on its own, over the named shape.
    parser.add_argument("--voviews-per-ce", type=int, help="VOViews per CE")
    parser.add_argument("--extra-views", choices=("roles", "others"), help="what added views name")
    parser.add_argument("--rte-share", type=float, help="share of run-time environment tags")
    parser.add_argument("--se-share", type=float, help="share of storage elements published")
    parser.add_argument("--sa-share", type=float, help="share of storage areas published")
    parser.add_argument("--ces-per-site", type=_range, metavar="MIN,MAX", help="CEs per site")
    parser.add_argument("--lhc-share", type=float, help="share of queues serving LHC VOs")
    args = parser.parse_args(argv)
    if args.sites < 0:
        parser.error("--sites must be >= 0")
    given = {
        f.name: getattr(args, f.name)
        for f in dataclasses.fields(Shape)
        if getattr(args, f.name) is not None
    }
    shape = dataclasses.replace(SHAPES[args.shape], **given)
    started = time.perf_counter()
    stream, raw = _open_output(args.output)
    try:
        counts = generate(args.sites, stream, args.seed, shape)
        stream.flush()
    finally:
        if stream is not sys.stdout:
            stream.close()
        if raw is not None:
            raw.close()
    elapsed = time.perf_counter() - started
    summary = " ".join(f"{key}={value}" for key, value in counts.items())
    print(f"generate_bdii: {summary} seconds={elapsed:.2f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
