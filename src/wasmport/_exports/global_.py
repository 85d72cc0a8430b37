"""Globals: plain values when immutable, live objects when mutable."""

from __future__ import annotations

from typing import Any

import wasmtime

from .._engine.externs import EngineRefused, global_get, global_set, new_global
from .._engine.store import StoreContext, context_for
from .._engine.typemake import global_type
from .._engine.valtypes import valtype, valtype_name
from .base import ExternValue
from .function import codec


class Global(ExternValue):
    """A wasm global.

    ``Global(value, type="i32", *, mutable=False, realm=None)`` creates one in ``realm``
    (the default realm when None) to give to a module's imports; ``type`` is any value
    type but a module's concrete ones (``"v128"``, ``"externref"``, ``"(ref eq)"``...).
    ``.value`` reads it; assigning ``.value`` writes a mutable global, checked like a
    call argument.
    """

    def __init__(self, value: Any, type: str = "i32", *, mutable: bool = False,
                 realm: Any = None) -> None:
        ctx = context_for(realm)
        text = valtype_name(valtype(type))  # checks the name; the engine's spelling
        engine = codec(ctx).to_engine(text, value, f"Global({text})")
        self._bind(ctx, new_global(ctx, global_type(text, mutable), text, engine), "global")

    @classmethod
    def _wrap(cls, ctx: StoreContext, glob: wasmtime.Global, name: str) -> Global:
        self = cls.__new__(cls)
        self._bind(ctx, glob, name)
        return self

    def _type(self) -> tuple[str, bool]:
        found: tuple[str, bool] | None = self.__dict__.get("_known_type")
        if found is None:
            ty = self._raw.type(self._ctx.store)
            found = self.__dict__["_known_type"] = (valtype_name(ty.content), bool(ty.mutable))
        return found

    @property
    def valtype(self) -> str:
        return self._type()[0]

    @property
    def mutable(self) -> bool:
        return self._type()[1]

    @property
    def type(self) -> str:
        return f"global {'mut ' if self.mutable else ''}{self.valtype}"

    @property
    def value(self) -> Any:
        ctx = self._ctx
        with ctx:  # close() waits for the read
            return codec(ctx).to_python(global_get(ctx, self._raw))

    @value.setter
    def value(self, new: Any) -> None:
        if not self.mutable:
            raise AttributeError(f"global {self.name!r} is immutable ({self.type})")
        ctx, text = self._ctx, self.valtype
        engine = codec(ctx).to_engine(text, new, f"global {self.name!r}")
        with ctx:
            try:
                global_set(ctx, self._raw, text, engine)
            except EngineRefused as err:  # a concrete type the value does not match
                raise TypeError(f"global {self.name!r} ({self.type}): {err}") from None

    def __repr__(self) -> str:
        return f"<wasm global {self.name!r} ({self.type}) = {self.value!r}>"
