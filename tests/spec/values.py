"""Spec-script values (wasm-tools JSON) <-> the Python values wasmport takes and gives.

Integers come as unsigned decimal strings; floats as the decimal of their bit
pattern, or ``nan:canonical`` / ``nan:arithmetic``.  wasmport gives floats as
Python floats, so an f32 result is checked on the bits of its f32 rounding
(exact for every f32 value; quiet NaN payloads survive the f32 -> f64 -> f32 trip,
but a signalling f32 NaN comes out quieted, because the engine binding converts
f32 results to Python floats -- none of the scripts here returns one).
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from typing import Any

import wasmport

_FLOAT = {"f32": ("<f", "<I", 32, 23), "f64": ("<d", "<Q", 64, 52)}
_INT_BITS = {"i32": 32, "i64": 64}


class Unsupported(Exception):
    """A value kind the harness does not model (the command is skipped with this reason)."""


@dataclass(frozen=True)
class HostRef:
    """``ref.extern N``: a host reference the script can recognise again."""

    n: int


def float_from_bits(vt: str, bits: int) -> float:
    ffmt, ifmt, _, _ = _FLOAT[vt]
    return float(struct.unpack(ffmt, struct.pack(ifmt, bits))[0])


def float_bits(vt: str, value: float) -> int:
    ffmt, ifmt, _, _ = _FLOAT[vt]
    return int(struct.unpack(ifmt, struct.pack(ffmt, value))[0])


def to_python(arg: dict[str, Any]) -> Any:
    """An argument of an action, as wasmport takes it."""
    vt, raw = arg["type"], arg.get("value")
    if vt in _INT_BITS:
        return int(raw)
    if vt in _FLOAT:
        return float_from_bits(vt, int(raw))
    if vt == "externref":
        return None if raw == "null" else HostRef(int(raw))
    if vt == "funcref" and raw == "null":
        return None
    raise Unsupported(f"argument of type {vt} ({raw})")


def _nan_matches(vt: str, pattern: str, actual: Any) -> bool:
    if not isinstance(actual, float) or not math.isnan(actual):
        return False
    _, _, width, mant = _FLOAT[vt]
    payload = float_bits(vt, actual) & ((1 << mant) - 1)
    quiet = 1 << (mant - 1)
    if pattern == "nan:canonical":
        return payload == quiet
    return bool(payload & quiet)  # nan:arithmetic: any quiet NaN


def matches(expected: dict[str, Any], actual: Any) -> bool:
    """Whether a result wasmport gave is the value the script expects."""
    vt, raw = expected["type"], expected.get("value")
    if vt == "either":
        return any(matches(e, actual) for e in expected["values"])
    if vt in _INT_BITS:
        mask = (1 << _INT_BITS[vt]) - 1
        return type(actual) is int and (actual & mask) == (int(raw) & mask)
    if vt in _FLOAT:
        if not isinstance(actual, float):
            return False
        if raw.startswith("nan:"):
            return _nan_matches(vt, raw, actual)
        return float_bits(vt, actual) == int(raw)
    if vt in ("refnull",) or raw == "null":
        return actual is None
    if vt == "funcref":
        return isinstance(actual, wasmport.Function)
    if vt == "externref":
        return isinstance(actual, HostRef) and actual.n == int(raw)
    raise Unsupported(f"expected value of type {vt} ({raw})")


def show(value: dict[str, Any]) -> str:
    return f"{value['type']}:{value.get('value', '*')}"
