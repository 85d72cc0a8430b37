"""Host value types: the HostType protocol and the scalars.

Lifting turns the core wasm values of a parameter into a Python value; lowering turns
a Python result into core wasm values.  Core values arrive as wasmtime-py gives them:
``i32``/``i64`` as *signed* ints, ``f32``/``f64`` as floats.
"""

from __future__ import annotations

import math
import struct
from typing import TYPE_CHECKING, Any

from .._engine.numbers import as_float, as_int

if TYPE_CHECKING:
    from .memory import CallerMemory

M32 = 0xFFFF_FFFF
_F32_LIMIT = 2.0**128 - 2.0**103  # the smallest magnitude that rounds to f32 infinity


def shown(obj: Any) -> str:
    """A class or function's qualified name without the ``f.<locals>.`` of a local one."""
    name = getattr(obj, "__qualname__", None) or repr(obj)
    return str(name).rpartition("<locals>.")[2]


class HostType:
    """Base class of host value types; subclass it to define your own (see docs).

    Class attributes describe the type; a subclass overrides those it supports:

    ``name``
        Shown in signatures and messages.
    ``params`` / ``results``
        The core wasm types (``"i32"``, ``"i64"``, ``"f32"``, ``"f64"``) the type occupies
        as a parameter / a result, or None where it cannot appear.
    ``uses_memory``
        True if :meth:`lift` or :meth:`lower` touch the caller's memory.
    ``size`` / ``align``
        Its layout in memory (for Array, Pointer and struct fields), or ``size = None``.
    """

    name: str = "HostType"
    params: tuple[str, ...] | None = None
    results: tuple[str, ...] | None = None
    uses_memory: bool = False
    size: int | None = None
    align: int = 1
    #: Wasm-side struct format character when the memory form is a plain scalar.
    fmt: str | None = None
    #: True when lifting is the identity (the plan then skips the call).
    identity: bool = False

    def lift(self, memory: CallerMemory | None, *values: Any) -> Any:
        """Core values of a parameter (``len(values) == len(params)``) -> Python value."""
        raise NotImplementedError(f"{self.name} cannot be a parameter")

    def lower(self, memory: CallerMemory | None, value: Any) -> tuple[Any, ...]:
        """A Python result -> a tuple of ``len(results)`` core values."""
        raise NotImplementedError(f"{self.name} cannot be a result")

    def load(self, view: memoryview, offset: int) -> Any:
        """Read the value at ``offset`` of ``view`` (``offset + size`` already checked)."""
        raise NotImplementedError(f"{self.name} cannot be stored in memory")

    def store(self, view: memoryview, offset: int, value: Any) -> None:
        """Write ``value`` at ``offset`` of ``view`` (``offset + size`` already checked)."""
        raise NotImplementedError(f"{self.name} cannot be stored in memory")

    def check_default(self, value: Any) -> None:
        """Raise TypeError or ValueError unless ``value`` is a valid default parameter value."""
        raise TypeError(f"a {self.name} parameter takes no default")

    def __repr__(self) -> str:
        return f"<host type {self.name}>"


class Integer(HostType):
    """A fixed-width integer: ``i32`` or ``i64`` as a value, ``bits/8`` bytes in memory."""

    def __init__(self, name: str, bits: int, signed: bool) -> None:
        self.name = name
        core = "i64" if bits == 64 else "i32"
        self.params = self.results = (core,)
        self.size = self.align = self._bytes = bits // 8
        self.fmt = {8: "b", 16: "h", 32: "i", 64: "q"}[bits]
        if not signed:
            self.fmt = self.fmt.upper()
        self._struct = struct.Struct("<" + self.fmt)
        self.lo, self.hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (
            0, (1 << bits) - 1)
        self._core_bits = 64 if bits == 64 else 32
        self._core_hi = (1 << (self._core_bits - 1)) - 1
        self.identity = signed and bits in (32, 64)

    def lift(self, memory: CallerMemory | None, value: int) -> int:
        if self.identity:
            return value
        if self._core_bits == self._bytes * 8:  # Uint32 / Uint64: reinterpret the bits
            return value & ((1 << self._core_bits) - 1)
        if self.lo <= value <= self.hi:
            return value
        raise ValueError(f"the i32 value {value} is out of range for {self.name} "
                         f"({self.lo}..{self.hi})")

    def _check(self, value: Any) -> int:
        number = as_int(value, "", self.name)
        if not self.lo <= number <= self.hi:
            raise OverflowError(f"{number} is out of range for {self.name} "
                                f"({self.lo}..{self.hi})")
        return number

    def lower(self, memory: CallerMemory | None, value: Any) -> tuple[int]:
        number = self._check(value)
        if number > self._core_hi:
            number -= 1 << self._core_bits
        return (number,)

    def load(self, view: memoryview, offset: int) -> int:
        return int(self._struct.unpack_from(view, offset)[0])

    def store(self, view: memoryview, offset: int, value: Any) -> None:
        self._struct.pack_into(view, offset, self._check(value))

    def check_default(self, value: Any) -> None:
        self._check(value)


class Float(HostType):
    """``f32`` or ``f64``; an f32 rejects finite values that would round to infinity."""

    identity = True

    def __init__(self, name: str, bits: int) -> None:
        self.name = name
        self.params = self.results = ("f64" if bits == 64 else "f32",)
        self.size = self.align = bits // 8
        self.fmt = "d" if bits == 64 else "f"
        self._struct = struct.Struct("<" + self.fmt)
        self._limit = math.inf if bits == 64 else _F32_LIMIT

    def lift(self, memory: CallerMemory | None, value: float) -> float:
        return value

    def _check(self, value: Any) -> float:
        number = as_float(value, "", self.name)
        if abs(number) >= self._limit and math.isfinite(number):
            raise OverflowError(f"{number!r} is out of range for {self.name}")
        return number

    def lower(self, memory: CallerMemory | None, value: Any) -> tuple[float]:
        return (self._check(value),)

    def load(self, view: memoryview, offset: int) -> float:
        return float(self._struct.unpack_from(view, offset)[0])

    def store(self, view: memoryview, offset: int, value: Any) -> None:
        self._struct.pack_into(view, offset, self._check(value))

    def check_default(self, value: Any) -> None:
        self._check(value)


class BoolType(HostType):
    """``i32`` as a value (C semantics: nonzero is True), one byte in memory."""

    name = "Bool"
    params = results = ("i32",)
    size = align = 1
    fmt = "?"

    def lift(self, memory: CallerMemory | None, value: int) -> bool:
        return value != 0

    def _check(self, value: Any) -> bool:
        if value is True or value is False:
            return value
        if type(value) is int and value in (0, 1):
            return value == 1
        raise TypeError(f"expected a bool for Bool, got {value!r}")

    def lower(self, memory: CallerMemory | None, value: Any) -> tuple[int]:
        return (1 if self._check(value) else 0,)

    def load(self, view: memoryview, offset: int) -> bool:
        return view[offset] != 0

    def store(self, view: memoryview, offset: int, value: Any) -> None:
        view[offset] = 1 if self._check(value) else 0

    def check_default(self, value: Any) -> None:
        self._check(value)


INT8 = Integer("Int8", 8, True)
UINT8 = Integer("Uint8", 8, False)
INT16 = Integer("Int16", 16, True)
UINT16 = Integer("Uint16", 16, False)
INT32 = Integer("Int32", 32, True)
UINT32 = Integer("Uint32", 32, False)
INT64 = Integer("Int64", 64, True)
UINT64 = Integer("Uint64", 64, False)
FLOAT32 = Float("Float32", 32)
FLOAT64 = Float("Float64", 64)
BOOL = BoolType()
