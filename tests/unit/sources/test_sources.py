"""What --bdii / LCG_GFAL_INFOSYS values mean, and failover across them (no server needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cecap.errors import InputError, SourceUnavailable, UsageError
from cecap.model.entry import Entry
from cecap.model.glue13 import GLUE13_WANTED
from cecap.sources.base import EntrySource, Reader, SourceSettings
from cecap.sources.endpoints import first_available, open_source, open_sources, source_items
from cecap.sources.ldap import LdapReader
from cecap.sources.ldap_filters import ce_id_filter, serving_filter, vo_filter
from cecap.sources.ldif import LdifReader


def open_one(item: str, settings: SourceSettings | None = None) -> object:
    """The entry reader the source for ``item`` gives (what the kind chose)."""
    source = open_source(item, settings)
    assert isinstance(source, EntrySource)
    return source.reader(GLUE13_WANTED)


def open_readers(items: list[str]) -> list[object]:
    return open_sources(items)


@pytest.mark.parametrize(
    ("item", "origin"),
    [
        ("bdii.example.org", "ldap://bdii.example.org:2170"),
        ("bdii.example.org:2171", "ldap://bdii.example.org:2171"),
        ("ldap://bdii.example.org", "ldap://bdii.example.org:2170"),
        ("LDAP://bdii.example.org:389/", "ldap://bdii.example.org:389"),
        ("ldaps://bdii.example.org:2636", "ldaps://bdii.example.org:2636"),
        ("[::1]:2170", "ldap://[::1]:2170"),
        ("127.0.0.1", "ldap://127.0.0.1:2170"),
    ],
)
def test_endpoints(item: str, origin: str) -> None:
    reader = open_one(item)
    assert isinstance(reader, LdapReader)
    assert reader.origin == origin
    assert reader.use_tls == origin.startswith("ldaps:")


def test_settings_reach_the_ldap_reader() -> None:
    settings = SourceSettings(base="mds-vo-name=RAL-LCG2,o=grid", timeout=4.5, ca_dir="/ca")
    reader = open_one("ldaps://bdii.example.org", settings)
    assert isinstance(reader, LdapReader)
    assert (reader.base, reader.timeout, reader.ca_dir) == (
        "mds-vo-name=RAL-LCG2,o=grid",
        4.5,
        "/ca",
    )


@pytest.mark.parametrize(
    "item", ["snap.ldif", "snap.ldif.gz", "dump.gz", "./dump", "data/dump.txt", "~/x.ldif"]
)
def test_ldif_paths(item: str) -> None:
    assert isinstance(open_one(item), LdifReader)


def test_an_existing_file_is_a_snapshot_whatever_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "topbdii").write_text("")
    monkeypatch.chdir(tmp_path)
    assert isinstance(open_one("topbdii"), LdifReader)
    assert isinstance(open_one("otherhost"), LdapReader)


def test_lists_are_comma_separated_and_repeatable_in_order() -> None:
    readers = open_readers(["a.example.org, b.example.org:2171", "ldaps://c.example.org"])
    assert [r.origin for r in readers] == [
        "ldap://a.example.org:2170",
        "ldap://b.example.org:2171",
        "ldaps://c.example.org:2170",
    ]


def test_environment_default_only_without_bdii() -> None:
    env = "top1.example.org:2170,top2.example.org:2170"
    assert source_items([], env) == ["top1.example.org:2170", "top2.example.org:2170"]
    assert source_items(["mine.example.org"], env) == ["mine.example.org"]


def test_nothing_given_says_both_ways() -> None:
    with pytest.raises(UsageError) as caught:
        source_items([], None)
    assert "--bdii" in str(caught.value)
    assert "LCG_GFAL_INFOSYS" in str(caught.value)
    with pytest.raises(UsageError):
        source_items([" , "], "")


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("http://bdii.example.org", "unknown scheme 'http'"),
        ("bdii.example.org:notaport", "not HOST[:PORT]"),
        ("bdii.example.org:99999", "not HOST[:PORT]"),
        ("ldap://user:pw@bdii.example.org", "not HOST[:PORT]"),
        ("ldap://bdii.example.org:2170/o=grid??base", "leave out what follows '?'"),
        ("ldap://bdii.example.org:2170/o=grid?GlueCEUniqueID", "leave out what follows '?'"),
        ("ldap://bdii.example.org:2170/o=grid???(objectClass=*)", "leave out what follows"),
        ("ldap://bdii.example.org:2170/o=grid#x", "no '#' part"),
        # %2C is a comma once decoded: a separator, so "C" is no RDN.
        ("ldap://h/mds-vo-name=A%2CC,o=grid", "is not a DN"),
        ("ldap://bdii.example.org:2170/not-a-dn", "is not a DN"),
        ("ldap://bdii.example.org:2170/o=grid,", "is not a DN"),
        ("ldap://bdii.example.org:2170/%ff=x", "not UTF-8"),
        ("bdii.example.org:2170?x", "an LDAP URL starts with ldap://"),
        ("ldap://", "not HOST[:PORT]"),
    ],
)
def test_bad_items_are_usage_errors(item: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        open_one(item)
    assert message in str(caught.value)
    assert repr(item) in str(caught.value)


@pytest.mark.parametrize(
    ("item", "bases"),
    [
        # A GlueServiceEndpoint as a site BDII publishes it: both of the site's trees.
        (
            "ldap://site-bdii.example.org:2170/mds-vo-name=UKI-LT2-QMUL,o=grid",
            ("mds-vo-name=UKI-LT2-QMUL,o=grid", "GLUE2DomainID=UKI-LT2-QMUL,o=glue"),
        ),
        (
            "ldap://h:2170/Mds-Vo-Name=RAL-LCG2,O=Grid??sub",
            ("Mds-Vo-Name=RAL-LCG2,O=Grid", "GLUE2DomainID=RAL-LCG2,o=glue"),
        ),
        # %-encoded, as RFC 4516 writes what a URL cannot hold.
        (
            "ldaps://h/mds-vo-name=A%20B%5C%2CC,o=grid",
            ("mds-vo-name=A B\\,C,o=grid", "GLUE2DomainID=A B\\,C,o=glue"),
        ),
        (
            "ldap://h/GLUE2DomainID=CERN-PROD,o=glue",
            ("mds-vo-name=CERN-PROD,o=grid", "GLUE2DomainID=CERN-PROD,o=glue"),
        ),
        (
            "ldap://h/mds-vo-name=resource,o=grid",
            ("mds-vo-name=resource,o=grid", "GLUE2GroupID=resource,o=glue"),
        ),
        ("ldap://h/mds-vo-name=local,o=grid", ("mds-vo-name=local,o=grid", "o=glue")),
        (
            "ldap://h/mds-vo-name=INFN-T1,mds-vo-name=local,o=grid",
            (
                "mds-vo-name=INFN-T1,mds-vo-name=local,o=grid",
                "GLUE2DomainID=INFN-T1,GLUE2GroupID=grid,o=glue",
            ),
        ),
        ("ldap://h/o=grid", ("o=grid", "o=glue")),
        ("ldap://h/o=glue", ("o=grid", "o=glue")),
        ("ldap://h/ou=x,dc=example", ("ou=x,dc=example", "o=glue")),
    ],
)
def test_a_urls_dn_is_its_base_in_both_trees(item: str, bases: tuple[str, str]) -> None:
    reader = open_one(item, SourceSettings(base="mds-vo-name=IGNORED,o=grid"))
    assert isinstance(reader, LdapReader)
    assert (reader.base, reader.glue2_base) == bases


def test_without_a_dn_the_base_option_applies() -> None:
    for item in ("ldap://h:2170", "ldap://h:2170/", "h:2170"):
        reader = open_one(item, SourceSettings(base="mds-vo-name=X,o=grid"))
        assert isinstance(reader, LdapReader)
        assert (reader.base, reader.glue2_base) == ("mds-vo-name=X,o=grid", "o=glue")


@pytest.mark.parametrize(
    ("specs", "items"),
    [
        (
            ["ldap://a:2170/mds-vo-name=SITE,o=grid"],
            ["ldap://a:2170/mds-vo-name=SITE,o=grid"],
        ),
        (
            ["ldap://a:2170/mds-vo-name=SITE, o=grid,b.example.org, ldap://c/o=grid,d:1"],
            ["ldap://a:2170/mds-vo-name=SITE,o=grid", "b.example.org", "ldap://c/o=grid", "d:1"],
        ),
        (
            ["ldap://a/mds-vo-name=S1,o=grid,ldap://b/mds-vo-name=S2,o=grid"],
            ["ldap://a/mds-vo-name=S1,o=grid", "ldap://b/mds-vo-name=S2,o=grid"],
        ),
        # Without a DN after the host, a NAME=VALUE piece is an item of its own.
        (["ldap://a:2170,o=grid"], ["ldap://a:2170", "o=grid"]),
        (["a.example.org,o=grid"], ["a.example.org", "o=grid"]),
        # Each --bdii value is split on its own: nothing joins across them.
        (["ldap://a/mds-vo-name=S,o=grid", "o=grid"], ["ldap://a/mds-vo-name=S,o=grid", "o=grid"]),
        (
            ["snap.ldif,ldap://a/1.2.3=x,2.5.4.10=grid"],
            ["snap.ldif", "ldap://a/1.2.3=x,2.5.4.10=grid"],
        ),
    ],
)
def test_a_urls_commas_are_not_a_list(specs: list[str], items: list[str]) -> None:
    assert source_items(specs) == items


def test_the_environment_may_hold_site_urls() -> None:
    env = "ldap://a:2170/mds-vo-name=SITE,o=grid,top.example.org"
    assert source_items([], env) == ["ldap://a:2170/mds-vo-name=SITE,o=grid", "top.example.org"]


def test_every_item_is_checked_before_any_is_read() -> None:
    with pytest.raises(UsageError):
        open_readers(["good.example.org,ftp://bad.example.org"])


class FakeReader:
    """A reader that yields some entries, then fails or ends."""

    def __init__(self, origin: str, fail_after: int | None, bad_input: bool = False) -> None:
        self.origin = origin
        self.partial: str | None = None
        self.fail_after = fail_after
        self.bad_input = bad_input

    def entries(self):  # type: ignore[no-untyped-def]
        for number in range(3):
            if self.fail_after is not None and number == self.fail_after:
                if self.bad_input:
                    raise InputError(f"{self.origin}: line 1: garbled")
                raise SourceUnavailable(f"{self.origin}: connection lost")
            yield Entry(f"n={number},{self.origin}", {})


def collect(reader: Reader) -> list[str]:
    return [e.dn for e in reader.entries()]


def test_failover_restarts_from_nothing_and_warns_per_skipped_endpoint() -> None:
    warnings: list[str] = []
    readers = [FakeReader("one", 1), FakeReader("two", 0), FakeReader("three", None)]
    got = first_available(readers, collect, warnings.append)
    assert got == ["n=0,three", "n=1,three", "n=2,three"]
    assert warnings == [
        "one: connection lost; trying two",
        "two: connection lost; trying three",
    ]


def test_all_failing_lists_every_endpoint() -> None:
    warnings: list[str] = []
    with pytest.raises(SourceUnavailable) as caught:
        first_available([FakeReader("one", 0), FakeReader("two", 2)], collect, warnings.append)
    assert str(caught.value) == (
        "none of the 2 information systems answered:\n  one: connection lost\n"
        "  two: connection lost"
    )
    assert warnings == ["one: connection lost; trying two"]


def test_a_single_failure_is_one_line() -> None:
    with pytest.raises(SourceUnavailable) as caught:
        first_available([FakeReader("one", 0)], collect)
    assert str(caught.value) == "one: connection lost"


def test_bad_input_is_not_failed_over() -> None:
    readers = [FakeReader("bad.ldif", 1, bad_input=True), FakeReader("two", None)]
    with pytest.raises(InputError, match="garbled"):
        first_available(readers, collect)


def test_vo_filter_escapes_filter_syntax() -> None:
    assert vo_filter(["atlas"]) == (
        "(&(objectClass=GlueVOView)(|(GlueCEAccessControlBaseRule=*atlas*)"
        "(GlueVOViewLocalID=atlas)))"
    )
    assert vo_filter(["a*b(c)\\d"]) == (
        "(&(objectClass=GlueVOView)(|(GlueCEAccessControlBaseRule=*a\\2ab\\28c\\29\\5cd*)"
        "(GlueVOViewLocalID=a\\2ab\\28c\\29\\5cd)))"
    )


def test_no_vo_narrowing_with_an_empty_vo_name() -> None:
    reader = LdapReader("h", vos=["atlas", " "])
    assert reader.filter_for("gluevoview") == "(objectClass=GlueVOView)"
    assert LdapReader("h", vos=["cms"]).filter_for("gluece") == "(objectClass=GlueCE)"


def test_the_serving_and_id_filters_escape_what_they_quote() -> None:
    assert serving_filter(["cms", "a*b"]) == (
        "(&(objectClass=GlueCE)(|(GlueCEAccessControlBaseRule=*cms*)"
        "(GlueCEAccessControlBaseRule=*a\\2ab*)))"
    )
    assert ce_id_filter(["ce:8443/x)(objectClass=*"]) == (
        "(&(objectClass=GlueCE)(|(GlueCEUniqueID=ce:8443/x\\29\\28objectClass=\\2a)))"
    )
