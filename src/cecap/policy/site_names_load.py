"""Config step: load and check site_names.yaml, each experiment's own names for the grid's
sites, and the CRIC site listing it may name (read by the commands that write a VO feed)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..text import HIDDEN
from .checker import Checker, key_line, load_yaml
from .load import own_or_shipped
from .site_names import SiteNames
from .stances import Experiment
from .strict_yaml import cap, quote

SITE_NAMES_FILE = "site_names.yaml"
MAX_CRIC = 64 << 20  # bytes: CRIC's listing of every CMS site is a few hundred KiB
# An experiment's site name: one word of letters, digits, _ . - (T2_US_Nebraska, AGLT2).
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
# The CRIC rows that name a site: "cms" its CMS name, "lcg" its grid (GOCDB or OSG) name,
# both under the CRIC site's own name (site_name). WMCore reads the same listing by these
# columns (dmwm/WMCore, src/python/WMCore/Services/CRIC/CRIC.py, getAllPSNs lines
# 121-131: ``x['alias'] for x in sitenames if x['type'] == ...``).
_CRIC_COLUMNS = ("alias", "site_name", "type")


def load_site_names(directory: Path, experiments: Mapping[str, Experiment]) -> SiteNames:
    """site_names.yaml of the config folder, else the shipped one; an experiment there
    must be one of ``experiments``."""
    path = own_or_shipped(directory, SITE_NAMES_FILE)
    check = Checker(path)
    doc = check.mapping(load_yaml(path), "top level", {"experiments"}, {"experiments"})
    body = check.mapping(doc["experiments"] or {}, "experiments")
    names: dict[str, dict[str, str]] = {}
    ambiguous: dict[str, dict[str, tuple[str, ...]]] = {}
    for key, raw in body.items():
        where = f"experiments.{cap(str(key))}"
        if key not in experiments:
            raise check.fail(
                where,
                f"not an experiment of experiments.yaml (configured: {', '.join(experiments)})",
                key_line(body, key),
            )
        entry = check.mapping(raw or {}, where, {"cric", "sites"})
        mine: dict[str, str] = {}
        several: dict[str, tuple[str, ...]] = {}
        if entry.get("cric") is not None:
            cric = path.parent / check.string(entry["cric"], f"{where}.cric").strip()
            mine, several = read_cric(cric)
        sites = check.mapping(entry.get("sites") or {}, f"{where}.sites")
        seen: dict[str, tuple[str, int | None]] = {}
        for site, name in sites.items():
            at = f"{where}.sites.{cap(str(site))}"
            line = key_line(sites, site)
            if not isinstance(site, str) or not _is_site(site):
                raise check.fail(at, "a grid site's name: text without blanks at its ends", line)
            check.once(seen, site, line, at)
            if not isinstance(name, str) or not _NAME.fullmatch(name):
                raise check.fail(
                    at,
                    f"{quote(name)} is not a site name: one word of letters, digits, _ . -",
                    line,
                )
            mine = {s: n for s, n in mine.items() if s.lower() != site.lower()}
            several.pop(site.lower(), None)
            mine[site] = name
        names[key] = mine
        ambiguous[key] = several
    return SiteNames(names, ambiguous, source=str(path))


def _is_site(site: str) -> bool:
    return bool(site.strip()) and site == site.strip() and not HIDDEN.search(site)


def read_cric(path: Path) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """A CRIC CMS site listing (the ``site-names`` query of cms-cric.cern.ch's
    /api/cms/site/query/) as grid site -> CMS site name, and the grid sites it gives
    several CMS names (CERN-PROD: T0_CH_CERN, T2_CH_CERN, ...), with those names.

    Two shapes: CRIC's own answer, ``{"desc": {"columns": [...]}, "result": [[...], ...]}``,
    which WMCore turns into one object per row (dmwm/WMCore,
    src/python/WMCore/Services/CRIC/CRIC.py, unflattenJSON and row2dict, lines 16-28), or
    those objects as a list, ``[{"alias": "T2_US_Nebraska", "site_name": "Nebraska",
    "type": "cms"}, {"alias": "Nebraska", "site_name": "Nebraska", "type": "lcg"}, ...]``
    (as WMCore keeps them for its tests, test/data/Mock/CRICMockData.json, "site-names")."""
    rows = _cric_rows(path)
    cms: dict[str, set[str]] = {}
    grid: dict[str, set[str]] = {}
    shown: dict[str, str] = {}
    for i, row in enumerate(rows):
        alias, site, kind = (row[c] for c in _CRIC_COLUMNS)
        if kind == "cms":
            if not _NAME.fullmatch(alias):
                raise ConfigError(f"{path}: row {i + 1}: {quote(alias)} is not a CMS site name")
            cms.setdefault(site, set()).add(alias)
        elif kind == "lcg":
            if not _is_site(alias):
                raise ConfigError(f"{path}: row {i + 1}: {quote(alias)} is not a grid site name")
            grid.setdefault(alias.lower(), set()).add(site)
            shown.setdefault(alias.lower(), alias)
    names: dict[str, str] = {}
    several: dict[str, tuple[str, ...]] = {}
    for folded, sites in grid.items():
        found = sorted(set().union(*(cms.get(s, set()) for s in sites)))
        if len(found) == 1:
            names[shown[folded]] = found[0]
        elif found:
            several[folded] = tuple(found)
    return names, several


def _cric_rows(path: Path) -> list[dict[str, str]]:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CRIC + 1)
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such file (the CRIC listing site_names.yaml names)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {cap(exc.strerror or str(exc))}") from None
    if len(data) > MAX_CRIC:
        raise ConfigError(f"{path}: larger than {MAX_CRIC >> 20} MiB: not a CRIC site listing")
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: line {exc.lineno}: not JSON: {exc.msg}") from None
    except (ValueError, RecursionError):
        raise ConfigError(
            f"{path}: not JSON Python can read (nested too deep, or a number too long)"
        ) from None
    if isinstance(doc, dict) and "desc" in doc and "result" in doc:
        doc = _unflatten(path, doc)
    if not isinstance(doc, list):
        raise ConfigError(
            f"{path}: not a CRIC site listing: expected a list of"
            f" {{{', '.join(_CRIC_COLUMNS)}}} objects, or CRIC's {{desc, result}}"
        )
    return [_cric_row(path, i, row) for i, row in enumerate(doc)]


def _unflatten(path: Path, doc: dict[str, Any]) -> list[Any]:
    desc, result = doc["desc"], doc["result"]
    columns = desc.get("columns") if isinstance(desc, dict) else None
    if not isinstance(columns, list) or not isinstance(result, list):
        raise ConfigError(f"{path}: CRIC's answer without desc.columns or a result list")
    out = []
    for i, row in enumerate(result):
        if not isinstance(row, list):
            raise ConfigError(f"{path}: result row {i + 1}: expected a list of values")
        out.append(dict(zip(columns, row, strict=False)))
    return out


def _cric_row(path: Path, i: int, row: Any) -> dict[str, str]:
    if not isinstance(row, dict):
        raise ConfigError(f"{path}: row {i + 1}: expected an object")
    for column in _CRIC_COLUMNS:
        if not isinstance(row.get(column), str):
            raise ConfigError(f"{path}: row {i + 1}: {column}: expected text")
        if re.search(r"[\ud800-\udfff]", row[column]):
            raise ConfigError(f"{path}: row {i + 1}: {column}: a lone surrogate: not Unicode text")
    return {c: row[c] for c in _CRIC_COLUMNS}
