"""Globals and tables through the C API with ``wasmtime_val_t`` (vals.py), for every value
kind: wasmtime-py's ``Global.value`` / ``Table.get`` hand back raw ``Val`` objects for
references and quiet f32 NaNs, and abort on v128 (they ask the type's kind).

Values go in and come out in the engine layer's forms, already checked against the
type by the caller; the engine's refusals (a type mismatch, an immutable global, a table
that cannot grow) raise :class:`EngineRefused` with the engine's words.
"""

from __future__ import annotations

import ctypes
from ctypes import POINTER, byref, c_bool, c_size_t, c_uint64
from typing import Any

import wasmtime
from wasmtime import _ffi as ffi

from . import vals
from .fast._traps import take_error
from .refs import proto
from .store import StoreContext
from .typenames import slot

VAL, GLOBAL, TABLE = ffi.wasmtime_val_t, ffi.wasmtime_global_t, ffi.wasmtime_table_t
_global_new = proto("wasmtime_global_new", c_size_t, c_size_t, c_size_t, POINTER(VAL),
                    POINTER(GLOBAL))
_global_get = proto("wasmtime_global_get", None, c_size_t, POINTER(GLOBAL), POINTER(VAL))
_global_set = proto("wasmtime_global_set", c_size_t, c_size_t, POINTER(GLOBAL), POINTER(VAL))
_table_new = proto("wasmtime_table_new", c_size_t, c_size_t, c_size_t, POINTER(VAL),
                   POINTER(TABLE))
_table_get = proto("wasmtime_table_get", c_bool, c_size_t, POINTER(TABLE), c_uint64,
                   POINTER(VAL))
_table_set = proto("wasmtime_table_set", c_size_t, c_size_t, POINTER(TABLE), c_uint64,
                   POINTER(VAL))
_table_grow = proto("wasmtime_table_grow", c_size_t, c_size_t, POINTER(TABLE), c_uint64,
                    POINTER(VAL), POINTER(c_uint64))


class EngineRefused(Exception):
    """The engine refused an operation; the message is its own."""


def _check(error: int) -> None:
    if error:
        raise EngineRefused(str(take_error(error)))


def _with_val(sc: StoreContext, text: str, value: Any, action: Any) -> Any:
    """Run ``action(val)`` with ``value`` lowered into a borrowed val."""
    val = VAL()
    temps: list[Any] = []
    try:
        vals.lower(sc, slot(text), value, val, temps)
        return action(val)
    finally:
        vals.release(temps)


def _address(ptr: Any) -> int:
    return ctypes.cast(ptr, ctypes.c_void_p).value or 0


def new_global(sc: StoreContext, ty: wasmtime.GlobalType, text: str,
               value: Any) -> wasmtime.Global:
    out = GLOBAL()
    _with_val(sc, text, value, lambda val: _check(
        _global_new(sc.address, _address(ty.ptr()), byref(val), byref(out))))
    return wasmtime.Global._from_raw(out)


def global_get(sc: StoreContext, glob: wasmtime.Global) -> Any:
    val = VAL()
    _global_get(sc.address, byref(glob._global), byref(val))
    return vals.lift(sc, val, owned=True)


def global_set(sc: StoreContext, glob: wasmtime.Global, text: str, value: Any) -> None:
    _with_val(sc, text, value, lambda val: _check(
        _global_set(sc.address, byref(glob._global), byref(val))))


def new_table(sc: StoreContext, ty: wasmtime.TableType, text: str,
              init: Any) -> wasmtime.Table:
    out = TABLE()
    _with_val(sc, text, init, lambda val: _check(
        _table_new(sc.address, _address(ty.ptr()), byref(val), byref(out))))
    return wasmtime.Table._from_raw(out)


def table_get(sc: StoreContext, table: wasmtime.Table, index: int) -> Any:
    """Element ``index`` (the caller checked the bounds)."""
    val = VAL()
    if not _table_get(sc.address, byref(table._table), index, byref(val)):
        raise EngineRefused(f"index {index} is out of bounds")
    return vals.lift(sc, val, owned=True)


def table_set(sc: StoreContext, table: wasmtime.Table, index: int, text: str,
              value: Any) -> None:
    _with_val(sc, text, value, lambda val: _check(
        _table_set(sc.address, byref(table._table), index, byref(val))))


def table_grow(sc: StoreContext, table: wasmtime.Table, delta: int, text: str,
               init: Any) -> int:
    """Grow by ``delta`` elements set to ``init``; the previous size."""
    prev = c_uint64()
    _with_val(sc, text, init, lambda val: _check(
        _table_grow(sc.address, byref(table._table), delta, byref(val), byref(prev))))
    return int(prev.value)
