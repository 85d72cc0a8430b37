"""wasm -> Python on both layers: values in, results checked, exceptions out, lifetimes."""

from __future__ import annotations

import gc
import math
import struct
import traceback

import pytest
import wasmtime

from wasmport._engine import fast as _fast
from wasmport._engine.fast import _host as ctypes_host
from wasmport._engine.fast import _native

from .conftest import SIGS, outcome, run_isolated


@pytest.fixture
def host(store, instantiate, relay, layer):
    """host(h_i32=fn, ...) -> {export name: caller}; the other imports return 0/None."""

    def build(maker=layer, **fns):
        defaults = {"h_multi": lambda a: (0, 0, 0.0), "h_void": lambda a: None}
        imports = [maker.make_host_func(store, p, r, fns.get(n) or defaults.get(n, lambda *a: 0),
                                        relay.on_error, name=n) for n, (p, r) in SIGS.items()]
        ex = instantiate("host_calls", imports)
        callers = {f"call{n[1:]}": maker.make_caller(store, ex[f"call{n[1:]}"], p, r,
                                                      name=f"call{n[1:]}",
                                                      raise_trap=relay.raise_trap)
                   for n, (p, r) in SIGS.items()}
        callers["loop_i32"] = maker.make_caller(store, ex["loop_i32"], ("i32",), ("i32",),
                                                raise_trap=relay.raise_trap)
        return callers

    return build


def test_params_arrive_as_signed_python_numbers(host) -> None:
    got: list[object] = []
    calls = host(h_i32=lambda a, b: got.append((a, b)) or 0,
                 h_i64=lambda a, b: got.append((a, b)) or 0,
                 h_f32=lambda a: got.append(a) or 0.0,
                 h_f64=lambda a, b: got.append((a, b)) or 0.0)
    calls["call_i32"](2**32 - 1, 2**31)
    calls["call_i64"](2**64 - 1, -(2**63))
    calls["call_f32"](0.1)
    calls["call_f64"](-0.0, math.inf)
    f32 = struct.unpack("<f", struct.pack("<f", 0.1))[0]
    assert got[:3] == [(-1, -(2**31)), (-1, -(2**63)), f32]
    assert got[3] == (-0.0, math.inf) and math.copysign(1, got[3][0]) == -1  # type: ignore


def test_results_of_each_type(host) -> None:
    calls = host(h_i32=lambda a, b: a * b, h_i64=lambda a, b: a - b, h_f32=lambda a: a * 2,
                 h_f64=lambda a, b: a / b, h_multi=lambda a: [a, a * 2**40, a / 4])
    assert calls["call_i32"](6, 7) == 42 and calls["call_i64"](0, 1) == -1
    assert calls["call_f32"](1.5) == 3.0 and calls["call_f64"](1.0, 4.0) == 0.25
    assert calls["call_multi"](3) == (3, 3 * 2**40, 0.75) and calls["call_void"](1) is None


@pytest.mark.parametrize("export, value, expected", [
    ("call_i32", 2**32 - 1, -1), ("call_i32", 2**31, -(2**31)),
    ("call_i64", 2**64 - 1, -1), ("call_i64", 2**63, -(2**63)), ("call_f64", 3, 3.0),
])
def test_results_in_range_are_stored(host, export, value, expected) -> None:
    name = "h" + export[4:]
    assert host(**{name: lambda *a: value})[export](*(0,) * 2) == expected


BAD_RESULTS = [
    ("call_i32", lambda a, b: 2**32), ("call_i32", lambda a, b: -(2**31) - 1),
    ("call_i32", lambda a, b: 1.5), ("call_i32", lambda a, b: None),
    ("call_i64", lambda a, b: 2**64), ("call_f64", lambda a, b: "1.0"),
    ("call_f64", lambda a, b: 10**400), ("call_multi", lambda a: (1, 2)),
    ("call_multi", lambda a: 5), ("call_multi", lambda a: (1, 2**64, 0.0)),
    ("call_void", lambda a: 0), ("call_i32", lambda a, b: True),
]
ARITY = {"call_i32": 2, "call_i64": 2, "call_f64": 2}


@pytest.mark.parametrize("export, fn", BAD_RESULTS)
def test_bad_results_fail_identically(host, export, fn) -> None:
    name, args = "h" + export[4:], (0,) * ARITY.get(export, 1)
    expected = outcome(host(maker=_fast, **{name: fn})[export], *args)
    assert expected[0] in (TypeError, OverflowError) and "host function h_" in expected[1]
    assert outcome(host(maker=_native, **{name: fn})[export], *args) == expected


def test_the_same_exception_object_comes_back_with_its_frames(host) -> None:
    raised = []

    def fails(a: int, b: int) -> int:
        raised.append(KeyError(a))
        raise raised[-1]

    with pytest.raises(KeyError) as info:
        host(h_i32=fails)["call_i32"](5, 6)
    assert info.value is raised[0]
    assert "fails" in [f.name for f in traceback.extract_tb(info.value.__traceback__)]


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

    with pytest.raises(ArithmeticError) as info:
        host(h_i32=step)["loop_i32"](100)
    assert info.value.args == (sum(range(91, 101)),) and len(count) == 11
    assert host(h_i32=lambda acc, n: acc + n)["loop_i32"](1000) == sum(range(1001))


def test_on_error_gets_it_and_a_failing_on_error_is_reported(store, instantiate, layer,
                                                             monkeypatch) -> None:
    got: list[BaseException] = []
    reported: list[object] = []
    monkeypatch.setattr("sys.unraisablehook", reported.append)
    boom = ValueError("boom")

    def bad_on_error(exc: BaseException) -> None:
        got.append(exc)
        raise RuntimeError("on_error broke")

    def fails(a: int, b: int) -> int:
        raise boom

    imports = [layer.make_host_func(store, p, r, fails if n == "h_i32" else (lambda *a: 0),
                                    bad_on_error) for n, (p, r) in SIGS.items()]
    call = layer.make_caller(store, instantiate("host_calls", imports)["call_i32"],
                             ("i32", "i32"), ("i32",), raise_trap=_fast.Relay().raise_trap)
    with pytest.raises(Exception, match=_fast.HOST_EXCEPTION_MARKER + " ValueError"):
        call(1, 2)  # this Relay never parked it: the engine's error comes back
    assert got == [boom] and str(reported[0].exc_value) == "on_error broke"  # type: ignore


def test_called_by_wasmtime_py_which_releases_the_gil(store, instantiate, layer, relay) -> None:
    imports = [layer.make_host_func(store, p, r, lambda *a: 0, relay.on_error)
               for p, r in SIGS.values()]
    imports[0] = layer.make_host_func(store, ("i32", "i32"), ("i32",), lambda a, b: a - b,
                                      relay.on_error)
    ex = instantiate("host_calls", imports)
    assert ex["call_i32"](store, 10, 3) == 7  # wasmtime-py's Func.__call__: a CDLL call
    assert imports[0](store, 4, 1) == 3
    assert str(imports[0].type(store).params[0]) == "i32"


def test_a_given_check_sees_what_is_outside_the_signed_range(store, layer, relay) -> None:
    seen = []

    def check(value: object) -> tuple[object, ...]:
        seen.append(value)
        return (int(value) & 0xFFFFFFFF,)  # type: ignore[call-overload]

    func = layer.make_host_func(store, ("i32",), ("i32",), lambda a: a, relay.on_error,
                                check=check)
    call = layer.make_caller(store, func, ("i32",), ("i32",), raise_trap=relay.raise_trap)
    assert (call(-5), call(7)) == (-5, 7) and seen == []
    assert call(2**32 - 1) == -1 and seen == []  # arrives signed: -1 passes inline
    func2 = layer.make_host_func(store, ("i32",), ("i32",), lambda a: 2**31 + a, relay.on_error,
                                 check=check)
    call2 = layer.make_caller(store, func2, ("i32",), ("i32",), raise_trap=relay.raise_trap)
    assert call2(1) == -(2**31) + 1 and seen == [2**31 + 1]


def test_pass_caller_gives_the_callers_address_first(store, layer, relay) -> None:
    got = []
    func = layer.make_host_func(store, ("i64",), ("i64",), lambda c, x: got.append(c) or x,
                                relay.on_error, pass_caller=True)
    call = layer.make_caller(store, func, ("i64",), ("i64",), raise_trap=relay.raise_trap)
    assert call(-9) == -9 and type(got[0]) is int and got[0] != 0


def test_many_params_and_results(store, instantiate, layer, relay) -> None:
    count = 20
    kinds = ("i64",) * count
    func = layer.make_host_func(store, kinds, kinds, lambda *a: tuple(reversed(a)),
                                relay.on_error)
    call = layer.make_caller(store, func, kinds, kinds, raise_trap=relay.raise_trap)
    assert call(*range(count)) == tuple(reversed(range(count)))


def test_unsupported_types_and_callables(store, layer) -> None:
    with pytest.raises(ValueError, match="not supported"):
        layer.make_host_func(store, ("externref",), (), print, print)
    with pytest.raises(TypeError, match="callable"):
        layer.make_host_func(store, (), (), None, print)


def test_exception_from_a_wasmtime_py_callback_through_a_raw_call(store, instantiate, layer,
                                                                  relay) -> None:
    boom = LookupError("from wasmtime-py's trampoline")

    def h(a: int, b: int) -> int:
        raise boom

    i32 = wasmtime.ValType.i32
    imports = [layer.make_host_func(store, p, r, lambda *a: 0, relay.on_error)
               for p, r in SIGS.values()]
    imports[0] = wasmtime.Func(store, wasmtime.FuncType([i32(), i32()], [i32()]), h)
    call = layer.make_caller(store, instantiate("host_calls", imports)["call_i32"],
                             ("i32", "i32"), ("i32",), raise_trap=relay.raise_trap)
    with pytest.raises(LookupError) as info:
        call(1, 2)
    from wasmtime import _func
    assert info.value is boom and _func.LAST_EXCEPTION is None


def _live(layer: object) -> set[int] | int:
    return set(ctypes_host._registry) if layer is _fast else _native.live_host_funcs()


def test_host_functions_are_released_when_the_store_goes(layer) -> None:
    before = _live(layer)
    store = wasmtime.Store()
    funcs = [layer.make_host_func(store, ("i32",), (), lambda x: None, print) for _ in range(5)]
    during = _live(layer)
    del store, funcs
    gc.collect()
    after = _live(layer)
    if layer is _fast:
        assert len(during - before) == 5 and not (during - before) & after  # type: ignore
    else:
        assert (during - before, after) == (5, before)  # type: ignore[operator]


EXIT_WITH_STORES = """
import sys, wasmtime
from wasmport._engine import fast as _fast
from wasmport._engine.fast import _native
layer = _native if sys.argv[1] == "native" else _fast
stores = []
for _ in range(3):
    store = wasmtime.Store()
    h = layer.make_host_func(store, ("i32",), ("i32",), lambda x: x + 1,
                             _fast.default_relay.on_error)
    m = wasmtime.Module(store.engine, '(module (import "" "h" (func $h (param i32) (result i32)))'
                        ' (func (export "f") (param i32) (result i32) (call $h (local.get 0))))')
    f = wasmtime.Instance(store, m, [h]).exports(store)["f"]
    call = layer.make_caller(store, f, ("i32",), ("i32",))
    assert call(41) == 42
    stores.append((store, h, call))
print("done")
"""


def test_interpreter_exit_with_live_stores_is_clean(layer) -> None:
    out = run_isolated(EXIT_WITH_STORES, "native" if layer is _native else "ctypes")
    assert (out.returncode, out.stdout, out.stderr) == (0, "done\n", "")
