"""Globals: plain values when immutable, live objects when mutable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import wasmtime

from .._engine.store import StoreContext, context_for
from .._engine.valtypes import check_value, signed, valtype, valtype_name
from .base import ExternValue


class Global(ExternValue):
    """A wasm global.

    ``Global(value, type="i32", *, mutable=False, realm=None)`` creates one in ``realm``
    (the default realm when None) to give to a module's imports.  ``.value`` reads it;
    assigning ``.value`` writes a mutable global, range-checked like a call argument.
    """

    def __init__(self, value: Any, type: str = "i32", *, mutable: bool = False,
                 realm: Any = None) -> None:
        ctx = context_for(realm)
        gtype = wasmtime.GlobalType(valtype(type), mutable)
        checked = check_value(type, value, f"Global({type})")
        self._bind(ctx, wasmtime.Global(ctx.store, gtype, to_val(type, checked)), "global")

    @classmethod
    def _wrap(cls, ctx: StoreContext, glob: wasmtime.Global, name: str) -> Global:
        self = cls.__new__(cls)
        self._bind(ctx, glob, name)
        return self

    @property
    def valtype(self) -> str:
        return valtype_name(self._raw.type(self._ctx.store).content)

    @property
    def mutable(self) -> bool:
        return bool(self._raw.type(self._ctx.store).mutable)

    @property
    def type(self) -> str:
        return f"global {'mut ' if self.mutable else ''}{self.valtype}"

    @property
    def value(self) -> Any:
        return self._raw.value(self._ctx.store)

    @value.setter
    def value(self, new: Any) -> None:
        if not self.mutable:
            raise AttributeError(f"global {self.name!r} is immutable ({self.type})")
        checked = check_value(self.valtype, new, f"global {self.name!r}")
        self._raw.set_value(self._ctx.store, to_val(self.valtype, checked))

    def __repr__(self) -> str:
        return f"<wasm global {self.name!r} ({self.type}) = {self.value!r}>"


_Maker = Callable[[Any], wasmtime.Val]
_MAKERS: dict[str, _Maker] = {
    "i32": wasmtime.Val.i32, "i64": wasmtime.Val.i64, "f32": wasmtime.Val.f32,
    "f64": wasmtime.Val.f64, "externref": wasmtime.Val.externref, "funcref": wasmtime.Val.funcref,
}


def to_val(vt: str, value: Any) -> wasmtime.Val:
    """A wasmtime.Val of the exact kind, so f32 vs f64 and i32 vs i64 are never guessed."""
    if vt in ("i32", "i64"):
        value = signed(vt, value)
    return _MAKERS[vt](value)
