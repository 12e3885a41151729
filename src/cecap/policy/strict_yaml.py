"""YAML for config files, strict: no key twice in a mapping, no alias bomb, short quotes."""

from __future__ import annotations

import gc
import reprlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError

# Hostile-input bounds: nodes reachable only through aliases, and the length of a quoted value.
MAX_ALIAS_NODES = 10_000
QUOTE_LIMIT = 200

try:  # The C parser when libyaml is there: same safe subset, several times faster.
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Repr(reprlib.Repr):
    """A repr of bounded size and time: a few items per level, a few levels."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxlist, self.maxdict = 3, 8, 8
        self.maxstring = self.maxother = self.maxlong = QUOTE_LIMIT

    def repr1(self, x: Any, level: int) -> str:
        if isinstance(x, dict) and type(x) is not dict:  # _Lines: reprlib only knows dict
            return self.repr_dict(x, level)
        return super().repr1(x, level)


def cap(text: str) -> str:
    """Text for an error message: at most QUOTE_LIMIT characters, then "…"."""
    return text if len(text) <= QUOTE_LIMIT else text[:QUOTE_LIMIT] + "…"


def quote(value: Any) -> str:
    """repr() for an error message: at most QUOTE_LIMIT characters then "…", for any size."""
    return cap(repr(value[: QUOTE_LIMIT + 1]) if isinstance(value, str) else _Repr().repr(value))


class _Lines(dict[Any, Any]):
    """A YAML mapping that remembers the line (1-based) of each of its keys."""

    __slots__ = ("lines",)
    lines: dict[Any, int]


class _Loader(_BaseLoader):
    """The safe loader, stricter: a key twice in a mapping is an error naming file and line.

    Anchors and aliases stay allowed (a merge key, a list reused), but at most
    MAX_ALIAS_NODES nodes may be reached through aliases, and an alias inside its own anchor
    is refused. The check walks the composed node graph once, before anything is built, so
    an alias bomb costs time and memory in proportion to its text; a text without "&" has
    no anchor, so no alias, and skips the walk. Parser and composer stay libyaml's; only
    the mapping constructor is replaced (it also records each key's line).
    """

    def __init__(self, text: str, path: Path) -> None:
        super().__init__(text)
        self.config_path = path
        self.may_alias = "&" in text

    def fail(self, node: yaml.Node, message: str) -> ConfigError:
        return ConfigError(f"{self.config_path}: line {node.start_mark.line + 1}: {message}")

    def load(self) -> Any:
        # No cycles can come out (recursive aliases are refused), so the cycle collector
        # only slows the build of a big file (twice as fast without it, as the CLI runs).
        collecting = gc.isenabled()
        gc.disable()
        try:
            node = self.get_single_node()
            if node is None:
                return None
            if self.may_alias:
                self.check_aliases(node)
            return self.construct_document(node)
        finally:
            self.dispose()
            if collecting:
                gc.enable()

    def check_aliases(self, root: yaml.Node) -> None:
        # Post-order walk, iterative: size = node count with every alias expanded.
        size: dict[int, int] = {}
        active = {id(root)}
        stack = [(root, _children(root))]
        while stack:
            node, todo = stack[-1]
            child = next(todo, None)
            if child is not None:
                if id(child) in active:
                    raise self.fail(child, "an alias refers to its own anchor (endless YAML)")
                if isinstance(child, yaml.ScalarNode):
                    size[id(child)] = 1
                elif id(child) not in size:
                    active.add(id(child))
                    stack.append((child, _children(child)))
                continue
            stack.pop()
            active.discard(id(node))
            size[id(node)] = 1 + sum(size[id(c)] for c in _children(node))
            # The expanded subtree less every node seen so far: a floor for alias-only nodes.
            if size[id(node)] - len(size) > MAX_ALIAS_NODES:
                raise self.fail(
                    node,
                    f"YAML aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb?)",
                )

    def construct_lined_map(self, node: yaml.MappingNode) -> Iterator[_Lines]:
        data = _Lines()
        lines: dict[Any, int] = {}
        data.lines = lines
        yield data
        values: dict[Any, Any] = {}
        merge = False
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merge = True  # "<<: *defaults": the keys written here override merged ones
                continue
            key = self.construct_object(key_node)
            try:
                first = lines.get(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found unhashable key",
                    key_node.start_mark,
                ) from None
            if first is not None:
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else key
                raise self.fail(key_node, f"duplicate key {quote(shown)} (first at line {first})")
            lines[key] = key_node.start_mark.line + 1
            values[key] = self.construct_object(value_node)
        data.update(self.construct_mapping(node) if merge else values)

    def construct_short_int(self, node: yaml.ScalarNode) -> int:
        # Config has no use for long numbers; a long one ("1:1:1:...", 5,000 digits) would
        # cost quadratic time or fail inside Python's int() with a bare ValueError.
        if len(node.value) > MAX_NUMBER:
            raise self.fail(node, f"a number of more than {MAX_NUMBER} characters")
        return self.construct_yaml_int(node)

    def construct_checked_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError as exc:  # 2020-02-30: the resolver's pattern, not a date
            raise self.fail(node, f"{quote(node.value)} is not a date: {cap(str(exc))}") from None


_MERGE = "tag:yaml.org,2002:merge"
MAX_NUMBER = 100
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_lined_map)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_short_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_checked_timestamp)


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return iter(node.value)
    if isinstance(node, yaml.MappingNode):
        return (item for pair in node.value for item in pair)
    return iter(())


def load_strict(text: str, path: Path) -> Any:
    """The one YAML document of ``text`` (read from ``path``, named in errors).

    ConfigError for a duplicate key, an alias bomb, a number too long or a date that is
    none; yaml.YAMLError for bad syntax.
    """
    return _Loader(text, path).load()
