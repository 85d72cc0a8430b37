"""The native call layer: the ctypes layer's shapes over the C extension ``wasmport._engine._ext``.

The same contracts as ``wasmport._engine.fast`` (its docstring: raise_trap(trap, error),
on_error(exc), HOST_EXCEPTION_MARKER, Relay), the same errors word for word, with
the hot paths in C.  Per-call state lives on the C stack, so a re-entrant call
(wasm -> Python -> the same export) needs nothing extra.

    make_caller(store, func, params, results, *, raise_trap=None, name=None,
                release_gil=False, closed=None, gate=None, lock=None, verified=False)
    make_host_func(store, params, results, fn, on_error, *, name=None,
                   pass_caller=False, check=None, lifts=None, memory=None, fallback=None)
    new_window(fail) / bind_window(window, store, memory, closed) -> a Window with
                   .read(offset, length), .write(offset, data), .size(), .bound
    new_lock()  -> a re-entrant lock (threading.RLock's interface) callers take in C
    export_func, export_raw, caller_maker, enable_module_getattr: first use (_native_exports.py)
    enable_vectorcall(cls)  -> 3.12's vectorcall inheritance for a partial subclass

``AVAILABLE`` is False (``REASON`` says why) when the extension was not built, the
ctypes layer it builds on is off, its declarations do not match the engine's
bindings, or ``WASMPORT_NO_NATIVE=1``; callers then use the ctypes layer.

Example:
    >>> import wasmtime
    >>> from wasmport._engine.fast import _native
    >>> store = wasmtime.Store()
    >>> module = wasmtime.Module(store.engine, '(module (func (export "add") '
    ...     '(param i32 i32) (result i32) local.get 0 local.get 1 i32.add))')
    >>> add = wasmtime.Instance(store, module, []).exports(store)["add"]
    >>> if _native.AVAILABLE:
    ...     assert _native.make_caller(store, add, ("i32", "i32"), ("i32",))(2, 3) == 5
"""

from __future__ import annotations

import ctypes
import functools
import os
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import wasmtime
from wasmtime import _bindings
from wasmtime import _ffi as ffi

from ..typemake import func_type
from . import _abi, _store
from ._caller import check_type
from ._host import trap_for
from ._native_abi import SYMBOLS, mismatch
from ._traps import HOST_EXCEPTION_MARKER, default_relay
from ._values import check_signature, describe, host_results, lower

RaiseTrap = Callable[[int, int], NoReturn]
KINDS = {"i32": 0, "i64": 1, "f32": 2, "f64": 3, "v128": 4}  # the extension's kind codes
LIFTS = {"value": 0, "bytes": 1, "string": 2}
_NEVER = [False]
_ext: Any = None


def _bind() -> str:
    global _ext
    try:
        from .. import _ext as ext
    except ImportError as exc:
        return (f"the C extension wasmport._engine._ext is not built ({exc}); reinstall wasmport "
                "where a C compiler and the Python headers are present")
    reason = mismatch(ext.ABI, ffi, _bindings)
    if reason:
        return f"the C extension's declarations do not match wasmtime {reason}"
    ext.init({n: ctypes.cast(getattr(ffi.dll, n), ctypes.c_void_p).value or 0 for n in SYMBOLS},
             HOST_EXCEPTION_MARKER.encode() + b" an exception")
    _ext = ext
    return ""


def _check() -> str:
    if os.environ.get("WASMPORT_NO_NATIVE", "") not in ("", "0"):
        return "disabled by the WASMPORT_NO_NATIVE environment variable"
    if not _abi.AVAILABLE:
        return f"the ctypes layer it builds on is off: {_abi.REASON}"
    return _bind()


REASON: str = _check()
AVAILABLE: bool = not REASON


def pre_instantiate() -> Callable[[int, int, int], Any] | None:
    """The extension's ``pre_instantiate(pre, context, out)`` (native/instance.c), or
    None off the native layer."""
    return _ext.pre_instantiate if AVAILABLE else None


def require() -> None:
    """RuntimeError unless the native layer is usable; make_* call this first."""
    if not AVAILABLE:
        raise RuntimeError(f"wasmport native call layer unavailable: {REASON}")


def _kinds(names: tuple[str, ...]) -> bytes:
    return bytes(KINDS[n] for n in names)


@functools.lru_cache(maxsize=4096)
def _signature(params: tuple[str, ...], results: tuple[str, ...]) -> tuple[bytes, bytes, str]:
    """One signature's kind codes and text, made once and shared by every export that has it."""
    params, results = check_signature(params, results)
    return _kinds(params), _kinds(results), describe(params, results)


# Per store: (its context pointer object, that pointer's address, the engine's store id).
_handles: weakref.WeakKeyDictionary[wasmtime.Store, tuple[Any, int, int]] = (
    weakref.WeakKeyDictionary())


def _handle(store: wasmtime.Store) -> tuple[Any, int, int]:
    found = _handles.get(store)
    # wasmtime-py sets Store.__context to None when the store is freed (_abi checks it)
    if found is None or found[0] is not store._Store__context:  # type: ignore[attr-defined]
        ctx_ref, ctx = _store.context_address(store)  # ValueError once closed
        found = _handles[store] = (ctx_ref, ctx, _store.store_id(store))
    return found


def make_caller(store: wasmtime.Store, func: wasmtime.Func, params: tuple[str, ...],
                results: tuple[str, ...], *, raise_trap: RaiseTrap | None = None,
                name: str | None = None, release_gil: bool = False,
                closed: Callable[[], NoReturn] | None = None,
                gate: list[bool] | None = None,
                lock: Any = None, verified: bool = False) -> Callable[..., Any]:
    """A callable calling `func` through the engine's unchecked entry point, from C.

    The arguments mean what they mean for ``wasmport._engine.fast.make_caller``: while
    ``gate[0]`` is true each call holds `lock`; ``closed()`` raises once the store is
    closed; `release_gil` drops the GIL for the engine call.  A gate needs a lock.
    Nothing is made per function but the caller itself: signatures and stores are
    looked up in caches (~1 µs per caller).

    Raises:
        ValueError: an unsupported value type, a type mismatch, `func` from another store,
            or a gate without a lock.
        TypeError: `store` or `func` of the wrong class.
    """
    require()
    if type(params) is not tuple or type(results) is not tuple:
        params, results = check_signature(params, results)  # lists; TypeError otherwise
    try:
        kinds_in, kinds_out, text = _signature(params, results)
    except TypeError:  # an unhashable item: let the plain check name it
        check_signature(params, results)
        raise
    if not isinstance(store, wasmtime.Store):
        raise TypeError(f"make_caller(): expected a wasmtime.Store, not {type(store).__name__}")
    if not isinstance(func, wasmtime.Func):
        raise TypeError(f"make_caller(): expected a wasmtime.Func, not {type(func).__name__}")
    if gate is not None and lock is None:
        raise ValueError("make_caller(): a gate needs the lock it opens")
    label = name or "wasm function"
    ctx_ref, ctx, store_id = _handle(store)
    raw = func._func
    if raw.store_id != store_id:
        raise ValueError(f"{label}: the function belongs to another store")
    if not verified:
        check_type(store, func, params, results, label)
    made: Callable[..., Any] = _ext.new_caller(
        store, ctx_ref, ctx, kinds_in, kinds_out, text, raise_trap or default_relay.raise_trap,
        lower, closed, gate or _NEVER, lock, release_gil, raw, label)
    return made


def make_host_func(store: wasmtime.Store, params: tuple[str, ...], results: tuple[str, ...],
                   fn: Callable[..., Any], on_error: Callable[[BaseException], None], *,
                   name: str | None = None, pass_caller: bool = False,
                   check: Callable[[Any], Sequence[Any]] | None = None,
                   lifts: Sequence[tuple[str, int]] | None = None, memory: Any = None,
                   fallback: Callable[..., Any] | None = None) -> wasmtime.Func:
    """A wasmtime.Func whose calls from wasm run `fn` through a C trampoline.

    As ``wasmport._engine.fast.make_host_func`` (`pass_caller`, a `check` returning the tuple
    of values to store), plus the *lifted* shape: with `lifts`, one ``(kind, slot)``
    per argument of `fn` (kind ``"value"``: that raw slot; ``"bytes"`` / ``"string"``:
    the (ptr, len) pair starting there, copied out of the `memory` Window), `fn` gets
    the lifted values.  While the window is unbound, or when a lift fails (out of
    bounds, invalid UTF-8), ``fallback(caller, *raw)`` runs instead; what it returns
    is checked as results.

    Raises:
        ValueError: an unsupported value type or a bad lift.
        TypeError: `fn`, `on_error` or `fallback` not callable, `memory` not a Window.
    """
    require()
    params, results = check_signature(params, results)
    if not callable(fn) or not callable(on_error):
        raise TypeError("make_host_func(): fn and on_error must be callable")
    where = f"host function {name or getattr(fn, '__qualname__', None) or repr(fn)}"

    def validate(value: Any) -> tuple[Any, ...]:
        return host_results(value, results, where)

    def failed(exc: BaseException) -> int:
        return trap_for(exc, on_error)

    spec = None if lifts is None else _lift_spec(lifts)
    ty = func_type(params, results)  # fresh: a FuncType used with another engine aborts
    _, ctx = _store.context_address(store)
    out = ffi.wasmtime_func_t()
    _ext.new_host_func(ctx, ctypes.cast(ty.ptr(), ctypes.c_void_p).value, out, fn, failed,
                       check or validate, validate, _kinds(params), _kinds(results), where,
                       describe(params, results), pass_caller, check is not None, spec,
                       memory, fallback)
    _store.remember(store, int(out.store_id))
    return wasmtime.Func._from_raw(out)


def _lift_spec(lifts: Sequence[tuple[str, int]]) -> tuple[tuple[int, int], ...]:
    for kind, _ in lifts:
        if kind not in LIFTS:
            raise ValueError(f"make_host_func(): lift kind {kind!r} is not one of "
                             f"{', '.join(LIFTS)}")
    return tuple((LIFTS[kind], slot) for kind, slot in lifts)


def new_window(fail: Callable[[int, int, int], BaseException]) -> Any:
    """An unbound Window; ``fail(offset, length, size)`` makes the error a bad access raises."""
    require()
    return _ext.Window(fail)


def bind_window(window: Any, store: wasmtime.Store, memory: wasmtime.Memory,
                closed: Callable[[], NoReturn] | None) -> None:
    """Point `window` at `memory` of `store`; ``closed()`` raises once the store is closed."""
    raw = ffi.wasmtime_memory_t.from_buffer_copy(memory._memory)
    if raw._anon_1.store_id != _store.store_id(store):
        raise ValueError("bind_window(): the memory belongs to another store")
    ctx_ref, ctx = _store.context_address(store)
    window.bind(store, ctx_ref, ctx, raw, closed)


def enable_vectorcall(cls: type) -> bool:
    """Give a heap subclass of a vectorcall type (wasmport's Function, a functools.partial
    subclass) the fast call protocol on Python 3.10/3.11, as 3.12 does by itself; unless
    it overrides ``__call__``.  Whether `cls` now takes vectorcall."""
    require()
    enabled: bool = _ext.enable_vectorcall(cls)
    return enabled


def new_lock() -> Any:
    """A re-entrant lock like ``threading.RLock`` that native callers take without method
    calls (~5 ns instead of ~70 ns); a ``threading.RLock`` when the layer is unavailable."""
    if not AVAILABLE:
        return threading.RLock()
    return _ext.RLock()


def live_host_funcs() -> int:
    """How many native host functions the engine still holds (for tests)."""
    require()
    count: int = _ext.live_host_funcs()
    return count
