"""Ctrl-C and timeouts for running wasm, through the engine's epochs (native/interrupt.c).

Every engine is built with epoch interruption and every store gets the C extension's
epoch-deadline callback, deadline one epoch ahead.  A SIGINT bumps the epoch of every
engine; at its next epoch check, wasm running on the main thread calls the callback,
which runs Python's own SIGINT handler there: when the handler raises (the default one
raises KeyboardInterrupt), wasm unwinds with an error carrying ``INTERRUPT_MARKER``
and the caller raises that very exception (``raise_if_interrupted``).  A timed call
(Limits(timeout=...)) arms the store's timer; the epoch ticker makes the callback look
at the clock every TICK, and past the deadline it returns ``TIMEOUT_MARKER``.

Without the C extension, or with ``WASMPORT_NO_INTERRUPT=1`` (``AVAILABLE`` False),
engines get epoch interruption only for timeouts, which then trap at an epoch deadline,
and SIGINT reaches wasm only when it calls a Python host function.  docs/design.md,
"Ctrl-C", has the reasons.
"""

from __future__ import annotations

import ctypes
import os
import threading
from typing import Any

import wasmtime
from wasmtime import _ffi as ffi

INTERRUPT_MARKER = "wasmport: interrupted by a signal handler"
TIMEOUT_MARKER = "wasmport: the call ran out of time"

_SYMBOLS = ("wasmtime_engine_increment_epoch", "wasmtime_store_epoch_deadline_callback",
            "wasmtime_error_new", "wasmtime_func_call_unchecked", "wasmtime_func_call")


def _load() -> tuple[Any, tuple[int, int] | None]:
    try:
        from . import _ext
    except ImportError:
        return None, None
    try:
        addresses = {n: ctypes.cast(getattr(ffi.dll, n), ctypes.c_void_p).value or 0
                     for n in _SYMBOLS}
        tracked = _ext.interrupts_init(addresses, INTERRUPT_MARKER.encode(),
                                       TIMEOUT_MARKER.encode())
    except (AttributeError, NotImplementedError):  # an older build; no POSIX signals
        return None, None
    return _ext, tracked


_ext, _tracked = _load()
#: Whether Ctrl-C and timeouts go through the epoch callback.  ``WASMPORT_NO_INTERRUPT=1``
#: turns it off for compute-bound code: epoch checks cost ~0.7 ns per loop iteration
#: (docs/design.md, "Ctrl-C"); engines then check epochs only for timeouts.
AVAILABLE = _ext is not None and os.environ.get("WASMPORT_NO_INTERRUPT", "") in ("", "0")


def extension() -> Any:
    """The C extension module (None where it is not built)."""
    return _ext


def tracked_call(name: str) -> int | None:
    """The address of a wrapper of ``wasmtime_func_call_unchecked`` or ``wasmtime_func_call``
    (same signature) that tells the SIGINT handler the main thread runs wasm; None
    without the extension."""
    if _tracked is None:
        return None
    return _tracked[("wasmtime_func_call_unchecked", "wasmtime_func_call").index(name)]


def add_engine(engine: wasmtime.Engine) -> None:
    """Bump this engine's epoch on SIGINT."""
    if AVAILABLE:
        _ext.interrupts_add_engine(ctypes.addressof(engine.ptr().contents))


def install() -> None:
    """Put the SIGINT handler in front of Python's again, if Python's is there and ours
    is not (``signal.signal()`` replaces it): on the main thread, when a store is made
    and before each instantiation.  Never in front of SIG_IGN or SIG_DFL."""
    if AVAILABLE and threading.get_ident() == _main[0]:
        try:
            _ext.interrupts_install(_main[0])
        except OSError:  # no pipe or thread for the watchdog: Ctrl-C as before
            pass


def _note_main() -> None:
    _main[0] = threading.main_thread().ident
    if AVAILABLE and _main[0] is not None:  # for the native instantiation (native/instance.c)
        _ext.interrupts_main(_main[0])


# The main thread's ident, read once (an instantiation asks): a fork from another thread
# makes that thread the child's main thread.
_main: list[int | None] = [None]
_note_main()
os.register_at_fork(after_in_child=_note_main)


def watch(store: wasmtime.Store) -> int | None:
    """Give ``store`` the epoch callback (and install the SIGINT handler, from the main
    thread); the address of its timer, or None without the extension."""
    if not AVAILABLE:
        return None
    install()
    timer: int = _ext.interrupts_watch(ctypes.addressof(store.ptr().contents))
    store.set_epoch_deadline(1)
    return timer


def arm(timer: int, seconds: float) -> None:
    """The store's deadline ``seconds`` from now (0: none)."""
    _ext.interrupts_arm(timer, float(seconds))


def interrupted_by(err: BaseException) -> BaseException | None:
    """The exception a signal handler raised inside wasm, when ``err`` is the failure
    that unwound wasm for it (taken: it is returned once)."""
    if _ext is None or not isinstance(err, wasmtime.WasmtimeError):
        return None
    if INTERRUPT_MARKER not in str(err):
        return None
    exc: BaseException | None = _ext.interrupts_take()
    return exc


def raise_if_interrupted(err: BaseException) -> None:
    """Raise ``interrupted_by(err)``, if any."""
    exc = interrupted_by(err)
    if exc is not None:
        raise exc


def is_timeout(err: BaseException) -> bool:
    """Whether ``err`` is the failure of a timed call past its deadline."""
    return isinstance(err, wasmtime.WasmtimeError) and TIMEOUT_MARKER in str(err)
