"""Engine look-ups that wasmtime-py only offers in a slow form.

``Instance.exports(store)`` walks ``wasmtime_instance_export_nth``, which is linear per
call, so n exports cost O(n^2) (0.6 s for 4,000).  Looking each export up by name
with ``wasmtime_instance_export_get`` is linear overall.
"""

from __future__ import annotations

import ctypes
from typing import Any

import wasmtime
from wasmtime import _ffi as ffi

from .._capi import instance_export_get as _export_get

_FUNC, _TABLE, _MEMORY, _GLOBAL = (ffi.WASMTIME_EXTERN_FUNC.value, ffi.WASMTIME_EXTERN_TABLE.value,
                                   ffi.WASMTIME_EXTERN_MEMORY.value,
                                   ffi.WASMTIME_EXTERN_GLOBAL.value)
_TAG = ffi.WASMTIME_EXTERN_TAG.value


def export_get(store: wasmtime.Store, instance: wasmtime.Instance, name: str) -> Any:
    """The extern ``instance`` exports as ``name``, or None when there is none."""
    encoded = name.encode("utf-8", "surrogateescape")
    item = ffi.wasmtime_extern_t()
    if not _export_get(store._context(), ctypes.byref(instance._instance), encoded, len(encoded),
                       ctypes.byref(item)):
        return None
    return _wrap(item)


def _wrap(item: Any) -> Any:
    kind = item.kind
    if kind == _FUNC:
        return wasmtime.Func._from_raw(type(item.of.func).from_buffer_copy(item.of.func))
    if kind == _MEMORY:
        return wasmtime.Memory._from_raw(type(item.of.memory).from_buffer_copy(item.of.memory))
    if kind == _GLOBAL:
        return wasmtime.Global._from_raw(type(item.of.global_).from_buffer_copy(item.of.global_))
    if kind == _TABLE:
        return wasmtime.Table._from_raw(type(item.of.table).from_buffer_copy(item.of.table))
    if kind == _TAG:
        return wasmtime.Tag._from_raw(type(item.of.tag).from_buffer_copy(item.of.tag))
    raise wasmtime.WasmtimeError(f"unsupported export kind {kind}")
