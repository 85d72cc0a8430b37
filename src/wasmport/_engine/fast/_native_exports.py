"""First use of exports on the native layer: look-ups, per-signature caller makers, and
module attributes without an exception per miss (the extension as _native.py binds it).

    export_func(store, instance, name) -> (func, params, results): first use in one call
    export_raw(ctx, instance, name) -> (func bytes, params, results): the same, no wasmtime.Func
    export_finder(instance) -> find(ctx, name): export_raw of one instance, straight into C
    caller_maker(store, params, results, ...) -> make(func bytes, name, where, token): one per
                   signature
    enable_module_getattr(cls) -> misses of a ModuleType subclass go to cls._wasm_missing
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NoReturn

import wasmtime
from wasmtime import _ffi as ffi

from . import _native
from ._values import lower

# wasm_valkind_t -> the names wasmport uses (as _valtypes does).
_KIND_NAMES = {ffi.WASM_I32.value: "i32", ffi.WASM_I64.value: "i64", ffi.WASM_F32.value: "f32",
               ffi.WASM_F64.value: "f64", ffi.WASM_ANYREF.value: "externref",
               ffi.WASM_FUNCREF.value: "funcref"}


def export_func(store: wasmtime.Store, instance: wasmtime.Instance,
                name: str) -> tuple[wasmtime.Func, tuple[str, ...], tuple[str, ...]] | None:
    """The function `instance` exports as `name` with its signature, in one engine pass;
    None when there is no such export or it is not a function."""
    _native.require()
    _, ctx, _ = _native._handle(store)
    found = export_raw(ctx, instance, name)
    if found is None:
        return None
    raw, params, results = found
    return wasmtime.Func._from_raw(ffi.wasmtime_func_t.from_buffer_copy(raw)), params, results


def export_raw(ctx: int, instance: wasmtime.Instance,
               name: str) -> tuple[bytes, tuple[str, ...], tuple[str, ...]] | None:
    """As export_func, for the store whose context address is `ctx`, the function as the
    16 bytes of its wasmtime_func_t (what a caller_maker's callers take)."""
    found: tuple[bytes, tuple[str, ...], tuple[str, ...]] | None = export_finder(instance)(ctx,
                                                                                        name)
    return found


def export_finder(instance: wasmtime.Instance) -> Callable[[int, str], Any]:
    """``find(ctx, name)``: export_raw for `instance`, in one C call (no Python frame)."""
    return functools.partial(_native._ext.export_func, _KIND_NAMES, instance._instance)


def func_from_raw(raw: bytes) -> wasmtime.Func:
    """The wasmtime.Func of the 16 bytes export_raw gives."""
    return wasmtime.Func._from_raw(ffi.wasmtime_func_t.from_buffer_copy(raw))


def caller_maker(store: wasmtime.Store, params: tuple[str, ...], results: tuple[str, ...], *,
                 raise_trap: Callable[[int, int, str], NoReturn],
                 closed: Callable[[str], NoReturn], gate: list[bool], lock: Any,
                 release_gil: bool) -> Callable[[bytes, str, str, Any], Callable[..., Any]]:
    """What every function of one signature in `store` shares, checked once:
    ``make(func, name, where, token)`` is a caller of `func` (the 16 bytes export_raw
    gives, of a function of that type in `store`).  ``raise_trap(trap, error, where)`` and
    ``closed(where)`` get the `where` of the caller that failed, so one pair serves a realm;
    the caller's ``__dask_tokenize__`` is ``token(caller)``.

    Raises:
        ValueError: an unsupported value type, or a gate without a lock.
    """
    _native.require()
    kinds_in, kinds_out, text = _native._signature(params, results)
    if lock is None:
        raise ValueError("caller_maker(): a gate needs the lock it opens")
    ctx_ref, ctx, _ = _native._handle(store)
    made: Callable[[bytes, str, str, Any], Callable[..., Any]] = functools.partial(
        _native._ext.new_caller, store, ctx_ref, ctx, kinds_in, kinds_out, text, raise_trap,
        lower, closed, gate, lock, release_gil)
    return made


def is_caller(value: Any) -> bool:
    """Whether `value` is a native caller (its ``__dask_tokenize__`` is set as a hook)."""
    return _native.AVAILABLE and type(value) is _native._ext.Caller


def enable_module_getattr(cls: type) -> bool:
    """Send a miss of a ModuleType subclass's generic attribute look-up to
    ``cls._wasm_missing(module, name)``, without raising (and clearing) an AttributeError
    first; its NotImplemented goes on to ModuleType's own look-up (a module
    ``__getattr__``, the messages).  Whether `cls` was changed (False for a class whose
    look-up is not ModuleType's)."""
    _native.require()
    changed: bool = _native._ext.enable_module_getattr(cls)
    return changed
