"""A GLUE 2.0 endpoint's batch system: its service's GLUE2ComputingManager product name, as
glue2.yaml's batch_systems names it, and the CREAM gatekeepers, one per queue, it makes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from helpers.glue2_ldif import EndpointSpec, Site2Spec, glue2_ldif, service_dn

from cecap.model.glue import CE, GlueModel
from cecap.model.glue2 import Glue2Collector, wanted
from cecap.model.questions import reading_for, readings_for
from cecap.policy.glue2_load import load_glue2
from cecap.policy.load import default_config_dir
from cecap.sources.base import read_model
from cecap.sources.ldif import LdifReader

RULES = load_glue2(default_config_dir())
SITE = "SITE-A"
HOST = "ce1.a.org"
SERVICE = f"{HOST}_ComputingElement"


def model_of(tmp_path: Path, text: str) -> GlueModel:
    path = tmp_path / "bdii.ldif"
    path.write_text(text)
    reader = LdifReader(path, wanted(("1.3", "2.0"), RULES, ["glexec"]))
    return read_model(reader, Glue2Collector(RULES, ["glexec"]))


def endpoint(tmp_path: Path, managers: Sequence[str] | None, **kwargs: object) -> CE:
    ep = EndpointSpec(HOST, ["atlas", "cms"], managers=managers, **kwargs)  # type: ignore[arg-type]
    (ce,) = model_of(tmp_path, glue2_ldif([Site2Spec(SITE, [ep])])).ces
    return ce


def manager(dn_service: bool = True, **attributes: str) -> str:
    """A GLUE2ComputingManager entry written by hand, under the sample service's DN or at
    the top of the site."""
    site = Site2Spec(SITE, [EndpointSpec(HOST, [])])
    parent = service_dn(site, site.endpoints[0]) if dn_service else site.resource_dn
    lines = [
        f"dn: GLUE2ManagerID=m1,{parent}",
        "objectClass: GLUE2Manager",
        "objectClass: GLUE2ComputingManager",
        "GLUE2ManagerID: m1",
        *(f"{name}: {value}" for name, value in attributes.items()),
    ]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("product", "lrms"),
    [
        # CREAM's info provider publishes YAIM's CE_BATCH_SYS as it was written.
        ("torque", "pbs"),
        ("Torque", "pbs"),
        ("  TORQUE ", "pbs"),
        ("pbs", "pbs"),
        ("PBS", "pbs"),
        ("PBSPro", "pbs"),
        ("PBS Professional", "pbs"),
        ("OpenPBS", "pbs"),
        ("SLURM", "slurm"),
        ("slurm", "slurm"),
        ("LSF", "lsf"),
        ("Platform LSF", "lsf"),
        ("SGE", "sge"),
        ("Son of Grid Engine", "sge"),
        ("Univa_Grid_Engine", "sge"),
        ("HTCondor", "condor"),
        ("condor", "condor"),
        ("HT-Condor", "condor"),
    ],
)
def test_a_product_name_gives_the_word_a_cream_ce_id_holds(
    tmp_path: Path, product: str, lrms: str
) -> None:
    ce = endpoint(tmp_path, [product])
    assert (ce.lrms, ce.lrms_note) == (lrms, "")
    assert ce.reading.batch_system == lrms
    # The gatekeeper a GLUE 1.3 CREAM CE of that batch system has as its ID.
    assert reading_for(ce, "cms").gatekeeper == f"{HOST}:8443/cream-{lrms}-cms"
    assert reading_for(ce, "atlas").gatekeeper == f"{HOST}:8443/cream-{lrms}-atlas"


@pytest.mark.parametrize(
    ("products", "lrms", "note"),
    [
        # Several managers naming one batch system, or one and a product cecap does not
        # know (a scheduler published beside it), give that one.
        (["Torque", "PBS"], "pbs", ""),
        (["Torque", "Maui"], "pbs", ""),
        (["", "slurm"], "slurm", ""),
        # Managers naming different batch systems: no guess.
        (
            ["Torque", "SLURM"],
            "",
            "its GLUE2ComputingManagers name different batch systems ('Torque', 'SLURM')",
        ),
        ([], "", "its service publishes no GLUE2ComputingManager"),
        ([""], "", "its GLUE2ComputingManager publishes no GLUE2ManagerProductName"),
        (["   "], "", "its GLUE2ComputingManager publishes no GLUE2ManagerProductName"),
        (
            ["LoadLeveler"],
            "",
            "GLUE2ManagerProductName 'LoadLeveler' names no batch system cecap knows"
            " (glue2.yaml, batch_systems)",
        ),
        # A dash would end a CE ID's batch-system word: not squeezed into a known name.
        (
            ["torque-long"],
            "",
            "GLUE2ManagerProductName 'torque-long' names no batch system cecap knows"
            " (glue2.yaml, batch_systems)",
        ),
        (
            ["torque\x1b[31m"],
            "",
            "GLUE2ManagerProductName 'torque\x1b[31m' names no batch system cecap knows"
            " (glue2.yaml, batch_systems)",
        ),
    ],
)
def test_several_none_or_unknown_managers(
    tmp_path: Path, products: list[str], lrms: str, note: str
) -> None:
    ce = endpoint(tmp_path, products)
    assert (ce.lrms, ce.lrms_note) == (lrms, note)
    gatekeeper = reading_for(ce, "cms").gatekeeper
    assert gatekeeper == (f"{HOST}:8443/cream-{lrms}-cms" if lrms else None)


def test_a_huge_product_name_is_cut_in_the_note(tmp_path: Path) -> None:
    ce = endpoint(tmp_path, ["x" * 100_000])
    assert ce.lrms == "" and len(ce.lrms_note) < 400
    assert ce.lrms_note.startswith("GLUE2ManagerProductName 'xxx")


@pytest.mark.parametrize(
    ("text", "lrms"),
    [
        # Linked by GLUE2ManagerServiceForeignKey alone (the schema's MUST).
        (manager(GLUE2ManagerProductName="SLURM", GLUE2ManagerServiceForeignKey=SERVICE), "slurm"),
        # Only by the ComputingManager's own key, placed elsewhere in the tree.
        (
            manager(
                False,
                GLUE2ManagerProductName="LSF",
                GLUE2ComputingManagerComputingServiceForeignKey=SERVICE,
            ),
            "lsf",
        ),
        # By no key: the service whose DN it sits under (a hand-written LDIF).
        (manager(GLUE2ManagerProductName="sge"), "sge"),
        # Neither keyed to this service nor under it: not its manager.
        (manager(False, GLUE2ManagerProductName="SLURM"), ""),
        (
            manager(GLUE2ManagerProductName="SLURM", GLUE2ManagerServiceForeignKey="other_CE"),
            "",
        ),
    ],
)
def test_a_manager_is_the_service_s_however_linked(tmp_path: Path, text: str, lrms: str) -> None:
    ep = EndpointSpec(HOST, ["cms"], managers=[])
    (ce,) = model_of(tmp_path, glue2_ldif([Site2Spec(SITE, [ep])]) + "\n" + text).ces
    assert ce.lrms == lrms


def test_an_endpoint_without_a_service_key_finds_its_service_by_dn(tmp_path: Path) -> None:
    text = glue2_ldif([Site2Spec(SITE, [EndpointSpec(HOST, ["cms"], managers=["Torque"])])])
    text = text.replace(f"GLUE2EndpointServiceForeignKey: {SERVICE}\n", "")
    (ce,) = model_of(tmp_path, text).ces
    assert (ce.lrms, ce.site) == ("pbs", SITE)


def test_a_manager_published_twice_counts_once(tmp_path: Path) -> None:
    # A top-level BDII may carry a site's entries twice; the first copy stands.
    text = glue2_ldif([Site2Spec(SITE, [EndpointSpec(HOST, ["cms"], managers=[])])])
    twice = (
        manager(GLUE2ManagerProductName="Torque", GLUE2ManagerServiceForeignKey=SERVICE)
        + "\n"
        + manager(GLUE2ManagerProductName="SLURM", GLUE2ManagerServiceForeignKey=SERVICE).replace(
            ",GLUE2GroupID=resource", ",GLUE2GroupID=resource2"
        )
    )
    (ce,) = model_of(tmp_path, text + "\n" + twice).ces
    assert ce.lrms == "pbs"


def test_one_reading_per_queue_of_the_vo_s_shares(tmp_path: Path) -> None:
    ce = endpoint(tmp_path, ["torque"], queues={"cms": ["cms", "cms_long", "cms"]})
    assert [r.gatekeeper for r in readings_for(ce, "cms")] == [
        f"{HOST}:8443/cream-pbs-cms",
        f"{HOST}:8443/cream-pbs-cms_long",
    ]
    assert [r.queue for r in readings_for(ce, "atlas")] == ["atlas"]
    # A VO no share is for: the endpoint's own reading, no queue.
    assert [r.queue for r in readings_for(ce, "lhcb")] == [""]


def test_a_share_with_no_queue_gives_no_gatekeeper(tmp_path: Path) -> None:
    ce = endpoint(tmp_path, ["torque"], queues={"cms": [""]})
    (reading,) = readings_for(ce, "cms")
    assert (reading.batch_system, reading.queue, reading.gatekeeper) == ("pbs", "", None)
    # A share with a queue beside it is the one read.
    ce = endpoint(tmp_path, ["torque"], queues={"cms": ["", "cmsq"]})
    assert [r.gatekeeper for r in readings_for(ce, "cms")] == [f"{HOST}:8443/cream-pbs-cmsq"]


def test_other_kinds_of_endpoint_keep_their_gatekeepers(tmp_path: Path) -> None:
    arc = endpoint(
        tmp_path,
        ["SLURM"],
        interface="org.nordugrid.gridftpjob",
        implementation="nordugrid-arc",
        url=f"gsiftp://{HOST}:2811/jobs",
    )
    reading = reading_for(arc, "cms")
    assert (reading.gatekeeper, reading.rsl, reading.batch_system) == (HOST, "(queue=cms)", "slurm")
    htc = endpoint(
        tmp_path,
        None,
        interface="org.opensciencegrid.htcondorce",
        implementation="HTCondorCE",
        url=f"{HOST}:9619",
    )
    assert (htc.lrms, reading_for(htc, "cms").gatekeeper) == ("", f"{HOST} {HOST}:9619")
