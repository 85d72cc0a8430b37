"""Which layer serves the fast paths: the C extension where it was built and matches the
engine (fast/_native.py), else the ctypes layer (fast/); the checked path (wasmtime-py's own
calls) when both are off.

    WASMPORT_NO_NATIVE=1   the ctypes layer            (the native one is not used)
    WASMPORT_NO_FAST=1     the checked path everywhere (neither is used)

Both fast layers keep the same contracts, word for word (fast/__init__.py's docstring);
tests/native runs the same cases on both.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import wasmtime

from . import fast
from .fast import _native, _native_exports

NATIVE = fast.ENABLED and _native.AVAILABLE
ENABLED = fast.ENABLED
#: The value types the native layer carries (numbers and v128; references take the ctypes one).
NATIVE_VALUES = frozenset(_native.KINDS)

_layer: Any = _native if NATIVE else fast


def make_caller(store: wasmtime.Store, func: wasmtime.Func, params: tuple[str, ...],
                results: tuple[str, ...], **options: Any) -> Callable[..., Any]:
    """The layer's caller of ``func`` (fast/__init__.py documents the options)."""
    made: Callable[..., Any] = _layer.make_caller(store, func, params, results, **options)
    return made


def make_host_func(store: wasmtime.Store, params: tuple[str, ...], results: tuple[str, ...],
                   fn: Callable[..., Any], on_error: Callable[[BaseException], Any],
                   **options: Any) -> wasmtime.Func:
    """The layer's host function calling ``fn``; the native layer takes more options (the
    direct shape's lifts, memory window and fallback)."""
    made: wasmtime.Func = _layer.make_host_func(store, params, results, fn, on_error, **options)
    return made


def new_lock() -> Any:
    """The re-entrant lock callers take to enter a store (a native one costs ~5 ns)."""
    return _native.new_lock() if NATIVE else threading.RLock()


def export_func(store: wasmtime.Store, instance: wasmtime.Instance,
                name: str) -> tuple[wasmtime.Func, tuple[str, ...], tuple[str, ...]] | None:
    """A function export and its signature in one engine pass (native only, else None)."""
    return _native_exports.export_func(store, instance, name) if NATIVE else None


def _found_nothing(address: int, name: str) -> None:
    return None


def export_finder(instance: wasmtime.Instance) -> Callable[[int, str], Any]:
    """``find(address, name)``: ``instance``'s function export ``name`` as the engine's
    bytes and its signature, ``(func, params, results)``, in one C call (``address`` is
    the store's context address); None when there is no such function export, and
    always without the native layer."""
    return _native_exports.export_finder(instance) if NATIVE else _found_nothing


def func_from_raw(raw: bytes) -> wasmtime.Func:
    """The wasmtime.Func of the bytes an export finder gives."""
    return _native_exports.func_from_raw(raw)


def caller_maker(store: wasmtime.Store, params: tuple[str, ...], results: tuple[str, ...],
                 **options: Any) -> Callable[[bytes, str, str, Any], Callable[..., Any]] | None:
    """One signature's maker of native callers (fast/_native.py); None without the native
    layer."""
    return _native_exports.caller_maker(store, params, results, **options) if NATIVE else None


def is_native_caller(value: Any) -> bool:
    """Whether ``value`` is the native layer's caller: its ``__dask_tokenize__`` is set to
    ``token(caller)``, the callable giving the token."""
    return NATIVE and _native_exports.is_caller(value)


def layer() -> str:
    """The name of the layer in use: "native", "ctypes" or "checked"."""
    return "native" if NATIVE else "ctypes" if ENABLED else "checked"


def reasons() -> dict[str, str]:
    """Why a layer is off ("" when it is on), for wasmport.__debug_info__()."""
    return {"native": "" if NATIVE else _native.REASON or fast.REASON, "ctypes": fast.REASON}


def enable_vectorcall(cls: type) -> None:
    """Let a functools.partial subclass keep vectorcall on 3.10/3.11 (native only)."""
    if NATIVE:
        _native.enable_vectorcall(cls)


def enable_module_getattr(cls: type) -> bool:
    """Send the misses of a ModuleType subclass's generic attribute look-up to its
    ``_wasm_missing(module, name)``, without an exception per miss (native only);
    whether that is so."""
    return NATIVE and _native_exports.enable_module_getattr(cls)


def new_window(fail: Any) -> Any:
    """An unbound native memory window (None without the native layer)."""
    return _native.new_window(fail) if NATIVE else None


def bind_window(window: Any, store: wasmtime.Store, memory: wasmtime.Memory,
                closed: Any = None) -> None:
    """Point a native window at ``memory``; ``closed()`` raises once the store is closed."""
    _native.bind_window(window, store, memory, closed)
