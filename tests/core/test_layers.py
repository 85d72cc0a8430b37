"""The package's shape: layers import only downwards, no import cycle, no reach into
another module's private members (docs/design.md, "The layers").

Every kind of import counts: module level, inside functions and under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "wasmport"

#: Bottom to top.  A module may import its own layer and the layers below it.
LAYERS = ("_version", "_errors", "_engine", "_resolve", "_compile", "_exports", "_host", "_wasi",
          "_component", "_link", "_instantiate", "_realm", "_api", "_importer", "_tools", "_cli")
#: The public faces sit above every layer.
FACES = ("__init__", "__main__", "auto", "types", "source", "dask")
#: Private names of the standard library that are fine to use.
STDLIB_PRIVATES = {"_getframe"}


def modules(root: Path) -> dict[str, Path]:
    """Dotted name (relative to the package) -> file, for every .py file under root."""
    found = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package modules ``name`` imports, whatever the kind of import."""
    is_pkg = path.name == "__init__.py"
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            target = _target(name, is_pkg, node)
            for alias in node.names:
                full = f"{target}.{alias.name}".strip(".")
                out.add(full if full in known else target)
        elif isinstance(node, ast.Import):
            out.update(a.name.removeprefix("wasmport.") for a in node.names
                       if a.name.startswith("wasmport."))
    return {m for m in out if m in known and m != name}


def _target(name: str, is_pkg: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        module = node.module or ""
        return module.removeprefix("wasmport").lstrip(".") if module.startswith(
            "wasmport") else "<outside>"
    base = name.split(".") if is_pkg else name.split(".")[:-1]
    base = base[:len(base) - (node.level - 1)] if node.level > 1 else base
    return ".".join([*base, *([node.module] if node.module else [])])


def graph(root: Path) -> dict[str, set[str]]:
    known = modules(root)
    return {name: imports_of(name, path, known) for name, path in known.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the list of modules around it, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def rank(module: str) -> int:
    top = module.split(".")[0]
    if top in FACES or top == "":
        return len(LAYERS)
    return LAYERS.index(top)


def test_the_package_has_no_import_cycle() -> None:
    assert find_cycle(graph(PACKAGE)) is None


def test_every_module_belongs_to_a_layer() -> None:
    unplaced = [m for m in modules(PACKAGE) if m and m.split(".")[0] not in LAYERS + FACES]
    assert unplaced == []


def test_layers_import_only_downwards() -> None:
    upward = sorted(f"{a} imports {b}" for a, targets in graph(PACKAGE).items()
                    for b in targets if rank(b) > rank(a))
    assert upward == []


def test_the_checks_see_a_cycle_and_an_upward_import(tmp_path: Path) -> None:
    # The checks above must be able to fail: a package with both faults.
    (tmp_path / "_engine").mkdir()
    (tmp_path / "_engine" / "__init__.py").write_text("")
    (tmp_path / "_engine" / "a.py").write_text("def f():\n    from .._realm import x\n")
    (tmp_path / "_realm.py").write_text("from typing import TYPE_CHECKING\n"
                                        "if TYPE_CHECKING:\n    from ._engine.a import f\n")
    edges = graph(tmp_path)
    assert find_cycle(edges) in (["_engine.a", "_realm", "_engine.a"],
                                 ["_realm", "_engine.a", "_realm"])
    assert rank("_realm") > rank("_engine.a") and "_realm" in edges["_engine.a"]


def private_reaches(path: Path) -> list[str]:
    """``x._name`` where x is not self/cls and nothing in this file defines ``_name``."""
    tree = ast.parse(path.read_text())
    defined = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
               and isinstance(n.ctx, ast.Store)}
    defined |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef,
                                                                    ast.ClassDef))}
    defined |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
                and isinstance(n.ctx, ast.Store)}
    return [f"{path.relative_to(PACKAGE)}:{n.lineno} {n.attr}" for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and n.attr.startswith("_")
            and not n.attr.startswith("__") and n.attr not in defined | STDLIB_PRIVATES
            and not (isinstance(n.value, ast.Name) and n.value.id in ("self", "cls"))]


def test_no_module_reaches_into_another_modules_privates() -> None:
    # The engine layer is the one place that may use wasmtime-py's private members.
    reaches = [r for path in sorted(PACKAGE.rglob("*.py"))
               if not path.relative_to(PACKAGE).parts[0] == "_engine"
               for r in private_reaches(path)]
    assert reaches == []


def test_the_private_reach_check_sees_one(tmp_path: Path) -> None:
    global PACKAGE
    sample = tmp_path / "m.py"
    sample.write_text("class A:\n    def f(self, other):\n        self._x = 1\n"
                      "        return other._y + self._x + other._x\n")
    saved, PACKAGE = PACKAGE, tmp_path
    try:
        assert private_reaches(sample) == ["m.py:4 _y"]
    finally:
        PACKAGE = saved


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_files_stay_focused(path: Path) -> None:
    # About 300 lines at most, one concept a file (CONVENTIONS.md).
    assert len(path.read_text().splitlines()) <= 330
