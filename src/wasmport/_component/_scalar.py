"""Lowering scalars, strings and bytes: the exact checks every path shares.

``bool`` is not an int; integers are range-checked (OverflowError, never a wrap);
floats accept ints; a char is one code point and no surrogate; a string must encode
to UTF-8 (a lone surrogate is a TypeError); ``list<u8>`` takes any bytes-like object
(or a sequence of ints).  The generated wrappers test the common case inline and
come here for everything else.
"""

from __future__ import annotations

import operator
import struct
from collections.abc import Callable, Sequence
from typing import Any

from ._abi import BYTES_DATA, F32_MAX, INT_RANGES, KIND, LIST, PACKERS
from ._checked import Bad, show

Lower = Callable[[Any, Any, int, Any], None]
HEAD = struct.Struct("<B7xQQ").pack_into  # kind, size, pointer (strings, lists, ...)


def as_int(value: Any, kind: str) -> int:
    if value.__class__ is int:
        number: int = value
    elif isinstance(value, bool):
        raise Bad(f"expected an int ({kind}), got bool {value!r}; True is not an int here")
    else:
        try:
            number = operator.index(value)
        except TypeError:
            raise Bad(f"expected an int ({kind}), got {show(value)}") from None
    low, high = INT_RANGES[kind]
    if not low <= number <= high:
        raise Bad(f"{number} is out of range for {kind} ({low}..{high})", OverflowError)
    return number


def as_float(value: Any, kind: str) -> float:
    if value.__class__ is float:
        number: float = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        raise Bad(f"expected a float ({kind}), got {show(value)}")
    if kind == "f32" and abs(number) > F32_MAX and abs(number) != float("inf"):
        raise Bad(f"{number!r} is out of range for f32", OverflowError)
    return number


def encode(value: Any) -> bytes:
    """A str as UTF-8; Bad for anything else, and for lone surrogates."""
    if not isinstance(value, str):
        raise Bad(f"expected a str, got {show(value)}")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as err:
        raise Bad(f"lone surrogate {value[err.start]!r} at index {err.start} cannot be "
                  "encoded as UTF-8; WIT strings are Unicode scalar values") from None


def as_char(value: Any) -> int:
    if not isinstance(value, str) or len(value) != 1:
        raise Bad(f"expected a str of one character (char), got {show(value)}")
    code = ord(value)
    if 0xD800 <= code <= 0xDFFF:
        raise Bad(f"lone surrogate {value!r} is not a Unicode scalar value (char)")
    return code


def prim(kind: str) -> Lower:
    """The lowerer of a scalar or a string."""
    pack, code = PACKERS.get(kind), KIND[kind]
    if kind in INT_RANGES:
        def lower_int(v: Any, mv: Any, off: int, cx: Any) -> None:
            pack(mv, off, code, as_int(v, kind))  # type: ignore[misc]
        return lower_int
    if kind in ("f32", "f64"):
        def lower_float(v: Any, mv: Any, off: int, cx: Any) -> None:
            pack(mv, off, code, as_float(v, kind))  # type: ignore[misc]
        return lower_float
    return _PRIM_OTHERS[kind]


def _lower_bool(v: Any, mv: Any, off: int, cx: Any) -> None:
    if v is not True and v is not False:
        raise Bad(f"expected a bool, got {show(v)}")
    PACKERS["bool"](mv, off, 0, v)


def _lower_char(v: Any, mv: Any, off: int, cx: Any) -> None:
    PACKERS["char"](mv, off, 11, as_char(v))


def lower_string(v: Any, mv: Any, off: int, cx: Any) -> None:
    data = encode(v)
    cx.keep.append(data)
    HEAD(mv, off, 12, len(data), id(data) + BYTES_DATA)


_PRIM_OTHERS: dict[str, Lower] = {"bool": _lower_bool, "char": _lower_char,
                                  "string": lower_string}


def lower_bytes(v: Any, mv: Any, off: int, cx: Any) -> None:
    if isinstance(v, str) or not isinstance(v, (bytes, bytearray, memoryview)):
        if isinstance(v, Sequence) and not isinstance(v, str):
            v = bytes(as_int(b, "u8") for b in v)
        else:
            raise Bad(f"expected a bytes-like object (list<u8>), got {show(v)}")
    data = memoryview(v).cast("B") if not isinstance(v, bytes) else v
    count = len(data)
    elems, at, address = cx.alloc(32 * count)
    elems[at:at + 32 * count:32] = _U8_KINDS[:count] if count <= 4096 else b"\x02" * count
    elems[at + 8:at + 32 * count:32] = data
    HEAD(mv, off, LIST, count, address)


_U8_KINDS = bytes((KIND["u8"],)) * 4096


def sequence(v: Any, what: str) -> Sequence[Any]:
    if isinstance(v, (str, bytes)) or not isinstance(v, Sequence):
        raise Bad(f"expected a sequence ({what}), got {show(v)}")
    return v
