"""Pointer-like host types: (ptr, len) and ptr parameters into the caller's memory.

Each lift masks its i32 values to unsigned and checks the whole range against the
memory's size (in Python ints, so ``ptr + len`` cannot wrap) before anything is read.
"""

from __future__ import annotations

from typing import Any

from .._errors import MemoryAccessError
from .kinds import M32, HostType
from .memory import CallerMemory, window
from .views import Array, Buffer, Pointer


def span(memory: CallerMemory, address: int, length: int) -> memoryview:
    """The memory's window after checking ``address .. address+length`` (unsigned)."""
    view = window(memory)
    if address + length > len(view):
        raise MemoryAccessError(address, length, len(view), where=f"memory {memory.name!r}")
    return view


class BytesType(HostType):
    """(ptr, len) -> ``bytes``: one copy out of the caller's memory."""

    name = "Bytes"
    params = ("i32", "i32")
    uses_memory = True

    def lift(self, memory: CallerMemory | None, ptr: int, length: int) -> bytes:
        assert memory is not None
        ptr &= M32
        length &= M32
        return bytes(span(memory, ptr, length)[ptr:ptr + length])

    def check_default(self, value: Any) -> None:
        if not isinstance(value, bytes):
            raise TypeError(f"a Bytes default must be bytes, not {type(value).__name__}")


class StringType(HostType):
    """(ptr, len) of UTF-8 -> ``str``; invalid UTF-8 raises UnicodeDecodeError."""

    name = "String"
    params = ("i32", "i32")
    uses_memory = True

    def lift(self, memory: CallerMemory | None, ptr: int, length: int) -> str:
        assert memory is not None
        ptr &= M32
        length &= M32
        return str(span(memory, ptr, length)[ptr:ptr + length], "utf-8")

    def check_default(self, value: Any) -> None:
        if not isinstance(value, str):
            raise TypeError(f"a String default must be a str, not {type(value).__name__}")


class BufferType(HostType):
    """(ptr, len) -> a writable :class:`wasmport.types.Buffer` (an out-parameter)."""

    name = "Buffer"
    params = ("i32", "i32")
    uses_memory = True

    def lift(self, memory: CallerMemory | None, ptr: int, length: int) -> Buffer:
        assert memory is not None
        ptr &= M32
        length &= M32
        span(memory, ptr, length)
        return Buffer(memory, ptr, length)


class ArrayType(HostType):
    """(ptr, count) of fixed-size elements -> an :class:`wasmport.types.Array` view."""

    params = ("i32", "i32")
    uses_memory = True

    def __init__(self, element: HostType) -> None:
        self.element = element
        self.name = f"Array[{element.name}]"

    def lift(self, memory: CallerMemory | None, ptr: int, count: int) -> Array[Any]:
        assert memory is not None and self.element.size is not None
        ptr &= M32
        count &= M32
        span(memory, ptr, count * self.element.size)
        return Array(memory, self.element, ptr, count)


class PointerType(HostType):
    """ptr -> a :class:`wasmport.types.Pointer` to one fixed-size value."""

    params = ("i32",)
    uses_memory = True

    def __init__(self, target: HostType) -> None:
        self.target = target
        self.name = f"Pointer[{target.name}]"

    def lift(self, memory: CallerMemory | None, ptr: int) -> Pointer[Any]:
        assert memory is not None and self.target.size is not None
        ptr &= M32
        span(memory, ptr, self.target.size)
        return Pointer(memory, self.target, ptr)


BYTES = BytesType()
STRING = StringType()
BUFFER = BufferType()
