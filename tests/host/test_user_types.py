"""User-defined host types through the documented protocol (docs/host-modules.md,
"Your own types"): the examples there, run."""

from __future__ import annotations

import struct
from typing import Annotated, Any

import pytest

import wasmport
from wasmport import export
from wasmport.types import Array, CallerMemory, HostType, Pointer, Result, Uint32

from .guests import I32, forwarder, memory_of


class ComplexType(HostType):
    """A complex number: two f64 values, or 16 bytes in memory."""

    name = "Complex"
    params = results = ("f64", "f64")
    size, align = 16, 8

    def lift(self, memory: CallerMemory | None, re: float, im: float) -> complex:
        return complex(re, im)

    def lower(self, memory: CallerMemory | None, value: Any) -> tuple[float, float]:
        z = complex(value)
        return (z.real, z.imag)

    def load(self, view: memoryview, offset: int) -> complex:
        re, im = struct.unpack_from("<dd", view, offset)
        return complex(re, im)

    def store(self, view: memoryview, offset: int, value: Any) -> None:
        z = complex(value)
        struct.pack_into("<dd", view, offset, z.real, z.imag)


Complex = Annotated[complex, ComplexType()]


class CStringType(HostType):
    """A NUL-terminated UTF-8 string at a pointer (one i32)."""

    name = "CString"
    params = ("i32",)
    uses_memory = True

    def lift(self, memory: CallerMemory | None, ptr: int) -> str:
        assert memory is not None
        start = end = ptr & 0xFFFF_FFFF
        size = len(memory)
        while True:
            chunk = memory.read(end, min(256, size - end)) if end < size else b""
            if not chunk:  # no NUL before the end of memory
                memory.check(start, end - start + 1)  # raises MemoryAccessError
            nul = chunk.find(0)
            if nul >= 0:
                return memory.read(start, end - start + nul).decode("utf-8")
            end += len(chunk)


CString = Annotated[str, CStringType()]


class Handle:
    """A Python class that is its own annotation, through ``__wasm_type__``."""

    table: dict[int, str] = {1: "stdin", 2: "stdout"}

    class _Type(HostType):
        name = "Handle"
        params = ("i32",)

        def lift(self, memory: CallerMemory | None, value: int) -> str:
            try:
                return Handle.table[value]
            except KeyError:
                raise ValueError(f"no handle {value}") from None

    __wasm_type__ = _Type()


class Math(wasmport.HostModule, name="math"):
    @export
    def mul(self, a: Complex, b: Complex) -> Complex:
        return a * b

    @export
    def total(self, zs: Array[Complex], out: Pointer[Complex]) -> Uint32:
        out.store(sum(zs.load()))
        return len(zs)

    @export
    def inverse(self, z: Complex) -> Result[Complex]:
        if z == 0:
            raise wasmport.types.ErrnoError(33)
        return 1 / z

    @export
    def strlen(self, s: CString) -> Uint32:
        return len(s)

    @export
    def name_of(self, h: Handle) -> Uint32:
        return len(h)


F2 = ("f64", "f64")
SIGS = {"mul": (F2 + F2, F2), "total": (I32 + I32 + I32, I32), "inverse": (F2, F2 + I32),
        "strlen": (I32, I32), "name_of": (I32, I32)}


@pytest.fixture
def guest(realm):
    mod = forwarder(realm, SIGS, {"math": Math}, module="math")
    return mod, memory_of(mod)


def test_a_scalar_like_type_in_both_directions(guest):
    mod, _ = guest
    assert mod.mul(1.0, 2.0, 3.0, -1.0) == (5.0, 5.0)
    assert Math.__wasm_host__.functions["mul"].plan.wasm_type == \
        "func (f64, f64, f64, f64) -> (f64, f64)"


def test_a_custom_type_in_memory_and_in_a_result(guest):
    mod, memory = guest
    memory.write(0, struct.pack("<4d", 1, 2, 3, 4))
    assert mod.total(0, 2, 64) == 2
    assert struct.unpack("<2d", memory.read(64, 16)) == (4.0, 6.0)
    assert mod.inverse(0.0, 2.0) == (0.0, -0.5, 0)
    assert mod.inverse(0.0, 0.0) == (0.0, 0.0, 33)


def test_a_memory_reading_custom_type(guest):
    mod, memory = guest
    memory.write(100, b"hello\0")
    assert mod.strlen(100) == 5
    end = len(memory)
    memory.write(end - 3, b"abc")  # no NUL before the end
    with pytest.raises(wasmport.MemoryAccessError):
        mod.strlen(end - 3)


def test_a_class_that_is_its_own_annotation(guest):
    mod, _ = guest
    assert mod.name_of(2) == len("stdout")
    with pytest.raises(ValueError, match="no handle 9"):
        mod.name_of(9)


def test_a_type_without_a_memory_form_is_refused_in_an_array():
    with pytest.raises(wasmport.HostSignatureError, match="CString has none"):
        class Bad(wasmport.HostModule, name="b"):
            @export
            def f(self, items: Array[CString]) -> None: ...
