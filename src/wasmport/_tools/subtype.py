"""The core spec's subtyping of the types an import or export can have ("import matching").

An export of NEW serves every importer OLD served when NEW's type is a subtype of OLD's;
an import of NEW is satisfied by everything that satisfied OLD's when OLD's type is a
subtype of NEW's.  Functions, tags, table elements and mutable globals match only their
exact type (function types are final unless declared otherwise, and only the GC
proposal's declared subtypes relax that, which a type index cannot show across two
modules); limits and immutable globals' value types are where subtypes arise.
"""

from __future__ import annotations

from .._compile.interface import Limits

#: Abstract heap types below each other one (the GC proposal's hierarchies).
_BELOW = {"any": {"eq", "i31", "struct", "array", "none"}, "eq": {"i31", "struct", "array", "none"},
          "i31": {"none"}, "struct": {"none"}, "array": {"none"}, "func": {"nofunc"},
          "extern": {"noextern"}, "exn": {"noexn"}}


def limits_sub(a: Limits, b: Limits) -> bool:
    """Whether a memory or table of limits ``a`` matches an import declaring ``b``: at
    least b's minimum, and within b's maximum when b has one."""
    return a.min >= b.min and (b.max is None or (a.max is not None and a.max <= b.max))


def _ref(text: str) -> tuple[bool, str] | None:
    """(nullable, heap type) of a reference type's text, None for a number or v128."""
    if text.startswith("(ref null "):
        return True, text[10:-1]
    if text.startswith("(ref "):
        return False, text[5:-1]
    if text.endswith("ref"):
        return True, text[:-3]
    return None


def valtype_sub(a: str, b: str) -> bool:
    """Whether value type ``a`` is a subtype of ``b`` (equal, or a narrower reference)."""
    if a == b:
        return True
    ra, rb = _ref(a), _ref(b)
    if ra is None or rb is None:
        return False
    (null_a, heap_a), (null_b, heap_b) = ra, rb
    return (null_b or not null_a) and (heap_a == heap_b or heap_a in _BELOW.get(heap_b, ()))
