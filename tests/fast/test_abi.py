"""The ABI facts the fast path rests on. A failure here means: re-verify before shipping.

These fail loudly (rather than skip) when wasmtime leaves 50.x or a fact changes,
because the raw calls would then read and write memory on wrong assumptions.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from importlib.metadata import version

import pytest
import wasmtime
from wasmtime import _ffi as ffi

from wasmport._engine import fast as _fast
from wasmport._engine import interrupt
from wasmport._engine.fast import _abi
from wasmport._engine.fast._codegen import views_of
from wasmport._engine.fast._native_abi import SYMBOLS


def test_wasmtime_is_50x() -> None:
    assert version("wasmtime").split(".")[0] == "50", (
        f"wasmtime {version('wasmtime')}: the raw ABI was verified against 50.x only")


def test_fast_path_is_available() -> None:
    assert _fast.REASON == ""
    assert _fast.AVAILABLE is True


def test_slot_and_func_layout() -> None:
    assert ctypes.sizeof(ffi.wasmtime_val_raw_t) == 16
    assert ctypes.alignment(ffi.wasmtime_val_raw_t) == 8
    assert ctypes.sizeof(ffi.wasmtime_func_t) == 16
    assert [name for name, *_ in ffi.wasmtime_func_t._fields_] == ["store_id", "__private"]
    assert ffi.wasmtime_func_t.store_id.offset == 0


def test_our_prototypes_bind_wasmtime_pys_library() -> None:
    # Same handle, not a second copy of the engine with its own globals.
    for ours in (_abi.lib.call_unchecked, _abi.lib.call_unchecked_nogil):
        # Through the extension's wrapper that tells the SIGINT handler (interrupt.py).
        tracked = interrupt.tracked_call("wasmtime_func_call_unchecked")
        expected = tracked or ctypes.cast(ffi.dll.wasmtime_func_call_unchecked,
                                          ctypes.c_void_p).value
        assert ctypes.cast(ours, ctypes.c_void_p).value == expected
    for ours, name in ((_abi.lib.func_new_unchecked, "wasmtime_func_new_unchecked"),
                       (_abi.lib.trap_new, "wasmtime_trap_new")):
        theirs = getattr(ffi.dll, name)
        address = ctypes.cast(ours, ctypes.c_void_p).value
        assert address == ctypes.cast(theirs, ctypes.c_void_p).value


def test_store_keeps_context_where_we_look() -> None:
    store = wasmtime.Store()
    assert store._Store__context is store._context()
    assert vars(store)["_Store__context"] is store._context()  # the native layer reads it there
    store.close()
    assert store._Store__context is None and vars(store)["_Store__context"] is None


def _raw_call(store: wasmtime.Store, func: wasmtime.Func, slots: list[int]) -> list[int]:
    """Call through the bare prototype with the given 64-bit slot words."""
    n = max(len(slots) // 2, 1)
    buf = (ctypes.c_uint64 * (2 * n + 1))(*slots)
    base = ctypes.addressof(buf)
    err = _abi.lib.call_unchecked(
        ctypes.c_void_p(ctypes.cast(store._context(), ctypes.c_void_p).value),
        ctypes.c_void_p(ctypes.addressof(func._func)), ctypes.c_void_p(base),
        ctypes.c_size_t(n), ctypes.c_void_p(base + 16 * n))
    assert err == 0 and buf[2 * n] == 0
    return list(buf)


def test_engine_reads_only_the_low_32_bits_of_an_i32_slot(store, instantiate) -> None:
    ex = instantiate("numeric")
    out = _raw_call(store, ex["bits_i32"], [0xDEADBEEF_00000007, 0xFFFF])
    assert out[0] == 7


def test_i64_and_f64_use_bytes_0_to_7(store, instantiate) -> None:
    ex = instantiate("numeric")
    assert _raw_call(store, ex["hi_i64"], [0x12345678_9ABCDEF0, 0])[0] & 0xFFFFFFFF == 0x12345678
    buf = (ctypes.c_uint64 * 3)()
    iv, qv, Qv, fv, dv = views_of(buf)
    dv[0] = 2.5
    assert _raw_call(store, ex["id_f64"], [buf[0], 0])[0] == buf[0]


def test_host_trap_comes_back_as_an_error_not_a_trap(store, instantiate, relay) -> None:
    # A trap returned by a host callback is not a wasmtime::Trap, so the C API
    # reports it through the wasmtime_error_t* return, not the wasm_trap_t* out-pointer.
    seen = []

    def raise_trap(trap: int, error: int):
        seen.append((trap, error))
        raise _fast.take(trap, error)

    def fails(a: int, b: int) -> int:
        raise LookupError("x")

    imports = _host_imports(store, relay, h_i32=fails)
    call = _fast.make_caller(store, instantiate("host_calls", imports)["call_i32"],
                             ("i32", "i32"), ("i32",), raise_trap=raise_trap)
    with pytest.raises(wasmtime.WasmtimeError, match=_fast.HOST_EXCEPTION_MARKER):
        call(1, 2)
    assert len(seen) == 1 and seen[0][0] == 0 and seen[0][1] != 0


def _host_imports(store, relay, **override):
    sigs = {"h_i32": (("i32", "i32"), ("i32",)), "h_i64": (("i64", "i64"), ("i64",)),
            "h_f32": (("f32",), ("f32",)), "h_f64": (("f64", "f64"), ("f64",)),
            "h_multi": (("i32",), ("i32", "i64", "f64")), "h_void": (("i32",), ())}
    return [_fast.make_host_func(store, p, r, override.get(name, lambda *a: 0), relay.on_error)
            for name, (p, r) in sigs.items()]


def test_disabled_by_environment_variable() -> None:
    # A bare package object stands in for wasmport/__init__.py: only _fast is under test.
    package = os.path.dirname(os.path.dirname(os.path.dirname(_abi.__file__)))
    code = ("import sys, types; pkg = types.ModuleType('wasmport'); "
            f"pkg.__path__ = [{package!r}]; sys.modules['wasmport'] = pkg; "
            "from wasmport._engine import fast as _fast; print(_fast.AVAILABLE, _fast.REASON)")
    env = dict(os.environ, WASMPORT_NO_FAST="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.startswith("False disabled by the WASMPORT_NO_FAST")


def test_unavailable_makers_raise(monkeypatch) -> None:
    monkeypatch.setattr(_abi, "AVAILABLE", False)
    monkeypatch.setattr(_abi, "REASON", "testing")
    with pytest.raises(RuntimeError, match="unavailable: testing"):
        _fast.make_caller(None, None, (), ())
    with pytest.raises(RuntimeError, match="unavailable: testing"):
        _fast.make_host_func(None, (), (), print, print)


# -- the native layer (wasmport._engine._ext): its own declarations of the same ABI -------------

def _native_ext():
    from wasmport._engine import _ext as ext  # the C extension

    return ext


def test_native_layer_is_available() -> None:
    from wasmport._engine.fast import _native

    assert (_native.REASON, _native.AVAILABLE) == ("", True)


def test_native_declarations_match_wasmtime_pys_bindings() -> None:
    from wasmtime import _bindings

    from wasmport._engine.fast._native_abi import mismatch

    abi = _native_ext().ABI
    assert mismatch(abi, ffi, _bindings) == ""
    assert abi["wasmtime_val_raw_t"] == (ctypes.sizeof(ffi.wasmtime_val_raw_t), 8)
    assert abi["wasmtime_memory_t"][0] == ctypes.sizeof(ffi.wasmtime_memory_t) == 24
    assert _native_ext().SLOT_SIZE == 16


@pytest.mark.parametrize("change, named", [
    (("wasmtime_memory_t", (16, 0, 8, 12)), "wasmtime_memory_t"),
    (("wasmtime_func_t", (16, 8, 0)), "wasmtime_func_t"),
    (("prototypes", "wasmtime_trap_new", ("ptr", ("ptr",))), "wasmtime_trap_new"),
    (("prototypes", "wasmtime_memory_data_size", ("ptr", ("ptr", "ptr"))), "returns"),
])
def test_a_changed_declaration_is_caught(change, named) -> None:
    import copy

    from wasmtime import _bindings

    from wasmport._engine.fast._native_abi import mismatch

    abi = copy.deepcopy(_native_ext().ABI)
    if change[0] == "prototypes":
        abi["prototypes"][change[1]] = change[2]
    else:
        abi[change[0]] = change[1]
    assert named in mismatch(abi, ffi, _bindings)


def test_native_binds_the_library_wasmtime_py_loaded() -> None:
    # The very addresses of wasmtime-py's CDLL: one engine, one set of globals.
    bound = _native_ext().bound_addresses()
    assert sorted(bound) == sorted(SYMBOLS)  # each symbol the extension calls, no other
    for name, address in bound.items():
        assert address == ctypes.cast(getattr(ffi.dll, name), ctypes.c_void_p).value, name


@pytest.mark.parametrize("env, reason", [
    ({"WASMPORT_NO_NATIVE": "1"}, "disabled by the WASMPORT_NO_NATIVE environment variable"),
    ({"WASMPORT_NO_FAST": "1"}, "the ctypes layer it builds on is off: disabled by"),
    ({"WASMPORT_BLOCK_EXT": "1"}, "the C extension wasmport._engine._ext is not built"),
])
def test_native_layer_off_says_why_and_refuses(env, reason) -> None:
    code = ("import os, sys\n"
            "if os.environ.get('WASMPORT_BLOCK_EXT'): sys.modules['wasmport._engine._ext'] = None\n"
            "from wasmport._engine.fast import _native\n"
            "print(_native.AVAILABLE, _native.REASON)\n"
            "try:\n    _native.make_caller(None, None, (), ())\n"
            "except RuntimeError as e:\n    print(e)\n"
            "print(type(_native.new_lock()).__module__)\n")
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, **env),
                         capture_output=True, text=True, check=True)
    first, second, third = out.stdout.splitlines()
    assert first.startswith(f"False {reason}")
    assert second.startswith(f"wasmport native call layer unavailable: {reason}")
    assert third == "_thread"  # a threading.RLock stands in
