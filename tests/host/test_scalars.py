"""Scalars in both directions at their boundaries: wasm -> Python (parameters) and
Python -> wasm (results), for every scalar type."""

from __future__ import annotations

import math
import re
import struct
from decimal import Decimal
from fractions import Fraction

import pytest

import wasmport
from wasmport import export
from wasmport.types import (
    Bool,
    Float32,
    Float64,
    Int8,
    Int16,
    Int32,
    Int64,
    Uint8,
    Uint16,
    Uint32,
    Uint64,
)

from .guests import forwarder

_ECHO = object()


class Echo(wasmport.HostModule, name="t"):
    """Each function records what it received and returns ``self.reply`` (or the input)."""

    def __init__(self) -> None:
        self.seen: list[object] = []
        self.reply: object = _ECHO

    def _answer(self, value: object) -> object:
        self.seen.append(value)
        return value if self.reply is _ECHO else self.reply

    @export
    def i32(self, v: Int32) -> Int32:
        return self._answer(v)  # type: ignore[return-value]

    @export
    def u32(self, v: Uint32) -> Uint32:
        return self._answer(v)  # type: ignore[return-value]

    @export
    def i64(self, v: Int64) -> Int64:
        return self._answer(v)  # type: ignore[return-value]

    @export
    def u64(self, v: Uint64) -> Uint64:
        return self._answer(v)  # type: ignore[return-value]

    @export
    def i8(self, v: Int8) -> Int8:
        return self._answer(v)  # type: ignore[return-value]

    @export
    def u8(self, v: Uint8) -> Uint8:
        return self._answer(v)  # type: ignore[return-value]

    @export
    def i16(self, v: Int16) -> Int16:
        return self._answer(v)  # type: ignore[return-value]

    @export
    def u16(self, v: Uint16) -> Uint16:
        return self._answer(v)  # type: ignore[return-value]

    @export
    def f32(self, v: Float32) -> Float32:
        return self._answer(v)  # type: ignore[return-value]

    @export
    def f64(self, v: Float64) -> Float64:
        return self._answer(v)  # type: ignore[return-value]

    @export
    def flag(self, v: Bool) -> Bool:
        return self._answer(v)  # type: ignore[return-value]


SIGS = {
    name: ((core,), (core,))
    for name, core in [("i32", "i32"), ("u32", "i32"), ("i64", "i64"), ("u64", "i64"),
                       ("i8", "i32"), ("u8", "i32"), ("i16", "i32"), ("u16", "i32"),
                       ("f32", "f32"), ("f64", "f64"), ("flag", "i32")]
}


@pytest.fixture
def echo(realm: wasmport.Realm) -> tuple[object, Echo]:
    mod = forwarder(realm, SIGS, {"t": Echo}, pages=None)
    return mod, Echo.of(mod)


# (function, the value the wasm caller passes, what the host method receives)
PARAMS = [
    ("i32", 0, 0), ("i32", 2**31 - 1, 2**31 - 1), ("i32", -(2**31), -(2**31)), ("i32", -1, -1),
    ("u32", 0, 0), ("u32", 2**31 - 1, 2**31 - 1), ("u32", -1, 2**32 - 1),
    ("u32", -(2**31), 2**31),
    ("i64", 0, 0), ("i64", 2**63 - 1, 2**63 - 1), ("i64", -(2**63), -(2**63)), ("i64", -1, -1),
    ("u64", 0, 0), ("u64", -1, 2**64 - 1), ("u64", -(2**63), 2**63),
    ("i8", -128, -128), ("i8", 127, 127), ("u8", 0, 0), ("u8", 255, 255),
    ("i16", -(2**15), -(2**15)), ("i16", 2**15 - 1, 2**15 - 1), ("u16", 2**16 - 1, 2**16 - 1),
    ("f64", 0.0, 0.0), ("f64", -1.5, -1.5), ("f64", math.inf, math.inf),
    ("f64", 1.7976931348623157e308, 1.7976931348623157e308),
    ("f32", 0.5, 0.5), ("f32", -3.4028234663852886e38, -3.4028234663852886e38),
    ("flag", 0, False), ("flag", 1, True), ("flag", 7, True), ("flag", -1, True),
]


@pytest.mark.parametrize(("fn", "wasm_value", "received"), PARAMS)
def test_parameters_lift_at_the_boundaries(echo, fn, wasm_value, received):
    mod, host = echo
    host.reply = 0 if fn not in ("f32", "f64") else 0.0
    getattr(mod, fn)(wasm_value)
    assert host.seen == [received]
    assert type(host.seen[0]) is type(received)


def test_f32_parameter_is_the_rounded_single():
    # what the guest passes is an f32; the host sees exactly that value as a float
    rounded = struct.unpack("<f", struct.pack("<f", 0.1))[0]
    assert rounded != 0.1
    realm = wasmport.Realm()
    mod = forwarder(realm, SIGS, {"t": Echo}, pages=None)
    mod.f32(0.1)
    assert Echo.of(mod).seen == [rounded]


def test_nan_crosses_both_ways(echo):
    mod, host = echo
    assert math.isnan(mod.f64(math.nan))
    assert math.isnan(host.seen[0])
    host.reply = math.nan
    assert math.isnan(mod.f32(1.0))


@pytest.mark.parametrize(("fn", "wasm_value", "message"), [
    ("u8", 256, "256 is out of range for Uint8 (0..255)"),
    ("u8", -1, "-1 is out of range for Uint8"),
    ("i8", 128, "128 is out of range for Int8 (-128..127)"),
    ("i8", -129, "-129 is out of range for Int8"),
    ("u16", 65536, "out of range for Uint16"),
    ("i16", -(2**15) - 1, "out of range for Int16"),
])
def test_narrow_parameters_out_of_range_trap_with_value_error(echo, fn, wasm_value, message):
    mod, host = echo
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        getattr(mod, fn)(wasm_value)
    assert f"Echo.{fn}() parameter 0 'v'" in str(info.value)
    assert host.seen == []  # the method never ran


# (function, what the method returns, what the Python caller of the export gets back)
RESULTS = [
    ("i32", 0, 0), ("i32", 2**31 - 1, 2**31 - 1), ("i32", -(2**31), -(2**31)),
    ("u32", 0, 0), ("u32", 2**32 - 1, -1), ("u32", 2**31, -(2**31)),
    ("i64", 2**63 - 1, 2**63 - 1), ("i64", -(2**63), -(2**63)),
    ("u64", 2**64 - 1, -1), ("u64", 2**63, -(2**63)),
    ("i8", -128, -128), ("u8", 255, 255), ("i16", -(2**15), -(2**15)), ("u16", 65535, 65535),
    ("f64", 1.7976931348623157e308, 1.7976931348623157e308), ("f64", -math.inf, -math.inf),
    ("f32", 3.4028234663852886e38, 3.4028234663852886e38), ("f32", 2, 2.0),
    ("f32", math.inf, math.inf),
    ("flag", True, 1), ("flag", False, 0), ("flag", 1, 1), ("flag", 0, 0),
]


@pytest.mark.parametrize(("fn", "returned", "wasm_result"), RESULTS)
def test_results_lower_at_the_boundaries(echo, fn, returned, wasm_result):
    mod, host = echo
    host.reply = returned
    arg = 0.0 if fn in ("f32", "f64") else 0
    got = getattr(mod, fn)(arg)
    assert got == wasm_result
    assert type(got) is type(wasm_result)


@pytest.mark.parametrize(("fn", "returned", "error", "message"), [
    ("i32", 2**31, OverflowError, "2147483648 is out of range for Int32"),
    ("i32", -(2**31) - 1, OverflowError, "out of range for Int32"),
    ("u32", -1, OverflowError, r"-1 is out of range for Uint32 \(0\.\.4294967295\)"),
    ("u32", 2**32, OverflowError, "out of range for Uint32"),
    ("i64", 2**63, OverflowError, "out of range for Int64"),
    ("u64", -1, OverflowError, "out of range for Uint64"),
    ("u64", 2**64, OverflowError, "out of range for Uint64"),
    ("u8", 256, OverflowError, "out of range for Uint8"),
    ("i8", -129, OverflowError, "out of range for Int8"),
    ("u16", -1, OverflowError, "out of range for Uint16"),
    ("f32", 3.5e38, OverflowError, "out of range for Float32"),
    ("f32", -1e39, OverflowError, "out of range for Float32"),
    ("f64", 10**400, OverflowError, "too large"),
    ("i32", 1.0, TypeError, "expected an int for Int32, got float"),
    ("i32", "1", TypeError, "expected an int for Int32, got str"),
    ("f64", "1", TypeError, "expected a float for Float64, got str"),
    ("i32", True, TypeError, r"expected an int for Int32, got bool \(True is not a number"),
    ("u64", False, TypeError, "expected an int for Uint64, got bool"),
    ("f64", True, TypeError, "expected a float for Float64, got bool"),
    ("f32", Fraction(1, 3), TypeError, r"expected a float for Float32, got Fraction \(pass float"),
    ("f64", Decimal("0.5"), TypeError, "expected a float for Float64, got Decimal"),
    ("flag", 2, TypeError, "expected a bool for Bool, got 2"),
    ("flag", None, TypeError, "expected a bool for Bool"),
])
def test_results_out_of_range_never_wrap(echo, fn, returned, error, message):
    mod, host = echo
    host.reply = returned
    arg = 0.0 if fn in ("f32", "f64") else 0
    with pytest.raises(error, match=message) as info:
        getattr(mod, fn)(arg)
    assert f'import "t"."{fn}": Echo.{fn}() returned' in str(info.value)


def test_f32_limit_matches_struct_rounding():
    # the largest double that still rounds to a finite f32, and the next one up
    limit = 2.0**128 - 2.0**103
    below = math.nextafter(limit, 0)
    assert struct.unpack("<f", struct.pack("<f", below))[0] == 3.4028234663852886e38
    with pytest.raises(OverflowError):
        struct.pack("<f", limit)
    realm = wasmport.Realm()
    mod = forwarder(realm, SIGS, {"t": Echo}, pages=None)
    host = Echo.of(mod)
    host.reply = below
    assert mod.f32(0.0) == 3.4028234663852886e38
    host.reply = limit
    with pytest.raises(OverflowError):
        mod.f32(0.0)


def test_none_result_must_be_none(realm):
    class Quiet(wasmport.HostModule, name="q"):
        @export
        def nothing(self) -> None:
            return 5  # type: ignore[return-value]

    mod = forwarder(realm, {"nothing": ((), ())}, {"q": Quiet}, module="q", pages=None)
    with pytest.raises(TypeError, match=r"nothing\(\) returned 5: the method is declared -> None"):
        mod.nothing()
