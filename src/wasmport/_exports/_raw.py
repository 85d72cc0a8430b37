"""Engine look-ups that wasmtime-py only offers in a slow form.

``Instance.exports(store)`` walks ``wasmtime_instance_export_nth``, which is linear per
call, so n exports cost O(n^2) (0.6 s for 4,000).  Looking each export up by name
with ``wasmtime_instance_export_get`` is linear overall.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterable, Iterator
from typing import Any

import wasmtime
from wasmtime import _bindings
from wasmtime import _ffi as ffi

_export_get = _bindings._wasmtime_instance_export_get
_FUNC, _TABLE, _MEMORY, _GLOBAL = (ffi.WASMTIME_EXTERN_FUNC.value, ffi.WASMTIME_EXTERN_TABLE.value,
                                   ffi.WASMTIME_EXTERN_MEMORY.value,
                                   ffi.WASMTIME_EXTERN_GLOBAL.value)
_TAG = ffi.WASMTIME_EXTERN_TAG.value


def exports_by_name(store: wasmtime.Store, instance: wasmtime.Instance,
                    names: Iterable[str]) -> Iterator[tuple[str, Any]]:
    """Each ``(name, extern)`` that ``instance`` exports, looked up by name."""
    context = store._context()
    raw = ctypes.byref(instance._instance)
    item = ffi.wasmtime_extern_t()
    item_ref = ctypes.byref(item)
    for name in names:
        encoded = name.encode("utf-8")
        if not _export_get(context, raw, encoded, len(encoded), item_ref):
            raise KeyError(name)
        yield name, _wrap(item)


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
