"""Canonical type nodes while a world is read: one node per type, named when it can be.

Resources are told apart by wasmtime's own equality (``resource_type_equal``); the
nominal types by structure, the way wasmtime interns them, the first type export of
a structure giving it its name.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from wasmtime import _ffi as ffi

from ._types import ResourceType, WitType


class Registry:
    """Canonical nodes: resources by engine equality, nominal types by structure."""

    def __init__(self, preset: dict[WitType, WitType] | None = None) -> None:
        self.resources: list[tuple[Any, ResourceType]] = []
        self.named: dict[WitType, WitType] = dict(preset or {})
        # Preset names were made from a first reading, whose inner types had no names
        # yet: each is remade around the node met now, once.
        self.stale = {id(node) for node in self.named.values()}

    def resource(self, ptr: Any, name: str | None = None, interface: str | None = None
                 ) -> ResourceType:
        for known, node in self.resources:
            if ffi.wasmtime_component_resource_type_equal(known, ptr):
                return node
        node = ResourceType(len(self.resources), name=name, interface=interface)
        self.resources.append((ffi.wasmtime_component_resource_type_clone(ptr), node))
        return node

    def canonical(self, node: WitType) -> WitType:
        known = self.named.get(node)
        if known is None:
            return node
        if id(known) in self.stale:
            self.stale.discard(id(known))
            fresh: WitType = replace(node, name=getattr(known, "name", None),  # type: ignore[arg-type]
                                     interface=getattr(known, "interface", None))  # type: ignore[arg-type]
            self.named[node] = fresh
            return fresh
        return known

    def name(self, node: WitType, name: str, interface: str) -> tuple[WitType, bool]:
        """The named node for a type export; True when it is defined here (not used)."""
        known = self.named.get(node)
        if known is not None:
            return known, False
        named: WitType = replace(node, name=name, interface=interface)  # type: ignore[arg-type]
        self.named[named] = named
        return named, True

    def close(self) -> None:
        for ptr, _node in self.resources:
            ffi.wasmtime_component_resource_type_delete(ptr)
        self.resources.clear()
