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
from .._engine.valtypes import NUMERIC
from .convert import SPECIAL, Codec

_M32 = 0xFFFF_FFFF
FAST_VALUES = NUMERIC | {"v128"}  # what the ctypes fast layer carries besides references


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
            return self._externs(codec, checked)
        return RefSlot(lambda v: vals.anyref_for(ctx, checked(v)) if kind == "anyref"
                       else checked(v),
                       lambda r: 0 if r is None else r.raw(ctx.address), None,
                       lambda raw: refs.rooted_of_raw(ctx.address, kind, raw & _M32),
                       lambda r: public(r if r is None or kind == "exnref"
                                        else vals.lift_anyref(ctx, r)))


    @staticmethod
    def _externs(codec: Codec, checked: Any) -> RefSlot:
        ctx, ext = codec.ctx, refs.RawExterns(codec.ctx.address)
        new, drop, host_object, to_python = ext.new, ext.drop, ext.host_object, codec.to_python

        def pre(value: Any) -> Any:
            if value is not None and not isinstance(value, SPECIAL):
                return new(value)  # a Python object (the common case: checks inline)
            found = checked(value)
            if found is None or isinstance(found, refs.Rooted):
                return vals.externref_for(ctx, found)  # null, or a wasm value made external
            return new(found)

        def public(ref: Any) -> Any:
            if ref is None:
                return None
            try:
                found = host_object(ref)
                if found is refs.NO_DATA:  # a wasm value made external: come back as it
                    return to_python(vals.externref_value(ctx, ref))
                return found
            finally:
                drop(ref)

        return RefSlot(pre, ext.raw, drop, lambda raw: ext.of_raw(raw & _M32), public)


def fast_carries(conv: Codec, params: tuple[str, ...], results: tuple[str, ...],
                 host: bool = False) -> bool:
    """Whether the fast path can carry a signature: its arguments (a call's parameters, a
    host function's results) must be numbers, v128 or abstract references."""
    arguments = results if host else params
    return all(t in FAST_VALUES or conv.raw.slot_for(t, True) is not None for t in arguments)
