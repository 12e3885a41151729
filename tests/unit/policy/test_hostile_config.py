"""Trust at the edges: duplicate keys, alias bombs, huge values, odd glue2.yaml files and
many respondents in a config folder are refused in one line, quickly, naming file and line."""

from __future__ import annotations

import os
import re
import tracemalloc
from pathlib import Path

import pytest
from helpers.config_files import edit

from cecap.cli import main
from cecap.errors import ConfigError
from cecap.policy.glue2_load import load_glue2
from cecap.policy.load import (
    default_config_dir,
    load_experiments,
    load_policy,
    load_sites,
    load_stances,
)
from cecap.policy.stances import GlexecMode
from cecap.policy.strict_yaml import MAX_ALIAS_NODES, QUOTE_LIMIT

SHIPPED = default_config_dir()
SAMPLE = Path(__file__).resolve().parents[3] / "examples" / "sample-bdii.ldif"


def append(path: Path, extra: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + "\n" + extra, encoding="utf-8")


def load_all(folder: Path) -> None:
    load_policy(folder)
    load_glue2(folder)


def error_of(folder: Path) -> str:
    with pytest.raises(ConfigError) as err:
        load_all(folder)
    return str(err.value)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    err = capsys.readouterr().err
    code = done.value.code
    assert isinstance(code, int)
    return code, err


def assert_one_line_error(code: int, err: str, path: Path) -> str:
    assert code == 2
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith(f"cecap: error: {path}: line "), err
    return err


def line_holds_key(path: Path, line: int, key: str) -> bool:
    text = path.read_text(encoding="utf-8").splitlines()[line - 1]
    return re.match(rf"\s*(- )?\{{?\s*['\"]?{re.escape(key)}['\"]?\s*:", text) is not None


# --- 7: duplicate keys -------------------------------------------------------------------

# (file, old text, new text, duplicated key): the edit writes a mapping key a second time.
DUPLICATES = [
    (
        "stances.yaml",
        "respondents:\n  - name: BE",
        "respondents:\nrespondents:\n  - name: BE",
        "respondents",
    ),
    ("stances.yaml", "  - name: CERN\n", "  - name: CERN\n    name: CERN-2\n", "name"),
    (
        "stances.yaml",
        "  - name: CERN\n",
        '  - name: CERN\n    mupj: {text: "no", value: "no"}\n',
        "mupj",
    ),
    (
        "stances.yaml",
        '      text: "depends: compliant experiments are supported"\n',
        '      text: "depends: compliant experiments are supported"\n      text: "again"\n',
        "text",
    ),
    (
        "stances.yaml",
        '      value: "depends"\n',
        '      value: "depends"\n      value: "no"\n',
        "value",
    ),
    (
        "sites.yaml",
        "  CERN:\n    sites: [CERN-PROD]\n",
        "  CERN:\n    sites: [CERN-PROD]\n  CERN:\n    sites: [X]\n",
        "CERN",
    ),
    (
        "sites.yaml",
        "    sites: [CERN-PROD]\n",
        "    sites: [CERN-PROD]\n    sites: [OTHER]\n",
        "sites",
    ),
    (
        "sites.yaml",
        "      central: []\n",
        "      central: []\n      central: [ce.example.org]\n",
        "central",
    ),
    (
        "experiments.yaml",
        "  cms:\n",
        "  atlas:\n    vo: atlas\n    modes: [setuid]\n  cms:\n",
        "atlas",
    ),
    ("experiments.yaml", "    name: CMS\n", "    name: CMS\n    name: CMS again\n", "name"),
    ("experiments.yaml", "experiments:\n", "experiments: {}\nexperiments:\n", "experiments"),
    ("glue2.yaml", "capabilities:\n", "capabilities:\n  glexec: []\n", "glexec"),
    (
        "glue2.yaml",
        "other_capabilities:\n",
        "capabilities: {}\nother_capabilities:\n",
        "capabilities",
    ),
    (
        "glue2.yaml",
        "    - attribute: GLUE2EndpointCapability\n",
        "    - attribute: GLUE2EndpointCapability\n      attribute: GLUE2EntityOtherInfo\n",
        "attribute",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "key"), DUPLICATES)
def test_duplicate_keys_in_every_file(
    config: Path, name: str, old: str, new: str, key: str
) -> None:
    path = config / name
    edit(path, old, new)
    message = error_of(config)
    found = re.fullmatch(
        rf"{re.escape(str(path))}: line (\d+): duplicate key '{re.escape(key)}' \(first at line (\d+)\)",
        message,
    )
    assert found, message
    second, first = int(found[1]), int(found[2])
    assert first < second
    assert line_holds_key(path, first, key) and line_holds_key(path, second, key)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("capabilities: {glexec: [], glexec: []}\n", "glexec"),  # flow mapping, one line
        ('capabilities:\n  "glexec": []\n  glexec: []\n', "glexec"),  # quoted and bare
        ("capabilities:\n  glexec: []\n  'glexec': []\n", "'glexec'"),
        ("capabilities:\n  yes: []\n  true: []\n", "true"),  # both the boolean True
        ("capabilities:\n  1: []\n  0x1: []\n", "0x1"),  # both the integer 1
        ("capabilities:\n  ? glexec\n  : []\n  glexec: []\n", "glexec"),  # explicit key
    ],
)
def test_duplicate_keys_compared_as_yaml_values(tmp_path: Path, text: str, key: str) -> None:
    (tmp_path / "glue2.yaml").write_text(text)
    with pytest.raises(ConfigError) as err:
        load_glue2(tmp_path)
    message = str(err.value)
    assert message.startswith(f"{tmp_path / 'glue2.yaml'}: line ")
    quoted = key if key.startswith("'") else repr(key)
    assert f": duplicate key {quoted} (first at line " in message or (
        f'duplicate key "{key}"' in message
    ), message


def test_duplicate_keys_merge_key_may_be_overridden(config: Path) -> None:
    """A `<<: *anchor` merge is no duplicate: keys written beside it win, as YAML says."""
    edit(config / "experiments.yaml", "  atlas:\n", "  atlas: &lhc\n")
    edit(
        config / "experiments.yaml",
        "  cms:\n    name: CMS\n    vo: cms\n    modes: [setuid]\n    states: [Production]\n",
        "  cms:\n    <<: *lhc\n    name: CMS\n    vo: cms\n",
    )
    cms = load_experiments(config / "experiments.yaml")["cms"]
    assert (cms.name, cms.vo, cms.modes, cms.states) == (
        "CMS",
        "cms",
        (GlexecMode.SETUID,),
        ("Production",),
    )
    # ...but a key written twice beside a merge still is one.
    edit(config / "experiments.yaml", "    vo: cms\n", "    vo: cms\n    vo: cms\n")
    with pytest.raises(ConfigError, match=r"line \d+: duplicate key 'vo'"):
        load_experiments(config / "experiments.yaml")


@pytest.mark.parametrize("variant", ["cern", "Cern", "cERN"])
def test_duplicate_keys_respondent_case_variant_in_sites(config: Path, variant: str) -> None:
    path = config / "sites.yaml"
    append(path, f"  {variant}:\n    sites: [CERN-OTHER]\n")
    message = error_of(config)
    found = re.fullmatch(
        rf"{re.escape(str(path))}: line (\d+): respondents\.{variant}: listed twice"
        rf" \(first as 'CERN' at line (\d+); names ignore case\)",
        message,
    )
    assert found, message
    assert line_holds_key(path, int(found[1]), variant)
    assert line_holds_key(path, int(found[2]), "CERN")


@pytest.mark.parametrize("variant", ["CERN", "cern", "Cern "])
def test_duplicate_keys_respondent_twice_in_stances(config: Path, variant: str) -> None:
    path = config / "stances.yaml"
    text = path.read_text()
    start = text.index("  - name: CERN\n")
    block = text[start : text.index("  - name:", start + 1)]
    append(path, block.replace("name: CERN", f"name: {variant}", 1))
    message = error_of(config)
    found = re.fullmatch(
        rf"{re.escape(str(path))}: line (\d+): respondent {variant.strip()}: listed twice"
        rf" \(first as 'CERN' at line (\d+); names ignore case\)",
        message,
    )
    assert found, message
    assert line_holds_key(path, int(found[1]), "name")
    assert path.read_text().splitlines()[int(found[2]) - 1] == "  - name: CERN"


def test_duplicate_keys_cluster_scope_case_variant_in_sites(config: Path) -> None:
    path = config / "sites.yaml"
    edit(path, "      central: []\n", "      central: []\n      Central: [ce.example.org]\n")
    message = error_of(config)
    assert re.fullmatch(
        rf"{re.escape(str(path))}: line \d+: respondents\.[\w-]+\.clusters\.Central: listed twice"
        r" \(first as 'central' at line \d+; names ignore case\)",
        message,
    ), message


def test_duplicate_keys_answer_scope_twice(config: Path) -> None:
    path = config / "stances.yaml"
    old = '        - vo: alice\n          value: "allow"  # "yes" for ALICE\n'
    edit(path, old, old + '        - vo: ALICE\n          value: "no"\n')
    message = error_of(config)
    assert message.startswith(f"{path}: line ")
    assert "scopes[1].vo: listed twice (first as 'vo alice' at line " in message


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("sites.yaml", "  CERN:\n", "  cern:\n    sites: [X]\n  CERN:\n"),
        ("stances.yaml", "  - name: CERN\n", "  - name: CERN\n    name: CERN\n"),
        ("experiments.yaml", "    vo: cms\n", "    vo: cms\n    vo: atlas\n"),
        ("glue2.yaml", "capabilities:\n", "capabilities:\n  glexec: []\n"),
    ],
)
def test_duplicate_keys_through_cli(
    config: Path, capsys: pytest.CaptureFixture[str], name: str, old: str, new: str
) -> None:
    edit(config / name, old, new)
    if name == "glue2.yaml":
        code, err = run_cli(capsys, "report", "--bdii", str(SAMPLE), "--config", str(config))
    else:
        code, err = run_cli(capsys, "stances", "--config", str(config))
    err = assert_one_line_error(code, err, config / name)
    assert "twice" in err or "duplicate key" in err


# --- 8: alias bombs ----------------------------------------------------------------------


def bomb(levels: int = 9, width: int = 9) -> str:
    """Billion laughs as one flow value: `width` ** `levels` strings from a few hundred bytes."""
    parts = ["&l0 [" + ", ".join(['"lol"'] * width) + "]"]
    parts += [f"&l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "[" + ", ".join(parts) + "]"


BOMB_SPOTS = [
    ("stances.yaml", '      value: "depends"\n', "      value: {}\n"),
    ("stances.yaml", '      text: "allow → require"\n', "      text: {}\n"),
    ("sites.yaml", "    sites: [CERN-PROD]\n", "    sites: {}\n"),
    ("experiments.yaml", "    modes: [setuid]\n", "    modes: {}\n"),
    ("glue2.yaml", "      values: [glexec, GLEXEC=yes]\n", "      values: {}\n"),
]


@pytest.mark.parametrize(("name", "old", "new"), BOMB_SPOTS)
def test_alias_bomb_refused_in_every_file(config: Path, name: str, old: str, new: str) -> None:
    path = config / name
    edit(path, old, new.format(bomb()))
    tracemalloc.start()
    try:
        message = error_of(config)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert re.fullmatch(
        rf"{re.escape(str(path))}: line \d+: YAML aliases expand to more than"
        rf" {MAX_ALIAS_NODES} nodes \(an alias bomb\?\)",
        message,
    ), message
    assert peak < 20_000_000  # the bomb is never built: a few MB for the whole config


@pytest.mark.parametrize(
    "value",
    [
        bomb(levels=40, width=2),  # 2**40 through a deep chain
        bomb(levels=3, width=120),  # 120**3, wide
        # One big anchor reused: 2,000 strings x 6 = 12,000 nodes through aliases.
        "[&big [" + ", ".join(["x"] * 2000) + "], " + ", ".join(["*big"] * 6) + "]",
        # A mapping anchor merged many times is counted as well.
        "[&m {"
        + ", ".join(f"k{i}: v" for i in range(500))
        + "}, "
        + ", ".join("{<<: *m}" for _ in range(30))
        + "]",
    ],
)
def test_alias_bomb_shapes(config: Path, value: str) -> None:
    edit(config / "sites.yaml", "    sites: [CERN-PROD]\n", f"    sites: {value}\n")
    with pytest.raises(
        ConfigError, match=r"sites\.yaml: line \d+: YAML aliases expand to more than"
    ):
        load_sites(config / "sites.yaml", load_stances(config / "stances.yaml"))


@pytest.mark.parametrize(
    "value", ["&r [*r]", "&r [a, [b, *r]]", "&r {k: *r}", "[&r [x], &s [*r, [*s]]]"]
)
def test_alias_bomb_recursive_alias_refused(config: Path, value: str) -> None:
    path = config / "stances.yaml"
    edit(path, '      value: "depends"\n', f"      value: {value}\n")
    with pytest.raises(ConfigError) as err:
        load_stances(path)
    assert re.fullmatch(
        rf"{re.escape(str(path))}: line \d+: an alias refers to its own anchor \(endless YAML\)",
        str(err.value),
    )


def test_alias_bomb_modest_aliases_still_load(config: Path) -> None:
    """Aliases are allowed below the bound: a reused list, a value used many times."""
    sites = config / "sites.yaml"
    edit(sites, "    sites: [CERN-PROD]\n", "    sites: &cern [&prod CERN-PROD]\n")
    reused = "[" + ", ".join(["*prod"] * (MAX_ALIAS_NODES // 2)) + "]"
    edit(
        sites,
        "  CH-CSCS:\n    sites: [CSCS-LCG2]\n",
        f"  CH-CSCS:\n    sites: [CSCS-LCG2]\n    clusters: {{central: {reused}, shared: *cern}}\n",
    )
    edit(config / "stances.yaml", '      value: "depends"\n', '      value: &dep "depends"\n')
    edit(
        config / "stances.yaml",
        '      value: "allow"  # allow now',
        "      value: *dep  # allow now",
    )
    policy = load_policy(config)
    assert policy.stances["CERN"].glexec_setuid.value.value == "depends"
    cscs = next(m for m in policy.mappings if m.respondent == "CH-CSCS")
    assert cscs.cluster_scopes["central"] == ("CERN-PROD",) * (MAX_ALIAS_NODES // 2)
    assert cscs.cluster_scopes["shared"] == ("CERN-PROD",)


def test_alias_bomb_through_cli(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(config / "stances.yaml", '      value: "depends"\n', f"      value: {bomb()}\n")
    code, err = run_cli(capsys, "stances", "--config", str(config))
    err = assert_one_line_error(code, err, config / "stances.yaml")
    assert "YAML aliases expand to more than" in err
    assert len(err) < 300 + len(str(config))


# --- 8: every quoted value is capped -----------------------------------------------------

LONG = "x" * 100_000
LONG_LIST = "[" + ", ".join(["x"] * 50_000) + "]"

# (file, old text, new text): each edit makes load.py quote a huge value or key.
HUGE = [
    ("stances.yaml", 'value: "depends"', f'value: "{LONG}"'),  # a word outside the vocabulary
    ("stances.yaml", 'value: "depends"', f"value: {LONG_LIST}"),  # a long list, no alias
    (
        "stances.yaml",
        'value: "depends"',
        "value: {" + ", ".join(f"k{i}: v" for i in range(20_000)) + "}",
    ),
    ("stances.yaml", 'value: "depends"', f"value: [[[[[[[[{LONG_LIST}]]]]]]]]"),
    ("stances.yaml", "  - name: CERN\n", f"  - name: CERN\n    ? {LONG}\n    : 1\n"),  # unknown key
    (
        "stances.yaml",
        "  - name: CERN\n",
        f"  - name: CERN\n    ? {LONG}\n    : 1\n    ? {LONG}\n    : 2\n",
    ),
    ("stances.yaml", 'value: "depends"', f'value: !x{LONG} "depends"'),  # YAML's own message
    (  # the same long name twice, in two cases
        "stances.yaml",
        "  - name: BE-BelGrid-UCL\n",
        f"  - name: {LONG}\n",
        "  - name: CERN\n",
        f"  - name: {LONG.upper()}\n",
    ),
    (
        "sites.yaml",
        "  CERN:\n    sites: [CERN-PROD]\n",
        f"  ? {LONG}\n  : {{sites: [CERN-PROD]}}\n",
    ),
    (
        "sites.yaml",
        "      central: []\n",
        f"      ? {LONG}\n      : []\n      ? {LONG.upper()}\n      : []\n",
    ),
    ("experiments.yaml", "    modes: [setuid]\n", f"    modes: [{LONG}]\n"),
    (
        "experiments.yaml",
        "  cms:\n",
        f"  ? {LONG.upper()}\n  : {{vo: x, modes: [setuid]}}\n  cms:\n",
    ),
    ("glue2.yaml", "attribute: GLUE2EndpointCapability", f"attribute: {LONG}"),
    ("glue2.yaml", "  glexec:\n", f"  ? {LONG.upper()}\n  : []\n  glexec:\n"),
]


@pytest.mark.parametrize(("name", "edits"), [(case[0], case[1:]) for case in HUGE])
def test_error_values_are_capped(config: Path, name: str, edits: tuple[str, ...]) -> None:
    path = config / name
    for old, new in zip(edits[::2], edits[1::2], strict=True):
        edit(path, old, new)
    message = error_of(config)
    assert message.startswith(f"{path}: ")
    # Strings are cut at QUOTE_LIMIT with "…"; lists and mappings show a few items then "...".
    assert "…" in message or "...]" in message or "...}" in message, message
    assert len(message) < len(str(path)) + 4 * QUOTE_LIMIT + 200, message
    assert "x" * (QUOTE_LIMIT + 1) not in message.lower()


def test_error_values_are_capped_through_cli(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(config / "experiments.yaml", "    modes: [setuid]\n", f"    modes: [{LONG}]\n")
    code, err = run_cli(capsys, "stances", "--config", str(config))
    assert code == 2 and "Traceback" not in err and err.count("\n") == 1
    assert err.startswith(
        f"cecap: error: {config / 'experiments.yaml'}: experiments.atlas.modes: 'xxx"
    )
    assert "…" in err and len(err) < 600 + len(str(config))


# --- 13: glue2.yaml that is not a file -----------------------------------------------------


def make_odd_glue2(config: Path, kind: str) -> None:
    path = config / "glue2.yaml"
    path.unlink()
    if kind == "folder":
        path.mkdir()
        (path / "glue2.yaml").write_text((SHIPPED / "glue2.yaml").read_text())
    elif kind == "dangling link":
        path.symlink_to(config / "no-such-glue2.yaml")
    elif kind == "link to a folder":
        (config / "sub").mkdir()
        path.symlink_to(config / "sub")
    elif kind == "link loop":
        path.symlink_to(path)
    elif kind == "fifo":
        os.mkfifo(path)
    else:  # pragma: no cover
        raise AssertionError(kind)


ODD = ["folder", "dangling link", "link to a folder", "link loop", "fifo"]


@pytest.mark.parametrize("kind", ODD)
def test_glue2_yaml_folder_or_dangling_link(config: Path, kind: str) -> None:
    make_odd_glue2(config, kind)
    with pytest.raises(ConfigError) as err:
        load_glue2(config)
    message = str(err.value)
    assert message.startswith(f"{config / 'glue2.yaml'}: "), message
    assert "\n" not in message
    expected = {
        "folder": "a folder, not a file",
        "dangling link": "a symlink to nothing",
        "link to a folder": "a folder, not a file",
        "link loop": "cannot read",
        "fifo": "not a regular file",
    }[kind]
    assert expected in message


def test_glue2_yaml_missing_or_linked_file_still_work(config: Path) -> None:
    path = config / "glue2.yaml"
    (config / "mine.yaml").write_text(path.read_text())
    path.unlink()
    assert load_glue2(config).source == str(SHIPPED / "glue2.yaml")  # missing: the shipped one
    path.symlink_to(config / "mine.yaml")
    assert load_glue2(config).source == str(path)  # a symlink to a file is that file


@pytest.mark.parametrize("kind", ["folder", "dangling link"])
def test_glue2_yaml_folder_or_dangling_link_through_cli(
    config: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    make_odd_glue2(config, kind)
    code, err = run_cli(capsys, "report", "--bdii", str(SAMPLE), "--config", str(config))
    assert code == 2 and "Traceback" not in err and err.count("\n") == 1, err
    assert err.startswith(f"cecap: error: {config / 'glue2.yaml'}: ")


# --- 13: many respondents, checked in linear time ------------------------------------------

MANY = 20_000


def many_stances(names: list[str]) -> str:
    yes = '{text: "yes", value: "yes"}'
    allow = '{text: "allow", value: "allow"}'
    lines = [
        f"  - {{name: {name}, mupj: {yes}, glexec_setuid: {allow},"
        f" glexec_log_only: {allow}, bypass_on_error: {yes}}}"
        for name in names
    ]
    return "respondents:\n" + "\n".join(lines) + "\n"


NAMES = [f"SITE-{i:05d}" for i in range(MANY)]


def test_duplicate_respondents_linear_in_stances(tmp_path: Path) -> None:
    path = tmp_path / "stances.yaml"
    path.write_text(many_stances([*NAMES, "site-00007"]))
    with pytest.raises(ConfigError) as err:
        load_stances(path)
    assert str(err.value) == (
        f"{path}: line {MANY + 2}: respondent site-00007: listed twice"
        " (first as 'SITE-00007' at line 9; names ignore case)"
    )


def test_duplicate_respondents_linear_in_sites(tmp_path: Path) -> None:
    stances = tmp_path / "stances.yaml"
    stances.write_text(many_stances(NAMES[:2]))
    one = next(iter(load_stances(stances).values()))
    known = {name: one for name in NAMES}
    sites = tmp_path / "sites.yaml"
    body = "".join(f"  {name}: {{sites: [{name}-LCG2]}}\n" for name in NAMES)
    sites.write_text("respondents:\n" + body)
    mappings = load_sites(sites, known)
    assert len(mappings) == MANY and mappings[-1].patterns == (f"{NAMES[-1]}-LCG2",)
    sites.write_text("respondents:\n" + body + "  Site-19999: {sites: [X]}\n")
    with pytest.raises(ConfigError) as err:
        load_sites(sites, known)
    assert str(err.value) == (
        f"{sites}: line {MANY + 2}: respondents.Site-19999: listed twice"
        f" (first as 'SITE-19999' at line {MANY + 1}; names ignore case)"
    )


def test_duplicate_respondents_linear_through_cli(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (config / "stances.yaml").write_text(many_stances([*NAMES, NAMES[0].lower()]))
    (config / "sites.yaml").write_text("respondents: {}\n")
    code, err = run_cli(capsys, "stances", "--config", str(config))
    err = assert_one_line_error(code, err, config / "stances.yaml")
    assert "respondent site-00000: listed twice (first as 'SITE-00000' at line 2" in err


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1" * 5_000, "a number of more than 100 characters"),  # int() itself would refuse it
        ("1:" * 50_000 + "1", "a number of more than 100 characters"),  # sexagesimal: slow
        ("2020-02-30", "'2020-02-30' is not a date: day is out of range for month"),
    ],
)
def test_error_values_are_capped_numbers_and_dates(config: Path, value: str, message: str) -> None:
    path = config / "stances.yaml"
    edit(path, 'value: "depends"', f"value: {value}")
    assert re.fullmatch(
        rf"{re.escape(str(path))}: line \d+: {re.escape(message)}", error_of(config)
    )


@pytest.mark.parametrize("name", ["stances.yaml", "sites.yaml", "experiments.yaml"])
@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_config_file_that_is_not_a_file_is_refused_at_once(
    config: Path, name: str, kind: str
) -> None:
    """A FIFO with no writer is refused, not waited on (reading it would wait for good)."""
    path = config / name
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    with pytest.raises(ConfigError) as err:
        load_policy(config)
    assert str(err.value) == f"{path}: not a regular file; a config file is a YAML file"
