"""What ``wasmport inspect`` reports about a module, as data (schema: docs/cli.md).

Reading never compiles: the binary is validated and its sections read, and the
compiled-code cache is only asked whether it holds the module.
"""

from __future__ import annotations

from typing import Any

from .._compile import codecache
from .._compile.interface import CoreInterface, FuncType, describable, type_json
from .._engine.config import EngineConfig
from .source import Binary, Target, read_binary
from .stubs import is_python_name

SCHEMA = 1
#: The engines a realm may compile for: plain, with fuel, with a timeout (epochs), both.
ENGINES = tuple(EngineConfig(fuel, epoch) for fuel in (False, True) for epoch in (False, True))


def report(target: Target) -> dict[str, Any]:
    """The inspect report of a path, bytes or Module (``kind`` "core" or "component")."""
    binary = read_binary(target)
    base = {"schema": SCHEMA, "file": binary.path, "kind": binary.kind,
            "size": len(binary.wasm), "sha256": binary.sha256}
    if binary.kind != "core":
        return {**base, "supported": False}
    iface = binary.interface()
    return {**base, "supported": True, **_sections(iface), "cache": cache_state(binary),
            "imports": [_import(i) for i in iface.imports],
            "exports": [_export(iface, e.name) for e in iface.exports]}


def _sections(iface: CoreInterface) -> dict[str, Any]:
    return {"module_name": iface.module_name, "start": iface.has_start,
            "custom_sections": [{"name": c.name, "size": c.size}
                                for c in iface.custom_sections],
            "producers": {name: [{"name": tool, "version": version} for tool, version in tools]
                          for name, tools in iface.producers}}


def _import(imp: Any) -> dict[str, Any]:
    # "resolution": how the default realm would satisfy it (wasmport check, to come).
    return {"module": imp.module, "name": imp.name, "type": type_json(imp.type),
            "resolution": None}


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
    if not describable(ty):
        return "OpaqueExport"
    shown = {"func": "Function", "memory": "Memory", "table": "Table", "tag": "Tag",
             "global": "value (read live)" if getattr(ty, "mutable", False) else "value"}
    return shown[ty.kind] + ("" if is_python_name(name) else ", through getattr()")


def cache_state(binary: Binary) -> dict[str, Any]:
    """Whether the compiled-code cache holds the module, per engine configuration."""
    cache = codecache.current()
    state: dict[str, Any] = {"enabled": cache is not None,
                             "directory": codecache.default_directory()}
    if cache is None:
        return {**state, "engines": []}
    state["engines"] = [{"engine": config.key(),
                         "cached": cache.has_code(config.key(), binary.sha256)}
                        for config in ENGINES]
    return state
