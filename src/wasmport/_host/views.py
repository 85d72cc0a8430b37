"""Views into the caller's memory that a host method receives: Pointer, Array, Buffer.

A view was bounds-checked when the call began, and every access checks again: the
method may call back into wasm, which may grow (and so move) the memory.  Views are
valid during the host call that received them; do not keep them.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar, overload

from .memory import CallerMemory, checked_view

if TYPE_CHECKING:
    from .kinds import HostType

T = TypeVar("T")


class Pointer(Generic[T]):
    """``Pointer[T]``: one i32 address of a ``T`` in the caller's memory.

    ``load()`` reads the value, ``store(value)`` writes it; ``address`` is the offset.
    """

    __slots__ = ("_memory", "_type", "address")

    def __init__(self, memory: CallerMemory, target: HostType, address: int) -> None:
        self._memory, self._type, self.address = memory, target, address

    def load(self) -> T:
        """Read the ``T`` at the address."""
        size = self._type.size or 0
        value: T = self._type.load(checked_view(self._memory, self.address, size), self.address)
        return value

    def store(self, value: T) -> None:
        """Write ``value`` at the address (checked first: nothing is written on error)."""
        size = self._type.size or 0
        data = bytearray(size)
        self._type.store(memoryview(data), 0, value)
        self._memory.write(self.address, data)

    def __repr__(self) -> str:
        return f"<Pointer[{self._type.name}] at {self.address}>"


class Array(Generic[T]):
    """``Array[T]``: (ptr, count) of fixed-size ``T`` in the caller's memory, little-endian.

    A sequence view: ``len(a)``, ``a[i]``, ``a[i:j]``, iteration, ``a[i] = v``;
    ``load()`` copies every element out at once, ``store(values)`` writes from index 0.
    """

    __slots__ = ("_memory", "_type", "address", "_count")

    def __init__(self, memory: CallerMemory, element: HostType, address: int, count: int):
        self._memory, self._type, self.address, self._count = memory, element, address, count

    def __len__(self) -> int:
        return self._count

    def _index(self, index: int) -> int:
        if not isinstance(index, int):
            raise TypeError(f"Array indices must be ints, not {type(index).__name__}")
        n = self._count
        if not -n <= index < n:
            raise IndexError(f"index {index} out of range for an Array of {n} elements")
        return index % n

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        size = self._type.size or 0
        offset = self.address + self._index(index) * size
        value: T = self._type.load(checked_view(self._memory, offset, size), offset)
        return value

    def __setitem__(self, index: int, value: T) -> None:
        size = self._type.size or 0
        offset = self.address + self._index(index) * size
        data = bytearray(size)
        self._type.store(memoryview(data), 0, value)
        self._memory.write(offset, data)

    def __iter__(self) -> Iterator[T]:
        return iter(self.load())

    def load(self) -> list[T]:
        """Every element, read in one pass."""
        size, n = self._type.size or 0, self._count
        view = checked_view(self._memory, self.address, size * n)
        fmt = self._type.fmt
        if fmt is not None:
            return list(struct.unpack_from(f"<{n}{fmt}", view, self.address))
        return [self._type.load(view, self.address + i * size) for i in range(n)]

    def store(self, values: Sequence[T]) -> None:
        """Write ``values`` from index 0; all are checked before anything is written."""
        n = len(values)
        if n > self._count:
            raise ValueError(f"cannot store {n} values in an Array of {self._count} elements")
        size = self._type.size or 0
        data = bytearray(size * n)
        view = memoryview(data)
        for i, value in enumerate(values):
            self._type.store(view, i * size, value)
        self._memory.write(self.address, data)

    def __repr__(self) -> str:
        return f"<Array[{self._type.name}] of {self._count} at {self.address}>"


class Buffer:
    """(ptr, len): a caller-provided byte buffer to write results into (an out-parameter).

    ``len(buf)`` is its capacity; ``write(data, offset=0)`` copies bytes in and returns
    how many; ``read()`` copies the current contents out.
    """

    __slots__ = ("_memory", "address", "_length")

    def __init__(self, memory: CallerMemory, address: int, length: int) -> None:
        self._memory, self.address, self._length = memory, address, length

    def __len__(self) -> int:
        return self._length

    def read(self) -> bytes:
        """A copy of the buffer's bytes."""
        return self._memory.read(self.address, self._length)

    def __bytes__(self) -> bytes:
        return self.read()

    def write(self, data: bytes | bytearray | memoryview, offset: int = 0) -> int:
        """Copy ``data`` in at ``offset``; ValueError (nothing written) if it does not fit."""
        src = memoryview(data).cast("B")
        if offset < 0 or offset + src.nbytes > self._length:
            raise ValueError(f"a Buffer of {self._length} bytes cannot hold {src.nbytes} "
                             f"bytes at offset {offset}")
        self._memory.write(self.address + offset, src)
        return src.nbytes

    def __repr__(self) -> str:
        return f"<Buffer of {self._length} bytes at {self.address}>"
