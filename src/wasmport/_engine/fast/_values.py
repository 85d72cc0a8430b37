"""Lowering Python values into raw slots: the slow, exact checks behind the fast paths.

The generated wrappers test ``x.__class__ is int`` (or ``float``) and a chained range
comparison inline; anything that fails lands here, where the value is either
accepted by the one number rule (``_engine/numbers.py``: ``int`` and ``__index__`` for
integers, ``float`` and integers for floats, never ``bool``) or rejected:

    TypeError       not a number of the right kind (a float for an i32, a str, ...)
    OverflowError   an integer outside what the wasm type can hold

Integer ranges accept both signed and unsigned spellings, so the bit pattern is
never ambiguous and nothing wraps silently:

    i32   -2**31 .. 2**32 - 1        i64   -2**63 .. 2**64 - 1
"""

from __future__ import annotations

from typing import Any

from ..floats import f32_bits
from ..numbers import as_float, as_int
from ..vectors import lower_v128
from ._refs import RefSlots

VALTYPES = ("i32", "i64", "f32", "f64", "v128")

INT_RANGES = {
    "i32": (-(2**31), 2**32 - 1),
    "i64": (-(2**63), 2**64 - 1),
}


def check_signature(params: Any, results: Any, refs: RefSlots | None = None,
                    host: bool = False) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Validate value-type names; ValueError for anything the fast path cannot carry:
    references need ``refs`` (and, as arguments -- parameters of a call, results of a
    host function -- an abstract type)."""
    out = []
    for what, names in (("params", params), ("results", results)):
        if not isinstance(names, (tuple, list)):
            raise TypeError(f"{what} must be a tuple of value-type names, "
                            f"not {type(names).__name__}")
        argument = (what == "results") == host
        for name in names:
            if name not in VALTYPES and (refs is None or refs.slot_for(name, argument) is None):
                raise ValueError(f"{what}: value type {name!r} is not supported by the fast path; "
                                 f"it carries {', '.join(VALTYPES)} and, given refs=, "
                                 "abstract reference types")
        out.append(tuple(names))
    return out[0], out[1]


def codegen_kinds(names: tuple[str, ...]) -> tuple[str, ...]:
    """The kinds the generated code distinguishes: the numbers, v128, and ``ref``."""
    return tuple(name if name in VALTYPES else "ref" for name in names)


def describe(params: tuple[str, ...], results: tuple[str, ...]) -> str:
    """``(i32, i32) -> i32`` in the text format's words."""
    res = "nil" if not results else ", ".join(results)
    if len(results) > 1:
        res = f"({res})"
    return f"({', '.join(params)}) -> {res}"


def lower_int(value: Any, kind: str, what: str) -> int:
    """An integer for an i32/i64 slot, in range, or TypeError/OverflowError."""
    number = as_int(value, what, kind)
    lo, hi = INT_RANGES[kind]
    if not lo <= number <= hi:
        raise OverflowError(f"{what}: {number} is out of range for {kind} ({lo}..{hi})")
    return number


def lower_float(value: Any, kind: str, what: str) -> float:
    """A float for an f32/f64 slot (numbers.py's rule); f32 values are rounded to the
    nearest f32 when stored, as ``f32.demote_f64`` does, so magnitudes beyond the f32
    range become infinities."""
    return as_float(value, what, kind)


def lower(value: Any, kind: str, what: str) -> Any:
    """`value` ready for its slot view: i64 values come back signed (for the 'q' view),
    v128 unsigned, an f32 NaN as its bit pattern (an int: floats.py)."""
    if kind == "v128":
        return lower_v128(value, what)
    if kind == "f32":
        number = lower_float(value, kind, what)
        return number if number == number else f32_bits(number)
    if kind in INT_RANGES:
        number = lower_int(value, kind, what)
        if kind == "i64" and number >= 2**63:
            number -= 2**64
        return number
    return lower_float(value, kind, what)


def host_results(value: Any, results: tuple[str, ...], where: str) -> tuple[Any, ...]:
    """Check what a host function returned against its declared results (references
    pass as they are: their RefSlot's ``pre`` checks them)."""
    if not results:
        if value is not None:
            raise TypeError(f"{where} returned {type(value).__name__}, expected None "
                            "(the function has no results)")
        return ()
    if len(results) == 1:
        return (_lower_result(value, results[0], f"{where} result"),)
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{where} returned {type(value).__name__}, expected a tuple of "
                        f"{len(results)} values ({', '.join(results)})")
    if len(value) != len(results):
        raise TypeError(f"{where} returned {len(value)} values, expected {len(results)} "
                        f"({', '.join(results)})")
    return tuple(_lower_result(v, k, f"{where} result {i + 1}") for i, (v, k) in
                 enumerate(zip(value, results, strict=True)))


def _lower_result(value: Any, kind: str, what: str) -> Any:
    return lower(value, kind, what) if kind in VALTYPES else value
