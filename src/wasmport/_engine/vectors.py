"""v128 values as Python ints: lane 0 in the low bits, 16 bytes little-endian.

An argument may be an int in -2**127 .. 2**128 - 1 (the signed and the unsigned spelling
of 128 bits, as i32/i64 take both) or 16 bytes; results are unsigned.
"""

from __future__ import annotations

import operator
from typing import Any

from .numbers import is_integer

V128_MIN, V128_MAX = -(1 << 127), (1 << 128) - 1


def lower_v128(value: Any, what: str) -> int:
    """The unsigned int for a v128 argument; TypeError/ValueError/OverflowError naming
    ``what`` for anything else."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        if len(data) != 16:
            raise ValueError(f"{what}: a v128 takes 16 bytes, not {len(data)}")
        return int.from_bytes(data, "little")
    if not is_integer(value):
        raise TypeError(f"{what}: expected an int or 16 bytes for v128, got "
                        f"{type(value).__name__}")
    number = operator.index(value)
    if not V128_MIN <= number <= V128_MAX:
        raise OverflowError(f"{what}: {number} is out of range for v128 "
                            "(-2**127..2**128-1)")
    return number & V128_MAX
