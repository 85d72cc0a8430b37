"""What ``wasmport inspect`` reports about a component (schema: docs/cli.md).

The binary gives the sections (compsections.py); the world comes from the compiled
code, so the component is compiled through the realm's code cache (after the cache was
asked whether it holds it).  How each import would resolve is ``wasmport check``'s
answer (the realm's dry run, ``plan_component_imports``): nothing is instantiated.
"""

from __future__ import annotations

from typing import Any

from .._component._names import snake
from .._component._namespace import short_names
from .._component._types import Function, Interface, TypeDef
from .._component._wit import func_text
from .._realm.component import Component
from .check import CheckReport, check
from .compcompat import definition
from .compsections import producers_json, read_sections
from .compsource import source_component
from .source import Binary, Target


def component_report(binary: Binary, target: Target, resolve: bool,
                     where: dict[str, Any]) -> dict[str, Any]:
    """The component-specific part of the report (the caller adds base and cache)."""
    component = source_component(binary, target, where.get("realm"), where.get("name"))
    sections = read_sections(binary.wasm)  # once the engine has validated it
    found = _resolutions(binary, component, where) if resolve else None
    resolved = {} if found is None else {i.module: i.resolution() for i in found.imports}
    imports = component.imports
    return {"module_name": sections.name, "start": sections.start,
            "custom_sections": [{"name": n, "size": s} for n, s in sections.customs],
            "producers": producers_json(sections.producers),
            "realm": None if found is None else found.realm,
            "imports": [{"name": n, "type": item_json(n, i), "resolution": resolved.get(n)}
                        for n, i in imports.items() if not isinstance(i, TypeDef)],
            "exports": _exports(component.exports),
            "types": [{"name": n, "text": definition(i)} for n, i in imports.items()
                      if isinstance(i, TypeDef)],
            "wit": component.wit, "embedded": sections.embedded}


def _resolutions(binary: Binary, component: Component, where: dict[str, Any]
                 ) -> CheckReport | None:
    if not any(not isinstance(i, TypeDef) for i in component.imports.values()):
        return None
    return check(binary.wasm if binary.path is None else binary.path,
                 **{k: v for k, v in where.items() if v is not None})


def item_json(name: str, item: Any) -> dict[str, Any]:
    """A world item's type: ``{"kind": "func" | "interface" | ..., "text": WIT}``, an
    interface with its ``functions`` and ``types``."""
    if isinstance(item, Function):
        return {"kind": "func", "text": func_text(item, name)}
    if isinstance(item, Interface):
        return {"kind": "interface", "text": name,
                "functions": [func_text(f) for f in item.functions.values()],
                "types": [{"name": n, "text": definition(td)} for n, td in item.types.items()]}
    return {"kind": getattr(item, "what", "item"), "text": name}


def _exports(exports: dict[str, Any]) -> list[dict[str, Any]]:
    funcs = {n: snake(n) for n, i in exports.items() if isinstance(i, Function)}
    spaces = short_names([n for n, i in exports.items() if isinstance(i, Interface)],
                         set(funcs.values()))
    out = []
    for name, item in exports.items():
        if isinstance(item, TypeDef):
            continue
        if name in funcs:
            python = f"Function {funcs[name]}"
        elif name in spaces:
            python = f"namespace {spaces[name]}"
        else:
            python = f"exports[{name!r}] of the instance (no short name)"
        out.append({"name": name, "type": item_json(name, item), "python": python})
    return out
