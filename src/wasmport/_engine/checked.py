"""The checked path, for every value kind: calls through ``wasmtime_func_call`` and host
functions through ``wasmtime_func_new``, with ``wasmtime_val_t`` arrays (vals.py).

It replaces wasmtime-py's ``Func.__call__`` and ``Func(store, ty, fn)``, which carry
neither v128 nor GC references, quiet signalling f32 NaNs, and lose an externref that
holds a wasm value.  The engine type-checks every argument and result here.

A host function's Python code receives and returns the engine layer's forms
(vals.py); when it raises, ``on_error(exc)`` decides what wasm sees: a trap address it
returns (a thrown wasm exception, say), or None for the usual host-exception trap whose
message carries ``HOST_EXCEPTION_MARKER`` (the exception itself is parked by
``on_error`` for the Python caller).
"""

from __future__ import annotations

import ctypes
import itertools
from collections.abc import Callable, Sequence
from ctypes import CFUNCTYPE, POINTER, c_size_t
from typing import Any

import wasmtime
from wasmtime import _ffi as ffi

from . import valcall, vals
from .fast._traps import HOST_EXCEPTION_MARKER
from .refs import proto
from .store import StoreContext
from .typenames import slot

VAL = ffi.wasmtime_val_t

# (env, caller, args, nargs, results, nresults) -> wasm_trap_t*
CALLBACK = CFUNCTYPE(c_size_t, c_size_t, c_size_t, c_size_t, c_size_t, c_size_t, c_size_t)
FINALIZER = CFUNCTYPE(None, c_size_t)
_func_new = proto("wasmtime_func_new", None, c_size_t, c_size_t, CALLBACK, c_size_t, FINALIZER,
                  POINTER(ffi.wasmtime_func_t))
_trap_new = proto("wasmtime_trap_new", c_size_t, ctypes.c_char_p, c_size_t)


def call(sc: StoreContext, func: wasmtime.Func, params: Sequence[str], args: Sequence[Any],
         nresults: int, release_gil: bool = True, where: str = "call") -> list[Any]:
    """Call ``func`` with ``args`` (engine forms, already checked against ``params``);
    its results as engine forms.  The engine's Trap/WasmtimeError comes out as it is,
    but for an argument whose concrete type does not match: a TypeError."""
    count = len(args)
    array = (VAL * max(count, 1))()
    temps: list[Any] = []
    try:
        for i, (text, value) in enumerate(zip(params, args, strict=True)):
            vals.lower(sc, slot(text), value, array[i], temps)
        out = valcall.call(sc.address, func._func, ctypes.addressof(array), count, nresults,
                           release_gil)
    except wasmtime.WasmtimeError as err:
        lines = [line.strip() for line in str(err).splitlines() if line.strip()]
        if isinstance(err, wasmtime.Trap) or not lines or lines[0] != "argument type mismatch":
            raise
        raise TypeError(f"{where}: an argument's type does not match: {lines[-1]}") from None
    finally:
        vals.release(temps)
    return [vals.lift(sc, out[i], owned=True) for i in range(nresults)]


_registry: dict[int, Any] = {}
_keys = itertools.count(1)


def _forget(env: int) -> None:
    try:
        _registry.pop(env, None)
    except BaseException:  # noqa: S110 - interpreter teardown: nothing left to tell
        pass


_finalize = FINALIZER(_forget)
ctypes.pythonapi.Py_IncRef(ctypes.py_object(_finalize))  # the engine may call it at exit
_FALLBACK = HOST_EXCEPTION_MARKER.encode() + b" an exception"


def host_func(sc: StoreContext, functype: wasmtime.FuncType, params: Sequence[str],
              results: Sequence[str], fn: Callable[..., Any],
              on_error: Callable[[BaseException], int | None], *,
              pass_caller: bool = False) -> wasmtime.Func:
    """A function of ``functype`` (whose value types are ``params``/``results``) calling
    ``fn(*values)`` (``fn(caller, *values)`` with ``pass_caller``: the raw
    ``wasmtime_caller_t*``), which returns None, one value or a tuple."""
    body = _callback(sc, tuple(params), tuple(results), fn, on_error, pass_caller)
    callback = CALLBACK(body)
    key = next(_keys)
    _registry[key] = callback
    out = ffi.wasmtime_func_t()
    address = ctypes.cast(functype.ptr(), ctypes.c_void_p).value or 0
    _func_new(sc.address, address, callback, key, _finalize, ctypes.byref(out))
    return wasmtime.Func._from_raw(out)


def _callback(sc: StoreContext, params: tuple[str, ...], results: tuple[str, ...],
              fn: Callable[..., Any], on_error: Callable[[BaseException], int | None],
              pass_caller: bool) -> Callable[..., int]:
    result_slots = tuple(slot(t) for t in results)

    def callback(env: int, caller: int, args: int, nargs: int, out: int, nout: int) -> int:
        try:
            given = (VAL * max(nargs, 1)).from_address(args) if nargs else ()
            values = [vals.lift(sc, given[i], owned=False) for i in range(nargs)]
            got = fn(caller, *values) if pass_caller else fn(*values)
            _store_results(sc, result_slots, got, (VAL * max(nout, 1)).from_address(out))
            return 0
        except BaseException as exc:
            return _trap_for(exc, on_error)

    return callback


def _store_results(sc: StoreContext, result_slots: tuple[Any, ...], got: Any, out: Any) -> None:
    values = () if not result_slots else (got,) if len(result_slots) == 1 else tuple(got)
    for i, (s, value) in enumerate(zip(result_slots, values, strict=True)):
        vals.lower(sc, s, value, out[i], [], give=True)


def _trap_for(exc: BaseException, on_error: Callable[[BaseException], int | None]) -> int:
    try:
        trap = on_error(exc)
        if trap:
            return trap
        message = f"{HOST_EXCEPTION_MARKER} {type(exc).__qualname__}".encode()
        return int(_trap_new(message, len(message)))
    except BaseException:
        return int(_trap_new(_FALLBACK, len(_FALLBACK)))
