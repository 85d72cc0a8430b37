"""The one number rule for values given from Python, on every call path.

    integers (i32, i64, v128, offsets, lengths, counts, table indices)
        an ``int`` or an object with ``__index__`` (numpy integers); never a ``bool``
        (True is a flag, not a number here) and never a float
    floats (f32, f64)
        a ``float`` (subclasses too: numpy.float64), or an integer as above, converted
        exactly (OverflowError past the f64 range); never a ``bool``, and never another
        object with only ``__float__`` (Fraction, Decimal, numpy.float32): float(x) says
        the rounding is meant

Anything else is a TypeError naming where the value went; an integer out of range is an
OverflowError.  The fast paths test ``type(x) is int`` (or ``float``) inline and come here
for everything else, so all three paths give the same answer.
"""

from __future__ import annotations

import operator
from typing import Any


def is_integer(value: Any) -> bool:
    """Whether ``value`` is an integer by the rule (int or __index__, not bool)."""
    return not isinstance(value, (bool, float)) and hasattr(type(value), "__index__")


def as_int(value: Any, what: str, kind: str = "") -> int:
    """``value`` as an int by the rule, or TypeError naming ``what``."""
    if not is_integer(value):
        raise TypeError(f"{_at(what)}expected an int{_for(kind)}, got {_shown(value)}")
    return operator.index(value)


def as_float(value: Any, what: str, kind: str) -> float:
    """``value`` as a float by the rule, or TypeError / OverflowError naming ``what``."""
    if isinstance(value, float):
        return float(value)
    if not is_integer(value):
        raise TypeError(f"{_at(what)}expected a float{_for(kind)}, got {_shown(value, True)}")
    number = operator.index(value)
    try:
        return float(number)
    except OverflowError:
        raise OverflowError(f"{_at(what)}{number} is too large for {kind}") from None


def _at(what: str) -> str:
    return f"{what}: " if what else ""


def _for(kind: str) -> str:
    return f" for {kind}" if kind else ""


def _shown(value: Any, for_float: bool = False) -> str:
    name = type(value).__name__
    if isinstance(value, bool):
        cast = "float" if for_float else "int"
        return f"bool ({value} is not a number here; pass {cast}({value}))"
    if for_float and hasattr(type(value), "__float__"):
        return f"{name} (pass float(x) to round it)"
    return name
