"""Linear memories, bounds-checked on every access."""

from __future__ import annotations

import ctypes
from typing import TYPE_CHECKING

import wasmtime

from .._engine.capi import MemoryRef, context_address
from .._errors import MemoryAccessError

if TYPE_CHECKING:
    from .._realm import Realm

PAGE = 65536


class Memory:
    """A wasm linear memory.

    ``Memory(minimum, maximum=None, *, realm=None)`` creates one (sizes in 64 KiB
    pages) in ``realm`` (the default realm when None) to give to a module's imports.
    Exported memories come as Memory objects too.

    Every access outside ``0..len(memory)`` raises :class:`wasmport.MemoryAccessError`;
    nothing is clamped or partially copied.
    """

    def __init__(self, minimum: int = 1, maximum: int | None = None, *,
                 realm: Realm | None = None) -> None:
        from .._realm import realm_or_default

        self._realm = realm_or_default(realm)
        limits = wasmtime.Limits(minimum, maximum)
        self._memory = wasmtime.Memory(self._realm.store, wasmtime.MemoryType(limits))
        self.name = "memory"

    @classmethod
    def _wrap(cls, realm: Realm, memory: wasmtime.Memory, name: str) -> Memory:
        self = cls.__new__(cls)
        self._realm, self._memory, self.name = realm, memory, name
        return self

    @property
    def type(self) -> str:
        from .._engine.valtypes import describe

        return describe(self._memory.type(self._realm.store))

    def __repr__(self) -> str:
        return f"<wasm memory {self.name!r}: {len(self)} bytes>"

    def _raw(self) -> MemoryRef:
        """Size and base queries that keep the GIL (RealmClosedError once closed)."""
        store = self._realm.store
        ref: MemoryRef | None = self.__dict__.get("_ref")
        if ref is None:
            ref = self.__dict__["_ref"] = MemoryRef(context_address(store), self._memory._memory)
        return ref

    def __len__(self) -> int:
        return self._raw().size()

    @property
    def pages(self) -> int:
        return int(self._memory.size(self._realm.store))

    def _address(self, offset: int, length: int) -> int:
        ref = self._raw()
        size = ref.size()
        if (type(offset) is not int or type(length) is not int or offset < 0 or length < 0
                or offset + length > size):
            if not isinstance(offset, int) or not isinstance(length, int):
                raise TypeError("memory offsets and lengths must be ints")
            raise MemoryAccessError(offset, length, size, where=f"memory {self.name!r}")
        return ref.base() + offset

    def read(self, offset: int, length: int) -> bytes:
        """Copy ``length`` bytes starting at ``offset`` out of the memory."""
        address = self._address(offset, length)
        return ctypes.string_at(address, length) if length else b""

    def write(self, offset: int, data: bytes | bytearray | memoryview) -> None:
        """Copy ``data`` into the memory at ``offset``."""
        view = memoryview(data).cast("B")
        address = self._address(offset, view.nbytes)
        if isinstance(data, bytes):
            ctypes.memmove(address, data, view.nbytes)  # one copy, straight from the bytes
        elif view.nbytes:
            memoryview((ctypes.c_ubyte * view.nbytes).from_address(address)).cast("B")[:] = view

    def grow(self, pages: int) -> int:
        """Grow by ``pages`` 64 KiB pages; return the previous size in pages.

        Raises ValueError when the memory cannot grow that far (its maximum or a limit).
        """
        if not isinstance(pages, int) or pages < 0:
            raise ValueError(f"memory {self.name!r}: grow takes a page count >= 0, got {pages!r}")
        try:
            return int(self._memory.grow(self._realm.store, pages))
        except wasmtime.WasmtimeError as err:
            raise ValueError(f"memory {self.name!r}: cannot grow by {pages} pages from "
                             f"{self.pages} ({self.type})") from err

    def view(self) -> memoryview:
        """A writable memoryview of the whole memory as it is now.

        It does not see pages added by a later ``grow`` (take a new view), and must not be
        used after the realm is closed."""
        ref = self._raw()
        size, base = ref.size(), ref.base()
        return memoryview((ctypes.c_ubyte * size).from_address(base)).cast("B")
