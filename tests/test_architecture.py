"""The layout of ``analysis/ARCHITECTURE.md`` stays true: read every module's imports (ast).

- no package imports another package's private module (``folge.X._y`` or ``..X._y``, or
  ``from ..X import _y``), where X differs from the importing package; ``folge._errors``,
  ``folge._paths`` and ``folge._version`` are the root package's shared internals;
- the package-level import graph has no cycle;
- every import points down the layers of ARCHITECTURE.md (a package new to the layout
  must be placed there and in :data:`LAYERS`);
- no function is longer than 120 lines.

Lazy imports inside functions count like any other.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "analysis" / "folge"

#: The root package's own modules, shared by every package.
ROOT_SHARED = {"_errors", "_paths", "_version"}

#: Layer of every package and top-level module, lowest first (ARCHITECTURE.md, "Layers").
LAYERS: dict[str, int] = {
    "_errors": 1, "_paths": 1, "_version": 1, "vocabulary": 1,
    "definitions": 2, "pseudonym": 2, "statistics": 2,
    "forms": 3, "store": 3, "scoring": 3,
    "ingest": 4, "quality": 4,
    "analysis": 5,
    "criteria": 6, "disclosure": 6,
    "reports": 7,
    "pipeline": 8,
    "export": 9, "web": 9, "study_folder": 9,
    "demo": 10, "mail": 10, "simulate": 10,
    "cli": 11,
}

MAX_FUNCTION_LINES = 120


def _modules() -> list[tuple[Path, list[str]]]:
    """(path, dotted name as parts) of every module of the package."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ["folge", *path.relative_to(PACKAGE).with_suffix("").parts]
        found.append((path, parts))
    return found


def _owner(parts: list[str]) -> str | None:
    """The package (or top-level module) a dotted name belongs to; None for ``folge`` itself."""
    if len(parts) < 2 or parts[1] == "__init__":
        return None
    return parts[1]


def _imported(parts: list[str], tree: ast.AST):
    """(line, dotted target as parts) of every folge import in a module."""
    here = parts[:-1]  # the package this module is in
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "folge" or alias.name.startswith("folge."):
                    yield node.lineno, alias.name.split(".")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[:len(here) - node.level + 1]
                module = base + (node.module.split(".") if node.module else [])
            else:
                module = node.module.split(".") if node.module else []
            if not module or module[0] != "folge":
                continue
            if len(module) <= 2:  # "from folge.X import name": name may be a module of X
                for alias in node.names:
                    yield node.lineno, [*module, alias.name]
            else:
                yield node.lineno, module


def _is_package(name: str) -> bool:
    return (PACKAGE / name).is_dir()


def _graph_and_private():
    edges: dict[str, set[str]] = defaultdict(set)
    private: list[str] = []
    for path, parts in _modules():
        source = _owner(parts)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, target in _imported(parts, tree):
            owner = _owner(target)
            if owner is None or owner == source:
                continue
            if not _is_package(owner) and not (PACKAGE / f"{owner}.py").is_file():
                continue  # a name imported from folge/__init__.py, not a module
            if source is not None:
                edges[source].add(owner)
            if owner in ROOT_SHARED:
                continue
            if _is_package(owner) and any(part.startswith("_") and not part.startswith("__")
                                          for part in target[2:]):
                where = path.relative_to(PACKAGE.parent)
                private.append(f"{where}:{line} imports {'.'.join(target[:3])}")
    return edges, private


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
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
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(set(edges) | {n for targets in edges.values() for n in targets}):
        if node not in index:
            visit(node)
    return found


def test_the_checks_see_the_imports():
    """Guard against a checker that finds nothing: the known edges are there."""
    edges, _ = _graph_and_private()
    assert {"store", "definitions", "pseudonym"} <= edges["ingest"]
    assert "criteria" in edges["reports"] and "analysis" in edges["pipeline"]


def test_no_package_imports_another_packages_private_module():
    _, private = _graph_and_private()
    assert private == [], "import the other package's public face instead:\n" + "\n".join(private)


def test_no_import_cycle_between_packages():
    edges, _ = _graph_and_private()
    assert _cycles(edges) == []


def test_imports_point_down_the_layers():
    edges, _ = _graph_and_private()
    unplaced = sorted({n for n in set(edges) | {t for ts in edges.values() for t in ts} if n not in LAYERS})
    assert unplaced == [], f"place these in ARCHITECTURE.md's layers and in LAYERS: {unplaced}"
    upward = [f"{a} (layer {LAYERS[a]}) imports {b} (layer {LAYERS[b]})"
              for a, targets in sorted(edges.items()) for b in sorted(targets) if LAYERS[b] >= LAYERS[a]]
    assert upward == [], "\n".join(upward)


def test_no_function_over_120_lines():
    long = []
    for path, _ in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}: {length} lines")
    assert long == [], "split these into named helpers:\n" + "\n".join(long)


@pytest.mark.parametrize(("edges", "expected"), [
    ({"a": {"b"}, "b": {"c"}}, []),
    ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
])
def test_the_cycle_finder(edges, expected):
    assert _cycles(edges) == expected
