"""Arguments and results at the integer boundaries, for exports and for Python host
functions called from wasm: in range they arrive as wasm's bits, out of range they are
an OverflowError before anything runs -- never a silent wrap."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wasmport

IDENTITY = """(module
  (global $calls (export "calls") (mut i32) (i32.const 0))
  (func $count (global.set $calls (i32.add (global.get $calls) (i32.const 1))))
  (func (export "i32") (param i32) (result i32) (call $count) (local.get 0))
  (func (export "i64") (param i64) (result i64) (call $count) (local.get 0))
  (func (export "f32") (param f32) (result f32) (call $count) (local.get 0))
  (func (export "f64") (param f64) (result f64) (call $count) (local.get 0)))"""

CALLS_HOST = """(module
  (import "env" "h" (func $h (param i32 i64) (result i32 i64)))
  (func (export "call") (param i32 i64) (result i32 i64) (call $h (local.get 0) (local.get 1))))"""

RANGES = {"i32": (-(2**31), 2**32 - 1), "i64": (-(2**63), 2**64 - 1)}


def signed(bits: int, value: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


@pytest.fixture(scope="module")
def ident() -> Iterator[wasmport.Instance]:
    with wasmport.Realm(name="boundaries") as realm:
        yield wasmport.instance_of(wasmport.compile(IDENTITY, name="ident", realm=realm)
                                   .instantiate())


@pytest.mark.parametrize("vt", ["i32", "i64"])
def test_in_range_integers_keep_their_bits(ident: wasmport.Instance, vt: str) -> None:
    low, high = RANGES[vt]
    bits = int(vt[1:])
    fn = ident.exports[vt]
    for value in (low, low + 1, -1, 0, 1, high // 2, high // 2 + 1, high):
        assert fn(value) == signed(bits, value), value


@pytest.mark.parametrize("vt", ["i32", "i64"])
def test_out_of_range_integers_raise_before_the_call(ident: wasmport.Instance, vt: str) -> None:
    low, high = RANGES[vt]
    fn, calls = ident.exports[vt], ident.exports["calls"]
    before = calls.value
    for value in (low - 1, high + 1, 2**200, -(2**200)):
        with pytest.raises(OverflowError, match=rf"{vt}\(.*argument.*: {value} is out of "
                                                rf"range for {vt}"):
            fn(value)
    assert calls.value == before


@pytest.mark.parametrize(("vt", "value"), [("i32", 1.0), ("i32", "1"), ("i64", None),
                                           ("i64", 2.0**63), ("f32", "1.5"), ("f64", None),
                                           ("f64", b"\x00")])
def test_wrong_python_types_are_type_errors(ident: wasmport.Instance, vt: str,
                                            value: object) -> None:
    with pytest.raises(TypeError, match=rf"{vt}\(.*argument.*: expected an? (int|float) "
                                        rf"for {vt}"):
        ident.exports[vt](value)


def test_floats_at_the_edges(ident: wasmport.Instance) -> None:
    f32, f64 = ident.exports["f32"], ident.exports["f64"]
    assert f64(1.7976931348623157e308) == 1.7976931348623157e308
    assert math.copysign(1.0, f64(-0.0)) == -1.0
    assert math.isnan(f64(math.nan)) and math.isnan(f32(math.nan))
    assert f32(3.4028234663852886e38) == 3.4028234663852886e38
    assert f32(1e-45) == pytest.approx(1.401298464324817e-45)
    assert f32(2**24 + 1) == 2**24  # f32 rounding of an int, as wasm's f32 would
    assert f32(1e39) == math.inf  # beyond f32: rounds to infinity (IEEE), no error


@settings(max_examples=200, deadline=None)
@given(st.integers(-(2**64), 2**65))
def test_any_integer_is_exact_or_refused(ident: wasmport.Instance, value: int) -> None:
    fn = ident.exports["i64"]
    low, high = RANGES["i64"]
    if low <= value <= high:
        assert fn(value) == signed(64, value)
    else:
        with pytest.raises(OverflowError):
            fn(value)


# -- Python host functions called from wasm ---------------------------------------------------


def _host_module(realm: wasmport.Realm, host: object) -> wasmport.Function:
    ns = wasmport.compile(CALLS_HOST, name="calls_host", realm=realm).instantiate(
        {"env": {"h": host}})
    return wasmport.instance_of(ns).exports["call"]


@pytest.mark.parametrize(("a", "b"), [(-(2**31), -(2**63)), (2**31 - 1, 2**63 - 1), (-1, -1),
                                      (2**32 - 1, 2**64 - 1), (0, 0)])
def test_host_gets_wasm_values_signed(realm: wasmport.Realm, a: int, b: int) -> None:
    seen: list[tuple[int, int]] = []

    def h(x: int, y: int) -> tuple[int, int]:
        seen.append((x, y))
        return x, y

    call = _host_module(realm, h)
    assert call(a, b) == (signed(32, a), signed(64, b))
    assert seen == [(signed(32, a), signed(64, b))]


@pytest.mark.parametrize("result", [(2**32 - 1, 2**64 - 1), (-(2**31), -(2**63))])
def test_host_results_in_range_pass(realm: wasmport.Realm, result: tuple[int, int]) -> None:
    call = _host_module(realm, lambda x, y: result)
    assert call(0, 0) == (signed(32, result[0]), signed(64, result[1]))


@pytest.mark.parametrize(("result", "error", "text"), [
    ((2**32, 0), OverflowError, "4294967296 is out of range for i32"),
    ((0, -(2**63) - 1), OverflowError, "out of range for i64"),
    ((0.5, 0), TypeError, "expected an int for i32"),
    ((1,), TypeError, "expected (a tuple of )?2"),
    (None, TypeError, "expected (a tuple of )?2"),
])
def test_host_results_out_of_range_reach_the_caller(realm: wasmport.Realm, result: object,
                                                    error: type[Exception], text: str) -> None:
    call = _host_module(realm, lambda x, y: result)
    with pytest.raises(error, match=text) as info:
        call(1, 2)
    assert 'import "env"."h"' in str(info.value)  # the message names the host function
    assert _host_module(realm, lambda x, y: (x, y))(3, 4) == (3, 4)  # the realm still works
