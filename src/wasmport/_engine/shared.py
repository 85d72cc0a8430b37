"""Shared memories (the threads proposal): the engine's other kind of memory.

A shared memory belongs to the engine, not to a store, and wasmtime-py gives it another
class with other methods (``wasmtime.SharedMemory``); :class:`SharedRef` gives it the
size/base interface of capi.MemoryRef, and the functions here take either kind.
"""

from __future__ import annotations

import ctypes
from ctypes import c_size_t
from typing import Any

import wasmtime

from .refs import proto

_data = proto("wasmtime_sharedmemory_data", c_size_t, c_size_t)
_data_size = proto("wasmtime_sharedmemory_data_size", c_size_t, c_size_t)
_size = proto("wasmtime_sharedmemory_size", ctypes.c_uint64, c_size_t)


def _address(memory: wasmtime.SharedMemory) -> int:
    return ctypes.cast(memory.ptr(), ctypes.c_void_p).value or 0


class SharedRef:
    """Size and base of a shared memory, GIL kept (as capi.MemoryRef)."""

    __slots__ = ("memory", "address")

    def __init__(self, memory: wasmtime.SharedMemory) -> None:
        self.memory, self.address = memory, _address(memory)

    def size(self) -> int:
        return int(_data_size(self.address))

    def base(self) -> int:
        return int(_data(self.address))


def is_shared(memory: Any) -> bool:
    return isinstance(memory, wasmtime.SharedMemory)


def memory_type(store: wasmtime.Store, memory: Any) -> wasmtime.MemoryType:
    found: wasmtime.MemoryType = memory.type() if is_shared(memory) else memory.type(store)
    return found


def memory_pages(store: wasmtime.Store, memory: Any) -> int:
    return int(_size(_address(memory))) if is_shared(memory) else int(memory.size(store))


def memory_grow(store: wasmtime.Store, memory: Any, pages: int) -> int:
    return int(memory.grow(pages) if is_shared(memory) else memory.grow(store, pages))


def new_memory(engine: wasmtime.Engine, store: wasmtime.Store, minimum: int,
               maximum: int | None, shared: bool) -> Any:
    """A new memory of ``store`` (a shared one belongs to ``engine``)."""
    ty = wasmtime.MemoryType(wasmtime.Limits(minimum, maximum), shared=shared)
    return wasmtime.SharedMemory(engine, ty) if shared else wasmtime.Memory(store, ty)
