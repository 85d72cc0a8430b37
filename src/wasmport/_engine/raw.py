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
from wasmtime._extern import get_extern_ptr

from . import interrupt, stack
from .capi import context_address
from .capi import instance_export_get as _export_get
from .capi import instance_new as _instance_new
from .capi import instance_new_nogil as _instance_new_nogil
from .capi import instance_pre_instantiate as _pre_instantiate
from .fast import _native

_FUNC, _TABLE, _MEMORY, _GLOBAL = (ffi.WASMTIME_EXTERN_FUNC.value, ffi.WASMTIME_EXTERN_TABLE.value,
                                   ffi.WASMTIME_EXTERN_MEMORY.value,
                                   ffi.WASMTIME_EXTERN_GLOBAL.value)
_TAG = ffi.WASMTIME_EXTERN_TAG.value
_SHARED_MEMORY = ffi.WASMTIME_EXTERN_SHAREDMEMORY.value


def export_get(store: wasmtime.Store, instance: wasmtime.Instance, name: str) -> Any:
    """The extern ``instance`` exports as ``name``, or None when there is none."""
    encoded = name.encode("utf-8", "surrogateescape")
    item = ffi.wasmtime_extern_t()
    if not _export_get(store._context(), ctypes.byref(instance._instance), encoded, len(encoded),
                       ctypes.byref(item)):
        return None
    return _wrap(item)


def _extern_of(value: Any) -> Any:
    if isinstance(value, wasmtime.SharedMemory):  # wasmtime-py 50 builds this one wrongly
        return ffi.wasmtime_extern_t(ffi.WASMTIME_EXTERN_SHAREDMEMORY,
                                     ffi.wasmtime_extern_union(sharedmemory=value.ptr()))
    return get_extern_ptr(value)


def instance_new(store: wasmtime.Store, module: wasmtime.Module, externs: list[Any],
                 release_gil: bool = False) -> Any:
    """``wasmtime.Instance(store, module, externs)``, raising the same wasmtime.Trap /
    wasmtime.WasmtimeError; holding the GIL unless ``release_gil`` (realms with limits or
    WASI, whose start functions must let other threads run)."""
    count = len(externs)
    imports = (ffi.wasmtime_extern_t * max(count, 1))()
    for i, extern in enumerate(externs):
        imports[i] = _extern_of(extern)
    out = ffi.wasmtime_instance_t()
    trap = ctypes.c_size_t(0)
    make = _instance_new_nogil if release_gil else _instance_new
    error = make(context_address(store), ctypes.cast(module.ptr(), ctypes.c_void_p).value,
                 ctypes.addressof(imports), count, ctypes.addressof(out),
                 ctypes.addressof(trap))
    if trap.value or error:
        _raise_failure(trap.value, error)
    return wasmtime.Instance._from_raw(out)


def _raise_failure(trap: int, error: int) -> None:
    if trap:
        raise wasmtime.Trap._from_ptr(ctypes.cast(trap, ctypes.POINTER(ffi.wasm_trap_t)))
    if error:
        raise wasmtime.WasmtimeError._from_ptr(
            ctypes.cast(error, ctypes.POINTER(ffi.wasmtime_error_t)))


class Preinstantiated:
    """A module without imports, type-checked once: each instance then skips the
    engine's import checks (``wasmtime_instance_pre_instantiate``)."""

    def __init__(self, engine: wasmtime.Engine, module: wasmtime.Module) -> None:
        self._pre = wasmtime.Linker(engine).instantiate_pre(module)  # owns it
        self._address: int = ctypes.cast(self._pre.ptr(), ctypes.c_void_p).value or 0

    def at(self, address: int, where: str) -> Any:
        """A new instance in the store whose ``wasmtime_context_t*`` is ``address``,
        made as an entry into wasm (a start function may run): the SIGINT handler in
        front again, ThreadStackError on a thread without room (``where`` names the
        module), the engine's wasmtime.Trap or wasmtime.WasmtimeError."""
        out = _INSTANCE_T()
        if _native_pre is None:
            interrupt.install()
            stack.check(where)
            failed: Any = None
            trap = ctypes.c_size_t(0)
            error = _pre_instantiate(self._address, address, _addressof(out), _addressof(trap))
            if trap.value or error:
                failed = (trap.value, error)
        else:  # the same three steps in one call (native/instance.c)
            failed = _native_pre(self._address, address, _addressof(out))
        if failed is not None:
            if failed is False:
                raise stack.refused(where)
            _raise_failure(*failed)
        return _from_raw(out)


_INSTANCE_T, _addressof, _from_raw = (ffi.wasmtime_instance_t, ctypes.addressof,
                                      wasmtime.Instance._from_raw)
_native_pre = _native.pre_instantiate()


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
    if kind == _SHARED_MEMORY:  # owned by the extern we were given: now by the object
        return wasmtime.SharedMemory._from_ptr(item.of.sharedmemory)
    raise wasmtime.WasmtimeError(f"unsupported export kind {kind}")
