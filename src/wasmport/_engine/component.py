"""The component half of wasmtime's C API, bound over ctypes.

wasmtime-py opens the library as a ``CDLL``: every call drops and re-takes the GIL.
The prototypes here use the same library opened as a ``PyDLL`` (``dlopen`` returns
the same handle) so short calls keep the GIL; ``func_call_nogil`` is the one CDLL
prototype, for calls that may run long while other Python threads must go on.
Hot prototypes take and return plain integer addresses: no ctypes pointer objects.

Value layout the converters rely on (64-bit little-endian; checked at import)::

    wasmtime_component_val_t            32 bytes, 8-aligned
    +------+-------+--------------------------------------+
    | kind | pad   | of: 24-byte union at offset 8        |
    +------+-------+--------------------------------------+
    string / enum  of = { size_t len; char *data }
    list / tuple   of = { size_t n;   val_t *data }
    record         of = { size_t n;   entry *data }   entry = { name(16), val_t(32) } 48 bytes
    flags          of = { size_t n;   name *data }    name = { size_t len; char *data }
    variant        of = { name(16); val_t *payload or NULL }
    option         of = { val_t *payload or NULL }
    result         of = { bool is_ok; val_t *payload or NULL at offset 16 }
    resource       of = { resource_any_t * }

Native calls: ``NATIVE`` is the C extension (src/native/component.c) bound to the
component symbols of this same library, or None (not built, ``WASMPORT_NO_NATIVE=1``,
the ctypes layer off, or a layout that differs from wasmtime-py's); ``NATIVE_REASON``
says why.  It gives ``component_func`` (a whole export call in C, for scalars and
strings) and ``component_call`` (the bare engine call over plain int addresses).

Rust owns what comes back from a call (results, host-call arguments): free it with
``val_delete``.  What we pass in (call arguments) is only read, so it may point
into Python-owned buffers.  Host-call results are taken over by Rust, so they are
deep-copied into Rust memory with ``val_clone``.
"""

from __future__ import annotations

import ctypes
from ctypes import POINTER, byref, c_bool, c_char, c_size_t, c_uint32
from typing import Any

from wasmtime import _ffi as ffi

from .capi import CDLL as _c
from .capi import PYDLL as _py
from .capi import context_address as context_address

VAL_SIZE = 32
ENTRY_SIZE = 48
NAME_SIZE = 16


def _proto(lib: Any, name: str, restype: Any, argtypes: list[Any] | None) -> Any:
    func = getattr(lib, name)
    func.restype = restype
    func.argtypes = argtypes
    return func


def _p(name: str, restype: Any, argtypes: list[Any] | None) -> Any:
    return _proto(_py, name, restype, argtypes)


_A = c_size_t  # an address as a plain int

# Calls.  argtypes None: callers pass pre-built c_void_p / c_size_t objects.
func_call = _p("wasmtime_component_func_call", _A, None)
func_call_nogil = _proto(_c, "wasmtime_component_func_call", _A, None)
val_delete = _p("wasmtime_component_val_delete", None, [_A])
val_clone = _p("wasmtime_component_val_clone", None, [_A, _A])
error_new = _p("wasmtime_error_new", _A, [ctypes.c_char_p])
error_delete = _p("wasmtime_error_delete", None, [_A])
error_message = _p("wasmtime_error_message", None, [_A, POINTER(ffi.wasm_name_t)])
error_exit_status = _p("wasmtime_error_exit_status", c_bool, [_A, POINTER(ctypes.c_int)])
error_wasm_trace = _p("wasmtime_error_wasm_trace", None, [_A, POINTER(ffi.wasm_frame_vec_t)])
byte_vec_delete = _p("wasm_byte_vec_delete", None, [POINTER(ffi.wasm_byte_vec_t)])

# Components.
component_new = _p("wasmtime_component_new", _A,
                   [_A, POINTER(ctypes.c_uint8), c_size_t, POINTER(_A)])
component_serialize = _p("wasmtime_component_serialize", _A,
                         [_A, POINTER(ffi.wasm_byte_vec_t)])
component_deserialize = _p("wasmtime_component_deserialize", _A,
                           [_A, POINTER(ctypes.c_uint8), c_size_t, POINTER(_A)])
component_deserialize_file = _p("wasmtime_component_deserialize_file", _A,
                                [_A, ctypes.c_char_p, POINTER(_A)])
component_delete = _p("wasmtime_component_delete", None, [_A])
component_type = _p("wasmtime_component_type", _A, [_A])
component_type_delete = _p("wasmtime_component_type_delete", None, [_A])
get_export_index = _p("wasmtime_component_get_export_index", _A,
                      [_A, _A, POINTER(c_char), c_size_t])
export_index_delete = _p("wasmtime_component_export_index_delete", None, [_A])

# Instances and linkers.
instance_get_func = _p("wasmtime_component_instance_get_func", c_bool,
                       [_A, _A, _A, POINTER(ffi.wasmtime_component_func_t)])
linker_new = _p("wasmtime_component_linker_new", _A, [_A])
linker_delete = _p("wasmtime_component_linker_delete", None, [_A])
linker_root = _p("wasmtime_component_linker_root", _A, [_A])
linker_instantiate = _p("wasmtime_component_linker_instantiate", _A,
                        [_A, _A, _A, POINTER(ffi.wasmtime_component_instance_t)])
linker_add_wasip2 = _p("wasmtime_component_linker_add_wasip2", _A, [_A])
linker_add_wasi_http = _p("wasmtime_component_linker_add_wasi_http", _A, [_A])
linker_instance_delete = _p("wasmtime_component_linker_instance_delete", None, [_A])
linker_instance_add_instance = _p("wasmtime_component_linker_instance_add_instance", _A,
                                  [_A, POINTER(c_char), c_size_t, POINTER(_A)])

# Host callbacks: (data, ctx, functype, args, nargs, results, nresults) -> error*.
FUNC_CALLBACK = ctypes.CFUNCTYPE(_A, _A, _A, _A, _A, _A, _A, _A)
# Host resource destructors: (data, ctx, rep) -> error*.
RESOURCE_DTOR = ctypes.CFUNCTYPE(_A, _A, _A, c_uint32)
FINALIZER = ctypes.CFUNCTYPE(None, _A)
linker_instance_add_func = _p("wasmtime_component_linker_instance_add_func", _A,
                              [_A, POINTER(c_char), c_size_t, FUNC_CALLBACK, _A, FINALIZER])
linker_instance_add_resource = _p(
    "wasmtime_component_linker_instance_add_resource", _A,
    [_A, POINTER(c_char), c_size_t, _A, RESOURCE_DTOR, _A, FINALIZER])

# Resources.
resource_type_new_host = _p("wasmtime_component_resource_type_new_host", _A, [c_uint32])
resource_type_clone = _p("wasmtime_component_resource_type_clone", _A, [_A])
resource_type_equal = _p("wasmtime_component_resource_type_equal", c_bool, [_A, _A])
resource_type_delete = _p("wasmtime_component_resource_type_delete", None, [_A])
resource_any_type = _p("wasmtime_component_resource_any_type", _A, [_A])
resource_any_clone = _p("wasmtime_component_resource_any_clone", _A, [_A])
resource_any_owned = _p("wasmtime_component_resource_any_owned", c_bool, [_A])
resource_any_drop = _p("wasmtime_component_resource_any_drop", _A, [_A, _A])
resource_any_delete = _p("wasmtime_component_resource_any_delete", None, [_A])
resource_any_to_host = _p("wasmtime_component_resource_any_to_host", _A, [_A, _A, POINTER(_A)])
resource_host_new = _p("wasmtime_component_resource_host_new", _A, [c_bool, c_uint32, c_uint32])
resource_host_rep = _p("wasmtime_component_resource_host_rep", c_uint32, [_A])
resource_host_type = _p("wasmtime_component_resource_host_type", c_uint32, [_A])
resource_host_delete = _p("wasmtime_component_resource_host_delete", None, [_A])
resource_host_to_any = _p("wasmtime_component_resource_host_to_any", _A, [_A, _A, POINTER(_A)])


def _check_layout() -> None:
    val = ffi.wasmtime_component_val_t
    entry = ffi.wasmtime_component_valrecord_entry_t
    result = ffi.wasmtime_component_valresult_t
    offsets: Any = (val.of, entry.val, result.val)  # ctypes field descriptors
    facts = (ctypes.sizeof(val), offsets[0].offset, ctypes.sizeof(entry), offsets[1].offset,
             offsets[2].offset, ctypes.sizeof(ffi.wasmtime_component_func_t))
    if facts != (VAL_SIZE, 8, ENTRY_SIZE, NAME_SIZE, 8, 32):
        raise ImportError(f"wasmport: wasmtime's component value layout changed: {facts}")


_check_layout()

_NATIVE_SYMBOLS = ("wasmtime_component_func_call", "wasmtime_component_val_delete",
                   "wasmtime_error_new")


def _bind_native() -> tuple[Any, str]:
    from .fast import _native
    if not _native.AVAILABLE:
        return None, _native.REASON
    from . import _ext  # built: _native.AVAILABLE says so
    want = {"wasmtime_component_val_t": (VAL_SIZE, 8),
            "wasmtime_component_func_t": ctypes.sizeof(ffi.wasmtime_component_func_t),
            "wasmtime_component_valrecord_entry_t": (ENTRY_SIZE, NAME_SIZE)}
    if _ext.COMPONENT_ABI != want:
        return None, f"component layouts differ: {_ext.COMPONENT_ABI} != {want}"
    _ext.component_bind({name: ctypes.cast(getattr(ffi.dll, name), ctypes.c_void_p).value or 0
                         for name in _NATIVE_SYMBOLS})
    return _ext, ""


NATIVE, NATIVE_REASON = _bind_native()


def address(obj: Any) -> int:
    """The address of a ctypes object, as an int."""
    return ctypes.addressof(obj)


def engine_address(engine: Any) -> int:
    return ctypes.addressof(engine.ptr().contents)


def take_message(error: int) -> str:
    """The message of an owned ``wasmtime_error_t*``; the error stays owned by the caller."""
    name = ffi.wasm_name_t()
    error_message(error, byref(name))
    try:
        return ctypes.string_at(name.data, name.size).decode("utf-8", "replace")
    finally:
        byte_vec_delete(byref(name))


def exit_status(error: int) -> int | None:
    status = ctypes.c_int()
    return status.value if error_exit_status(error, byref(status)) else None


def frames(error: int) -> tuple[tuple[str | None, str | None, int], ...]:
    """The wasm backtrace of an error as (module, function, offset) tuples."""
    vec = ffi.wasm_frame_vec_t()
    error_wasm_trace(error, byref(vec))
    out = []
    try:
        for i in range(vec.size):
            frame = vec.data[i]
            out.append((_frame_name(ffi.wasmtime_frame_module_name(frame)),
                        _frame_name(ffi.wasmtime_frame_func_name(frame)),
                        int(ffi.wasm_frame_func_offset(frame))))
    finally:
        ffi.wasm_frame_vec_delete(byref(vec))
    return tuple(out)


def _frame_name(ptr: Any) -> str | None:
    if not ptr:
        return None
    return ctypes.string_at(ptr.contents.data, ptr.contents.size).decode("utf-8", "replace")


def context_set_wasi_http(store: Any) -> None:
    """Give the store wasi:http state (before the linker defines wasi:http)."""
    ffi.wasmtime_context_set_wasi_http(store._context())
