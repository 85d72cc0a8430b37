"""References in the fast path's raw slots, for one store: the RefSlots of
_engine/fast/_refs.py, built of this layer's checks (convert.py) and the engine's raw
conversions (_engine/refs.py, vals.py).

An argument (a call's parameter, a host function's result) of a concrete type has no
RefSlot: only the engine's checked path tests its subtyping.  Results and host
parameters of every reference type do.
"""

from __future__ import annotations

from typing import Any

from .._engine import refs, vals
from .._engine.fast import RefSlot
from .._engine.typenames import slot
from .convert import Codec

_M32 = 0xFFFF_FFFF


class RawRefs:
    """The RefSlots of one store's reference types (made on first need, kept)."""

    def __init__(self, codec: Codec) -> None:
        self._codec = codec
        self._made: dict[tuple[str, bool], RefSlot | None] = {}

    def slot_for(self, text: str, argument: bool) -> RefSlot | None:
        key = (text, argument)
        if key not in self._made:
            found = slot(text)
            self._made[key] = (None if not found.is_ref or (argument and found.concrete)
                               else self._make(text, found.slot))
        return self._made[key]

    def _make(self, text: str, kind: str) -> RefSlot:
        codec = self._codec
        ctx = codec.ctx
        what = f"a {text} argument"

        def checked(value: Any) -> Any:
            return codec.to_engine(text, value, what)

        def public(value: Any) -> Any:
            return None if value is None else codec.to_python(value)

        if kind == "funcref":
            return RefSlot(checked, lambda f: refs.func_raw(ctx.address, f), None,
                           lambda raw: refs.func_of_raw(ctx.address, raw), public)
        if kind == "externref":
            return RefSlot(lambda v: vals.externref_for(ctx, checked(v)),
                           lambda e: refs.externref_raw(ctx.address, e), refs.drop_externref,
                           lambda raw: refs.externref_of_raw(ctx.address, raw & _M32),
                           lambda e: public(_extern_value(codec, e)))
        return RefSlot(lambda v: vals.anyref_for(ctx, checked(v)) if kind == "anyref"
                       else checked(v),
                       lambda r: 0 if r is None else r.raw(ctx.address), None,
                       lambda raw: refs.rooted_of_raw(ctx.address, kind, raw & _M32),
                       lambda r: public(r if r is None or kind == "exnref"
                                        else vals.lift_anyref(ctx, r)))


def _extern_value(codec: Codec, ref: Any) -> Any:
    if ref is None:
        return None
    try:
        return vals.externref_value(codec.ctx, ref)
    finally:
        refs.drop_externref(ref)
