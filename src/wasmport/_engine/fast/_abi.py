"""The C symbols the fast path calls, and the ABI facts it relies on.

Everything here is checked once, at import.  When a check fails the fast path is
switched off (``AVAILABLE = False``) and ``REASON`` says which fact did not hold;
nothing in this module raises.

The facts (wasmtime 50.x, 64-bit little-endian hosts):

    wasmtime_val_raw_t   one 16-byte slot per value, 8-byte aligned
    +--------+--------+--------+--------+
    | i32    |  ...   |        |        |   i32/f32 live in bytes 0..3
    | i64 / f64       |                 |   i64/f64 live in bytes 0..7
    +--------+--------+--------+--------+

    wasmtime_func_t      { uint64_t store_id; void *__private; }   16 bytes

The library is the one wasmtime-py already loaded, through the handles of
``_engine/capi.py`` (a ``ctypes.PyDLL`` so that our calls keep the GIL): ``dlopen`` of
the same path returns the same handle, which is verified by comparing symbol addresses.
"""

from __future__ import annotations

import ctypes
import os
import struct
import sys
from ctypes import c_size_t, c_void_p
from typing import Any

WASMTIME_MAJOR = 50
SLOT_SIZE = 16

# Symbols we bind ourselves; all take and return pointers as plain integers.
_SYMBOLS = (
    "wasmtime_func_call_unchecked",
    "wasmtime_func_new_unchecked",
    "wasmtime_trap_new",
    "wasm_trap_delete",
    "wasmtime_error_delete",
)


class Lib:
    """Prototypes over the shared object, bound once the checks pass."""

    call_unchecked: Any        # (ctx, func*, slots*, nslots, trap**) -> wasmtime_error_t*
    call_unchecked_nogil: Any  # the same symbol through CDLL: releases the GIL
    func_new_unchecked: Any    # (ctx, functype*, cb, env, finalizer, func*) -> None
    trap_new: Any              # (const char*, size_t) -> wasm_trap_t*
    trap_delete: Any
    error_delete: Any


lib = Lib()

# Prototype of wasmtime_func_unchecked_callback_t: (env, caller, slots, nslots) -> wasm_trap_t*.
# Pointers arrive as c_size_t so a NULL is 0, never None.
CALLBACK = ctypes.CFUNCTYPE(c_size_t, c_size_t, c_size_t, c_size_t, c_size_t)
FINALIZER = ctypes.CFUNCTYPE(None, c_size_t)


def _wasmtime_version() -> str:
    from importlib.metadata import version

    return version("wasmtime")


def _check_platform() -> str:
    if sys.byteorder != "little":
        return "big-endian host: raw slots are little-endian"
    if ctypes.sizeof(c_void_p) != 8 or ctypes.sizeof(c_size_t) != 8:
        return "not a 64-bit host"
    for code, size in (("i", 4), ("q", 8), ("Q", 8), ("f", 4), ("d", 8)):
        if struct.calcsize(code) != size:
            return f"struct format {code!r} is {struct.calcsize(code)} bytes, expected {size}"
    return ""


def _check_wasmtime(wasmtime: Any, ffi: Any) -> str:
    try:
        found = _wasmtime_version()
    except Exception as exc:  # metadata missing: we cannot vouch for the ABI
        return f"cannot read the wasmtime version: {exc}"
    if found.split(".")[0] != str(WASMTIME_MAJOR):
        return f"wasmtime {found} installed; the raw ABI is verified for {WASMTIME_MAJOR}.x only"
    raw = getattr(ffi, "wasmtime_val_raw_t", None)
    func = getattr(ffi, "wasmtime_func_t", None)
    if raw is None or func is None:
        return "wasmtime._ffi lacks wasmtime_val_raw_t or wasmtime_func_t"
    if ctypes.sizeof(raw) != SLOT_SIZE or ctypes.alignment(raw) != 8:
        return f"wasmtime_val_raw_t is {ctypes.sizeof(raw)} bytes, expected {SLOT_SIZE}"
    fields = [name for name, *_ in func._fields_]
    offsets = [getattr(func, name).offset for name in fields]
    if ctypes.sizeof(func) != 16 or fields[:1] != ["store_id"] or offsets != [0, 8]:
        return f"wasmtime_func_t layout changed: {fields} at {offsets}, {ctypes.sizeof(func)} bytes"
    needs = {
        wasmtime.Func: ("_from_raw",),
        wasmtime.Trap: ("_from_ptr",),
        wasmtime.WasmtimeError: ("_from_ptr",),
        wasmtime.FuncType: ("ptr",),
        wasmtime.Store: ("_context",),
    }
    for cls, attrs in needs.items():
        for attr in attrs:
            if not hasattr(cls, attr):
                return f"wasmtime.{cls.__name__}.{attr} is missing"
    if "_Store__context" not in wasmtime.Store.__init__.__code__.co_names:
        return "wasmtime.Store no longer keeps its context in Store.__context"
    return ""


def _bind(ffi: Any) -> str:
    from ..capi import CDLL, PATH, PYDLL

    path, pydll, cdll = PATH, PYDLL, CDLL
    for name in _SYMBOLS:
        mine = getattr(pydll, name, None)
        theirs = getattr(ffi.dll, name, None)
        if mine is None or theirs is None:
            return f"symbol {name} not exported by {path}"
        if ctypes.cast(mine, c_void_p).value != ctypes.cast(theirs, c_void_p).value:
            return f"{path} opened twice as different libraries ({name} differs)"
    lib.call_unchecked = _proto(_call_entry(pydll, ctypes.PYFUNCTYPE), c_size_t)
    lib.call_unchecked_nogil = _proto(_call_entry(cdll, ctypes.CFUNCTYPE), c_size_t)
    lib.func_new_unchecked = _proto(pydll.wasmtime_func_new_unchecked, None)
    lib.trap_new = _proto(pydll.wasmtime_trap_new, c_size_t, [c_void_p, c_size_t])
    lib.trap_delete = _proto(pydll.wasm_trap_delete, None, [c_size_t])
    lib.error_delete = _proto(pydll.wasmtime_error_delete, None, [c_size_t])
    return ""


def _call_entry(dll: Any, prototype: Any) -> Any:
    """wasmtime_func_call_unchecked, through the extension's wrapper that tells the SIGINT
    handler when the main thread runs wasm (interrupt.py), where it is built."""
    from ..interrupt import tracked_call

    address = tracked_call("wasmtime_func_call_unchecked")
    if address is None:
        return dll.wasmtime_func_call_unchecked
    return prototype(c_size_t)(address)


def _proto(fn: Any, restype: Any, argtypes: Any = None) -> Any:
    # argtypes None on the hot calls: callers pass pre-built ctypes objects, which
    # skips per-argument conversion (measured ~100 ns cheaper per call).
    fn.restype = restype
    fn.argtypes = argtypes
    return fn


def _check() -> str:
    if os.environ.get("WASMPORT_NO_FAST", "") not in ("", "0"):
        return "disabled by the WASMPORT_NO_FAST environment variable"
    reason = _check_platform()
    if reason:
        return reason
    try:
        import wasmtime
        from wasmtime import _ffi as ffi
    except Exception as exc:
        return f"cannot import wasmtime: {exc}"
    return _check_wasmtime(wasmtime, ffi) or _bind(ffi)


REASON: str = _check()
AVAILABLE: bool = not REASON


def require() -> None:
    """RuntimeError unless the fast path is usable; make_* call this first."""
    if not AVAILABLE:
        raise RuntimeError(f"wasmport fast call layer unavailable: {REASON}")
