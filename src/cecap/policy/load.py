"""Config step: load and check stances.yaml, sites.yaml and experiments.yaml into a Policy
(glue2.yaml, which only the commands that read a BDII need, in glue2_load)."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from ..errors import ConfigError
from .checker import CONFIG_ENV, FILES, Checker, key_line, load_yaml
from .reliable import failing_rule, mode_evidence, reliable_rule
from .stances import (
    Answer,
    BypassAnswer,
    Experiment,
    GlexecMode,
    ModeAnswer,
    MupjSupport,
    Policy,
    Scope,
    SiteMapping,
    Stance,
)
from .strict_yaml import cap, quote

E = TypeVar("E", MupjSupport, ModeAnswer, BypassAnswer)


# Where the Debian and RPM packages install the config (conffiles an admin edits).
SYSTEM_CONFIG_DIR = Path("/etc/cecap")


def _checkout_config() -> Path:
    """The config/ folder of the source tree cecap runs from (pip install -e, a clone)."""
    return Path(__file__).resolve().parents[3] / "config"


def default_config_dir() -> Path:
    """Where the shipped config lives: the source tree, or the installed data folder."""
    candidates = [_checkout_config(), Path(sys.prefix) / "share" / "cecap" / "config"]
    for candidate in candidates:
        if (candidate / "stances.yaml").is_file():
            return candidate
    return candidates[0]


def config_dir(explicit: str | os.PathLike[str] | None) -> Path:
    """Search order: --config, then $CECAP_CONFIG, then /etc/cecap (the packages' config),
    then the shipped config.

    cecap run from a source tree takes that tree's config/ before /etc/cecap: what is
    edited in a clone is what its cecap reads, whatever a package put on the host.
    """
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    checkout = _checkout_config()
    if (checkout / "stances.yaml").is_file():
        return checkout
    if SYSTEM_CONFIG_DIR.is_dir():
        return SYSTEM_CONFIG_DIR
    return default_config_dir()


_QUESTIONS: Mapping[str, type[Enum]] = {
    "mupj": MupjSupport,
    "glexec_setuid": ModeAnswer,
    "glexec_log_only": ModeAnswer,
    "bypass_on_error": BypassAnswer,
}


def own_or_shipped(directory: Path, name: str) -> Path:
    """The folder's file ``name``; the shipped one only where the folder has none at all:
    a folder, a dangling symlink or any other non-file of that name is an error."""
    path = directory / name
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        if not path.is_symlink():
            return default_config_dir() / name
        raise ConfigError(
            f"{path}: a symlink to nothing ({cap(os.readlink(path))}); fix or remove it to"
            f" use the shipped {name}"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {cap(str(exc))}") from None
    if stat.S_ISDIR(mode):
        raise ConfigError(f"{path}: a folder, not a file; {name} must be a YAML file")
    if not stat.S_ISREG(mode):
        raise ConfigError(f"{path}: not a regular file; {name} must be a YAML file")
    return path


def _answer(check: Checker, raw: Any, enum: type[E], where: str) -> Answer[E]:
    body = check.mapping(raw, where, {"text", "value", "scopes"}, {"text", "value"})
    scopes: list[Scope[E]] = []
    named: dict[str, tuple[str, int | None]] = {}
    raw_scopes = body.get("scopes") or []
    if not isinstance(raw_scopes, list):
        raise check.fail(f"{where}.scopes", "expected a list")
    for i, item in enumerate(raw_scopes):
        at = f"{where}.scopes[{i}]"
        scope = check.mapping(item, at, {"cluster", "vo", "value"}, {"value"})
        kinds = [k for k in ("cluster", "vo") if k in scope]
        if len(kinds) != 1:
            raise check.fail(at, "a scope names exactly one of 'cluster' or 'vo'")
        name = check.string(scope[kinds[0]], f"{at}.{kinds[0]}").strip().lower()
        check.once(named, f"{kinds[0]} {name}", key_line(scope, kinds[0]), f"{at}.{kinds[0]}")
        scopes.append(Scope(kinds[0], name, check.word(scope["value"], enum, f"{at}.value")))
    text = body["text"]
    if isinstance(text, bool):
        text = "yes" if text else "no"
    return Answer(
        text=check.string(text, f"{where}.text"),
        value=check.word(body["value"], enum, f"{where}.value"),
        scopes=tuple(scopes),
    )


def load_stances(path: Path) -> dict[str, Stance]:
    check = Checker(path)
    doc = check.mapping(load_yaml(path), "top level", {"respondents"}, {"respondents"})
    items = doc["respondents"]
    if not isinstance(items, list):
        raise check.fail("respondents", "expected a list of respondents")
    stances: dict[str, Stance] = {}
    seen: dict[str, tuple[str, int | None]] = {}
    for i, item in enumerate(items):
        body = check.mapping(
            item, f"respondents[{i}]", {"name", *_QUESTIONS}, {"name", *_QUESTIONS}
        )
        name = check.string(body["name"], f"respondents[{i}].name").strip()
        where = f"respondent {cap(name)}"
        check.once(seen, name, key_line(body, "name"), where)
        stances[name] = Stance(
            respondent=name,
            mupj=_answer(check, body["mupj"], MupjSupport, f"{where}.mupj"),
            glexec_setuid=_answer(
                check, body["glexec_setuid"], ModeAnswer, f"{where}.glexec_setuid"
            ),
            glexec_log_only=_answer(
                check, body["glexec_log_only"], ModeAnswer, f"{where}.glexec_log_only"
            ),
            bypass_on_error=_answer(
                check, body["bypass_on_error"], BypassAnswer, f"{where}.bypass_on_error"
            ),
        )
    return stances


def load_sites(path: Path, stances: Mapping[str, Stance]) -> tuple[SiteMapping, ...]:
    check = Checker(path)
    doc = check.mapping(load_yaml(path), "top level", {"respondents"}, {"respondents"})
    raw = doc["respondents"] or {}
    body = check.mapping(raw, "respondents")
    by_lower = {name.lower(): name for name in stances}
    extra: dict[str, SiteMapping] = {}
    seen: dict[str, tuple[str, int | None]] = {}
    for key, value in body.items():
        where = f"respondents.{cap(str(key))}"
        if not isinstance(key, str) or key.lower() not in by_lower:
            raise check.fail(where, f"{quote(key)} is not a respondent in stances.yaml")
        check.once(seen, key, key_line(body, key), where)
        entry = check.mapping(value or {}, where, {"sites", "clusters"})
        clusters_raw = check.mapping(entry.get("clusters") or {}, f"{where}.clusters")
        scopes: dict[str, tuple[str, int | None]] = {}
        clusters: dict[str, tuple[str, ...]] = {}
        for scope, globs in clusters_raw.items():
            at = f"{where}.clusters.{cap(str(scope))}"
            check.once(scopes, check.string(scope, at), key_line(clusters_raw, scope), at)
            clusters[scope.lower()] = check.strings(globs, at)
        name = by_lower[key.lower()]
        extra[name] = SiteMapping(
            name, check.strings(entry.get("sites"), f"{where}.sites"), clusters
        )
    return tuple(extra.get(name, SiteMapping(name)) for name in stances)


_TEST_KEYS = ("reliable", "glexec_metrics", "mode_evidence", "failing")


def load_experiments(path: Path) -> dict[str, Experiment]:
    check = Checker(path)
    doc = check.mapping(load_yaml(path), "top level", {"experiments"}, {"experiments"})
    body = check.mapping(doc["experiments"], "experiments")
    experiments: dict[str, Experiment] = {}
    modes = {m.value: m for m in GlexecMode}
    for key, value in body.items():
        where = f"experiments.{cap(str(key))}"
        if not isinstance(key, str) or key != key.lower() or not key.strip():
            raise check.fail(where, "experiment keys are lower-case names (atlas, cms, ...)")
        entry = check.mapping(
            value, where, {"name", "vo", "modes", "states", *_TEST_KEYS}, {"vo", "modes"}
        )
        raw_modes = check.strings(entry["modes"], f"{where}.modes")
        for mode in raw_modes:
            if mode not in modes:
                raise check.fail(
                    f"{where}.modes", f"{quote(mode)} is not one of: {', '.join(modes)}"
                )
        if not raw_modes:
            raise check.fail(f"{where}.modes", "name at least one glexec mode")
        # Keep the preference order cecap uses everywhere: setuid before log-only.
        ordered = tuple(m for m in GlexecMode if m.value in raw_modes)
        states = check.strings(entry.get("states"), f"{where}.states") or ("Production",)
        experiments[key] = Experiment(
            key=key,
            name=check.string(entry.get("name", key.upper()), f"{where}.name"),
            vo=check.string(entry["vo"], f"{where}.vo").strip(),
            modes=ordered,
            states=states,
            reliable=reliable_rule(check, entry.get("reliable"), f"{where}.reliable"),
            glexec_metrics=check.strings(entry.get("glexec_metrics"), f"{where}.glexec_metrics"),
            mode_evidence=mode_evidence(
                check, entry.get("mode_evidence"), f"{where}.mode_evidence"
            ),
            failing=failing_rule(check, entry.get("failing"), f"{where}.failing"),
        )
    if not experiments:
        raise check.fail("experiments", "no experiment configured")
    return experiments


def load_policy(directory: Path) -> Policy:
    """Load the three config files of a config folder."""
    if not directory.is_dir():
        raise ConfigError(
            f"{directory}: not a folder; --config / ${CONFIG_ENV} must name a folder holding"
            f" {', '.join(FILES)}"
        )
    stances = load_stances(directory / "stances.yaml")
    mappings = load_sites(directory / "sites.yaml", stances)
    experiments = load_experiments(directory / "experiments.yaml")
    return Policy(stances, mappings, experiments, source=str(directory / "sites.yaml"))
