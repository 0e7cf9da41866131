"""List functions longer than a limit (default 120 lines) in the folge package.

Usage: ``python tools/long_functions.py [LIMIT] [ROOT]``; exits 1 when any is found.
A function's length is counted from its ``def`` line (decorators excluded) to its last
line, nested functions included, as :mod:`ast` reports them.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

LIMIT = 120


def long_functions(root: Path, limit: int = LIMIT) -> list[tuple[str, int, str, int]]:
    """(file, line, name, length) of every function in ``root`` longer than ``limit`` lines."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > limit:
                    found.append((str(path), node.lineno, node.name, length))
    return found


def main(argv: list[str]) -> int:
    limit = int(argv[0]) if argv else LIMIT
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1] / "analysis" / "folge"
    found = long_functions(root, limit)
    for path, line, name, length in found:
        print(f"{path}:{line}: {name} has {length} lines (limit {limit})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
