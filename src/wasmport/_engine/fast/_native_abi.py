"""The C extension's declarations, checked against wasmtime-py's bindings at import.

``wasmport._engine._ext`` declares the few wasmtime 50.x types and prototypes it calls
(src/native/wasmport_native.h) and reports them as ``ABI``.  wasmtime-py's
``_bindings`` are generated from the engine's own headers, so comparing the two
catches a changed layout or prototype before any raw call is made:

    ABI["wasmtime_func_t"]       (size, offset of store_id, offset of the pointer)
    ABI["prototypes"][name]      (return word, (parameter words, ...))

Words: ``ptr`` (any data pointer), ``fnptr`` (a function pointer), ``size_t``, ``void``.
"""

from __future__ import annotations

import ctypes
from typing import Any

# wasmtime-py declares the callback's wasm_trap_t* result as size_t so that Python
# callbacks can return an int; both are one integer register on the LP64 hosts
# _abi admits (it checks sizeof(size_t) == sizeof(void *) == 8).
SYMBOLS = ("wasmtime_func_call_unchecked", "wasmtime_func_new_unchecked", "wasmtime_trap_new",
           "wasmtime_memory_data", "wasmtime_memory_data_size", "wasmtime_instance_export_get",
           "wasmtime_func_type", "wasm_functype_params", "wasm_functype_results",
           "wasm_valtype_kind", "wasm_functype_delete", "wasmtime_extern_delete",
           "wasmtime_instance_pre_instantiate")
KNOWN_DIFFERENCES = {("wasmtime_func_unchecked_callback_t", "result"): ("ptr", "size_t")}


def word(ctype: Any) -> str:
    """A ctypes type in the ABI table's words."""
    if ctype is None:
        return "void"
    if ctype is ctypes.c_size_t:
        return "size_t"
    if isinstance(ctype, type) and issubclass(ctype, ctypes._CFuncPtr):  # type: ignore[attr-defined]
        return "fnptr"
    if ctype in (ctypes.c_void_p, ctypes.c_char_p) or (
            isinstance(ctype, type) and issubclass(ctype, ctypes._Pointer)):
        return "ptr"
    return ctype.__name__  # type: ignore[no-any-return]


def binding_prototypes(bindings: Any) -> dict[str, tuple[str, tuple[str, ...]]]:
    """The prototypes wasmtime-py declares for the names the extension uses."""
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for name in SYMBOLS:
        fn = getattr(bindings, f"_{name}")
        out[name] = (word(fn.restype), tuple(word(t) for t in fn.argtypes))
    callback = bindings.wasmtime_func_unchecked_callback_t
    out["wasmtime_func_unchecked_callback_t"] = (
        word(callback._restype_), tuple(word(t) for t in callback._argtypes_))
    finalizer = bindings._wasmtime_func_new_unchecked.argtypes[4]
    out["finalizer"] = (word(finalizer._restype_), tuple(word(t) for t in finalizer._argtypes_))
    return out


def _layouts(ffi: Any) -> dict[str, tuple[int, ...]]:
    raw, func, memory = ffi.wasmtime_val_raw_t, ffi.wasmtime_func_t, ffi.wasmtime_memory_t
    anon, base = memory._fields_[0][1], memory._anon_1.offset
    extern, instance, vec = ffi.wasmtime_extern_t, ffi.wasmtime_instance_t, ffi.wasm_valtype_vec_t
    return {
        "wasmtime_extern_t": (ctypes.sizeof(extern), extern.kind.offset, extern.of.offset),
        "wasmtime_instance_t": (ctypes.sizeof(instance), instance.store_id.offset,
                                getattr(instance, "__private").offset),
        "wasm_valtype_vec_t": (ctypes.sizeof(vec), vec.size.offset, vec.data.offset),
        "wasmtime_val_raw_t": (ctypes.sizeof(raw), ctypes.alignment(raw)),
        "wasmtime_func_t": (ctypes.sizeof(func), func.store_id.offset,
                            getattr(func, "__private").offset),
        "wasmtime_memory_t": (ctypes.sizeof(memory), base + anon.store_id.offset,
                              base + getattr(anon, "__private1").offset,
                              getattr(memory, "__private2").offset),
    }


def mismatch(abi: dict[str, Any], ffi: Any, bindings: Any) -> str:
    """What differs between the extension's declarations and the bindings ('' if nothing)."""
    try:
        theirs = _layouts(ffi)
        protos = binding_prototypes(bindings)
    except (AttributeError, IndexError, TypeError) as exc:
        return f"wasmtime-py's bindings changed shape ({exc!r}); the native ABI cannot be checked"
    for name, layout in theirs.items():
        if tuple(abi.get(name, ())) != layout:
            return f"{name}: the extension has {abi.get(name)}, wasmtime-py {layout}"
    for name, (result, params) in protos.items():
        mine = abi["prototypes"].get(name)
        if mine is None:
            return f"the extension does not declare {name}"
        if mine[0] != result and KNOWN_DIFFERENCES.get((name, "result")) != (mine[0], result):
            return f"{name}: the extension returns {mine[0]}, wasmtime-py {result}"
        if tuple(mine[1]) != params:
            return f"{name}: the extension takes {mine[1]}, wasmtime-py {params}"
    return ""
