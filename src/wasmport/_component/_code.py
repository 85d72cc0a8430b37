"""Compiled components: compile from bytes, serialize, deserialize (from a file, mmap'd).

A ``ComponentCode`` owns one ``wasmtime_component_t*`` and frees it when collected.
Its world (the type model) and WIT text are read lazily, once: a warm load from
the code cache costs a ``deserialize_file`` and nothing else.
"""

from __future__ import annotations

import ctypes
import os
import weakref
from ctypes import byref
from typing import Any

from wasmtime import _ffi as ffi

from .._engine import component as _capi
from .._errors import CompileError
from ._readworld import read_world
from ._types import Function, Interface, TypeDef, Unsupported, World, WorldItem

COMPONENT_LAYER = b"\x00asm\x0d\x00\x01\x00"


def is_component(data: bytes) -> bool:
    """True when ``data`` starts with the component binary header (layer 1)."""
    return bytes(data[:8]) == COMPONENT_LAYER


class ComponentCode:
    """A compiled component, not instantiated: the source phase of a component."""

    def __init__(self, engine: Any, ptr: int, where: str,
                 source: bytes | str | os.PathLike[str] | None = None) -> None:
        self.engine = engine
        self.where = where
        self._ptr = ptr
        self._source = source  # the component's bytes or .wasm path: names world types
        self._world: World | None = None
        self._wit: str | None = None
        self._types: Any = None
        self._finalizer = weakref.finalize(self, _capi.component_delete, ptr)

    @property
    def ptr(self) -> int:
        """The ``wasmtime_component_t*`` address (valid while this object lives)."""
        return self._ptr

    @property
    def world(self) -> World:
        if self._world is None:
            self._world = read_world(self.engine, self._ptr, self._source_bytes())
            self._source = None
        return self._world

    def adopt_world(self, world: World) -> None:
        """Use ``world``, read from this same code before (the code cache keeps it), instead
        of reading it again: ~30 ms for a componentize-py guest."""
        if self._world is None:
            self._world, self._source = world, None

    def _source_bytes(self) -> bytes | None:
        source = self._source
        if source is None or isinstance(source, bytes):
            return source
        try:
            with open(source, "rb") as f:
                return f.read()
        except OSError:  # gone since: world-level types stay unnamed
            return None

    @property
    def types(self) -> Any:
        """The generated Python types of this world (a ``TypeSpace``), made once."""
        if self._types is None:
            from ._pytypes import TypeSpace

            self._types = TypeSpace()
        return self._types

    @property
    def wit(self) -> str:
        """The world as WIT text, close to ``wasm-tools component wit``."""
        if self._wit is None:
            from ._wit_world import render

            self._wit = render(self.world)
        return self._wit

    @property
    def imports(self) -> dict[str, WorldItem]:
        return dict(self.world.imports)

    @property
    def exports(self) -> dict[str, WorldItem]:
        return dict(self.world.exports)

    def serialize(self) -> bytes:
        """The compiled artifact, for ``deserialize_file`` with the same engine config."""
        vec = ffi.wasm_byte_vec_t()
        error = _capi.component_serialize(self._ptr, byref(vec))
        if error:
            raise CompileError(f"{self.where}: cannot serialize: {_consume(error)}",
                               path=self.where)
        try:
            return ctypes.string_at(vec.data, vec.size)
        finally:
            _capi.byte_vec_delete(byref(vec))

    def __repr__(self) -> str:
        return f"<ComponentCode {self.where}>"


def _consume(error: int) -> str:
    try:
        return _capi.take_message(error)
    finally:
        _capi.error_delete(error)


def compile_component(engine: Any, wasm: bytes, where: str) -> ComponentCode:
    """Compile component bytes; CompileError (where -> reason -> remedy) when invalid."""
    data = bytes(wasm)
    buf = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
    out = ctypes.c_size_t()
    error = _capi.component_new(_capi.engine_address(engine), buf, len(data), byref(out))
    if error:
        reason = _consume(error)
        raise CompileError(f"{where}: not a valid component: {reason}; "
                           "check it with `wasm-tools validate`", path=where, reason=reason)
    return ComponentCode(engine, out.value, where, data)


def deserialize_component(engine: Any, data: bytes, where: str,
                          source: bytes | str | os.PathLike[str] | None = None
                          ) -> ComponentCode:
    """Load an artifact of ``serialize()``.  Trusted input only (wasmtime's rule).

    ``source`` (the original bytes or .wasm path, read only if the world is asked for)
    gives the names of the world's own types, which the artifact does not keep.
    """
    buf = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
    out = ctypes.c_size_t()
    error = _capi.component_deserialize(_capi.engine_address(engine), buf, len(data),
                                        byref(out))
    if error:
        reason = _consume(error)
        raise CompileError(f"{where}: cannot load the compiled component: {reason}; "
                           "compile it again", path=where, reason=reason)
    return ComponentCode(engine, out.value, where, source)


def deserialize_component_file(engine: Any, path: str | os.PathLike[str], where: str,
                               source: bytes | str | os.PathLike[str] | None = None
                               ) -> ComponentCode:
    """Load an artifact of ``serialize()`` from a file (memory-mapped).  Trusted input only.

    ``source`` as for ``deserialize_component``.
    """
    out = ctypes.c_size_t()
    error = _capi.component_deserialize_file(_capi.engine_address(engine),
                                             os.fsencode(path), byref(out))
    if error:
        reason = _consume(error)
        raise CompileError(f"{where}: cannot load the compiled component {os.fspath(path)}: "
                           f"{reason}; compile it again", path=where, reason=reason)
    return ComponentCode(engine, out.value, where, source)


__all__ = ["ComponentCode", "Function", "Interface", "TypeDef", "Unsupported",
           "compile_component", "deserialize_component", "deserialize_component_file",
           "is_component"]
