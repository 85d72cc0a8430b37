"""Linear memories, bounds-checked on every access."""

from __future__ import annotations

import ctypes
from typing import Any

import wasmtime

from .._engine import calls
from .._engine.capi import MemoryRef, context_address
from .._engine.shared import (
    SharedRef,
    is_shared,
    memory_grow,
    memory_pages,
    memory_type,
    new_memory,
)
from .._engine.store import StoreContext, context_for
from .._engine.valtypes import describe
from .._errors import MemoryAccessError
from .base import ExternValue, index_arg

PAGE = 65536


class Memory(ExternValue):
    """A wasm linear memory.

    ``Memory(minimum, maximum=None, *, shared=False, realm=None)`` creates one (sizes
    in 64 KiB pages) in ``realm`` (the default realm when None) to give to a module's
    imports; ``shared=True`` (a realm with ``features={"threads"}``, and a maximum) makes a
    shared memory.  Exported memories come as Memory objects too.

    Every access outside ``0..len(memory)`` raises :class:`wasmport.MemoryAccessError`;
    nothing is clamped or partially copied.
    """

    def __init__(self, minimum: int = 1, maximum: int | None = None, *, shared: bool = False,
                 realm: Any = None) -> None:
        ctx = context_for(realm)
        try:
            raw = new_memory(ctx.engine, ctx.store, minimum, maximum, shared)
        except wasmtime.WasmtimeError as err:
            hint = (" (a shared memory needs a maximum and Realm(features={'threads'}))"
                    if shared else "")
            raise ValueError(f"Memory({minimum}, {maximum}): {err}{hint}") from None
        self._bind(ctx, raw, "memory")

    @classmethod
    def _wrap(cls, ctx: StoreContext, memory: wasmtime.Memory, name: str) -> Memory:
        self = cls.__new__(cls)
        self._bind(ctx, memory, name)
        return self

    def _bind(self, ctx: StoreContext, raw: Any, name: str) -> None:
        super()._bind(ctx, raw, name)
        # The native layer's window reads a plain memory (a shared one goes the Python way).
        window = calls.new_window(self._fail) if isinstance(raw, wasmtime.Memory) else None
        if window is not None:  # read and write are then its methods
            calls.bind_window(window, ctx.store, raw, lambda: self._ctx.store)
            self.__dict__.update(_window=window, read=window.read, write=window.write)

    def _fail(self, offset: int, length: int, size: int) -> MemoryAccessError:
        return MemoryAccessError(offset, length, size, where=f"memory {self.name!r}")

    @property
    def type(self) -> str:
        return describe(memory_type(self._ctx.store, self._raw))

    @property
    def shared(self) -> bool:
        return is_shared(self._raw)

    def __repr__(self) -> str:
        return f"<wasm memory {self.name!r}: {len(self)} bytes>"

    def _ref(self) -> MemoryRef | SharedRef:
        """Size and base queries that keep the GIL (RealmClosedError once closed)."""
        store = self._ctx.store
        ref: MemoryRef | SharedRef | None = self.__dict__.get("_mref")
        if ref is None:
            ref = self.__dict__["_mref"] = (SharedRef(self._raw) if is_shared(self._raw)
                                            else MemoryRef(context_address(store), self._raw))
        return ref

    def __len__(self) -> int:
        window = self.__dict__.get("_window")
        if window is not None:
            return int(window.size())
        with self._ctx:
            return self._ref().size()

    @property
    def pages(self) -> int:
        with self._ctx as store:
            return memory_pages(store, self._raw)

    def _address(self, offset: int, length: int) -> int:
        ref = self._ref()
        size = ref.size()
        if (type(offset) is not int or type(length) is not int or offset < 0 or length < 0
                or offset + length > size):
            if type(offset) is not int or type(length) is not int:
                what = f"memory {self.name!r}"
                return self._address(index_arg(offset, f"{what} offset"),
                                     index_arg(length, f"{what} length"))
            raise MemoryAccessError(offset, length, size, where=f"memory {self.name!r}")
        return ref.base() + offset

    def read(self, offset: int, length: int) -> bytes:
        """Copy ``length`` bytes starting at ``offset`` out of the memory."""
        with self._ctx:  # close() waits for the copy
            address = self._address(offset, length)
            return ctypes.string_at(address, length) if length else b""

    def write(self, offset: int, data: bytes | bytearray | memoryview) -> None:
        """Copy ``data`` into the memory at ``offset``."""
        view = memoryview(data).cast("B")
        with self._ctx:  # close() waits for the copy
            address = self._address(offset, view.nbytes)
            if isinstance(data, bytes):
                ctypes.memmove(address, data, view.nbytes)  # one copy, straight from the bytes
            elif view.nbytes:
                memoryview((ctypes.c_ubyte * view.nbytes).from_address(address)).cast("B")[:] = view

    def grow(self, pages: int) -> int:
        """Grow by ``pages`` 64 KiB pages; return the previous size in pages.

        Raises TypeError for a count that is not an int, ValueError for a negative one or
        past the memory's maximum, ResourceLimitError past the realm's ``max_memory``.
        """
        count = index_arg(pages, f"memory {self.name!r}.grow()")
        if count < 0:
            raise ValueError(f"memory {self.name!r}: grow takes a page count >= 0, got {pages!r}")
        with self._ctx as store:
            try:
                return memory_grow(store, self._raw, count)
            except wasmtime.WasmtimeError as err:
                guard, now = self._ctx.guard, memory_pages(store, self._raw)
                limit = None if guard is None else guard.growth_refused(
                    f"memory {self.name!r}.grow({count})", "max_memory", (now + count) * PAGE)
                if limit is not None:
                    raise limit from None
                raise ValueError(f"memory {self.name!r}: cannot grow by {count} pages from "
                                 f"{now} ({self.type})") from err

    def view(self) -> memoryview:
        """A writable memoryview of the whole memory as it is now.

        It does not see pages added by a later ``grow`` (take a new view), and must not be
        used after the realm is closed."""
        with self._ctx:
            ref = self._ref()
            size, base = ref.size(), ref.base()
        return memoryview((ctypes.c_ubyte * size).from_address(base)).cast("B")
