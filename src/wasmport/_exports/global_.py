"""Globals: plain values when immutable, live objects when mutable."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import wasmtime

from .._engine.valtypes import check_value, signed, valtype, valtype_name

if TYPE_CHECKING:
    from .._realm import Realm


class Global:
    """A wasm global.

    ``Global(value, type="i32", *, mutable=False, realm=None)`` creates one in ``realm``
    (the default realm when None) to give to a module's imports.  ``.value`` reads it;
    assigning ``.value`` writes a mutable global, range-checked like a call argument.
    """

    def __init__(self, value: Any, type: str = "i32", *, mutable: bool = False,
                 realm: Realm | None = None) -> None:
        from .._realm import realm_or_default

        self._realm = realm_or_default(realm)
        gtype = wasmtime.GlobalType(valtype(type), mutable)
        checked = check_value(type, value, f"Global({type})")
        self._global = wasmtime.Global(self._realm.store, gtype, to_val(type, checked))
        self.name = "global"

    @classmethod
    def _wrap(cls, realm: Realm, glob: wasmtime.Global, name: str) -> Global:
        self = cls.__new__(cls)
        self._realm, self._global, self.name = realm, glob, name
        return self

    @property
    def valtype(self) -> str:
        return valtype_name(self._global.type(self._realm.store).content)

    @property
    def mutable(self) -> bool:
        return bool(self._global.type(self._realm.store).mutable)

    @property
    def type(self) -> str:
        return f"global {'mut ' if self.mutable else ''}{self.valtype}"

    @property
    def value(self) -> Any:
        return self._global.value(self._realm.store)

    @value.setter
    def value(self, new: Any) -> None:
        if not self.mutable:
            raise AttributeError(f"global {self.name!r} is immutable ({self.type})")
        checked = check_value(self.valtype, new, f"global {self.name!r}")
        self._global.set_value(self._realm.store, to_val(self.valtype, checked))

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
