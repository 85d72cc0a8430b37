"""v128 and exact f32 bits across the boundary: calls, host functions, globals (issue 15).

The suite runs on both call paths (the second time with WASMPORT_NO_FAST=1)."""

from __future__ import annotations

import struct

import pytest

import wasmport
from wasmport.types import V128, Float32

NUMBERS = """(module
  (global $g (export "g") (mut v128) (v128.const i64x2 1 2))
  (global (export "k") v128 (v128.const i32x4 1 2 3 0xffffffff))
  (global (export "fg") (mut f32) (f32.const 0))
  (func (export "id") (param v128) (result v128) (local.get 0))
  (func (export "add") (param v128 v128) (result v128) (i64x2.add (local.get 0) (local.get 1)))
  (func (export "lane") (param v128) (result i32) (i32x4.extract_lane 3 (local.get 0)))
  (func (export "both") (param v128 i64) (result i64 v128) (local.get 1) (local.get 0))
  (func (export "f32") (param f32) (result f32) (local.get 0))
  (func (export "bits") (param f32) (result i32) (i32.reinterpret_f32 (local.get 0)))
  (func (export "from_bits") (param i32) (result f32) (f32.reinterpret_i32 (local.get 0)))
  (func (export "set_fg") (param i32) (global.set 2 (f32.reinterpret_i32 (local.get 0)))))"""

ALL = (1 << 128) - 1
SNAN = 0x7FA0_0001  # a signalling f32 NaN with a payload


@pytest.fixture
def mod(realm):
    return wasmport.compile(NUMBERS, name="numbers", realm=realm).instantiate()


def f64_bits(value: float) -> int:
    return int(struct.unpack("<Q", struct.pack("<d", value))[0])


def test_v128_is_an_int_both_ways(mod):
    value = 0x0123_4567_89AB_CDEF_FEDC_BA98_7654_3210
    assert mod.id(value) == value
    assert mod.id(ALL) == ALL and mod.id(0) == 0
    assert mod.lane(0xFFFF_FFFF << 96) == -1
    assert mod.add(1 | 2 << 64, 3 | 4 << 64) == 4 | 6 << 64
    assert mod.both(7, 9) == (9, 7)


def test_v128_takes_16_bytes_and_the_signed_spelling(mod):
    assert mod.id(bytes(range(16))) == int.from_bytes(bytes(range(16)), "little")
    assert mod.id(bytearray(16)) == 0
    assert mod.id(-1) == ALL
    assert mod.id(-(1 << 127)) == 1 << 127


@pytest.mark.parametrize(("value", "error"), [
    (1 << 128, OverflowError), (-(1 << 127) - 1, OverflowError), (b"x" * 15, ValueError),
    (1.0, TypeError), ("1", TypeError), (None, TypeError), (True, TypeError),
])
def test_v128_out_of_range_or_of_the_wrong_kind(mod, value, error):
    with pytest.raises(error):
        mod.id(value)
    assert mod.id(5) == 5  # nothing stuck in the buffer


def test_v128_globals(mod, realm):
    assert mod.k == 1 | 2 << 32 | 3 << 64 | 0xFFFF_FFFF << 96
    glob = wasmport.instance_of(mod).exports["g"]
    assert glob.type == "global mut v128" and glob.value == 1 | 2 << 64
    glob.value = ALL
    assert mod.g == ALL
    with pytest.raises(OverflowError):
        glob.value = 1 << 128
    made = wasmport.Global(b"\xff" * 16, "v128", realm=realm)
    assert made.value == ALL and made.type == "global v128"
    other = wasmport.compile('(module (import "m" "v" (global v128)) (func (export "f")'
                             ' (result i32) (i32x4.extract_lane 0 (global.get 0))))',
                             realm=realm).instantiate({"m": {"v": 5}})
    assert other.f() == 5


def test_f32_nan_payloads_cross_exactly(mod):
    for bits in (SNAN, 0xFFA0_0000, 0x7FC0_0001, 0x7F80_0001):
        value = wasmport_float(bits)
        assert mod.bits(value) == signed32(bits)  # in
        assert to_bits(mod.from_bits(signed32(bits))) == bits  # out
        assert to_bits(mod.f32(value)) == bits  # both


def test_an_f32_nan_keeps_its_bits_in_globals(mod, realm):
    mod.set_fg(SNAN)
    assert to_bits(mod.fg) == SNAN
    glob = wasmport.Global(0.0, "f32", mutable=True, realm=realm)
    glob.value = wasmport_float(SNAN)
    assert to_bits(glob.value) == SNAN


def test_f32_arguments_round_to_nearest_as_f32_demote_does(mod):
    assert mod.f32(0.1) == struct.unpack("<f", struct.pack("<f", 0.1))[0]
    assert mod.bits(1 + 2**-24) == 0x3F80_0000  # a tie: to even
    assert mod.bits(1 + 2**-23 + 2**-24) == 0x3F80_0002
    assert mod.f32(1e39) == float("inf") and mod.f32(-1e39) == float("-inf")
    assert mod.bits(2**-150) == 0  # below the smallest subnormal: zero


def test_host_functions_take_and_give_v128_and_exact_f32(realm):
    seen = []

    def host(v, f):
        seen.append((v, to_bits(f)))
        return v + 1, f

    text = """(module (import "env" "h" (func $h (param v128 f32) (result v128 f32)))
      (func (export "go") (param v128 i32) (result v128 i32)
        (call $h (local.get 0) (f32.reinterpret_i32 (local.get 1)))
        (i32.reinterpret_f32)))"""
    mod = wasmport.compile(text, realm=realm).instantiate({"env": {"h": host}})
    assert mod.go(ALL - 1, SNAN) == (ALL, signed32(SNAN))
    assert seen == [(ALL - 1, SNAN)]


class Vectors(wasmport.HostModule, name="vec"):
    @wasmport.export
    def swap(self, v: V128) -> V128:
        return (v >> 64) | (v & (2**64 - 1)) << 64

    @wasmport.export
    def same(self, f: Float32) -> Float32:
        return f


def test_typed_host_modules_take_v128_and_exact_f32(realm):
    realm.register(Vectors)
    text = """(module (import "vec" "swap" (func $s (param v128) (result v128)))
      (import "vec" "same" (func $f (param f32) (result f32)))
      (func (export "s") (param v128) (result v128) (call $s (local.get 0)))
      (func (export "f") (param i32) (result i32)
        (i32.reinterpret_f32 (call $f (f32.reinterpret_i32 (local.get 0))))))"""
    mod = wasmport.compile(text, realm=realm).instantiate()
    assert mod.s(1 | 2 << 64) == 2 | 1 << 64
    assert mod.f(SNAN) == signed32(SNAN)


def test_a_python_function_of_v128(realm):
    double = wasmport.Function(realm, "func (v128) -> v128", lambda v: v * 2 % (ALL + 1))
    assert double(ALL) == ALL - 1
    assert double.type == "func (v128) -> v128"
    with pytest.raises(OverflowError):
        double(1 << 128)


def wasmport_float(bits: int) -> float:
    """The Python float wasmport gives for the f32 ``bits`` (floats.py)."""
    sign, payload = bits >> 31, bits & 0x7F_FFFF
    if bits & 0x7F80_0000 == 0x7F80_0000 and payload:
        return float(struct.unpack("<d", struct.pack("<Q", sign << 63 | 0x7FF << 52
                                                     | payload << 29))[0])
    return float(struct.unpack("<f", struct.pack("<I", bits))[0])


def to_bits(value: float) -> int:
    wide = f64_bits(value)
    if wide & 0x7FF0_0000_0000_0000 == 0x7FF0_0000_0000_0000 and wide & (2**52 - 1):
        return (wide >> 63) << 31 | 0x7F80_0000 | (wide >> 29) & 0x7F_FFFF
    return int(struct.unpack("<I", struct.pack("<f", value))[0])


def signed32(bits: int) -> int:
    return bits - (1 << 32) if bits >= 1 << 31 else bits
