"""What the C API lets the host do with GC references: tell i31s, structs and arrays
apart, read i31 values, read and write struct fields and array elements, read an
exception's tag and payload, take an uncaught exception from the store, collect.

Not in the C API (wasmtime 50), so not here: creating structs or arrays of a module's
types from the host (it needs a ``wasmtime_struct_type_t`` the host cannot get for a
module's type), casts and subtype tests, and a reference-equality test
(:func:`identity` reads the raw number wasm's ``ref.eq`` compares instead).
"""

from __future__ import annotations

from ctypes import POINTER, byref, c_bool, c_int32, c_size_t, c_uint32
from typing import Any

import wasmtime
from wasmtime import _ffi as ffi

from .fast._traps import take_error
from .refs import ANY, EXN, Rooted, owned, proto
from .typenames import array_element_type, struct_field_types

STRUCT, ARRAY, VAL = ffi.wasmtime_structref_t, ffi.wasmtime_arrayref_t, ffi.wasmtime_val_t
_is_eqref = proto("wasmtime_anyref_is_eqref", c_bool, c_size_t, POINTER(ANY))
_i31_s = proto("wasmtime_anyref_i31_get_s", c_bool, c_size_t, POINTER(ANY), POINTER(c_int32))
_is_struct = proto("wasmtime_anyref_is_struct", c_bool, c_size_t, POINTER(ANY))
_is_array = proto("wasmtime_anyref_is_array", c_bool, c_size_t, POINTER(ANY))
_as_struct = proto("wasmtime_anyref_as_struct", c_bool, c_size_t, POINTER(ANY), POINTER(STRUCT))
_as_array = proto("wasmtime_anyref_as_array", c_bool, c_size_t, POINTER(ANY), POINTER(ARRAY))
_struct_unroot = proto("wasmtime_structref_unroot", None, POINTER(STRUCT))
_array_unroot = proto("wasmtime_arrayref_unroot", None, POINTER(ARRAY))
_struct_type = proto("wasmtime_structref_type", c_size_t, c_size_t, POINTER(STRUCT))
_struct_type_delete = proto("wasmtime_struct_type_delete", None, c_size_t)
_array_type = proto("wasmtime_arrayref_type", c_size_t, c_size_t, POINTER(ARRAY))
_array_type_delete = proto("wasmtime_array_type_delete", None, c_size_t)
_struct_field = proto("wasmtime_structref_field", c_size_t, c_size_t, POINTER(STRUCT), c_size_t,
                      POINTER(VAL))
_struct_set = proto("wasmtime_structref_set_field", c_size_t, c_size_t, POINTER(STRUCT),
                    c_size_t, POINTER(VAL))
_array_len = proto("wasmtime_arrayref_len", c_size_t, c_size_t, POINTER(ARRAY), POINTER(c_uint32))
_array_get = proto("wasmtime_arrayref_get", c_size_t, c_size_t, POINTER(ARRAY), c_uint32,
                   POINTER(VAL))
_array_set = proto("wasmtime_arrayref_set", c_size_t, c_size_t, POINTER(ARRAY), c_uint32,
                   POINTER(VAL))
_exn_tag = proto("wasmtime_exnref_tag", c_size_t, c_size_t, POINTER(EXN),
                 POINTER(ffi.wasmtime_tag_t))
_exn_count = proto("wasmtime_exnref_field_count", c_size_t, c_size_t, POINTER(EXN))
_exn_field = proto("wasmtime_exnref_field", c_size_t, c_size_t, POINTER(EXN), c_size_t,
                   POINTER(VAL))
_exn_new = proto("wasmtime_exnref_new", c_size_t, c_size_t, POINTER(ffi.wasmtime_tag_t), c_size_t,
                 c_size_t, POINTER(EXN))
_set_exception = proto("wasmtime_context_set_exception", c_size_t, c_size_t, POINTER(EXN))
_take_exception = proto("wasmtime_context_take_exception", c_bool, c_size_t, POINTER(EXN))
_gc = proto("wasmtime_context_gc", c_size_t, c_size_t)
_anyref_to_raw = proto("wasmtime_anyref_to_raw", c_uint32, c_size_t, POINTER(ANY))


class GcError(Exception):
    """An engine error from a field access, with the engine's words."""


def _check(error: int) -> None:
    if error:
        raise GcError(str(take_error(error)))


def is_eq(ctx: int, rooted: Rooted) -> bool:
    return bool(_is_eqref(ctx, byref(rooted.ref)))


def kind_of(ctx: int, rooted: Rooted) -> str:
    """``i31``, ``struct``, ``array``, or ``any`` (an externref made internal).

    wasmtime 50's ``wasmtime_anyref_is_i31`` says true for structs too; reading the
    value (``i31_get_s``) tells i31s apart correctly.
    """
    ref = byref(rooted.ref)
    if _is_struct(ctx, ref):
        return "struct"
    if _is_array(ctx, ref):
        return "array"
    return "i31" if _i31_s(ctx, ref, byref(c_int32())) else "any"


def i31_value(ctx: int, rooted: Rooted) -> int:
    """The signed value of an i31ref."""
    out = c_int32()
    _i31_s(ctx, byref(rooted.ref), byref(out))
    return int(out.value)


def identity(ctx: int, rooted: Rooted) -> int:
    """The raw number of a live reference: equal for two roots exactly when wasm's
    ``ref.eq`` holds (wasmtime's collectors do not move objects while they are rooted)."""
    return int(_anyref_to_raw(ctx, byref(rooted.ref)))


class _Downcast:
    """The struct or array view of an anyref root, for one operation."""

    def __init__(self, ctx: int, rooted: Rooted, array: bool) -> None:
        self.ctx, self.array = ctx, array
        self.ref = ARRAY() if array else STRUCT()
        ok = (_as_array if array else _as_struct)(ctx, byref(rooted.ref), byref(self.ref))
        if not ok:
            raise GcError(f"not {'an array' if array else 'a struct'}")

    def __enter__(self) -> Any:
        return byref(self.ref)

    def __exit__(self, *exc: object) -> None:
        (_array_unroot if self.array else _struct_unroot)(byref(self.ref))


def fields(ctx: int, rooted: Rooted) -> tuple[tuple[str, bool], ...]:
    """(type text, mutable) of each field of a struct."""
    with _Downcast(ctx, rooted, False) as ref:
        ty = _struct_type(ctx, ref)
    try:
        return struct_field_types(ty)
    finally:
        _struct_type_delete(ty)


def element(ctx: int, rooted: Rooted) -> tuple[str, bool]:
    """(type text, mutable) of an array's elements."""
    with _Downcast(ctx, rooted, True) as ref:
        ty = _array_type(ctx, ref)
    try:
        return array_element_type(ty)
    finally:
        _array_type_delete(ty)


def length(ctx: int, rooted: Rooted) -> int:
    out = c_uint32()
    with _Downcast(ctx, rooted, True) as ref:
        _check(_array_len(ctx, ref, byref(out)))
    return int(out.value)


def read(ctx: int, rooted: Rooted, index: int, array: bool) -> Any:
    """Field ``index`` of a struct, or element of an array, as an owned val."""
    out = VAL()
    with _Downcast(ctx, rooted, array) as ref:
        _check((_array_get if array else _struct_field)(ctx, ref, index, byref(out)))
    return out


def write(ctx: int, rooted: Rooted, index: int, val: Any, array: bool) -> None:
    """Write a val (borrowed) into field ``index`` / element ``index``."""
    with _Downcast(ctx, rooted, array) as ref:
        _check((_array_set if array else _struct_set)(ctx, ref, index, byref(val)))


def exception_tag(ctx: int, rooted: Rooted) -> wasmtime.Tag:
    out = ffi.wasmtime_tag_t()
    _check(_exn_tag(ctx, byref(rooted.ref), byref(out)))
    return wasmtime.Tag._from_raw(out)


def exception_fields(ctx: int, rooted: Rooted) -> list[Any]:
    """The payload of an exception, as owned vals."""
    out = []
    for i in range(_exn_count(ctx, byref(rooted.ref))):
        val = VAL()
        _check(_exn_field(ctx, byref(rooted.ref), i, byref(val)))
        out.append(val)
    return out


def new_exception(ctx: int, tag: wasmtime.Tag, fields: Any, count: int) -> Rooted:
    """A new exception of ``tag`` whose payload is ``count`` vals at ``fields`` (borrowed)."""
    out = EXN()
    _check(_exn_new(ctx, byref(tag._tag), fields, count, byref(out)))
    found = owned("exnref", out)
    assert found is not None
    return found


def throw(ctx: int, rooted: Rooted) -> int:
    """The trap a host function returns to throw ``rooted`` into the wasm that called it."""
    return int(_set_exception(ctx, byref(rooted.ref)))


def take_exception(ctx: int) -> Rooted | None:
    """The exception wasm threw and nobody caught, taken from the store (or None)."""
    out = EXN()
    if not _take_exception(ctx, byref(out)):
        return None
    return owned("exnref", out)


def collect(ctx: int) -> None:
    """Run the store's garbage collector now."""
    _check(_gc(ctx))
