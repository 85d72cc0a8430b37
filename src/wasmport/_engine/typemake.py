"""Engine types made from type texts (typenames.py), for what Python creates: globals,
tables, host functions and tags.

wasmtime-py's ``GlobalType``/``TableType``/``FuncType`` constructors copy each value type
through ``wasm_valtype_kind``, which aborts for v128 and most reference types, so these
build the C objects directly and hand them to wasmtime-py's classes, which own them.
"""

from __future__ import annotations

import ctypes
from ctypes import POINTER, byref, c_size_t, c_uint8
from typing import Any

import wasmtime
from wasmtime import _ffi as ffi

from .capi import PYDLL
from .typenames import HEAPS, NUMBERS, slot


def _proto(name: str, restype: Any, argtypes: list[Any]) -> Any:
    func = PYDLL[name]  # a function object of our own: others set other prototypes
    func.restype, func.argtypes = restype, argtypes
    return func


_valtype_to_wasm = _proto("wasmtime_valtype_to_wasm", c_size_t,
                          [c_size_t, POINTER(ffi.wasmtime_valtype_t)])
_globaltype_new = _proto("wasm_globaltype_new", POINTER(ffi.wasm_globaltype_t),
                         [c_size_t, c_uint8])
_tabletype_new = _proto("wasm_tabletype_new", POINTER(ffi.wasm_tabletype_t),
                        [c_size_t, POINTER(ffi.wasm_limits_t)])
_valtype_vec_new = _proto("wasm_valtype_vec_new", None,
                          [POINTER(ffi.wasm_valtype_vec_t), c_size_t, c_size_t])
_functype_new = _proto("wasm_functype_new", POINTER(ffi.wasm_functype_t),
                       [POINTER(ffi.wasm_valtype_vec_t), POINTER(ffi.wasm_valtype_vec_t)])
_tagtype_new = _proto("wasm_tagtype_new", POINTER(ffi.wasm_tagtype_t),
                      [POINTER(ffi.wasm_functype_t)])

_HEAP_KINDS = {heap: kind for kind, (heap, _) in HEAPS.items()}
_NO_MAXIMUM = 0xFFFF_FFFF  # wasm.h's wasm_limits_max_default


def new_valtype(text: str) -> int:
    """An owned ``wasm_valtype_t*`` for a number, v128 or an abstract reference type;
    ValueError for a concrete type, which only a module can name."""
    found = slot(text)
    if found.concrete:
        raise ValueError(f"{text}: a concrete type can only come from a module's types")
    desc: Any = ffi.wasmtime_valtype_t()
    if found.is_ref:
        desc.kind = 5
        desc.reftype.nullable = found.nullable
        desc.reftype.heaptype.kind = _HEAP_KINDS[found.heap]
    else:
        desc.kind = NUMBERS.index(text)
    return int(_valtype_to_wasm(0, byref(desc)))


def make_valtype(text: str) -> wasmtime.ValType:
    """A ValType of ``text`` (see :func:`new_valtype`)."""
    ptr = ctypes.cast(new_valtype(text), POINTER(ffi.wasm_valtype_t))
    return wasmtime.ValType._from_ptr(ptr, None)


def global_type(text: str, mutable: bool) -> wasmtime.GlobalType:
    ptr = _globaltype_new(new_valtype(text), 1 if mutable else 0)
    return wasmtime.GlobalType._from_ptr(ptr, None)


def table_type(text: str, minimum: int, maximum: int | None) -> wasmtime.TableType:
    limits = ffi.wasm_limits_t(minimum, _NO_MAXIMUM if maximum is None else maximum)
    ptr = _tabletype_new(new_valtype(text), byref(limits))
    return wasmtime.TableType._from_ptr(ptr, None)


def _vec(texts: tuple[str, ...]) -> Any:
    vec = ffi.wasm_valtype_vec_t()
    items = (c_size_t * max(len(texts), 1))(*[new_valtype(t) for t in texts])
    _valtype_vec_new(byref(vec), len(texts), ctypes.addressof(items))  # takes them
    return vec


def func_type(params: tuple[str, ...], results: tuple[str, ...]) -> wasmtime.FuncType:
    """A FuncType; for one engine only (a FuncType used with another aborts)."""
    ptr = _functype_new(byref(_vec(params)), byref(_vec(results)))
    return wasmtime.FuncType._from_ptr(ptr, None)


def tag_type(params: tuple[str, ...]) -> wasmtime.TagType:
    ptr = _tagtype_new(_functype_new(byref(_vec(params)), byref(_vec(()))))  # takes it
    return wasmtime.TagType._from_ptr(ptr, None)
