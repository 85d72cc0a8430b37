"""The native lifted shape: (ptr, len) parameters copied out of the caller's memory in C.

What the ctypes layer does with a generated Python function per host method
(_host/engine.py, the *direct* shape); tests/native/test_wired.py compares the two
through wasmport's public API.
"""

from __future__ import annotations

import pytest
import wasmtime

from wasmport._engine.fast import _native
from wasmport._errors import MemoryAccessError

PAGE = 65536
GUEST = """(module
  (import "env" "h" (func $h (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1 2)
  (data (i32.const 0) "hello\\ff\\fe")
  (func (export "f") (param i32 i32 i32) (result i32)
    (call $h (local.get 0) (local.get 1) (local.get 2)))
  (func (export "grow") (result i32) (memory.grow (i32.const 1))))"""


@pytest.fixture
def guest(store, relay):
    """guest(fn, kind, fallback=..., check=...) -> (f(ptr, len, x), the window, grow())."""

    def build(fn, kind="bytes", fallback=None, check=None, bind=True):
        log: list[tuple[object, ...]] = []

        def default_fallback(caller, *raw):
            log.append(raw)
            return -1

        window = _native.new_window(lambda o, n, s: MemoryAccessError(o, n, s))
        func = _native.make_host_func(store, ("i32", "i32", "i32"), ("i32",), fn, relay.on_error,
                                      name="h", lifts=[(kind, 0), ("value", 2)], memory=window,
                                      fallback=fallback or default_fallback, check=check)
        module = wasmtime.Module(store.engine, GUEST)
        ex = wasmtime.Instance(store, module, [func]).exports(store)
        if bind:
            _native.bind_window(window, store, ex["memory"], None)
        call = _native.make_caller(store, ex["f"], ("i32",) * 3, ("i32",), name="f",
                                   raise_trap=relay.raise_trap)
        grow = _native.make_caller(store, ex["grow"], (), ("i32",), name="grow")
        return call, window, grow, log

    return build


def test_bytes_and_values_are_lifted(guest) -> None:
    got = []
    call, *_ , log = guest(lambda data, x: got.append((data, x)) or len(data) + x)
    assert call(0, 5, -3) == 2 and got == [(b"hello", -3)] and log == []
    assert call(PAGE, 0, 1) == 1 and got[-1] == (b"", 1)  # empty, at the very end


def test_strings_are_decoded_strictly(guest) -> None:
    got = []
    call, *_, log = guest(lambda text, x: got.append(text) or len(text), kind="string")
    assert call(0, 5, 0) == 5 and got == ["hello"]
    assert call(4, 2, 0) == -1 and log == [(4, 2, 0)]  # "o\xff": the fallback decides


@pytest.mark.parametrize("ptr, length", [(PAGE - 2, 3), (-1, 2), (0, -1), (PAGE + 1, 0)])
def test_out_of_bounds_goes_to_the_fallback_with_the_raw_values(guest, ptr, length) -> None:
    call, *_, log = guest(lambda data, x: pytest.fail("lifted out of bounds"))
    assert call(ptr, length, 9) == -1
    signed = [v - 2**32 if v >= 2**31 else v for v in (ptr & 0xFFFFFFFF, length & 0xFFFFFFFF)]
    assert log == [(*signed, 9)]


def test_an_unbound_window_goes_to_the_fallback_until_bound(guest, store) -> None:
    call, window, _, log = guest(lambda data, x: len(data), bind=False)
    assert call(0, 5, 1) == -1 and log == [(0, 5, 1)]


def test_the_fallback_gets_the_caller_first(guest) -> None:
    callers = []
    call, *_ = guest(lambda data, x: 0, fallback=lambda c, *raw: callers.append(c) or 7)
    assert call(PAGE, 1, 0) == 7 and type(callers[0]) is int and callers[0] != 0


def test_a_grown_memory_is_seen(guest) -> None:
    call, window, grow, log = guest(lambda data, x: len(data))
    assert call(PAGE, 10, 0) == -1
    assert grow() == 1 and window.size() == 2 * PAGE
    assert call(PAGE, 10, 0) == 10 and len(log) == 1


def test_results_outside_the_signed_range_go_to_check_fallback_results_are_validated(
        guest) -> None:
    checked = []
    call, *_ = guest(lambda data, x: 2**32 - 1, check=lambda r: checked.append(r) or (-1,))
    assert call(0, 1, 0) == -1 and checked == [2**32 - 1]
    bad, *_ = guest(lambda data, x: 0, fallback=lambda c, *raw: 2**40)
    with pytest.raises(OverflowError, match="host function h result: 1099511627776 is out"):
        bad(PAGE, 1, 0)


def test_exceptions_of_fn_and_fallback_come_back_as_themselves(guest) -> None:
    boom, bang = KeyError("fn"), LookupError("fallback")

    def fallback(caller, *raw):
        raise bang

    call, *_ = guest(lambda data, x: (_ for _ in ()).throw(boom), fallback=fallback)
    with pytest.raises(KeyError) as info:
        call(0, 1, 0)
    assert info.value is boom
    with pytest.raises(LookupError) as info2:
        call(PAGE, 1, 0)
    assert info2.value is bang


def test_bad_lift_specs_are_refused(store) -> None:
    window = _native.new_window(lambda o, n, s: IndexError())
    make = _native.make_host_func
    with pytest.raises(ValueError, match="two i32 slots"):
        make(store, ("i32",), (), print, print, lifts=[("bytes", 0)], memory=window,
             fallback=print)
    with pytest.raises(ValueError, match="two i32 slots"):
        make(store, ("i64", "i32"), (), print, print, lifts=[("string", 0)], memory=window,
             fallback=print)
    with pytest.raises(TypeError, match="Window"):
        make(store, ("i32",), (), print, print, lifts=[("value", 0)], memory=None,
             fallback=print)
    with pytest.raises(ValueError, match="lift kind 'utf16' is not one of value, bytes, string"):
        make(store, ("i32",), (), print, print, lifts=[("utf16", 0)], memory=window,
             fallback=print)
