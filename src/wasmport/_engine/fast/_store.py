"""What the raw calls need to know about a wasmtime.Store.

The unchecked C entry points do not catch Rust panics, and a function used with a
store it does not belong to panics, which aborts the whole process.  So before any
raw call we compare ``func._func.store_id`` with the store's id.  wasmtime-py does
not expose that id; we learn it once per store from a probe: an empty host
function created in the store (one tiny entry that lives as long as the store).
"""

from __future__ import annotations

import ctypes
import weakref
from ctypes import c_void_p
from typing import Any

import wasmtime
from wasmtime import _ffi as ffi

from ..capi import context_pointer
from ._abi import CALLBACK, lib

_ids: weakref.WeakKeyDictionary[wasmtime.Store, int] = weakref.WeakKeyDictionary()


def _noop(env: int, caller: int, slots: int, nslots: int) -> int:
    return 0  # never called: the probe is never exported or linked


_probe_body = CALLBACK(_noop)


def context_address(store: wasmtime.Store) -> tuple[Any, int]:
    """The store's context pointer object (identity-checked per call) and its address."""
    ctx = context_pointer(store)  # ValueError('already closed') when closed
    address = ctypes.cast(ctx, c_void_p).value
    if not address:
        raise ValueError("store has a NULL context")
    return ctx, address


def remember(store: wasmtime.Store, store_id: int) -> None:
    _ids[store] = store_id


def store_id(store: wasmtime.Store) -> int:
    """The engine's id for `store`, as found in every wasmtime_func_t of the store."""
    known = _ids.get(store)
    if known is not None:
        return known
    _, ctx = context_address(store)
    ty = wasmtime.FuncType([], [])
    out = ffi.wasmtime_func_t()
    lib.func_new_unchecked(c_void_p(ctx), c_void_p(ctypes.cast(ty.ptr(), c_void_p).value),
                           _probe_body, None, None, ctypes.byref(out))
    _ids[store] = out.store_id
    return int(out.store_id)
