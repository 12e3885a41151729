"""The snapshot writer: LDIF text, parents, schema-required classes, atomic replacement."""

from __future__ import annotations

import base64
import gzip
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cecap.errors import InputError
from cecap.formats.snapshot import (
    SNAPSHOT_WANTED,
    object_classes,
    snapshot_wanted,
    write_snapshot,
)
from cecap.model.dn import split_rdns
from cecap.model.entry import Entry
from cecap.model.glue2 import GLUE2_WANTED
from cecap.model.glue13 import GLUE13_WANTED
from cecap.policy.glue2_rules import Glue2Match, Glue2Rules
from cecap.sources.ldif import LdifReader

NOW = datetime(2010, 3, 24, 12, 0, tzinfo=UTC)
SITE = "Mds-Vo-name=RAL-LCG2,Mds-Vo-name=local,o=grid"
CE_ID = "ce.example.org:8443/cream-pbs-grid"
CE_DN = f"GlueCEUniqueID={CE_ID},{SITE}"
VERSION = {"glueschemaversionmajor": ("1",), "glueschemaversionminor": ("3",)}


def ce(**extra: tuple[str, ...]) -> Entry:
    attrs = {
        "objectclass": ("GlueCETop", "GlueCE", "GlueCEAccessControlBase", "GlueSchemaVersion"),
        "glueceuniqueid": (CE_ID,),
        "glueceaccesscontrolbaserule": ("VO:atlas",),
        **VERSION,
        **extra,
    }
    return Entry(CE_DN, attrs)


def view(local_id: str = "atlas") -> Entry:
    return Entry(
        f"GlueVOViewLocalID={local_id},{CE_DN}",
        {
            "objectclass": ("GlueCETop", "GlueVOView", "GlueKey", "GlueSchemaVersion"),
            "gluevoviewlocalid": (local_id,),
            "gluechunkkey": (f"GlueCEUniqueID={CE_ID}",),
            **VERSION,
        },
    )


def without_classes(entry: Entry) -> dict[str, tuple[str, ...]]:
    return {k: v for k, v in entry.attrs.items() if k != "objectclass"}


def blocks(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return handle.read().replace("\n ", "").split("\n\n")


def test_parents_come_first_and_are_made_from_the_dn(tmp_path: Path) -> None:
    out = tmp_path / "snap.ldif"
    result = write_snapshot(out, [view(), ce()], source="ldap://top:2170", now=NOW)
    assert (result.entries, result.ces, result.parents_added, result.dropped) == (5, 1, 3, ())
    parts = blocks(out)
    assert parts[0] == "version: 1"
    assert parts[1].startswith("# cecap snapshot of ldap://top:2170 at 2010-03-24T12:00:00Z")
    assert parts[2] == "dn: o=grid\nobjectClass: organization\no: grid"
    assert parts[3] == "dn: Mds-Vo-name=local,o=grid\nobjectClass: MDS\nMds-Vo-name: local"
    assert parts[4] == f"dn: {SITE}\nobjectClass: MDS\nMds-Vo-name: RAL-LCG2"
    assert parts[5].startswith(f"dn: {CE_DN}\nobjectClass: GlueCETop\nobjectClass: GlueCE\n")
    assert "GlueCEUniqueID: " + CE_ID in parts[5]
    assert "GlueSchemaVersionMajor: 1\nGlueSchemaVersionMinor: 3" in parts[5]
    assert parts[6].startswith(f"dn: GlueVOViewLocalID=atlas,{CE_DN}\n")
    assert parts[7] == "# numEntries: 5\n"


def test_it_reads_back_as_the_same_entries(tmp_path: Path) -> None:
    out = tmp_path / "snap.ldif.gz"
    long_rte = ("VO-atlas-" + "x" * 200,)
    entries = [
        ce(gluececapability=("glexec", " leading space", "trailing ", "caf\u00e9", ":colon")),
        view(),
        Entry(
            f"GlueSubClusterUniqueID=sc,GlueClusterUniqueID=cl,{SITE}",
            {
                "objectclass": ("GlueSubCluster",),
                "gluesubclusteruniqueid": ("sc",),
                "gluehostapplicationsoftwareruntimeenvironment": long_rte,
            },
        ),
        Entry(
            f"GlueClusterUniqueID=cl,{SITE}",
            {"objectclass": ("GlueCluster",), "glueclusteruniqueid": ("cl",)},
        ),
    ]
    write_snapshot(out, entries, source="test", now=NOW)
    got = {e.dn: e for e in LdifReader(out, SNAPSHOT_WANTED).entries()}
    for entry in entries:
        assert got[entry.dn].objectclasses & entry.objectclasses
        # The LDIF reader may or may not hand objectClass values on; the rest is exact.
        assert without_classes(got[entry.dn]) == without_classes(entry)
    with gzip.open(out, "rt") as handle:
        raw = handle.read()
    for entry in entries:
        classes = "".join(f"objectClass: {c}\n" for c in entry.values("objectclass"))
        assert f"{entry.dn}\n{classes}" in raw.replace("\n ", "")
    assert all(len(line) <= 76 for line in raw.splitlines())
    # Values that are not SAFE-STRINGs are base64; plain ones stay readable.
    assert "GlueCECapability: glexec\n" in raw
    encoded = base64.b64encode("caf\u00e9".encode()).decode()
    assert f"GlueCECapability:: {encoded}\n" in raw


def test_classes_whose_required_attributes_are_missing_are_left_out(tmp_path: Path) -> None:
    out = tmp_path / "snap.ldif"
    bare = Entry(
        CE_DN,
        {
            "objectclass": ("GlueCE", "GlueSchemaVersion", "GlueCEAccessControlBase"),
            "glueceuniqueid": (CE_ID,),
        },
    )
    write_snapshot(out, [bare], source="test", now=NOW)
    block = next(b for b in blocks(out) if b.startswith(f"dn: {CE_DN}"))
    assert block == f"dn: {CE_DN}\nobjectClass: GlueCE\nGlueCEUniqueID: {CE_ID}"


class ClassOnly:
    """An entry from a source that noted its class but kept no objectClass values."""

    def __init__(self, dn: str, kind: str, attrs: dict[str, tuple[str, ...]]) -> None:
        self.dn = dn
        self.attrs = attrs
        self.objectclasses = frozenset({kind})

    def values(self, name: str) -> tuple[str, ...]:
        return self.attrs.get(name, ())


def test_classes_are_derived_when_the_source_kept_none() -> None:
    with_keys = ClassOnly(
        CE_DN,
        "gluece",
        {"glueceuniqueid": (CE_ID,), "glueforeignkey": ("GlueClusterUniqueID=cl",), **VERSION},
    )
    assert object_classes(with_keys) == ["GlueCE", "GlueKey", "GlueSchemaVersion"]  # type: ignore[arg-type]
    site = ClassOnly(SITE, "gluesite", {"gluesiteuniqueid": ("s",)})
    assert object_classes(site) == ["GlueSite"]  # type: ignore[arg-type]


def test_entries_whose_glue_parent_is_missing_are_dropped(tmp_path: Path) -> None:
    out = tmp_path / "snap.ldif"
    result = write_snapshot(out, [view()], source="test", now=NOW)
    assert result.dropped == (f"GlueVOViewLocalID=atlas,{CE_DN}",)
    assert result.entries == 3  # o=grid, local, the site: what its parents could be made of
    assert not any("GlueVOView" in b for b in blocks(out))


def test_escaped_dns_keep_their_escapes_and_parents_get_the_plain_value(tmp_path: Path) -> None:
    site = "Mds-Vo-name=\\22quoted\\22 \\2C site,Mds-Vo-name=local,o=grid"
    assert split_rdns(site) == [
        "Mds-Vo-name=\\22quoted\\22 \\2C site",
        "Mds-Vo-name=local",
        "o=grid",
    ]
    entry = Entry(
        f"GlueSiteUniqueID=s\\,1,{site}",
        {"objectclass": ("GlueSite",), "gluesiteuniqueid": ("s,1",)},
    )
    out = tmp_path / "snap.ldif"
    write_snapshot(out, [entry], source="test", now=NOW)
    parts = blocks(out)
    assert f'dn: {site}\nobjectClass: MDS\nMds-Vo-name: "quoted" , site' in parts
    assert parts[-2].startswith(f"dn: GlueSiteUniqueID=s\\,1,{site}\n")


def test_partial_answers_are_marked_for_readers(tmp_path: Path) -> None:
    out = tmp_path / "snap.ldif"
    reason = "the server's size limit stopped the GlueCE search after 2 entries"
    write_snapshot(out, [ce()], source="test", partial=reason, now=NOW)
    reader = LdifReader(out, GLUE13_WANTED)
    assert len(list(reader.entries())) == 1
    assert reader.partial is not None
    assert reason in reader.partial


def test_a_truncated_file_is_detected_by_its_entry_count(tmp_path: Path) -> None:
    out = tmp_path / "snap.ldif"
    write_snapshot(out, [ce(), view()], source="test", now=NOW)
    text = out.read_text()
    out.write_text(
        text.replace(text[text.index("dn: GlueVOViewLocalID") : text.index("# num")], "")
    )
    with pytest.raises(InputError, match="numEntries: 5"):
        list(LdifReader(out).entries())


def test_the_file_is_replaced_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "snap.ldif"
    out.write_text("old snapshot\n")

    def broken(entries):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("cecap.formats.snapshot._complete_tree", lambda e: ([ce()], 0, []))
    monkeypatch.setattr("cecap.formats.snapshot._entry_ldif", broken)
    with pytest.raises(InputError, match=r"cannot write .*snap\.ldif: No space left on device"):
        write_snapshot(out, [ce()], source="test", now=NOW)
    assert out.read_text() == "old snapshot\n"
    assert sorted(os.listdir(tmp_path)) == ["snap.ldif"]


def test_permissions_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_snapshot(tmp_path / "snap.ldif", [ce()], source="test", now=NOW)
    finally:
        os.umask(old)
    assert (tmp_path / "snap.ldif").stat().st_mode & 0o777 == 0o640


def test_a_missing_folder_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"folder .*nowhere does not exist"):
        write_snapshot(tmp_path / "nowhere" / "snap.ldif", [ce()], source="test", now=NOW)


# --- GLUE 2.0 ---

DOMAIN = "GLUE2DomainID=UKI-LT2\\, QMUL,GLUE2GroupID=grid,o=glue"
SERVICE_DN = f"GLUE2ServiceID=svc,GLUE2GroupID=resource,{DOMAIN}"
ENDPOINT_DN = f"GLUE2EndpointID=ep,{SERVICE_DN}"
ENDPOINT = {
    "glue2endpointid": ("ep",),
    "glue2endpointurl": ("https://ce.qmul.ac.uk:8443/ce-cream/services",),
    "glue2endpointinterfacename": ("org.glite.ce.CREAM",),
    "glue2endpointqualitylevel": ("production",),
    "glue2endpointhealthstate": ("ok",),
    "glue2endpointservingstate": ("production",),
    "glue2endpointserviceforeignkey": ("svc",),
    "glue2endpointcapability": ("glexec",),
}


def read(dn: str, kind: str, **attrs: tuple[str, ...]) -> Entry:
    """An entry as the LDIF reader gives it: its class known, no objectClass values."""
    return Entry(dn, attrs, kind=kind)


def glue2_entries(**endpoint: tuple[str, ...]) -> list[Entry]:
    return [
        read(
            f"GLUE2PolicyID=pol,{ENDPOINT_DN}",
            "glue2accesspolicy",
            glue2policyid=("pol",),
            glue2policyscheme=("org.glite.standard",),
            glue2policyrule=("VO:atlas",),
            glue2accesspolicyendpointforeignkey=("ep",),
        ),
        read(ENDPOINT_DN, "glue2computingendpoint", **{**ENDPOINT, **endpoint}),
        read(
            SERVICE_DN,
            "glue2computingservice",
            glue2serviceid=("svc",),
            glue2servicetype=("org.glite.ce.CREAM",),
            glue2servicequalitylevel=("production",),
            glue2serviceadmindomainforeignkey=("UKI-LT2, QMUL",),
        ),
    ]


def test_glue2_entries_get_their_tree_and_classes(tmp_path: Path) -> None:
    out = tmp_path / "snap.ldif"
    result = write_snapshot(out, [ce(), *glue2_entries()], source="test", now=NOW)
    assert (result.entries, result.ces, result.endpoints, result.parents_added) == (11, 1, 1, 7)
    assert (result.dropped, result.incomplete, result.placeholders) == ((), (), 0)
    parts = blocks(out)
    # o=glue's tree first, then o=grid's, each parents first.
    assert [p.split("\n", 1)[0] for p in parts[2:-1]] == [
        "dn: o=glue",
        "dn: GLUE2GroupID=grid,o=glue",
        f"dn: {DOMAIN}",
        f"dn: GLUE2GroupID=resource,{DOMAIN}",
        f"dn: {SERVICE_DN}",
        f"dn: {ENDPOINT_DN}",
        f"dn: GLUE2PolicyID=pol,{ENDPOINT_DN}",
        "dn: o=grid",
        "dn: Mds-Vo-name=local,o=grid",
        f"dn: {SITE}",
        f"dn: {CE_DN}",
    ]
    assert parts[2] == "dn: o=glue\nobjectClass: organization\no: glue"
    assert parts[3] == "dn: GLUE2GroupID=grid,o=glue\nobjectClass: GLUE2Group\nGLUE2GroupID: grid"
    assert parts[4] == (
        f"dn: {DOMAIN}\nobjectClass: GLUE2Domain\nobjectClass: GLUE2AdminDomain\n"
        "GLUE2DomainID: UKI-LT2, QMUL"
    )
    assert parts[7] == (
        f"dn: {ENDPOINT_DN}\nobjectClass: GLUE2Endpoint\nobjectClass: GLUE2ComputingEndpoint\n"
        "GLUE2EndpointID: ep\n"
        "GLUE2EndpointURL: https://ce.qmul.ac.uk:8443/ce-cream/services\n"
        "GLUE2EndpointInterfaceName: org.glite.ce.CREAM\n"
        "GLUE2EndpointQualityLevel: production\n"
        "GLUE2EndpointHealthState: ok\n"
        "GLUE2EndpointServingState: production\n"
        "GLUE2EndpointServiceForeignKey: svc\n"
        "GLUE2EndpointCapability: glexec"
    )
    assert parts[8].startswith(
        f"dn: GLUE2PolicyID=pol,{ENDPOINT_DN}\nobjectClass: GLUE2Policy\n"
        "objectClass: GLUE2AccessPolicy\nGLUE2PolicyID: pol\n"
    )
    got = {e.dn: e for e in LdifReader(out, snapshot_wanted(("2.0",), RULES)).entries()}
    for entry in glue2_entries():
        assert got[entry.dn].attrs == entry.attrs


def test_glue2_required_attributes_cecap_does_not_read_get_a_placeholder(
    tmp_path: Path,
) -> None:
    out = tmp_path / "snap.ldif"
    entries = glue2_entries()
    bare = [
        read(e.dn, e.kind, **{k: v for k, v in e.attrs.items() if "scheme" not in k})
        for e in entries
    ]
    result = write_snapshot(out, bare, source="test", now=NOW)
    assert (result.entries, result.placeholders, result.incomplete) == (7, 1, ())
    parts = blocks(out)
    assert "GLUE2PolicyScheme: unknown" in parts[-2]
    assert all(len(line) <= 76 for line in out.read_text().splitlines())
    assert (
        "\n# 'unknown' stands for values the GLUE 2.0 schema requires that the\n"
        "# source did not give (1 entries; cecap does not read them).\n"
    ) in out.read_text()


def test_glue2_entries_lacking_a_required_attribute_cecap_reads_are_left_out(
    tmp_path: Path,
) -> None:
    out = tmp_path / "snap.ldif"
    entries = glue2_entries(glue2endpointurl=(), glue2endpointqualitylevel=())
    result = write_snapshot(out, entries, source="test", now=NOW)
    assert result.incomplete == (f"{ENDPOINT_DN} (no GLUE2EndpointURL)",)
    # Its policy has no parent left; the service stays.
    assert result.dropped == (f"GLUE2PolicyID=pol,{ENDPOINT_DN}",)
    assert (result.entries, result.endpoints, result.placeholders) == (5, 0, 0)
    assert blocks(out)[-2].startswith(f"dn: {SERVICE_DN}\n")


RULES = Glue2Rules(
    {"glexec": (Glue2Match("GLUE2EndpointCapability", ("glexec",)),)},
    other=(Glue2Match("GLUE2EndpointOtherCapability", ("{name}",)),),
)


def test_snapshot_wanted_follows_the_glue_versions_and_glue2_yaml() -> None:
    assert snapshot_wanted(("1.3",), RULES) == SNAPSHOT_WANTED
    glue2 = snapshot_wanted(("2.0",), RULES)
    assert set(glue2) == set(GLUE2_WANTED)
    # What cecap reads, every attribute glue2.yaml looks in, then what the schema requires.
    assert glue2["glue2computingendpoint"] == (
        *GLUE2_WANTED["glue2computingendpoint"],
        "glue2endpointothercapability",
        "glue2endpointqualitylevel",
    )
    assert glue2["glue2computingshare"][-2:] == (
        "glue2endpointothercapability",
        "glue2computingshareservingstate",
    )
    assert glue2["glue2computingservice"] == (
        *GLUE2_WANTED["glue2computingservice"],
        "glue2servicetype",
        "glue2servicequalitylevel",
    )
    assert glue2["glue2accesspolicy"] == (*GLUE2_WANTED["glue2accesspolicy"], "glue2policyscheme")
    assert snapshot_wanted(("1.3", "2.0"), RULES) == {**SNAPSHOT_WANTED, **glue2}
