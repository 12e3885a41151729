"""Config step: load and check glue2.yaml, where GLUE 2.0 says a capability (read by the
commands that read a BDII; `cecap stances` does not need it)."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .checker import Checker, load_yaml
from .glue2_rules import Glue2Match, Glue2Rules
from .load import default_config_dir
from .strict_yaml import cap, quote

GLUE2_FILE = "glue2.yaml"


def _glue2_matches(check: Checker, raw: Any, where: str) -> tuple[Glue2Match, ...]:
    if not isinstance(raw, list) or not raw:
        raise check.fail(where, "expected a non-empty list of {attribute, values}")
    out = []
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        body = check.mapping(item, at, {"attribute", "values"}, {"attribute", "values"})
        attribute = check.string(body["attribute"], f"{at}.attribute").strip()
        if not re.fullmatch(r"GLUE2[A-Za-z0-9]+", attribute):
            raise check.fail(
                f"{at}.attribute", f"{quote(attribute)} is not a GLUE 2.0 attribute name"
            )
        values = check.strings(body["values"], f"{at}.values")
        if not values:
            raise check.fail(f"{at}.values", "name at least one value")
        out.append(Glue2Match(attribute, tuple(v.strip() for v in values)))
    return tuple(out)


def _glue2_path(directory: Path) -> Path:
    """The folder's glue2.yaml; the shipped one only where the folder has none at all: a
    folder, a dangling symlink or any other non-file of that name is an error."""
    path = directory / GLUE2_FILE
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        if not path.is_symlink():
            return default_config_dir() / GLUE2_FILE
        raise ConfigError(
            f"{path}: a symlink to nothing ({cap(os.readlink(path))}); fix or remove it to"
            " use the shipped glue2.yaml"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {cap(str(exc))}") from None
    if stat.S_ISDIR(mode):
        raise ConfigError(f"{path}: a folder, not a file; glue2.yaml must be a YAML file")
    if not stat.S_ISREG(mode):
        raise ConfigError(f"{path}: not a regular file; glue2.yaml must be a YAML file")
    return path


def load_glue2(directory: Path) -> Glue2Rules:
    """glue2.yaml of the config folder, else the shipped one: where GLUE 2.0 says glexec."""
    path = _glue2_path(directory)
    check = Checker(path)
    doc = check.mapping(
        load_yaml(path), "top level", {"capabilities", "other_capabilities"}, {"capabilities"}
    )
    body = check.mapping(doc["capabilities"] or {}, "capabilities")
    capabilities: dict[str, tuple[Glue2Match, ...]] = {}
    for key, raw in body.items():
        if not isinstance(key, str) or key != key.strip().lower() or not key:
            where = f"capabilities.{cap(str(key))}"
            raise check.fail(where, "capability names are lower-case words")
        capabilities[key] = _glue2_matches(check, raw, f"capabilities.{cap(key)}")
    other: tuple[Glue2Match, ...] = ()
    if doc.get("other_capabilities") is not None:
        other = _glue2_matches(check, doc["other_capabilities"], "other_capabilities")
        for i, match in enumerate(other):
            if not any("{name}" in v for v in match.values):
                raise check.fail(
                    f"other_capabilities[{i}].values", "each list needs a value with {name}"
                )
    return Glue2Rules(capabilities, other, source=str(path))
