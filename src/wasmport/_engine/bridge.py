"""What the C API cannot do to references, done by wasm itself: ``any.convert_extern`` and
``extern.convert_any``.

A Python object given where wasm takes an ``anyref`` enters as an externref made
internal (what ``any.convert_extern`` gives wasm code); an internal value given where wasm
takes an ``externref`` leaves as wasm's ``extern.convert_any`` of it, and an externref
that holds a wasm value comes back as that value.  Each store gets one small instance of
:data:`_WAT` on first need (one instance of its store's quota under ``Limits``).
"""

from __future__ import annotations

import ctypes
import threading
import weakref
from typing import Any

import wasmtime
from wasmtime import _ffi as ffi

from . import refs
from .raw import export_get
from .store import StoreContext
from .valcall import VAL, call

_WAT = """(module
  (func (export "internalize") (param externref) (result anyref)
    local.get 0 any.convert_extern)
  (func (export "externalize") (param anyref) (result externref)
    local.get 0 extern.convert_any))"""
_EXTERNREF, _ANYREF = 6, 7

_modules: dict[wasmtime.Engine, wasmtime.Module] = {}
_instances: weakref.WeakKeyDictionary[wasmtime.Store, tuple[Any, Any]] = (
    weakref.WeakKeyDictionary())
_lock = threading.Lock()


def _funcs(store: wasmtime.Store) -> tuple[Any, Any]:
    found = _instances.get(store)
    if found is None:
        with _lock:
            module = _modules.get(store.engine)
            if module is None:
                module = _modules[store.engine] = wasmtime.Module(store.engine, _WAT)
        instance = wasmtime.Instance(store, module, [])
        found = (export_get(store, instance, "internalize")._func,
                 export_get(store, instance, "externalize")._func)
        _instances[store] = found
    return found


def _convert(sc: StoreContext, which: int, arg: Any) -> Any:
    with sc.entry_lock:  # it runs wasm: one thread in the store, as for any call
        store, ctx = sc.store, sc.address
        return call(ctx, _funcs(store)[which], ctypes.addressof(arg), 1, 1,
                    release_gil=False)[0]


def internalize(sc: StoreContext, externref: Any) -> refs.Rooted | None:
    """``any.convert_extern`` of a ``wasmtime_externref_t`` (borrowed)."""
    arg = VAL(kind=_EXTERNREF)
    arg.of.externref = externref
    out = _convert(sc, 0, arg)
    return refs.owned("anyref", out.of.anyref)


def externalize(sc: StoreContext, anyref: refs.Rooted) -> Any:
    """``extern.convert_any`` of a root: a new ``wasmtime_externref_t`` the caller owns."""
    arg = VAL(kind=_ANYREF)
    arg.of.anyref = anyref.ref
    out = _convert(sc, 1, arg)
    return ffi.wasmtime_externref_t.from_buffer_copy(out.of.externref)
