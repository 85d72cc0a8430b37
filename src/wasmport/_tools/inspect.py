"""What ``wasmport inspect`` reports about a module, as data (schema: docs/cli.md).

The binary is validated and its sections read; the compiled-code cache is asked whether
it holds the module before anything else.  Saying how each import would resolve is
``wasmport check``'s work (check.py): it compiles the module and its wasm dependencies
and runs none of them; ``resolve=False`` skips it, and then nothing is compiled.
"""

from __future__ import annotations

from typing import Any

from .._compile import codecache
from .._compile.cacherecords import COMPONENT, MODULE
from .._compile.interface import CoreInterface, FuncType, type_json
from .._engine.config import EngineConfig
from .._realm.component import Component
from .check import CheckReport, ImportCheck, check
from .compinspect import component_report
from .source import Binary, Target, read_binary
from .stubs import is_python_name

SCHEMA = 1
#: The engines a realm may compile for: plain, with fuel, with a timeout (epochs), both.
# One per distinct compiled-code key: with Ctrl-C on every engine (_engine/interrupt.py)
# the plain and the timeout configurations compile the same code.
ENGINES = tuple({c.key(): c for c in (EngineConfig(fuel, epoch) for fuel in (False, True)
                                      for epoch in (False, True))}.values())


def report(target: Target, *, resolve: bool = True, **where: Any) -> dict[str, Any]:
    """The inspect report of a path, bytes, Module or Component (``kind`` "core" or
    "component"; a component's world is read from its compiled code: compinspect.py).

    ``where`` goes to :func:`check` (``realm``, ``name``, ``import_map``,
    ``allow_imports``): the realm each import's ``resolution`` is found in.
    """
    binary = read_binary(target)
    base = {"schema": SCHEMA, "file": binary.path, "kind": binary.kind,
            "size": len(binary.wasm), "sha256": binary.sha256, "supported": True}
    if binary.kind != "core":
        cache = cache_state(binary)  # before compiling the component to read its world
        return {**base, "cache": cache, **component_report(binary, target, resolve, where)}
    assert not isinstance(target, Component)  # read_binary: a Component is a component
    iface = binary.interface()
    cache = cache_state(binary)  # before resolving compiles it
    found = _resolutions(target, len(iface.imports), where) if resolve else None
    return {**base, **_sections(iface), "cache": cache,
            "realm": None if found is None else found.realm,
            "imports": [_import(i, None if found is None else _resolution(found, n, i))
                        for n, i in enumerate(iface.imports)],
            "exports": [_export(iface, e.name) for e in iface.exports]}


def _resolutions(target: Any, count: int, where: dict[str, Any]) -> CheckReport | None:
    return check(target, **where) if count else None


def _resolution(found: CheckReport, n: int, imp: Any) -> dict[str, Any]:
    if found.error is not None:  # the engine refused to compile what validated
        return ImportCheck(found.where, imp.module, imp.name, imp.type.text,
                           error=found.error).resolution()
    return found.imports[n].resolution()


def _sections(iface: CoreInterface) -> dict[str, Any]:
    return {"module_name": iface.module_name, "start": iface.has_start,
            "custom_sections": [{"name": c.name, "size": c.size}
                                for c in iface.custom_sections],
            "producers": {name: [{"name": tool, "version": version} for tool, version in tools]
                          for name, tools in iface.producers}}


def _import(imp: Any, resolution: dict[str, Any] | None) -> dict[str, Any]:
    return {"module": imp.module, "name": imp.name, "type": type_json(imp.type),
            "resolution": resolution}


def _export(iface: CoreInterface, name: str) -> dict[str, Any]:
    export = iface.export(name)
    assert export is not None
    found = {"name": name, "type": type_json(export.type),
             "python": _python_kind(export.type, name)}
    if isinstance(export.type, FuncType):
        found["param_names"] = list(iface.param_names(name))
    return found


def _python_kind(ty: Any, name: str) -> str:
    """What the instance-phase module gives for it, and how Python code reaches it."""
    shown = {"func": "Function", "memory": "Memory", "table": "Table", "tag": "Tag",
             "global": "value (read live)" if getattr(ty, "mutable", False) else "value"}
    return shown[ty.kind] + ("" if is_python_name(name) else ", through getattr()")


def cache_state(binary: Binary) -> dict[str, Any]:
    """Whether the compiled-code cache holds the module, per engine configuration."""
    cache, kind = codecache.current(), MODULE if binary.kind == "core" else COMPONENT
    state: dict[str, Any] = {"enabled": cache is not None,
                             "directory": codecache.default_directory()}
    if cache is None:
        return {**state, "engines": []}
    state["engines"] = [{"engine": config.key(),
                         "cached": cache.has_code(config.key(), binary.sha256, kind)}
                        for config in ENGINES]
    return state
