"""Exports whose types wasmport cannot describe yet: typed function references such as
``(ref $t)``, GC types, v128.  The engine's C API aborts the process when asked to
describe them (see _sigscan), so they are never examined: they can be given to another
wasm module's imports, where the engine checks the types, but not used from Python."""

from __future__ import annotations

from typing import Any

from .._engine.store import StoreContext
from .base import ExternValue


class OpaqueExport(ExternValue):
    """A function, global, table or tag export of a type such as ``(ref $t)`` or v128.

    Pass it on (imports, import maps, ``register``); reading or calling it from Python is
    not supported yet.
    """

    def __init__(self, ctx: StoreContext, extern: Any, name: str, kind: str, text: str) -> None:
        self._bind(ctx, extern, name)
        self.kind = kind
        self.type = f"{kind} {text}"

    def __repr__(self) -> str:
        return (f"<wasm {self.kind} {self.name!r} ({self.type}): wasmport can pass it to "
                "other wasm modules but not use it from Python yet>")
