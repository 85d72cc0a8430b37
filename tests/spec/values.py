"""Spec-script values (wasm-tools JSON) <-> the Python values wasmport takes and gives.

Integers come as unsigned decimal strings; floats as the decimal of their bit pattern, or
``nan:canonical`` / ``nan:arithmetic``; v128 as a lane type and one such string per lane.
The Python forms are the ones issue 15 defines:

- i32/i64: ``int``; f32/f64: ``float``, where an f32 NaN is carried at the bit level (its
  23-bit payload in the top of the f64 payload, signalling bit included), because a
  hardware float <-> double conversion quiets a signalling NaN;
- v128: an ``int`` in 0..2**128-1, lane 0 in the low bits;
- ``ref.extern N`` (and ``ref.host N``, the same object as an anyref): one
  :class:`HostRef` object per N and script, checked by identity;
- every null reference: ``None``; a non-null funcref: a ``wasmport.Function``; i31, struct,
  array and exception references: ``wasmport.I31``, ``Struct``, ``Array``, ``ExnRef``.

A value type this module does not know raises :class:`UnknownValue` (a failure).
"""

from __future__ import annotations

import math
import struct
from typing import Any

import wasmport

_INT_BITS = {"i32": 32, "i64": 64, "i8": 8, "i16": 16}
_FLOAT_BITS = {"f32": 32, "f64": 64}
_NULL_TYPES = {"refnull", "nullref", "nullfuncref", "nullexternref", "nullexnref"}


class UnknownValue(Exception):
    """A script value type the harness does not model (a harness bug: a failure)."""


class HostRef:
    """``ref.extern N``: a host object that must come back as the same object."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __repr__(self) -> str:
        return f"HostRef({self.n})"


class HostRefs:
    """The host references of one script: ``ref.extern N`` is the same object every time."""

    def __init__(self) -> None:
        self._refs: dict[int, HostRef] = {}

    def __getitem__(self, n: int) -> HostRef:
        return self._refs.setdefault(n, HostRef(n))


# -- floats at the bit level --------------------------------------------------------------


def f32_to_f64_bits(bits: int) -> int:
    """The f64 pattern that carries an f32 value: exact, NaN payload and sign kept."""
    if bits & 0x7F800000 == 0x7F800000 and bits & 0x7FFFFF:
        sign = (bits >> 31) << 63
        return sign | 0x7FF0000000000000 | ((bits & 0x7FFFFF) << 29)
    return int(struct.unpack("<Q", struct.pack("<d", struct.unpack("<f", struct.pack(
        "<I", bits))[0]))[0])


def f64_to_f32_bits(bits: int) -> int:
    """The f32 pattern a Python float stands for (the inverse of f32_to_f64_bits)."""
    if bits & 0x7FF0000000000000 == 0x7FF0000000000000 and bits & 0xFFFFFFFFFFFFF:
        return ((bits >> 63) << 31) | 0x7F800000 | ((bits >> 29) & 0x7FFFFF)
    value = struct.unpack("<d", struct.pack("<Q", bits))[0]
    return int(struct.unpack("<I", struct.pack("<f", value))[0])


def float_from_bits(vt: str, bits: int) -> float:
    b64 = f32_to_f64_bits(bits) if vt == "f32" else bits
    return float(struct.unpack("<d", struct.pack("<Q", b64))[0])


def float_bits(vt: str, value: float) -> int:
    b64 = int(struct.unpack("<Q", struct.pack("<d", value))[0])
    return f64_to_f32_bits(b64) if vt == "f32" else b64


def _nan_pattern_matches(vt: str, pattern: str, bits: int) -> bool:
    width = _FLOAT_BITS[vt]
    mant = 23 if width == 32 else 52
    exp_mask = ((1 << (width - 1 - mant)) - 1) << mant
    payload = bits & ((1 << mant) - 1)
    if bits & exp_mask != exp_mask or payload == 0:
        return False
    quiet = 1 << (mant - 1)
    return payload == quiet if pattern == "nan:canonical" else bool(payload & quiet)


def _float_matches(vt: str, raw: str, bits: int) -> bool:
    if raw.startswith("nan:"):
        return _nan_pattern_matches(vt, raw, bits)
    return bits == int(raw)


# -- v128 ---------------------------------------------------------------------------------


def _lane_bits(lane_type: str) -> int:
    return _INT_BITS.get(lane_type) or _FLOAT_BITS[lane_type]


def v128_from_lanes(lane_type: str, lanes: list[str]) -> int:
    width = _lane_bits(lane_type)
    mask = (1 << width) - 1
    return sum((int(lane) & mask) << (i * width) for i, lane in enumerate(lanes))


def _v128_matches(lane_type: str, lanes: list[str], actual: Any) -> bool:
    if type(actual) is not int or not 0 <= actual < 1 << 128:
        return False
    width = _lane_bits(lane_type)
    got = [(actual >> (i * width)) & ((1 << width) - 1) for i in range(128 // width)]
    if lane_type in _FLOAT_BITS:
        return all(_float_matches(lane_type, raw, g) for raw, g in zip(lanes, got, strict=True))
    return got == [int(lane) & ((1 << width) - 1) for lane in lanes]


# -- arguments and results ----------------------------------------------------------------


def to_python(arg: dict[str, Any], hosts: HostRefs) -> Any:
    """An argument of an action, as wasmport takes it."""
    vt: str = arg["type"]
    raw: Any = arg.get("value")
    if vt in ("i32", "i64"):
        return int(raw)
    if vt in _FLOAT_BITS:
        return float_from_bits(vt, int(raw))
    if vt == "v128":
        return v128_from_lanes(arg["lane_type"], raw)
    if raw == "null" or vt in _NULL_TYPES:
        return None
    if vt in ("externref", "anyref"):  # ref.extern N / ref.host N: a host object
        return hosts[int(raw)]
    raise UnknownValue(f"argument {show(arg)}: the harness has no Python form for {vt}")


def matches(expected: dict[str, Any], actual: Any, hosts: HostRefs) -> bool:
    """Whether a result wasmport gave is the value the script expects."""
    vt: str = expected["type"]
    raw: Any = expected.get("value")
    if vt == "either":
        return _either(expected["values"], actual, hosts)
    if vt in ("i32", "i64"):
        mask = (1 << _INT_BITS[vt]) - 1
        return type(actual) is int and (actual & mask) == (int(raw) & mask)
    if vt in _FLOAT_BITS:
        return isinstance(actual, float) and _float_matches(vt, raw, float_bits(vt, actual))
    if vt == "v128":
        return _v128_matches(expected["lane_type"], raw, actual)
    if raw == "null" or vt in _NULL_TYPES:
        return actual is None
    return _ref_matches(vt, raw, actual, hosts)


def _either(options: list[dict[str, Any]], actual: Any, hosts: HostRefs) -> bool:
    return any(matches(option, actual, hosts) for option in options)


# What a non-null reference result without a number may be, by its script type.
_HANDLES = {
    "funcref": (wasmport.Function,), "i31ref": (wasmport.I31,), "structref": (wasmport.Struct,),
    "arrayref": (wasmport.Array,), "eqref": (wasmport.I31, wasmport.Struct, wasmport.Array),
    "exnref": (wasmport.ExnRef,),
}


def _ref_matches(vt: str, raw: str | None, actual: Any, hosts: HostRefs) -> bool:
    if vt in ("externref", "anyref") and raw is not None:  # ref.extern N / ref.host N
        return actual is hosts[int(raw)]
    if vt in ("externref", "anyref"):  # any non-null reference
        return actual is not None
    handles = _HANDLES.get(vt)
    if handles is None:
        raise UnknownValue(f"result {vt}:{raw or '*'}: the harness has no Python form for it")
    return isinstance(actual, handles)


def show(value: dict[str, Any]) -> str:
    raw = value.get("value", "*")
    if value["type"] == "v128":
        return f"v128:{value['lane_type']}x{len(raw)}[{' '.join(raw)}]"
    if value["type"] == "either":
        return " | ".join(map(show, value["values"]))
    if value["type"] in _FLOAT_BITS and raw[:1].isdigit():
        return f"{value['type']}:0x{int(raw):0{_FLOAT_BITS[value['type']] // 4}x}"
    return f"{value['type']}:{raw}"


def show_results(expected: list[dict[str, Any]], got: tuple[Any, ...]) -> str:
    """What an assert_return wanted and got; a NaN shows its bits (repr hides them)."""
    types = [e["type"] for e in expected] + ["f64"] * len(got)
    return (f"expected ({', '.join(map(show, expected))}), got "
            f"({', '.join(_show_got(vt, g) for vt, g in zip(types, got, strict=False))})")


def _show_got(vt: str, value: Any) -> str:
    if isinstance(value, float) and math.isnan(value):
        width = "f32" if vt == "f32" else "f64"
        return f"nan({width} 0x{float_bits(width, value):0{8 if width == 'f32' else 16}x})"
    return repr(value)
