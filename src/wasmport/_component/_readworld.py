"""Read the world of a compiled component: every import and export, through wasmtime's
type API (``_introspect``), then the world's own types named from the binary."""

from __future__ import annotations

import ctypes
from ctypes import POINTER
from typing import Any

from wasmtime import _ffi as ffi

from .._engine import component as _capi
from ._binary import world_type_shapes
from ._introspect import Reader
from ._types import WitType, World
from ._worldtypes import world_typedefs, world_types


def _read(engine: Any, component: int, preset: dict[WitType, WitType]) -> World:
    reader = Reader(engine, preset)
    ty = ctypes.cast(_capi.component_type(component), POINTER(ffi.wasmtime_component_type_t))
    world = World()
    try:
        for name, ext in reader.externs(ffi.wasmtime_component_type_import_count,
                                        ffi.wasmtime_component_type_import_nth, ty):
            world.imports[name] = reader.world_item(name, ext, world)
        for name, ext in reader.externs(ffi.wasmtime_component_type_export_count,
                                        ffi.wasmtime_component_type_export_nth, ty):
            world.exports[name] = reader.world_item(name, ext, world)
    finally:
        ffi.wasmtime_component_type_delete(ty)
        reader.registry.close()
    return world


def read_world(engine: Any, component: int, source: bytes | None = None) -> World:
    """The world of a compiled component (a ``wasmtime_component_t*`` address).

    ``source``, the component's bytes when known, names the world's own types, which
    wasmtime's type API leaves out (see ``_binary``).
    """
    world = _read(engine, component, {})
    shapes = world_type_shapes(source) if source is not None else []
    if not shapes:
        return world
    preset = world_types(world, shapes)
    if preset:
        world = _read(engine, component, preset)
    for td in world_typedefs(world, shapes):
        world.imports.setdefault(td.name, td)
    return world
