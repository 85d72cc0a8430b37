"""wasm -> Python -> wasm -> Python: nesting, recursion into the same export, threads."""

from __future__ import annotations

import sys
import threading
import time

import pytest
import wasmtime

from wasmport._engine import fast as _fast
from wasmport._engine.fast import _caller


@pytest.fixture
def reentry(store, instantiate, relay):
    """reentry(outer_host=fn, inner_host=fn, rec_host=fn) -> {export: fast caller}."""

    def build(outer_host=None, inner_host=None, rec_host=None):
        zero = lambda *a: 0  # noqa: E731
        imports = [
            _fast.make_host_func(store, ("i32",), ("i32",), outer_host or zero, relay.on_error),
            _fast.make_host_func(store, ("i32",), ("i32",), inner_host or zero, relay.on_error),
            _fast.make_host_func(store, ("i32", "i64"), ("i64",), rec_host or zero, relay.on_error),
        ]
        ex = instantiate("reentry", imports)
        sigs = {"outer": (("i32",), ("i32",)), "inner": (("i32",), ("i32",)),
                "rec": (("i32", "i64"), ("i64", "i32")),
                "trap_after_host": (("i32",), ("i32",))}
        return {n: _fast.make_caller(store, ex[n], p, r, name=n, raise_trap=relay.raise_trap)
                for n, (p, r) in sigs.items()}

    return build


def test_nested_exception_propagates_through_both_levels(reentry) -> None:
    boom = LookupError("inner")
    calls = {}

    def inner_host(x: int) -> int:
        raise boom

    def outer_host(x: int) -> int:
        return calls["inner"](x) + 1  # does not catch: boom goes on up

    calls.update(reentry(outer_host=outer_host, inner_host=inner_host))
    with pytest.raises(LookupError) as info:
        calls["outer"](1)
    assert info.value is boom


def test_nested_exception_caught_in_the_middle(reentry) -> None:
    boom = LookupError("inner")
    caught = []
    calls = {}

    def inner_host(x: int) -> int:
        raise boom

    def outer_host(x: int) -> int:
        try:
            calls["inner"](x)
        except LookupError as exc:
            caught.append(exc)
            return 42
        return 0

    calls.update(reentry(outer_host=outer_host, inner_host=inner_host))
    assert calls["outer"](1) == 42
    assert caught == [boom] and caught[0] is boom
    assert calls["outer"](2) == 42  # nothing stale parked after the handled exception


def test_nested_exception_replaced_in_the_middle(reentry) -> None:
    first, second = LookupError("inner"), ValueError("outer")
    calls = {}

    def inner_host(x: int) -> int:
        raise first

    def outer_host(x: int) -> int:
        try:
            return calls["inner"](x)
        except LookupError:
            raise second from None

    calls.update(reentry(outer_host=outer_host, inner_host=inner_host))
    with pytest.raises(ValueError) as info:
        calls["outer"](1)
    assert info.value is second


def test_handled_inner_trap_does_not_leak_into_the_outer_call(reentry) -> None:
    calls = {}
    caught = []

    def outer_host(x: int) -> int:
        if x == 1:
            with pytest.raises(wasmtime.Trap) as info:
                calls["trap_after_host"](0)  # -> outer_host(0) -> unreachable
            caught.append(info.value.trap_code)
            return 7
        return 0

    calls.update(reentry(outer_host=outer_host))
    assert calls["outer"](1) == 7
    assert caught == [wasmtime.TrapCode.UNREACHABLE]
    # The same nesting, then the outer function traps itself.
    with pytest.raises(wasmtime.Trap) as info:
        calls["trap_after_host"](1)
    assert info.value.trap_code == wasmtime.TrapCode.UNREACHABLE
    assert len(caught) == 2
    assert calls["outer"](0) == 0


def test_recursion_into_the_same_export_keeps_each_level_apart(reentry) -> None:
    calls = {}
    levels = []

    def rec_host(n: int, x: int) -> int:
        if n == 0:
            return 1000
        total, m = calls["rec"](n - 1, x * 2)
        levels.append((n, m))
        assert m == n - 1  # the inner results are the inner call's own
        return total

    calls.update(reentry(rec_host=rec_host))
    before = _caller.stats["nested_buffers"]
    assert calls["rec"](5, 1) == (1000 + 32 + 16 + 8 + 4 + 2 + 1, 5)
    assert levels == [(1, 0), (2, 1), (3, 2), (4, 3), (5, 4)]
    assert _caller.stats["nested_buffers"] - before == 5  # one buffer per depth, made once
    assert calls["rec"](5, 1) == (1063, 5)
    assert _caller.stats["nested_buffers"] - before == 5  # and reused


def test_exception_from_the_deepest_recursion_level(reentry) -> None:
    calls = {}
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
        calls["rec"](10, 1)
    assert info.value is boom
    armed[0] = False
    assert calls["rec"](10, 1) == (11, 10)  # every level's buffer is usable again


def test_two_threads_keep_their_own_exceptions_and_results() -> None:
    # One store per thread (a Store must not be entered from two threads at once);
    # a shared Relay; forced frequent GIL switches inside host functions.
    from .conftest import FIXTURES

    relay = _fast.Relay()
    errors: list[str] = []
    iterations = 300

    def worker(tag: int) -> None:
        try:
            store = wasmtime.Store(wasmtime.Engine())
            current: list[BaseException] = []

            def h(acc: int, n: int) -> int:
                if n == tag:
                    exc = RuntimeError(tag)
                    current.append(exc)
                    raise exc
                return acc + tag

            sigs = [(("i32", "i32"), ("i32",)), (("i64", "i64"), ("i64",)), (("f32",), ("f32",)),
                    (("f64", "f64"), ("f64",)), (("i32",), ("i32", "i64", "f64")), (("i32",), ())]
            imports = [_fast.make_host_func(store, p, r, h if i == 0 else (lambda *a: 0),
                                            relay.on_error) for i, (p, r) in enumerate(sigs)]
            module = wasmtime.Module(store.engine, (FIXTURES / "host_calls.wat").read_text())
            ex = wasmtime.Instance(store, module, imports).exports(store)
            def raise_trap(trap: int, error: int):
                # Let the other thread run between park and pop: the window in
                # which a shared (not per-thread) slot would be overwritten.
                time.sleep(0.0001)
                relay.raise_trap(trap, error)

            loop = _fast.make_caller(store, ex["loop_i32"], ("i32",), ("i32",),
                                     raise_trap=raise_trap)
            for _ in range(iterations):
                assert loop(tag - 1) == tag * (tag - 1)
                try:
                    loop(tag + 5)
                except RuntimeError as exc:
                    if exc is not current[-1]:
                        errors.append(f"thread {tag}: got another thread's exception {exc!r}")
                else:
                    errors.append(f"thread {tag}: no exception")
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
