"""Config step: load and check glue2.yaml, where GLUE 2.0 says a capability and which batch
system a GLUE2ManagerProductName means (read by the commands that read a BDII; `cecap
stances` does not need it)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .checker import Checker, load_yaml
from .glue2_rules import Glue2Match, Glue2Rules, product_key
from .load import default_config_dir, own_or_shipped
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


# A batch-system word as a CREAM CE ID holds it (HOST:8443/cream-WORD-QUEUE): no dash.
_WORD = re.compile(r"[a-z0-9]+")


def _batch_systems(check: Checker, raw: Any) -> dict[str, str]:
    body = check.mapping(raw or {}, "batch_systems")
    out: dict[str, str] = {}
    for word, names in body.items():
        if not isinstance(word, str) or not _WORD.fullmatch(word):
            raise check.fail(
                f"batch_systems.{cap(str(word))}",
                "a batch system is a lower-case word of letters and digits, as a CREAM CE ID"
                " writes it (pbs, lsf, sge, slurm, condor)",
            )
        where = f"batch_systems.{word}"
        values = check.strings(names, where)
        if not values:
            raise check.fail(where, "name at least one GLUE2ManagerProductName")
        for name in values:
            key = product_key(name)
            if not key:
                raise check.fail(where, f"{quote(name)} is no product name")
            if out.get(key, word) != word:
                raise check.fail(where, f"{quote(name)} is listed under {quote(out[key])} already")
            out[key] = word
    return out


def load_glue2(directory: Path) -> Glue2Rules:
    """glue2.yaml of the config folder, else the shipped one: where GLUE 2.0 says glexec,
    and the batch systems product names mean (a folder's file without ``batch_systems``
    takes the shipped file's)."""
    path = own_or_shipped(directory, GLUE2_FILE)
    check = Checker(path)
    doc = check.mapping(
        load_yaml(path),
        "top level",
        {"capabilities", "other_capabilities", "batch_systems"},
        {"capabilities"},
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
    if "batch_systems" in doc:
        batch_systems = _batch_systems(check, doc["batch_systems"])
    else:
        shipped = default_config_dir() / GLUE2_FILE
        batch_systems = {} if path == shipped else dict(load_glue2(shipped.parent).batch_systems)
    return Glue2Rules(capabilities, other, source=str(path), batch_systems=batch_systems)
