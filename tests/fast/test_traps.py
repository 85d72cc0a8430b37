"""Traps through make_caller, and the raise_trap(trap, error) protocol."""

from __future__ import annotations

import gc

import pytest
import wasmtime

from wasmport._engine import fast as _fast


@pytest.fixture
def traps(store, instantiate):
    return instantiate("traps")


@pytest.mark.parametrize("name, params, args, code", [
    ("unreachable", (), (), wasmtime.TrapCode.UNREACHABLE),
    ("div_s", ("i32", "i32"), (1, 0), wasmtime.TrapCode.INTEGER_DIVISION_BY_ZERO),
    ("div_s", ("i32", "i32"), (-(2**31), -1), wasmtime.TrapCode.INTEGER_OVERFLOW),
    ("load", ("i32",), (65536,), wasmtime.TrapCode.MEMORY_OUT_OF_BOUNDS),
    ("deep", ("i32",), (0,), wasmtime.TrapCode.STACK_OVERFLOW),
])
def test_trap_codes_by_default(store, traps, name, params, args, code) -> None:
    results = () if name == "unreachable" else ("i32",)
    call = _fast.make_caller(store, traps[name], params, results)
    with pytest.raises(wasmtime.Trap) as info:
        call(*args)
    assert info.value.trap_code == code
    assert "wasm backtrace" in str(info.value)


def test_raise_trap_gets_a_trap_pointer_and_owns_it(store, traps) -> None:
    seen: list[tuple[int, int]] = []

    class Mine(Exception):
        pass

    def raise_trap(trap: int, error: int):
        seen.append((trap, error))
        failure = _fast.take(trap, error)
        raise Mine(failure.trap_code)

    div = _fast.make_caller(store, traps["div_s"], ("i32", "i32"), ("i32",), raise_trap=raise_trap)
    with pytest.raises(Mine) as info:
        div(1, 0)
    assert info.value.args == (wasmtime.TrapCode.INTEGER_DIVISION_BY_ZERO,)
    assert seen[0][0] != 0 and seen[0][1] == 0
    assert div(7, 2) == 3  # the trap cell was reset: no stale trap on success


def test_raise_trap_that_returns_is_an_error(store, traps) -> None:
    def careless(trap: int, error: int) -> None:
        _fast.take(trap, error)

    div = _fast.make_caller(store, traps["div_s"], ("i32", "i32"), ("i32",), raise_trap=careless)
    with pytest.raises(RuntimeError, match="raise_trap returned"):
        div(1, 0)


def test_take_refuses_two_nulls() -> None:
    with pytest.raises(ValueError, match="NULL"):
        _fast.take(0, 0)


def test_many_traps_free_their_pointers(store, traps) -> None:
    # Not a leak detector; checks that owning objects are collectable and a later
    # call is unaffected after thousands of traps.
    div = _fast.make_caller(store, traps["div_s"], ("i32", "i32"), ("i32",))
    for _ in range(2000):
        with pytest.raises(wasmtime.Trap):
            div(1, 0)
    gc.collect()
    assert div(9, 3) == 3


def test_is_host_exception_tells_wasm_traps_apart(store, traps) -> None:
    div = _fast.make_caller(store, traps["div_s"], ("i32", "i32"), ("i32",))
    with pytest.raises(wasmtime.Trap) as info:
        div(1, 0)
    assert not _fast.is_host_exception(info.value)
    assert not _fast.is_host_exception(ValueError(_fast.HOST_EXCEPTION_MARKER))
    assert _fast.is_host_exception(wasmtime.WasmtimeError(_fast.HOST_EXCEPTION_MARKER + " X"))
