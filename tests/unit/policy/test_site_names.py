"""site_names.yaml and the CRIC listing it may name: each experiment's names for the
grid's sites, strictly checked; the tier a name gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cecap.errors import ConfigError
from cecap.policy.load import default_config_dir, load_policy
from cecap.policy.site_names import SiteNames, tier_of
from cecap.policy.site_names_load import load_site_names, read_cric

EXPERIMENTS = load_policy(default_config_dir()).experiments

# Rows as WMCore keeps CRIC's "site-names" listing for its tests (dmwm/WMCore,
# test/data/Mock/CRICMockData.json): one object per (alias, site_name, type).
CRIC_ROWS = [
    {"alias": "T2_US_Nebraska", "site_name": "Nebraska", "type": "cms"},
    {"alias": "Nebraska", "site_name": "Nebraska", "type": "lcg"},
    {"alias": "T2_US_Nebraska", "site_name": "Nebraska", "type": "phedex"},
    {"alias": "T0_CH_CERN", "site_name": "CERN Tier-0", "type": "cms"},
    {"alias": "CERN-PROD", "site_name": "CERN Tier-0", "type": "lcg"},
    {"alias": "T2_CH_CERN", "site_name": "CERN Tier-2", "type": "cms"},
    {"alias": "CERN-PROD", "site_name": "CERN Tier-2", "type": "lcg"},
    {"alias": "Purdue-Hadoop", "site_name": "Purdue", "type": "lcg"},
    {"alias": "T2_US_Purdue", "site_name": "Purdue", "type": "cms"},
    {"alias": "Purdue-Rice", "site_name": "Purdue", "type": "lcg"},
]


def test_the_shipped_names() -> None:
    names = load_site_names(default_config_dir(), EXPERIMENTS)
    nebraska = names.name_of("cms", "NEBRASKA")  # GlueSiteName in any case
    assert nebraska is not None and (nebraska.name, nebraska.tier) == ("T2_US_Nebraska", 2)
    assert names.name_of("atlas", "Nebraska") is None
    assert names.name_of("cms", "AGLT2") is None


@pytest.mark.parametrize(
    ("name", "tier"),
    [("T0_CH_CERN", 0), ("T1_US_FNAL", 1), ("T3_US_Colorado", 3), ("AGLT2", None), ("T_X", None), ("t2_us_x", None)],
)  # fmt: skip
def test_tier_of(name: str, tier: int | None) -> None:
    assert tier_of(name) == tier


def write(folder: Path, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "site_names.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("shape", ["objects", "cric"])
def test_a_cric_listing_in_either_shape(tmp_path: Path, shape: str) -> None:
    if shape == "objects":
        doc: object = CRIC_ROWS
    else:
        # CRIC's own answer, as WMCore's unflattenJSON reads it (CRIC.py lines 16-28).
        columns = ["type", "site_name", "alias"]
        doc = {"desc": {"columns": columns}, "result": [[r[c] for c in columns] for r in CRIC_ROWS]}
    (tmp_path / "cric.json").write_text(json.dumps(doc), encoding="utf-8")
    names, several = read_cric(tmp_path / "cric.json")
    assert names == {
        "Nebraska": "T2_US_Nebraska",
        "Purdue-Hadoop": "T2_US_Purdue",
        "Purdue-Rice": "T2_US_Purdue",
    }
    assert several == {"cern-prod": ("T0_CH_CERN", "T2_CH_CERN")}
    folder = write(
        tmp_path,
        "experiments:\n  cms:\n    cric: cric.json\n    sites:\n      purdue-rice: T3_US_Rice\n",
    )
    loaded = load_site_names(folder, EXPERIMENTS)
    assert [loaded.name_of("cms", s).name for s in ("nebraska", "Purdue-Rice")] == [  # type: ignore[union-attr]
        "T2_US_Nebraska",
        "T3_US_Rice",  # the file's own entry wins
    ]
    assert loaded.name_of("cms", "CERN-PROD") is None
    assert loaded.candidates("cms", "cern-prod") == ("T0_CH_CERN", "T2_CH_CERN")


def test_a_folder_without_the_file_uses_the_shipped_one(tmp_path: Path) -> None:
    assert load_site_names(tmp_path, EXPERIMENTS).name_of("cms", "Nebraska") is not None


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("[]\n", "top level: expected a mapping, found list"),
        ("experiments: {}\nextra: 1\n", "top level: unknown key 'extra' (allowed: experiments)"),
        ("experiments:\n  nosuch: {}\n", "line 2: experiments.nosuch: not an experiment of experiments.yaml (configured: atlas, cms, lhcb, alice)"),
        ("experiments:\n  cms: {site: {}}\n", "experiments.cms: unknown key 'site' (allowed: cric, sites)"),
        ("experiments:\n  cms:\n    sites: [a]\n", "experiments.cms.sites: expected a mapping, found list"),
        ("experiments:\n  cms:\n    sites:\n      Nebraska: T2 US\n", "line 4: experiments.cms.sites.Nebraska: 'T2 US' is not a site name"),
        ("experiments:\n  cms:\n    sites:\n      Nebraska: 7\n", "line 4: experiments.cms.sites.Nebraska: 7 is not a site name"),
        ("experiments:\n  cms:\n    sites:\n      Nebraska: T2_A\n      NEBRASKA: T2_B\n", "line 5: experiments.cms.sites.NEBRASKA: listed twice"),
        ("experiments:\n  cms:\n    sites:\n      12: T2_A\n", "line 4: experiments.cms.sites.12: a grid site's name"),
        ('experiments:\n  cms:\n    sites:\n      "a\\x1b[2J": T2_A\n', "a grid site's name: text without blanks at its ends"),
        ("experiments:\n  cms:\n    cric: nosuch.json\n", "nosuch.json: no such file (the CRIC listing site_names.yaml names)"),
        ("experiments:\n  cms:\n    cric: ''\n", "experiments.cms.cric: expected a non-empty string"),
    ],
)  # fmt: skip
def test_a_bad_file_is_one_error_naming_file_and_key(tmp_path: Path, text: str, error: str) -> None:
    folder = write(tmp_path / "c", text)
    with pytest.raises(ConfigError) as exc:
        load_site_names(folder, EXPERIMENTS)
    assert error in str(exc.value)
    assert str(exc.value).startswith(str(folder)), exc.value


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"{", "line 1: not JSON: Expecting property name"),
        (b"\xff", "not UTF-8 text"),
        (b"[" * 100_000, "not JSON Python can read"),
        (b'[{"alias": ' + b"9" * 5000 + b"}]", "not JSON Python can read"),
        (b'{"a": 1}', "not a CRIC site listing"),
        (b"[1]", "row 1: expected an object"),
        (b'[{"alias": "x", "type": "cms"}]', "row 1: site_name: expected text"),
        (b'[{"alias": "\\ud800", "site_name": "s", "type": "cms"}]', "row 1: alias: a lone surrogate"),
        (b'[{"alias": "T2 bad", "site_name": "s", "type": "cms"}]', "row 1: 'T2 bad' is not a CMS site name"),
        (b'{"desc": {}, "result": []}', "CRIC's answer without desc.columns"),
        (b'{"desc": {"columns": ["alias"]}, "result": [1]}', "result row 1: expected a list"),
    ],
)  # fmt: skip
def test_a_bad_cric_listing_is_one_error_naming_it(tmp_path: Path, data: bytes, error: str) -> None:
    (tmp_path / "cric.json").write_bytes(data)
    with pytest.raises(ConfigError) as exc:
        read_cric(tmp_path / "cric.json")
    assert str(exc.value).startswith(f"{tmp_path / 'cric.json'}: ")
    assert error in str(exc.value)


def test_site_names_are_frozen() -> None:
    names = SiteNames({"cms": {"A": "T2_A"}})
    with pytest.raises(TypeError):
        names.names["cms"]["b"] = "x"  # type: ignore[index]
