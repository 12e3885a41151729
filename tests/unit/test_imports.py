"""cecap's modules import one another without cycles and without reaching for private names.

Every import counts, at the top of a module, inside a function (imported when it runs) or
under ``TYPE_CHECKING``: a cycle through any of them is an order rule that nothing states.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


@dataclass(frozen=True)
class Imported:
    module: str  # the cecap module imported
    name: str | None  # the name taken from it (``from module import name``), else None
    line: int


def modules(root: Path = SRC) -> dict[str, Path]:
    """Every module under ``root`` by dotted name (a package by its own name)."""
    found = {}
    for path in sorted((root / "cecap").rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: Mapping[str, Path]) -> Iterator[Imported]:
    """What module ``name`` imports from among ``known``: ``from pkg import mod`` is an import
    of ``pkg.mod`` when that is a module, of ``pkg`` (taking a name) otherwise."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    yield Imported(alias.name, None, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                if f"{target}.{alias.name}" in known:
                    yield Imported(f"{target}.{alias.name}", None, node.lineno)
                elif target in known:
                    yield Imported(target, alias.name, node.lineno)


def graph(known: Mapping[str, Path]) -> dict[str, set[str]]:
    return {
        name: {i.module for i in imports(name, path, known)} - {name}
        for name, path in known.items()
    }


def cycles(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def test_no_import_cycle_in_src() -> None:
    found = cycles(graph(modules()))
    assert found == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def reached(name: str, path: Path, known: Mapping[str, Path]) -> Iterator[str]:
    """The private names module ``name`` takes from other modules: imported by name, or
    read as an attribute of a module it imported (``load._Checker``)."""
    bound: dict[str, str] = {}  # local name -> the cecap module it is
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom | ast.Import):
            found = [i for i in imports(name, path, known) if i.line == node.lineno]
            for alias, i in zip(node.names, found, strict=False):
                if i.name is not None and private(i.name):
                    yield f"{i.line}: {i.name} from {i.module}"
                elif i.name is None and (alias.asname or isinstance(node, ast.ImportFrom)):
                    bound[alias.asname or alias.name] = i.module
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in bound
            and private(node.attr)
        ):
            yield f"{node.lineno}: {node.attr} of {bound[node.value.id]}"


def test_no_module_takes_another_modules_private_name() -> None:
    known = modules()
    reaching = [
        f"{path.relative_to(SRC)}:{where}"
        for name, path in known.items()
        for where in reached(name, path, known)
    ]
    assert reaching == []


# The checks above, on small trees written for them: they find what they must.


def write(root: Path, files: Mapping[str, str]) -> dict[str, Path]:
    for rel, text in files.items():
        path = root / "cecap" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return modules(root)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # Inside a package, through a function's import and a TYPE_CHECKING one.
        (
            {
                "__init__.py": "",
                "f/__init__.py": "",
                "f/registry.py": "def every():\n    from . import tabulated\n",
                "f/tabulated.py": "from . import machine\nfrom .registry import every\n",
                "f/machine.py": "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from .registry import every\n",
            },
            [["cecap.f.machine", "cecap.f.registry", "cecap.f.tabulated"]],
        ),
        # Across packages, with absolute and relative imports.
        (
            {
                "__init__.py": "",
                "a/__init__.py": "",
                "a/x.py": "import cecap.b.y\n",
                "b/__init__.py": "",
                "b/y.py": "from ..a.x import thing\n",
            },
            [["cecap.a.x", "cecap.b.y"]],
        ),
        # A package and a module it imports, which takes a name from the package.
        (
            {
                "__init__.py": "",
                "p/__init__.py": "from . import m\n",
                "p/m.py": "from . import helper\n",
            },
            [["cecap.p", "cecap.p.m"]],
        ),
        # One way: no cycle.
        (
            {
                "__init__.py": "",
                "p/__init__.py": "from .m import f\n",
                "p/m.py": "from ..q import g\n",
                "q.py": "import os\n",
            },
            [],
        ),
    ],
)
def test_cycles_are_found_in_every_form(
    tmp_path: Path, files: dict[str, str], expected: list[list[str]]
) -> None:
    assert cycles(graph(write(tmp_path, files))) == expected


def test_a_private_name_taken_from_another_module_is_found(tmp_path: Path) -> None:
    known = write(
        tmp_path,
        {
            "__init__.py": "",
            "load.py": "class _Checker: ...\ndef _line(): ...\n",
            "glue2.py": "from .load import _Checker, __doc__, default\n"
            "from . import load as _load\n"
            "import cecap.load\n"
            "from . import load\n"
            "_load._line()\nload._line\nload.public\nload.__name__\n",
        },
    )
    assert sorted(reached("cecap.glue2", known["cecap.glue2"], known)) == [
        "1: _Checker from cecap.load",
        "5: _line of cecap.load",
        "6: _line of cecap.load",
    ]
