"""wasm -> Python through make_host_func: values in, results checked, exceptions out."""

from __future__ import annotations

import math
import struct
import traceback

import pytest

from wasmport._engine import fast as _fast

SIGS = {
    "h_i32": (("i32", "i32"), ("i32",)),
    "h_i64": (("i64", "i64"), ("i64",)),
    "h_f32": (("f32",), ("f32",)),
    "h_f64": (("f64", "f64"), ("f64",)),
    "h_multi": (("i32",), ("i32", "i64", "f64")),
    "h_void": (("i32",), ()),
}


@pytest.fixture
def host(store, instantiate, relay):
    """host(h_i32=fn, ...) -> {export name: fast caller}, the other imports return 0/None."""

    def build(**fns):
        defaults = {"h_multi": lambda a: (0, 0, 0.0), "h_void": lambda a: None}
        imports = [_fast.make_host_func(store, p, r, fns.get(n) or defaults.get(n, lambda *a: 0),
                                        relay.on_error, name=n) for n, (p, r) in SIGS.items()]
        ex = instantiate("host_calls", imports)
        callers = {}
        for name, (p, r) in SIGS.items():
            export = "call" + name[1:]
            callers[export] = _fast.make_caller(store, ex[export], p, r, name=export,
                                                raise_trap=relay.raise_trap)
        callers["loop_i32"] = _fast.make_caller(store, ex["loop_i32"], ("i32",), ("i32",),
                                                raise_trap=relay.raise_trap)
        return callers

    return build


def test_params_arrive_as_signed_python_numbers(host) -> None:
    got = []
    calls = host(h_i32=lambda a, b: got.append((a, b)) or 0,
                 h_i64=lambda a, b: got.append((a, b)) or 0,
                 h_f32=lambda a: got.append(a) or 0.0,
                 h_f64=lambda a, b: got.append((a, b)) or 0.0)
    calls["call_i32"](2**32 - 1, 2**31)
    calls["call_i64"](2**64 - 1, -(2**63))
    calls["call_f32"](0.1)
    calls["call_f64"](-0.0, math.inf)
    assert got[0] == (-1, -(2**31))
    assert got[1] == (-1, -(2**63))
    assert got[2] == struct.unpack("<f", struct.pack("<f", 0.1))[0]
    assert got[3] == (-0.0, math.inf) and math.copysign(1, got[3][0]) == -1
    assert all(type(x) is int for x in got[0] + got[1])


def test_results_of_each_type(host) -> None:
    calls = host(h_i32=lambda a, b: a * b, h_i64=lambda a, b: a - b, h_f32=lambda a: a * 2,
                 h_f64=lambda a, b: a / b, h_multi=lambda a: (a, a * 2**40, a / 4))
    assert calls["call_i32"](6, 7) == 42
    assert calls["call_i64"](0, 1) == -1
    assert calls["call_f32"](1.5) == 3.0
    assert calls["call_f64"](1.0, 4.0) == 0.25
    assert calls["call_multi"](3) == (3, 3 * 2**40, 0.75)
    assert calls["call_void"](1) is None


@pytest.mark.parametrize("value, expected", [
    (2**32 - 1, -1), (-(2**31), -(2**31)), (2**31, -(2**31)),
])
def test_i32_results_in_range_are_stored(host, value, expected) -> None:
    assert host(h_i32=lambda a, b: value)["call_i32"](0, 0) == expected


def test_multi_results_accept_a_list(host) -> None:
    assert host(h_multi=lambda a: [1, 2, 3])["call_multi"](0) == (1, 2, 3.0)


@pytest.mark.parametrize("export, fn, error, match", [
    ("call_i32", lambda a, b: 2**32, OverflowError, "result: 4294967296 is out of range for i32"),
    ("call_i32", lambda a, b: -(2**31) - 1, OverflowError, "out of range"),
    ("call_i32", lambda a, b: 1.5, TypeError, "expected an int for i32, got float"),
    ("call_i32", lambda a, b: None, TypeError, "expected an int for i32, got NoneType"),
    ("call_i32", lambda a, b: True, TypeError, "expected an int for i32, got bool"),
    ("call_i64", lambda a, b: 2**64, OverflowError, "out of range"),
    ("call_f64", lambda a, b: "1.0", TypeError, "expected a float for f64, got str"),
    ("call_f64", lambda a, b: 10**400, OverflowError, "too large"),
    ("call_multi", lambda a: (1, 2), TypeError, "returned 2 values, expected 3"),
    ("call_multi", lambda a: 5, TypeError, "expected a tuple of 3 values"),
    ("call_multi", lambda a: (1, 2**64, 0.0), OverflowError,
     "result 2: 18446744073709551616 is out of range for i64"),
    ("call_void", lambda a: 0, TypeError, "expected None"),
])
def test_bad_results_raise_at_the_caller(host, export, fn, error, match) -> None:
    name = "h" + export[4:]
    calls = host(**{name: fn})
    with pytest.raises(error, match=match):
        calls[export](*(0,) * {"call_i32": 2, "call_i64": 2, "call_f64": 2}.get(export, 1))


def test_the_same_exception_object_comes_back(host) -> None:
    raised = []

    def fails(a: int, b: int) -> int:
        exc = KeyError(a)
        raised.append(exc)
        raise exc

    calls = host(h_i32=fails)
    with pytest.raises(KeyError) as info:
        calls["call_i32"](5, 6)
    assert info.value is raised[0]
    frames = [f.name for f in traceback.extract_tb(info.value.__traceback__)]
    assert "fails" in frames  # the host function's own frame is still on the traceback


def test_base_exceptions_come_back_too(host) -> None:
    calls = host(h_i32=lambda a, b: (_ for _ in ()).throw(KeyboardInterrupt()),
                 h_i64=lambda a, b: (_ for _ in ()).throw(SystemExit(3)))
    with pytest.raises(KeyboardInterrupt):
        calls["call_i32"](1, 2)
    with pytest.raises(SystemExit) as info:
        calls["call_i64"](1, 2)
    assert info.value.code == 3


def test_exception_stops_a_host_call_loop(host) -> None:
    count = []

    def step(acc: int, n: int) -> int:
        count.append(n)
        if n == 90:
            raise ArithmeticError(acc)
        return acc + n

    calls = host(h_i32=step)
    with pytest.raises(ArithmeticError) as info:
        calls["loop_i32"](100)
    assert info.value.args == (sum(range(91, 101)),)
    assert len(count) == 11
    calls_ok = host(h_i32=lambda acc, n: acc + n)
    assert calls_ok["loop_i32"](1000) == sum(range(1001))


def test_on_error_receives_the_exception(store, instantiate) -> None:
    got = []
    boom = ValueError("boom")

    def fails(a: int, b: int) -> int:
        raise boom

    imports = [_fast.make_host_func(store, p, r, fails if n == "h_i32" else (lambda *a: 0),
                                    got.append) for n, (p, r) in SIGS.items()]
    call = _fast.make_caller(store, instantiate("host_calls", imports)["call_i32"],
                             ("i32", "i32"), ("i32",), raise_trap=_fast.Relay().raise_trap)
    with pytest.raises(Exception, match=_fast.HOST_EXCEPTION_MARKER + " ValueError"):
        call(1, 2)  # this Relay never parked it: the engine's error comes back
    assert got == [boom]


def test_failing_on_error_is_reported_and_wasm_still_traps(store, instantiate, monkeypatch) -> None:
    reported = []
    monkeypatch.setattr("sys.unraisablehook", reported.append)

    def bad_on_error(exc: BaseException) -> None:
        raise RuntimeError("on_error broke")

    imports = [_fast.make_host_func(store, p, r, lambda *a: 1 / 0, bad_on_error)
               for p, r in SIGS.values()]
    call = _fast.make_caller(store, instantiate("host_calls", imports)["call_i32"],
                             ("i32", "i32"), ("i32",))
    with pytest.raises(Exception, match="ZeroDivisionError"):
        call(1, 2)
    assert len(reported) == 1 and str(reported[0].exc_value) == "on_error broke"


def test_host_func_usable_with_wasmtime_py_calls(store, instantiate, relay) -> None:
    imports = [_fast.make_host_func(store, p, r, lambda *a: 0, relay.on_error)
               for p, r in SIGS.values()]
    imports[0] = _fast.make_host_func(store, ("i32", "i32"), ("i32",), lambda a, b: a - b,
                                      relay.on_error)
    ex = instantiate("host_calls", imports)
    assert ex["call_i32"](store, 10, 3) == 7  # wasmtime-py's own Func.__call__
    assert str(imports[0].type(store).params[0]) == "i32"


def test_unsupported_host_types_are_value_errors(store) -> None:
    with pytest.raises(ValueError, match="not supported"):
        _fast.make_host_func(store, ("externref",), (), print, print)
    with pytest.raises(TypeError, match="callable"):
        _fast.make_host_func(store, (), (), None, print)


def test_i64_results_accept_the_unsigned_spelling(host) -> None:
    calls = host(h_i64=lambda a, b: 2**64 - 1)
    assert calls["call_i64"](0, 0) == -1
    assert host(h_i64=lambda a, b: 2**63)["call_i64"](0, 0) == -(2**63)


def test_interpreter_exit_with_live_stores_is_clean(tmp_path) -> None:
    # Stores and host functions still alive in module globals at exit: the engine
    # runs our finalizer during teardown, which must neither crash nor print.
    import os
    import subprocess
    import sys

    from wasmport._engine.fast import _abi

    package = os.path.dirname(os.path.dirname(os.path.dirname(_abi.__file__)))
    script = tmp_path / "exit_with_stores.py"
    script.write_text(f"""
import sys, types
pkg = types.ModuleType("wasmport"); pkg.__path__ = [{package!r}]; sys.modules["wasmport"] = pkg
import wasmtime
from wasmport._engine import fast as _fast
stores = []
on_error = _fast.default_relay.on_error
for _ in range(3):
    store = wasmtime.Store()
    h = _fast.make_host_func(store, ("i32",), ("i32",), lambda x: x + 1, on_error)
    m = wasmtime.Module(store.engine, '(module (import "" "h" (func $h (param i32) (result i32)))'
                        ' (func (export "f") (param i32) (result i32) (call $h (local.get 0))))')
    f = wasmtime.Instance(store, m, [h]).exports(store)["f"]
    call = _fast.make_caller(store, f, ("i32",), ("i32",))
    assert call(41) == 42
    stores.append((store, h, call))
print("done")
""")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert (out.returncode, out.stdout, out.stderr) == (0, "done\n", "")


def test_callbacks_are_released_when_the_store_goes() -> None:
    import gc

    import wasmtime

    from wasmport._engine.fast import _host

    before = set(_host._registry)
    store = wasmtime.Store()
    funcs = [_fast.make_host_func(store, ("i32",), (), lambda x: None, print) for _ in range(5)]
    ours = set(_host._registry) - before
    assert len(ours) == 5
    del store, funcs
    gc.collect()  # other tests' stores may go too: look only at ours
    assert not ours & set(_host._registry)


def test_raw_call_of_a_host_func_itself(store, relay) -> None:
    boom = KeyError("direct")

    def h(a: int, b: int) -> int:
        if a < 0:
            raise boom
        return a * b

    func = _fast.make_host_func(store, ("i32", "i32"), ("i32",), h, relay.on_error)
    call = _fast.make_caller(store, func, ("i32", "i32"), ("i32",), raise_trap=relay.raise_trap)
    assert call(6, 7) == 42
    with pytest.raises(KeyError) as info:
        call(-1, 0)
    assert info.value is boom


def test_exception_from_a_wasmtime_py_callback_through_a_fast_call(store, instantiate,
                                                                  relay) -> None:
    import wasmtime

    boom = LookupError("from wasmtime-py's trampoline")

    def h(a: int, b: int) -> int:
        raise boom

    i32 = wasmtime.ValType.i32
    theirs = wasmtime.Func(store, wasmtime.FuncType([i32(), i32()], [i32()]), h)
    imports = [_fast.make_host_func(store, p, r, lambda *a: 0, relay.on_error)
               for p, r in SIGS.values()]
    imports[0] = theirs
    ex = instantiate("host_calls", imports)
    call = _fast.make_caller(store, ex["call_i32"], ("i32", "i32"), ("i32",),
                             raise_trap=relay.raise_trap)
    with pytest.raises(LookupError) as info:
        call(1, 2)
    assert info.value is boom
    from wasmtime import _func
    assert _func.LAST_EXCEPTION is None  # not left behind for an unrelated call
