"""The source-phase Component of a tool's target, through a realm (default: the default
realm), so that its compiled code comes from and goes to the code cache.

A component's world is read from its compiled code (wasmtime's type API): the tools
compile a component to describe it, where they only read a core module's sections.
"""

from __future__ import annotations

from typing import Any

from .._api.load import compile as compile_wasm
from .._compile.assets import asset_for_file
from .._errors import CompileError
from .._realm import Realm, default_realm, load_asset
from .._realm.component import Component
from .source import Binary


def source_component(binary: Binary, target: Any, realm: Realm | None = None,
                     name: str | None = None) -> Component:
    """The Component ``target`` (read as ``binary``) compiles to; CompileError when the
    engine refuses it."""
    if isinstance(target, Component):
        return target
    realm = default_realm() if realm is None else realm
    if binary.path is None:
        found: Any = compile_wasm(binary.wasm, name=name or "component", realm=realm)
    else:
        found = load_asset(realm, asset_for_file(binary.path), name, "source")
    if not isinstance(found, Component):
        raise CompileError(f"{binary.where}: not a component", path=binary.path,
                           reason="not a component")
    return found


def world_items(component: Component) -> dict[str, dict[str, Any]]:
    """``{"imports": ..., "exports": ...}`` as Python sees them (componentize-py's own
    ``exports`` interface left out)."""
    return {"imports": dict(component.imports), "exports": dict(component.exports)}
