"""Config: the shipped questionnaire and site map, and broken config files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.config_files import edit
from hypothesis import given
from hypothesis import strategies as st

from cecap.errors import ConfigError
from cecap.policy.load import default_config_dir, load_policy
from cecap.policy.stances import BypassAnswer, GlexecMode, ModeAnswer, MupjSupport

SHIPPED = default_config_dir()


def test_shipped_questionnaire() -> None:
    policy = load_policy(SHIPPED)
    assert len(policy.stances) == 60
    cern = policy.stances["CERN"]
    assert cern.mupj.value is MupjSupport.DEPENDS
    assert cern.glexec_setuid.text == "allow → require"
    ral = policy.stances["UKI-RAL-LCG2"]
    assert (ral.glexec_setuid.value, ral.glexec_log_only.value) == (
        ModeAnswer.REQUIRE,
        ModeAnswer.NO,
    )
    assert policy.stances["ES-T1-PIC"].bypass_on_error.value is BypassAnswer.YES  # "yes, for now"
    assert policy.stances["FR"].mupj.value is MupjSupport.CONDITIONAL
    assert policy.stances["FR"].glexec_log_only.value is ModeAnswer.REQUIRE  # "require as minimum"
    assert policy.stances["HU-Budapest"].glexec_setuid.value is ModeAnswer.UNKNOWN  # "-"
    # The slides' misspelling stays in the record.
    assert "glxexec" in policy.stances["HU-Budapest"].mupj.text


def test_scoped_answers() -> None:
    policy = load_policy(SHIPPED)
    torino = policy.stances["IT-T2-INFN-TORINO"].glexec_log_only
    assert torino.resolve("alice") is ModeAnswer.ALLOW
    assert torino.resolve("atlas") is ModeAnswer.DEPENDS
    liv = policy.stances["UKI-NORTHGRID-LIV-HEP"].mupj
    assert liv.resolve("atlas", "central") is MupjSupport.NO
    assert liv.resolve("atlas", None) is liv.value


@pytest.mark.parametrize(
    ("site", "respondent"),
    [
        ("CERN-PROD", "CERN"),
        ("cern", "CERN"),
        ("FZK-LCG2", "DE-T1-KIT"),
        ("RAL-LCG2", "UKI-RAL-LCG2"),
        ("UKI-LT2-IC-HEP", "UKI-LT2-IC"),
        ("IN2P3-CPPM", "FR"),
        ("GRIF", "FR"),
        ("NDGF-T1", "NDGF"),
        ("LIP-Coimbra", "PT"),
        ("SARA-MATRIX", "NL-RU-TR"),
        ("USCMS-FNAL-WC1-CE3", "USCMS-T1-FNAL"),
        ("Nebraska", "USCMS-T2-Nebraska"),
        ("CIT_CMS_T2", "USCMS-T2-Caltech"),
        ("UCSDT2-B", "USCMS-T2-UCSD"),
        ("GLOW-CMS", "USCMS-T2-Wisconsin"),
        ("Purdue-Steele", "USCMS-T2-Purdue"),
        ("UFlorida-PG", "USCMS-T2-Florida"),
        ("BNL_ATLAS_2", "USATLAS"),
        ("MWT2_UC", "USATLAS"),
        ("PROD_SLAC", "USATLAS"),
    ],
)
def test_site_map(site: str, respondent: str) -> None:
    mapping = load_policy(SHIPPED).respondent_for(site)
    assert mapping is not None
    assert mapping.respondent == respondent


def test_unknown_site_has_no_respondent() -> None:
    assert load_policy(SHIPPED).respondent_for("TRIUMF-LCG2") is None


def test_experiments() -> None:
    exps = load_policy(SHIPPED).experiments
    assert list(exps) == ["atlas", "cms", "lhcb", "alice"]
    assert exps["atlas"].modes == (GlexecMode.SETUID,)
    assert exps["cms"].modes == (GlexecMode.SETUID,)
    assert exps["lhcb"].modes == (GlexecMode.SETUID, GlexecMode.LOG_ONLY)
    assert exps["alice"].states == ("Production",)


def test_stance_word_outside_vocabulary(config: Path) -> None:
    edit(config / "stances.yaml", 'value: "require"', 'value: "mandatory"')
    with pytest.raises(ConfigError) as exc:
        load_policy(config)
    assert str(exc.value).startswith(f"{config / 'stances.yaml'}: respondent ")
    assert "'mandatory' is not one of: require, allow, depends, no, unknown" in str(exc.value)


def test_wrong_key(config: Path) -> None:
    edit(config / "experiments.yaml", "    modes: [setuid]\n", "    mode: [setuid]\n")
    with pytest.raises(ConfigError, match=r"experiments\.yaml: experiments\.atlas: unknown key"):
        load_policy(config)


def test_yaml_syntax_error_names_line(config: Path) -> None:
    (config / "sites.yaml").write_text("respondents:\n  CERN:\n    sites: [CERN-PROD\n")
    with pytest.raises(ConfigError, match=r"sites\.yaml: line \d+, column \d+: invalid YAML"):
        load_policy(config)


def test_sites_key_must_be_a_respondent(config: Path) -> None:
    (config / "sites.yaml").write_text("respondents:\n  TRIUMF:\n    sites: [TRIUMF-LCG2]\n")
    with pytest.raises(
        ConfigError, match=re.escape("'TRIUMF' is not a respondent in stances.yaml")
    ):
        load_policy(config)


def test_site_matched_twice_is_a_config_error(config: Path) -> None:
    (config / "sites.yaml").write_text(
        "respondents:\n  CERN:\n    sites: ['RAL-*']\n  UKI-RAL-LCG2:\n    sites: [RAL-LCG2]\n"
    )
    policy = load_policy(config)
    with pytest.raises(ConfigError, match="'RAL-LCG2' is matched by both CERN and UKI-RAL-LCG2"):
        policy.respondent_for("RAL-LCG2")


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a folder"):
        load_policy(tmp_path / "absent")


_SHIPPED_POLICY = load_policy(SHIPPED)
_SITE_NAMES = [m.respondent for m in _SHIPPED_POLICY.mappings] + [
    p.replace("*", "x") for m in _SHIPPED_POLICY.mappings for p in m.patterns
]


@given(
    st.sampled_from(_SITE_NAMES).map(str.swapcase)
    | st.sampled_from(_SITE_NAMES)
    | st.text(alphabet=st.sampled_from(sorted(set("".join(_SITE_NAMES)) | {"*", "?"})), max_size=16)
)
def test_the_one_regex_of_every_respondent_misses_none(site: str) -> None:
    # respondent_for tries each respondent only for sites this regex matches.
    found = [m for m in _SHIPPED_POLICY.mappings if m.matches(site)]
    assert len(found) <= 1
    assert _SHIPPED_POLICY.respondent_for(site) == (found[0] if found else None)
