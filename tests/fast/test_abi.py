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
from wasmport._engine.fast import _abi
from wasmport._engine.fast._codegen import views_of


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
    for ours, name in ((_abi.lib.call_unchecked, "wasmtime_func_call_unchecked"),
                       (_abi.lib.func_new_unchecked, "wasmtime_func_new_unchecked"),
                       (_abi.lib.trap_new, "wasmtime_trap_new")):
        theirs = getattr(ffi.dll, name)
        address = ctypes.cast(ours, ctypes.c_void_p).value
        assert address == ctypes.cast(theirs, ctypes.c_void_p).value


def test_store_keeps_context_where_we_look() -> None:
    store = wasmtime.Store()
    assert store._Store__context is store._context()
    store.close()
    assert store._Store__context is None


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
