"""Public Python values <-> the engine layer's forms (vals.py), checked against a type.

=================  ===============================================  ==================
type               Python value given                               Python value got
=================  ===============================================  ==================
i32 / i64          int, either spelling (OverflowError outside)     int, signed
f32 / f64          float or int (f32: rounded as f32.demote does)   float (f32 NaN bits
                                                                    kept: floats.py)
v128               int in -2**127 .. 2**128 - 1, or 16 bytes        int, 0 .. 2**128 - 1
funcref, (ref $f)  wasmport.Function of the realm, None             Function or None
externref          any object (by identity), I31/Struct/Array       the same object, or
                                                                    the wasm value
anyref             any object, I31, Struct, Array, None             the same
eqref / i31ref /   I31/Struct/Array / I31 / Struct / Array, None    the same
structref / ...
exnref             ExnRef, None                                     ExnRef or None
=================  ===============================================  ==================

None is every null, refused (TypeError) by a non-nullable type.  A Python callable is a
funcref only as ``wasmport.Function(realm, signature, fn)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import wasmtime

from .._engine import refs
from .._engine.refs import Rooted
from .._engine.store import StoreContext
from .._engine.typenames import Slot, slot
from .._engine.valtypes import check_value
from .._engine.vectors import lower_v128
from .base import ExternValue, context_of, raw_of
from .gc import I31, Array, ExnRef, GcRef, Struct, context_of_ref, handle, rooted_of

_NUMBERS = frozenset(("i32", "i64", "f32", "f64"))
# Which handle classes each abstract heap type takes (besides None and, for any and
# extern, every other Python object).
_TAKES: dict[str, tuple[type, ...]] = {
    "eq": (I31, Struct, Array), "i31": (I31,), "struct": (Struct,), "array": (Array,),
    "none": (), "noextern": (), "nofunc": (), "noexn": (), "exn": (ExnRef,)}


#: The values an externref or anyref does not take as plain Python objects.
SPECIAL = (I31, GcRef, ExnRef, ExternValue)


class Codec:
    """Conversions for one store: ``wrap`` makes a Function of an engine function."""

    def __init__(self, ctx: StoreContext, wrap: Callable[[wasmtime.Func], Any],
                 function_class: type[ExternValue]) -> None:
        self.ctx, self._wrap, self._function_class = ctx, wrap, function_class
        self.raw: Any = None  # the RefSlots of the fast path (slots.py), set by its maker
        self.plans: Any = None  # the CallPlans of the store (plans.py), made on first use

    def to_python(self, value: Any) -> Any:
        """An engine form as its public value."""
        if isinstance(value, Rooted):
            return handle(self, value)
        if isinstance(value, wasmtime.Func):
            return self._wrap(value)
        return value

    def to_engine(self, text: str, value: Any, what: str) -> Any:
        """``value`` checked against the type ``text``, in its engine form."""
        if text in _NUMBERS:
            return check_value(text, value, what)
        found = slot(text)
        if found.slot == "v128":
            return lower_v128(value, what)
        if value is None:
            if not found.nullable:
                raise TypeError(f"{what}: {text} is not nullable; None is a null reference")
            return None
        if found.slot == "funcref":
            return self._function(found, value, what)
        return self._reference(found, text, value, what)

    def _function(self, found: Slot, value: Any, what: str) -> Any:
        if found.heap == "nofunc" or not isinstance(value, self._function_class):
            raise TypeError(f"{what}: expected a wasmport.Function or None, got "
                            f"{type(value).__name__} (wasmport.Function(realm, signature, fn) "
                            "makes one of a Python callable)")
        self._same_realm(context_of(value), what)
        return raw_of(value)

    def _reference(self, found: Slot, text: str, value: Any, what: str) -> Any:
        takes = _TAKES.get(found.heap)
        if takes is not None and not isinstance(value, takes):
            shown = ", ".join(c.__name__ for c in takes) or "only None"
            raise TypeError(f"{what}: {text} takes {shown}, not {type(value).__name__}")
        if isinstance(value, I31):
            return refs.i31(self.ctx.address, value.unsigned)
        if isinstance(value, (GcRef, ExnRef)):
            self._same_realm(context_of_ref(value), what)
            return rooted_of(value)
        if isinstance(value, ExternValue):  # a Function where a GC value is expected
            raise TypeError(f"{what}: a wasm {type(value).__name__.lower()} cannot be "
                            f"passed as {text}")
        return value  # a Python object, by identity

    def _same_realm(self, ctx: StoreContext, what: str) -> None:
        if ctx is not self.ctx:
            raise ValueError(f"{what}: the value belongs to realm {ctx.name!r}, not "
                             f"{self.ctx.name!r}; values cannot cross realms")

