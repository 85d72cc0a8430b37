"""The linear memory of the instance that calls a host function, bounds-checked.

A host function reads and writes the *calling instance's* memory.  The importing
instance's exported memory is looked up once, after instantiation; each host call
then re-reads only its size: wasm memories never shrink and only move when they
grow, so an unchanged size means the cached base address is still valid.
"""

from __future__ import annotations

import ctypes
from typing import Any

import wasmtime

from .._engine import calls
from .._engine.capi import MemoryRef, caller_memory, context_address
from .._errors import MemoryAccessError

_EMPTY = memoryview(bytearray()).cast("B")


class CallerMemory:
    """The memory of the instance calling a host function (export ``"memory"`` by default).

    Every access is checked against the memory's current size before anything is copied:
    an access outside it raises :class:`wasmport.MemoryAccessError` and nothing is read or
    written.  Offsets are unsigned: wasm ``i32`` values are taken modulo 2**32 *before*
    they reach here, so a guest's ``-1`` is offset 4294967295, never a negative index.
    """

    __slots__ = ("name", "_ref", "_size", "_view", "_provisional", "_native")

    def __init__(self, name: str) -> None:
        self.name = name
        self._ref: MemoryRef | None = None
        self._size = -1
        self._view = _EMPTY
        self._provisional = True
        self._native = calls.new_window(self._fail)  # the native layer's own window

    def bind(self, store: wasmtime.Store, memory: wasmtime.Memory) -> None:
        """Bind the importing instance's exported memory, once it is instantiated."""
        self._ref = MemoryRef(context_address(store), memory)
        if self._native is not None:
            calls.bind_window(self._native, store, memory)
        self._size, self._view, self._provisional = -1, _EMPTY, False

    def _enter(self, caller: Any) -> None:
        """Refresh the window at the start of a host call."""
        if self._provisional:
            self._adopt(caller)
        self._refresh()

    def _leave(self) -> None:
        """After a host call: forget what was adopted from its caller."""
        if self._provisional:
            self._ref, self._size, self._view = None, -1, _EMPTY

    def _refresh(self) -> None:
        ref = self._ref
        if ref is None:
            return
        size = ref.size()
        if size != self._size:
            self._view = (memoryview((ctypes.c_ubyte * size).from_address(ref.base())).cast("B")
                          if size else _EMPTY)
            self._size = size

    def _adopt(self, caller: Any) -> None:
        # Only while the importer is still being instantiated (its start function runs):
        # it is not bound yet, so ask the engine for the caller's export, for this call.
        if isinstance(caller, int):
            found = caller_memory(caller, self.name) if caller else None
        else:
            export = caller.get(self.name) if caller is not None else None
            found = (MemoryRef(context_address(caller), export)
                     if isinstance(export, wasmtime.Memory) else None)
        if found is None:
            raise LookupError(f"the calling instance exports no memory {self.name!r}")
        self._ref, self._size = found, -1

    def _window(self) -> memoryview:
        """A view of the whole memory, valid until wasm code runs again; never hand it out."""
        ref = self._ref
        if ref is not None and ref.size() != self._size:
            self._refresh()
        return self._view

    def _fail(self, offset: int, length: int, size: int) -> MemoryAccessError:
        return MemoryAccessError(offset, length, size, where=f"memory {self.name!r}")

    def _span(self, offset: int, length: int) -> memoryview:
        view = self._window()
        if offset < 0 or length < 0 or offset + length > len(view):
            raise self._fail(offset, length, len(view))
        return view

    # -- the public, always-checked accessors (for user-defined types) -----------------------

    def __len__(self) -> int:
        return len(self._window())

    def check(self, offset: int, length: int) -> None:
        """Raise MemoryAccessError unless ``offset .. offset+length`` lies inside the memory."""
        self._span(offset, length)

    def read(self, offset: int, length: int) -> bytes:
        """Copy ``length`` bytes at ``offset`` out of the memory."""
        view = self._span(offset, length)
        return bytes(view[offset:offset + length])

    def write(self, offset: int, data: bytes | bytearray | memoryview) -> None:
        """Copy ``data`` into the memory at ``offset``; nothing is written if it does not fit."""
        src = memoryview(data).cast("B")
        view = self._span(offset, src.nbytes)
        view[offset:offset + src.nbytes] = src

    def __repr__(self) -> str:
        state = "bound" if self._ref is not None else "not bound"
        return f"<caller memory {self.name!r} ({state})>"


# -- what the host layer's lifting code uses (named accessors) --------------------------------

def enter_call(memory: CallerMemory, caller: Any) -> None:
    """At the start of a host call: refresh the window (adopting the caller's memory
    while the importer is still being instantiated)."""
    memory._enter(caller)


def leave_call(memory: CallerMemory) -> None:
    """After a host call: forget what was adopted from its caller."""
    memory._leave()


def window(memory: CallerMemory) -> memoryview:
    """The view refreshed when the call began (check bounds before using it)."""
    return memory._view


def checked_view(memory: CallerMemory, offset: int, length: int) -> memoryview:
    """The whole memory's view, after checking ``offset .. offset+length`` lies inside."""
    return memory._span(offset, length)


def native_window(memory: CallerMemory) -> Any:
    """The native layer's window on the same memory (None without the native layer)."""
    return memory._native
