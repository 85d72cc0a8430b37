"""wasm -> Python -> wasm on both layers: nesting, recursion into one export, threads, traps."""

from __future__ import annotations

import gc
import sys
import threading
import time

import pytest
import wasmtime

from .conftest import FIXTURES, SIGS, run_isolated

REENTRY_SIGS = {"outer": (("i32",), ("i32",)), "inner": (("i32",), ("i32",)),
                "rec": (("i32", "i64"), ("i64", "i32")), "trap_after_host": (("i32",), ("i32",))}


@pytest.fixture
def reentry(store, instantiate, relay, layer):
    def build(outer_host=None, inner_host=None, rec_host=None):
        zero = lambda *a: 0  # noqa: E731
        imports = [
            layer.make_host_func(store, ("i32",), ("i32",), outer_host or zero, relay.on_error),
            layer.make_host_func(store, ("i32",), ("i32",), inner_host or zero, relay.on_error),
            layer.make_host_func(store, ("i32", "i64"), ("i64",), rec_host or zero,
                                 relay.on_error),
        ]
        ex = instantiate("reentry", imports)
        return {n: layer.make_caller(store, ex[n], p, r, name=n, raise_trap=relay.raise_trap)
                for n, (p, r) in REENTRY_SIGS.items()}

    return build


def test_nested_exception_caught_replaced_or_passed_on(reentry) -> None:
    first, second = LookupError("inner"), ValueError("outer")
    calls: dict = {}
    mode = ["pass"]

    def inner_host(x: int) -> int:
        raise first

    def outer_host(x: int) -> int:
        try:
            return calls["inner"](x) + 1
        except LookupError:
            if mode[0] == "pass":
                raise
            if mode[0] == "replace":
                raise second from None
            return 42

    calls.update(reentry(outer_host=outer_host, inner_host=inner_host))
    for current, expected in (("pass", first), ("replace", second)):
        mode[0] = current
        with pytest.raises(Exception) as info:
            calls["outer"](1)
        assert info.value is expected
    mode[0] = "catch"
    assert calls["outer"](1) == 42 and calls["outer"](2) == 42  # nothing stale parked


def test_handled_inner_trap_does_not_leak_into_the_outer_call(reentry) -> None:
    calls: dict = {}
    caught = []

    def outer_host(x: int) -> int:
        if x == 1:
            with pytest.raises(wasmtime.Trap) as info:
                calls["trap_after_host"](0)  # -> outer_host(0) -> unreachable
            caught.append(info.value.trap_code)
            return 7
        return 0

    calls.update(reentry(outer_host=outer_host))
    assert calls["outer"](1) == 7 and caught == [wasmtime.TrapCode.UNREACHABLE]
    with pytest.raises(wasmtime.Trap):
        calls["trap_after_host"](1)
    assert calls["outer"](0) == 0


def test_recursion_into_the_same_export_keeps_each_level_apart(reentry) -> None:
    calls: dict = {}
    levels = []

    def rec_host(n: int, x: int) -> int:
        if n == 0:
            return 1000
        total, m = calls["rec"](n - 1, x * 2)
        levels.append((n, m))
        assert m == n - 1  # the inner results are the inner call's own
        return total

    calls.update(reentry(rec_host=rec_host))
    assert calls["rec"](5, 1) == (1000 + 32 + 16 + 8 + 4 + 2 + 1, 5)
    assert levels == [(1, 0), (2, 1), (3, 2), (4, 3), (5, 4)]


def test_exception_from_the_deepest_of_twenty_levels(reentry) -> None:
    calls: dict = {}
    boom = OverflowError("deep")
    armed = [True]

    def rec_host(n: int, x: int) -> int:
        if n == 0:
            if armed[0]:
                raise boom
            return 0
        return calls["rec"](n - 1, x)[0]

    calls.update(reentry(rec_host=rec_host))
    with pytest.raises(OverflowError) as info:
        calls["rec"](20, 1)
    assert info.value is boom
    armed[0] = False
    assert calls["rec"](20, 1) == (21, 20)


@pytest.mark.parametrize("name, params, args, code", [
    ("unreachable", (), (), wasmtime.TrapCode.UNREACHABLE),
    ("div_s", ("i32", "i32"), (1, 0), wasmtime.TrapCode.INTEGER_DIVISION_BY_ZERO),
    ("div_s", ("i32", "i32"), (-(2**31), -1), wasmtime.TrapCode.INTEGER_OVERFLOW),
    ("load", ("i32",), (65536,), wasmtime.TrapCode.MEMORY_OUT_OF_BOUNDS),
    ("deep", ("i32",), (0,), wasmtime.TrapCode.STACK_OVERFLOW),
])
def test_trap_codes(store, instantiate, layer, name, params, args, code) -> None:
    call = layer.make_caller(store, instantiate("traps")[name], params,
                             () if name == "unreachable" else ("i32",))
    with pytest.raises(wasmtime.Trap) as info:
        call(*args)
    assert info.value.trap_code == code and "wasm backtrace" in str(info.value)


def test_raise_trap_gets_one_pointer_owns_it_and_must_raise(store, instantiate, layer) -> None:
    from wasmport._engine import fast as _fast

    seen: list[tuple[int, int]] = []

    def raise_trap(trap: int, error: int):
        seen.append((trap, error))
        raise LookupError(_fast.take(trap, error).trap_code)

    div = layer.make_caller(store, instantiate("traps")["div_s"], ("i32", "i32"), ("i32",),
                            name="div_s", raise_trap=raise_trap)
    with pytest.raises(LookupError) as info:
        div(1, 0)
    assert info.value.args == (wasmtime.TrapCode.INTEGER_DIVISION_BY_ZERO,)
    assert seen[0][0] != 0 and seen[0][1] == 0 and div(7, 2) == 3
    careless = layer.make_caller(store, instantiate("traps")["div_s"], ("i32", "i32"), ("i32",),
                                 name="div_s", raise_trap=lambda t, e: _fast.take(t, e))
    with pytest.raises(RuntimeError, match=r"^div_s\(\): raise_trap returned instead of raising$"):
        careless(1, 0)


def test_many_traps_leave_later_calls_unaffected(store, instantiate, layer) -> None:
    div = layer.make_caller(store, instantiate("traps")["div_s"], ("i32", "i32"), ("i32",))
    for _ in range(2000):
        with pytest.raises(wasmtime.Trap):
            div(1, 0)
    gc.collect()
    assert div(9, 3) == 3


def test_two_threads_keep_their_own_exceptions_and_results(layer) -> None:
    from wasmport._engine import fast as _fast

    relay = _fast.Relay()
    errors: list[str] = []

    def worker(tag: int) -> None:
        try:
            store = wasmtime.Store(wasmtime.Engine())
            current: list[BaseException] = []

            def h(acc: int, n: int) -> int:
                if n == tag:
                    current.append(RuntimeError(tag))
                    raise current[-1]
                return acc + tag

            imports = [layer.make_host_func(store, p, r, h if i == 0 else (lambda *a: 0),
                                            relay.on_error)
                       for i, (p, r) in enumerate(SIGS.values())]
            module = wasmtime.Module(store.engine, (FIXTURES / "host_calls.wat").read_text())
            ex = wasmtime.Instance(store, module, imports).exports(store)

            def raise_trap(trap: int, error: int):
                time.sleep(0.0001)  # the other thread runs between park and pop
                relay.raise_trap(trap, error)

            loop = layer.make_caller(store, ex["loop_i32"], ("i32",), ("i32",),
                                     raise_trap=raise_trap)
            for _ in range(300):
                assert loop(tag - 1) == tag * (tag - 1)
                try:
                    loop(tag + 5)
                    errors.append(f"thread {tag}: no exception")
                except RuntimeError as exc:
                    if exc is not current[-1]:
                        errors.append(f"thread {tag}: another thread's exception {exc!r}")
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(f"thread {tag}: {exc!r}")

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=worker, args=(tag,)) for tag in (3, 7)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert errors == []


UNBOUNDED = """
import sys, wasmtime
from wasmport._engine import fast as _fast
from wasmport._engine.fast import _native
layer = _native if sys.argv[1] == "native" else _fast
relay, store, calls = _fast.Relay(), wasmtime.Store(), {}
host = layer.make_host_func(store, ("i32",), ("i32",), lambda x: calls["f"](x + 1),
                            relay.on_error)
m = wasmtime.Module(store.engine, '(module (import "" "h" (func $h (param i32) (result i32)))'
                    ' (func (export "f") (param i32) (result i32) (call $h (local.get 0))))')
calls["f"] = layer.make_caller(store, wasmtime.Instance(store, m, [host]).exports(store)["f"],
                               ("i32",), ("i32",), raise_trap=relay.raise_trap)
sys.setrecursionlimit(int(sys.argv[2]))
for _ in range(2):
    try:
        calls["f"](0)
    except wasmtime.Trap as e:
        print(e.trap_code)
    except RecursionError:
        print("RecursionError")
"""


@pytest.mark.parametrize("limit", [1000, 100_000])
def test_unbounded_recursion_through_wasm_ends_in_an_error(layer, limit) -> None:
    from wasmport._engine.fast import _native

    out = run_isolated(UNBOUNDED, "native" if layer is _native else "ctypes", str(limit))
    lines = out.stdout.splitlines()
    assert out.returncode == 0 and len(lines) == 2, out.stderr
    assert set(lines) <= {"TrapCode.STACK_OVERFLOW", "RecursionError"}
