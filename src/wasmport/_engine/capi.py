"""The one handle on the engine's shared library, and quick queries bound to hold the GIL.

wasmtime-py opens the library with ``ctypes.CDLL``, so every call drops and re-takes
the GIL (~1.7 µs each, and far more beside a busy thread).  Type introspection and
export look-ups are short and never call back into Python, so these prototypes, over
the same library opened with ``ctypes.PyDLL``, keep it.  ``dlopen`` of the same path
returns the same handle (the fast layer verifies it by comparing symbol addresses).

``PYDLL`` keeps the GIL, ``CDLL`` releases it; both are this package's own objects, so
setting prototypes on them never changes wasmtime-py's.
"""

from __future__ import annotations

import ctypes
from ctypes import POINTER, c_bool, c_char, c_size_t, c_uint8
from typing import Any

import wasmtime
from wasmtime import _ffi as ffi

PATH: str = ffi.dll._name
PYDLL = ctypes.PyDLL(PATH)
CDLL = ctypes.CDLL(PATH)


def _proto(name: str, restype: object, argtypes: list[object]) -> Any:
    func = getattr(PYDLL, name)
    func.restype = restype
    func.argtypes = argtypes
    return func


functype_params = _proto("wasm_functype_params", POINTER(ffi.wasm_valtype_vec_t),
                         [POINTER(ffi.wasm_functype_t)])
functype_results = _proto("wasm_functype_results", POINTER(ffi.wasm_valtype_vec_t),
                          [POINTER(ffi.wasm_functype_t)])
valtype_kind = _proto("wasm_valtype_kind", c_uint8, [POINTER(ffi.wasm_valtype_t)])
instance_export_get = _proto(
    "wasmtime_instance_export_get", c_bool,
    [POINTER(ffi.wasmtime_context_t), POINTER(ffi.wasmtime_instance_t), POINTER(c_char),
     c_size_t, POINTER(ffi.wasmtime_extern_t)])
module_exports = _proto("wasmtime_module_exports", None,
                        [POINTER(ffi.wasmtime_module_t), POINTER(ffi.wasm_exporttype_vec_t)])
exporttype_vec_delete = _proto("wasm_exporttype_vec_delete", None,
                               [POINTER(ffi.wasm_exporttype_vec_t)])
# Taking and returning addresses as plain ints: no ctypes pointer objects per call.
exporttype_name = _proto("wasm_exporttype_name", c_size_t, [c_size_t])
exporttype_type = _proto("wasm_exporttype_type", c_size_t, [c_size_t])
externtype_kind = _proto("wasm_externtype_kind", c_uint8, [c_size_t])

# wasm.h's extern kinds (wasmtime adds the tag kind).
EXTERN_KINDS = {0: "func", 1: "global", 2: "table", 3: "memory", 4: "tag"}


def export_names_and_kinds(module: Any) -> tuple[tuple[str, str], ...]:
    """Each export's (name, kind) of a compiled ``wasmtime.Module``, in order.

    One pass over the C vector: wasmtime-py's ``Module.exports`` builds an object per
    export and its type (~3 µs each), which is what a module with thousands of
    exports cannot afford.
    """
    vec = ffi.wasm_exporttype_vec_t()
    module_exports(module.ptr(), ctypes.byref(vec))
    try:
        count = vec.size
        if not count:
            return ()
        base = ctypes.cast(vec.data, ctypes.c_void_p).value or 0
        addresses = (c_size_t * count).from_address(base)
        out = []
        for export in addresses:
            size, data = (c_size_t * 2).from_address(exporttype_name(export))
            kind = externtype_kind(exporttype_type(export))
            text = ctypes.string_at(data, size).decode("utf-8", "surrogateescape")
            out.append((text, EXTERN_KINDS.get(kind) or f"kind {kind}"))
        return tuple(out)
    finally:
        exporttype_vec_delete(ctypes.byref(vec))

# Memories: (context address, address of a wasmtime_memory_t) -> data pointer / byte size.
memory_data = _proto("wasmtime_memory_data", c_size_t, [c_size_t, c_size_t])
memory_data_size = _proto("wasmtime_memory_data_size", c_size_t, [c_size_t, c_size_t])
# Callers (valid only during the host call that received them).
caller_context = _proto("wasmtime_caller_context", c_size_t, [c_size_t])
caller_export_get = _proto("wasmtime_caller_export_get", c_bool,
                           [c_size_t, POINTER(c_char), c_size_t, POINTER(ffi.wasmtime_extern_t)])


def context_pointer(store: Any) -> Any:
    """The ``wasmtime_context_t*`` of a wasmtime Store (or Caller) as wasmtime-py keeps it;
    ValueError once the store is closed."""
    return store._context()


def context_address(store: Any) -> int:
    """The ``wasmtime_context_t*`` of a wasmtime Store (or Caller) as an int."""
    return ctypes.addressof(context_pointer(store).contents)


class MemoryRef:
    """A private copy of a ``wasmtime_memory_t`` and its store context: size and base
    address in one GIL-holding call each."""

    __slots__ = ("ctx", "raw", "address")

    def __init__(self, ctx: int, memory: Any) -> None:
        self.ctx = ctx
        if isinstance(memory, wasmtime.Memory):
            memory = memory._memory
        self.raw = ffi.wasmtime_memory_t.from_buffer_copy(memory)
        self.address = ctypes.addressof(self.raw)

    def size(self) -> int:
        return int(memory_data_size(self.ctx, self.address))

    def base(self) -> int:
        return int(memory_data(self.ctx, self.address))


def caller_memory(caller: int, name: str) -> MemoryRef | None:
    """The memory the calling instance exports as ``name``, for this call only."""
    encoded = name.encode()
    item = ffi.wasmtime_extern_t()
    if not caller_export_get(caller, encoded, len(encoded), ctypes.byref(item)):
        return None
    if int(item.kind) != ffi.WASMTIME_EXTERN_MEMORY.value:
        return None
    return MemoryRef(caller_context(caller), item.of.memory)

# (context, module*, imports*, nimports, instance_t* out, wasm_trap_t** out) -> error*
instance_new = _proto("wasmtime_instance_new", c_size_t,
                      [c_size_t, c_size_t, c_size_t, c_size_t, c_size_t, c_size_t])
instance_new_nogil = CDLL["wasmtime_instance_new"]  # the same, releasing the GIL
instance_new_nogil.restype = c_size_t
instance_new_nogil.argtypes = [c_size_t] * 6
# (instance_pre*, context, instance_t* out, wasm_trap_t** out) -> error*
instance_pre_instantiate = _proto("wasmtime_instance_pre_instantiate", c_size_t,
                                  [c_size_t, c_size_t, c_size_t, c_size_t])
# A function's type: (context, wasmtime_func_t*) -> an owned wasm_functype_t*, and its delete.
func_type = _proto("wasmtime_func_type", POINTER(ffi.wasm_functype_t),
                   [c_size_t, POINTER(ffi.wasmtime_func_t)])
functype_delete = _proto("wasm_functype_delete", None, [POINTER(ffi.wasm_functype_t)])
