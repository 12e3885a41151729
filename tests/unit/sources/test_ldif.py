"""LDIF source: the shapes of ldapsearch output operators produce, and broken files."""

from __future__ import annotations

import base64
import gzip
from pathlib import Path

import pytest
from helpers.ldif_samples import CE, SE

from cecap.errors import InputError
from cecap.sources.base import read_model
from cecap.sources.ldif import LdifReader


def write(tmp_path: Path, text: str, name: str = "dump.ldif") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def entries(path: Path) -> list:
    return list(LdifReader(path).entries())


def test_reads_wanted_classes_only(tmp_path: Path) -> None:
    got = entries(write(tmp_path, CE + "\n" + SE))
    assert [e.dn.split(",")[0] for e in got] == [
        "GlueCEUniqueID=ce.example.org:2119/jobmanager-pbs-atlas"
    ]
    assert got[0].values("gluececapability") == ("glexec",)
    # Attributes cecap does not use are not kept.
    assert "glueseuniqueid" not in got[0].attrs


def test_folded_lines_base64_and_crlf(tmp_path: Path) -> None:
    b64 = base64.b64encode(b"VOMS:/atlas/Role=pilot").decode()
    text = (
        "dn: GlueCEUniqueID=ce.example.org:2119/jobmanager-pbs-a\n tlas,Mds-Vo-name=SITE-A,"
        "Mds-Vo-name=local,o=grid\n"
        "objectClass: GlueCE\n"
        "GlueCEUniqueID: ce.example.org:2119/job\n manager-pbs-atlas\n"
        f"GlueCEAccessControlBaseRule:: {b64}\n"
        "GlueCECapability: gl\n exec\n"
    ).replace("\n", "\r\n")
    (entry,) = entries(write(tmp_path, text))
    assert entry.dn.startswith("GlueCEUniqueID=ce.example.org:2119/jobmanager-pbs-atlas,")
    assert entry.values("glueceuniqueid") == ("ce.example.org:2119/jobmanager-pbs-atlas",)
    assert entry.values("glueceaccesscontrolbaserule") == ("VOMS:/atlas/Role=pilot",)
    assert entry.values("gluececapability") == ("glexec",)


def test_full_ldapsearch_output_with_comments_and_trailer(tmp_path: Path) -> None:
    text = (
        "# extended LDIF\n#\n# LDAPv3\n# base <o=grid> with scope subtree\n"
        "# filter: (objectclass=*)\n# requesting: ALL\n#\n\n"
        "# ce.example.org, SITE-A, local, grid\n" + CE + "\n"
        "# se.example.org, SITE-A, local, grid\n" + SE + "\n"
        "# search result\nsearch: 2\nresult: 0 Success\n\n"
        "# numResponses: 3\n# numEntries: 2\n"
    )
    reader = LdifReader(write(tmp_path, text))
    assert len(list(reader.entries())) == 1
    assert reader.partial is None


def test_gzip(tmp_path: Path) -> None:
    path = tmp_path / "dump.ldif.gz"
    path.write_bytes(gzip.compress((CE + "\n" + SE).encode()))
    assert len(entries(path)) == 1


def test_size_limit_in_trailer_marks_partial(tmp_path: Path) -> None:
    text = (
        "# extended LDIF\n#\n\n" + CE + "\n# search result\nsearch: 2\n"
        "result: 4 Size limit exceeded\n\n# numResponses: 2\n# numEntries: 1\n"
    )
    reader = LdifReader(write(tmp_path, text))
    assert len(list(reader.entries())) == 1
    assert reader.partial is not None
    assert "LDAP result 4 (Size limit exceeded)" in reader.partial


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (CE + "this line is garbage\n", "line 8: not an LDIF line: 'this line is garbage'"),
        (CE + "\n" + "GlueCEUniqueID: x\nobjectClass: GlueCE\n", "line 9: entry does not start"),
        (
            "# extended LDIF\n#\n\n" + CE,
            "ends without the '# search result' trailer",
        ),
        (
            CE + "\n# search result\nsearch: 2\nresult: 0 Success\n\n# numEntries: 5\n",
            "holds 1 entries but its trailer says numEntries: 5",
        ),
        (CE.replace("GlueCECapability: glexec", "GlueCECapability:: %%%"), "does not decode"),
    ],
)
def test_broken_files_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as exc:
        entries(path)
    assert str(exc.value).startswith(str(path))
    assert message in str(exc.value)


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress(((CE + "\n" + SE + "\n") * 200).encode())
    path = tmp_path / "cut.ldif.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated or corrupt"):
        entries(path)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "binary.ldif"
    path.write_bytes(b"dn: o=grid\n\xff\xfe\x00garbage\n")
    with pytest.raises(InputError, match="not UTF-8 text"):
        entries(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        entries(tmp_path / "nope.ldif")


def test_model_joins_ce_cluster_site(tmp_path: Path) -> None:
    text = (
        CE.replace(
            "GlueCECapability: glexec\n",
            "GlueCECapability: glexec\nGlueForeignKey: GlueClusterUniqueID=cl.example.org\n",
        )
        + "\ndn: GlueClusterUniqueID=cl.example.org,Mds-Vo-name=SITE-A,Mds-Vo-name=local,o=grid\n"
        "objectClass: GlueCluster\nGlueClusterUniqueID: cl.example.org\n"
        "GlueForeignKey: GlueSiteUniqueID=site-a.example.org\n"
        "\ndn: GlueSiteUniqueID=site-a.example.org,Mds-Vo-name=SITE-A,Mds-Vo-name=local,o=grid\n"
        "objectClass: GlueSite\nGlueSiteUniqueID: site-a.example.org\nGlueSiteName: Real-Name\n"
    )
    model = read_model(LdifReader(write(tmp_path, text)))
    (ce,) = model.ces
    # The site name comes through the cluster's foreign key, not from the DN.
    assert ce.site == "Real-Name"
    assert ce.cluster_id == "cl.example.org"


def test_model_falls_back_to_dn_site(tmp_path: Path) -> None:
    model = read_model(LdifReader(write(tmp_path, CE)))
    assert model.ces[0].site == "SITE-A"
