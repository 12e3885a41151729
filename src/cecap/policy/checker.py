"""Reading one config file: its YAML (strict_yaml: duplicate keys, aliases and sizes
bounded, each key's line kept), and shape checks whose every message names the file, the
line and the key path. Shared by load (stances, sites, experiments), reliable (an
experiment's rule) and glue2_load."""

from __future__ import annotations

import os
import stat
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import yaml

from ..errors import ConfigError
from .strict_yaml import cap, load_strict, quote

CONFIG_ENV = "CECAP_CONFIG"
FILES = ("stances.yaml", "sites.yaml", "experiments.yaml")

W = TypeVar("W", bound=Enum)


def _read_regular(path: Path) -> str:
    """The file's text; anything but a regular file (a FIFO with no writer above all) is
    refused at once instead of waited on."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ConfigError(f"{path}: not a regular file; a config file is a YAML file")
    with os.fdopen(fd, "rb") as handle:
        os.set_blocking(fd, True)
        return handle.read().decode("utf-8")


def load_yaml(path: Path) -> Any:
    try:
        text = _read_regular(path)
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such file; --config / ${CONFIG_ENV} must name a folder holding"
            f" {', '.join(FILES)}"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {cap(str(exc))}") from None
    try:
        return load_strict(text, path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: {where}invalid YAML: {cap(problem)}") from None


def key_line(mapping: Any, key: Any) -> int | None:
    """The line of a key of a mapping read from YAML (strict_yaml keeps them)."""
    line: int | None = getattr(mapping, "lines", {}).get(key)
    return line


class Checker:
    """Shape checks that name the file and the key path in every message."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, message: str, line: int | None = None) -> ConfigError:
        at = f"line {line}: " if line else ""
        return ConfigError(f"{self.path}: {at}{where}: {message}")

    def once(
        self, seen: dict[str, tuple[str, int | None]], name: str, line: int | None, where: str
    ) -> None:
        """Names compared ignoring case come once; ``seen`` holds those so far (a dict:
        linear in the number of names)."""
        folded = name.lower()
        if folded in seen:
            first, at = seen[folded]
            where_first = f" at line {at}" if at else ""
            raise self.fail(
                where,
                f"listed twice (first as {quote(first)}{where_first}; names ignore case)",
                line,
            )
        seen[folded] = (name, line)

    def mapping(
        self,
        value: Any,
        where: str,
        allowed: set[str] | None = None,
        required: set[str] | None = None,
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected a mapping, found {type(value).__name__}")
        if allowed is not None:
            unknown = sorted(str(k) for k in value if k not in allowed)
            if unknown:
                raise self.fail(
                    where,
                    f"unknown key {quote(unknown[0])} (allowed: {', '.join(sorted(allowed))})",
                )
        for key in sorted(required or ()):
            if key not in value:
                raise self.fail(where, f"missing key {key!r}")
        return value

    def string(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "expected a non-empty string")
        return value

    def strings(self, value: Any, where: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail(where, "expected a list of strings")
        return tuple(self.string(v, f"{where}[{i}]") for i, v in enumerate(value))

    def word(self, value: Any, enum: type[W], where: str) -> W:
        # YAML 1.1 reads bare yes/no as booleans; accept them as the words they were.
        if isinstance(value, bool):
            value = "yes" if value else "no"
        words = [m.value for m in enum]
        if not isinstance(value, str) or value.strip().lower() not in words:
            raise self.fail(where, f"{quote(value)} is not one of: {', '.join(words)}")
        return enum(value.strip().lower())
