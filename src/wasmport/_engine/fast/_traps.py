"""Traps and host exceptions across the raw boundary.

Two pointers can come back from ``wasmtime_func_call_unchecked``, and exactly one
is non-NULL when a call fails:

    trap   wasm_trap_t*       the wasm code trapped (unreachable, div by zero, ...);
                              has a trap code
    error  wasmtime_error_t*  anything else that is not a ``wasmtime::Trap``:
                              notably a trap a *host function* returned, and WASI exit

Whoever receives the integer addresses owns them and must free them exactly once.
``take`` hands ownership to a wasmtime-py object (``wasmtime.Trap`` or
``wasmtime.WasmtimeError``, built by wasmtime-py's own ``_from_ptr``, so messages,
frames, trap codes and ``ExitTrap`` work as usual); the object frees the pointer
when it is collected.

A host exception travels like this (per thread, so two threads never mix):

    Python caller ── make_caller wrapper ──> wasm ──> host callback ──> fn raises E
                                                          │ on_error(E): Relay parks E
                                                          │ returns a trap "wasmport: host
                                                          v   function raised ..."
    Python caller <── raise_trap(0, error) <── error ── wasm unwinds
         Relay: the error is a host-exception trap and E is parked -> ``raise E``

A parked exception is only re-raised for a host-exception trap; any other trap
discards it, so an exception parked on a path that never reached a Relay (a call
through wasmtime-py's own ``Func.__call__``) cannot resurface later.
"""

from __future__ import annotations

import ctypes
import threading
from typing import NoReturn

import wasmtime
from wasmtime import _ffi as ffi

from ..interrupt import raise_if_interrupted

HOST_EXCEPTION_MARKER = "wasmport: host function raised"

Failure = wasmtime.Trap | wasmtime.WasmtimeError


def take_trap(trap: int) -> wasmtime.Trap:
    """Own a raw ``wasm_trap_t*``: the returned Trap frees it."""
    return wasmtime.Trap._from_ptr(ctypes.cast(trap, ctypes.POINTER(ffi.wasm_trap_t)))


def take_error(error: int) -> wasmtime.WasmtimeError:
    """Own a raw ``wasmtime_error_t*``: the returned error (maybe an ExitTrap) frees it."""
    ptr = ctypes.cast(error, ctypes.POINTER(ffi.wasmtime_error_t))
    return wasmtime.WasmtimeError._from_ptr(ptr)


def take(trap: int, error: int) -> Failure:
    """Own whichever pointer is set; the error wins if (against the docs) both are."""
    if error:
        if trap:
            take_trap(trap)  # collected immediately: frees it
        return take_error(error)
    if not trap:
        raise ValueError("take(): both the trap and the error pointer are NULL")
    return take_trap(trap)


def is_host_exception(failure: BaseException) -> bool:
    """True for the trap a fast host function returns after its Python code raised."""
    if isinstance(failure, wasmtime.Trap) and failure.trap_code is not None:
        return False
    if not isinstance(failure, (wasmtime.Trap, wasmtime.WasmtimeError)):
        return False
    return HOST_EXCEPTION_MARKER in str(failure)


class Relay:
    """Parks host exceptions per thread and re-raises them at the Python caller.

    Pass ``relay.on_error`` to ``make_host_func`` and ``relay.raise_trap`` to
    ``make_caller``; one Relay may serve every store and thread.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def on_error(self, exc: BaseException) -> None:
        """Park the exception a host function raised (the newest one wins)."""
        self._local.exc = exc

    def pop(self) -> BaseException | None:
        """The parked exception of this thread, if any, unparked."""
        exc: BaseException | None = getattr(self._local, "exc", None)
        self._local.exc = None
        return exc

    def raise_trap(self, trap: int, error: int) -> NoReturn:
        """Raise the parked host exception itself, else the engine's Trap/WasmtimeError."""
        failure = take(trap, error)
        raise_if_interrupted(failure)  # Ctrl-C inside wasm: the handler's own exception
        exc = self.pop()
        if exc is not None and is_host_exception(failure):
            raise exc
        theirs = _wasmtime_py_exception(failure)
        if theirs is not None:
            raise theirs
        raise failure


def _wasmtime_py_exception(failure: Failure) -> BaseException | None:
    """The exception a wasmtime-py ``Func`` callback parked, when its trap reached us.

    wasmtime-py parks it in ``wasmtime._func.LAST_EXCEPTION`` (one global, not per
    thread) and traps with "python exception"; only its own ``Func.__call__`` would
    otherwise re-raise it, so without this it would surface at an unrelated call.
    """
    if isinstance(failure, wasmtime.Trap) or "python exception" not in str(failure):
        return None
    from wasmtime import _func

    exc: BaseException | None = getattr(_func, "LAST_EXCEPTION", None)
    _func.LAST_EXCEPTION = None
    return exc


default_relay = Relay()
