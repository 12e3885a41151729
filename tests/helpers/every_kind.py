"""The crafted audit setup shared by the CLI and live tests: a config folder with answers
for some sites, and an LDIF with one site per audit finding kind (GLUE 1.3 and 2.0)."""

from __future__ import annotations

from pathlib import Path

from helpers.glue2_ldif import EndpointSpec, Site2Spec, glue2_ldif
from helpers.glue_ldif import CESpec, ClusterSpec, SiteSpec, bdii_ldif, simple_site

ANSWERS = {
    "NOPE": ("no", "no", "no"),
    "WILLING": ("yes", "allow", "no"),
}


def write_config(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stances = ["respondents:"]
    for name, (mupj, setuid, log_only) in ANSWERS.items():
        stances += [
            f"  - name: {name}",
            f"    mupj: {{text: '{mupj}', value: '{mupj}'}}",
            f"    glexec_setuid: {{text: '{setuid}', value: '{setuid}'}}",
            f"    glexec_log_only: {{text: '{log_only}', value: '{log_only}'}}",
            "    bypass_on_error: {text: 'no', value: 'no'}",
        ]
    (folder / "stances.yaml").write_text("\n".join(stances) + "\n")
    (folder / "sites.yaml").write_text("respondents: {}\n")
    (folder / "experiments.yaml").write_text(
        "experiments:\n"
        "  atlas: {vo: atlas, modes: [setuid]}\n"
        "  cms: {vo: cms, modes: [setuid]}\n"
        "  lhcb: {vo: lhcb, modes: [setuid, log-only]}\n"
    )
    return folder


TWO = Site2Spec("TWO", [EndpointSpec("ce.two.org", ["atlas"], capabilities=())])
ONLY2 = Site2Spec("ONLY2", [EndpointSpec("ce.only2.org", ["atlas", "cms"])])


def every_kind_ldif() -> str:
    """One site per finding kind (see ALL_KINDS), GLUE 1.3 and 2.0."""
    glue13 = bdii_ldif(
        [
            simple_site("NOPE", [CESpec("q1", ["atlas"])]),
            SiteSpec(
                "WILLING",
                [
                    ClusterSpec(
                        "ce.willing.org",
                        [CESpec("q1", ["atlas"], capabilities=())],
                        runtime_environment=["LCG-2", "GLEXEC"],
                    )
                ],
            ),
            simple_site("NEAR", [CESpec("q1", ["cms"], capabilities=["glexec=yes"])]),
            simple_site(
                "SPLIT", [CESpec("q1", ["atlas"]), CESpec("q2", ["atlas"], capabilities=())]
            ),
            simple_site(
                "PART",
                [
                    CESpec(
                        "q1",
                        ["atlas", "cms"],
                        capabilities=(),
                        view_capabilities={"atlas": ["glexec"]},
                    )
                ],
            ),
            simple_site("DRAIN", [CESpec("q1", ["lhcb"], state="Draining")]),
            simple_site("TWO", [CESpec("q1", ["atlas"])], host="ce.two.org"),
        ]
    )
    return glue13 + "\n" + glue2_ldif([TWO, ONLY2])
