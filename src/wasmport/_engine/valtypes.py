"""Readable names for wasm types, and the checks that keep Python values in range.

Type strings follow the text format: ``func (i32, i32) -> i32``, ``memory 1..2``,
``global mut i64``, ``table 10..20 funcref``.
"""

from __future__ import annotations

import ctypes
from typing import Any

import wasmtime

from . import capi as _capi
from .numbers import as_float, as_int
from .typemake import make_valtype
from .typenames import functype_names, name_at

NUMERIC = frozenset(("i32", "i64", "f32", "f64"))

I32_MIN, I32_MAX = -(2**31), 2**32 - 1
I64_MIN, I64_MAX = -(2**63), 2**64 - 1
_INT_RANGES = {"i32": (I32_MIN, I32_MAX), "i64": (I64_MIN, I64_MAX)}


def _address(ptr: Any) -> int:
    return ctypes.cast(ptr, ctypes.c_void_p).value or 0


def valtype_name(vt: wasmtime.ValType) -> str:
    """The type's text (typenames.py: never the query that aborts on v128 or GC types)."""
    return name_at(_address(vt.ptr()))


def valtype(name: str) -> wasmtime.ValType:
    """A new ValType for ``name``: a number, v128 or an abstract reference type."""
    try:
        return make_valtype(name)
    except ValueError:
        raise ValueError(f"unknown value type {name!r}; expected i32, i64, f32, f64, v128 or "
                         "an abstract reference type (funcref, externref, anyref, eqref, "
                         "i31ref, structref, arrayref, exnref, (ref extern), ...)") from None


def func_sig(ft: wasmtime.FuncType) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(params, results) as type texts, read straight from the C vectors: building
    wasmtime-py's ValType lists costs ~25 µs per signature (and aborts on v128)."""
    return functype_names(_address(ft.ptr()))


def func_sig_of(store: wasmtime.Store, func: wasmtime.Func) -> tuple[tuple[str, ...],
                                                                   tuple[str, ...]]:
    """``func_sig(func.type(store))`` without building wasmtime-py type objects."""
    ptr = _capi.func_type(_capi.context_address(store), ctypes.byref(func._func))
    try:
        return functype_names(_address(ptr))
    finally:
        _capi.functype_delete(ptr)


def _limits(limits: wasmtime.Limits) -> str:
    return f"{limits.min}" if limits.max is None else f"{limits.min}..{limits.max}"


def describe(ty: Any) -> str:
    """The readable form of an extern type: ``func (i32) -> nil``, ``memory 1..2``, ..."""
    if isinstance(ty, wasmtime.FuncType):
        params, results = func_sig(ty)
        res = ("nil" if not results else results[0] if len(results) == 1
               else f"({', '.join(results)})")
        return f"func ({', '.join(params)}) -> {res}"
    if isinstance(ty, wasmtime.MemoryType):
        shared = " shared" if ty.is_shared else ""
        return f"memory{' i64' if ty.is_64 else ''} {_limits(ty.limits)}{shared}"
    if isinstance(ty, wasmtime.GlobalType):
        return f"global {'mut ' if ty.mutable else ''}{valtype_name(ty.content)}"
    if isinstance(ty, wasmtime.TableType):
        return f"table {_limits(ty.limits)} {valtype_name(ty.element)}"
    if isinstance(ty, wasmtime.TagType):
        return f"tag ({', '.join(func_sig(ty.functype)[0])})"
    return type(ty).__name__.lower()


def kind_of(ty: Any) -> str:
    for cls, kind in (
        (wasmtime.FuncType, "func"),
        (wasmtime.MemoryType, "memory"),
        (wasmtime.GlobalType, "global"),
        (wasmtime.TableType, "table"),
        (wasmtime.TagType, "tag"),
    ):
        if isinstance(ty, cls):
            return kind
    return type(ty).__name__.lower()


def check_value(vt: str, value: Any, what: str) -> Any:
    """Check that ``value`` fits the value type ``vt``; return it in canonical form.

    Raises TypeError for non-numbers and OverflowError for integers out of range,
    never wrapping silently.  i32 and i64 accept both the signed and the unsigned
    range, as wasm does not distinguish them.
    """
    bounds = _INT_RANGES.get(vt)
    if bounds is not None:
        value = as_int(value, what, vt)
        if not bounds[0] <= value <= bounds[1]:
            raise OverflowError(
                f"{what}: {value} is out of range for {vt} ({bounds[0]}..{bounds[1]})"
            )
        return value
    if vt in ("f32", "f64"):
        return as_float(value, what, vt)
    return value


def signed(vt: str, value: int) -> int:
    """Reinterpret an unsigned integer as the signed value wasm stores."""
    bits = 32 if vt == "i32" else 64
    return value - (1 << bits) if value >= 1 << (bits - 1) else value
