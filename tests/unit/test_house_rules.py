"""Rules of the house that no linter checks: modules stay small enough to read whole, and each
class name means one thing across the package (docs/architecture.md)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "tutor"
# "About 400 lines": a module may run a little over while it has one subject; past this it has two.
MAX_LINES = 430


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_package_has_modules_to_check():
    assert len(_modules()) > 50


def test_no_module_is_over_about_400_lines():
    long = {str(p.relative_to(PACKAGE.parent)): n for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"split these by what their parts hold (limit {MAX_LINES} lines): {long}"


def test_no_class_name_is_defined_twice():
    where: dict[str, list[str]] = defaultdict(list)
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                where[node.name].append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    twice = {name: places for name, places in where.items() if len(places) > 1}
    assert not twice, f"one name, one meaning: rename one of each {twice}"
