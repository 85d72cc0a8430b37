"""Calls through the engine's checked entry point, ``wasmtime_func_call``, with
``wasmtime_val_t`` arrays: the engine checks every argument's type and catches its own
panics, so this is the path for values the fast path does not carry (and for everything
when it is off).  Values are converted by vals.py.
"""

from __future__ import annotations

import ctypes
from ctypes import POINTER, c_size_t
from typing import Any

from wasmtime import _ffi as ffi

from .capi import CDLL, PYDLL
from .fast._traps import take
from .interrupt import tracked_call

VAL = ffi.wasmtime_val_t


def _proto(dll: Any, prototype: Any) -> Any:
    address = tracked_call("wasmtime_func_call")  # tells the SIGINT handler (interrupt.py)
    # our own function object either way
    func = dll["wasmtime_func_call"] if address is None else prototype(c_size_t)(address)
    func.restype = c_size_t
    func.argtypes = [c_size_t, POINTER(ffi.wasmtime_func_t), c_size_t, c_size_t, c_size_t,
                     c_size_t, POINTER(c_size_t)]
    return func


_call_gil, _call_nogil = _proto(PYDLL, ctypes.PYFUNCTYPE), _proto(CDLL, ctypes.CFUNCTYPE)


def call(ctx: int, func: Any, args: Any, nargs: int, nresults: int,
         release_gil: bool = True) -> Any:
    """Call the ``wasmtime_func_t`` ``func`` with ``nargs`` vals at ``args`` (borrowed:
    the caller still owns them); return an array of ``nresults`` owned vals.

    A failure raises the engine's ``wasmtime.Trap`` or ``wasmtime.WasmtimeError``
    (fast._traps.take owns the pointer).  ``release_gil`` lets other threads run (and
    host functions of other threads re-enter); callers hold the store's entry lock.
    """
    results = (VAL * max(nresults, 1))()
    trap = c_size_t(0)
    fn = _call_nogil if release_gil else _call_gil
    error = fn(ctx, ctypes.byref(func), args, nargs, ctypes.addressof(results), nresults,
               ctypes.byref(trap))
    if error or trap.value:
        raise take(trap.value, error)
    return results
