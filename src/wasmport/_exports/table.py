"""Tables of references (funcref, externref), bounds-checked."""

from __future__ import annotations

from typing import Any

import wasmtime

from .._engine.store import StoreContext, context_for
from .._engine.valtypes import describe, valtype, valtype_name
from .base import ExternValue, context_of, raw_of
from .function import Function, wrap_func


class Table(ExternValue):
    """A wasm table.

    ``Table(minimum, maximum=None, *, element="funcref", realm=None)`` creates one in
    ``realm`` (the default realm when None).  ``table[i]`` reads an element (a
    :class:`Function`, an external object, or None); ``table[i] = f`` writes one.
    An index outside ``0..len(table)`` raises IndexError.
    """

    def __init__(self, minimum: int, maximum: int | None = None, *, element: str = "funcref",
                 realm: Any = None) -> None:
        ctx = context_for(realm)
        ttype = wasmtime.TableType(valtype(element), wasmtime.Limits(minimum, maximum))
        self._bind(ctx, wasmtime.Table(ctx.store, ttype, None), "table")

    @classmethod
    def _wrap(cls, ctx: StoreContext, table: wasmtime.Table, name: str) -> Table:
        self = cls.__new__(cls)
        self._bind(ctx, table, name)
        return self

    @property
    def element(self) -> str:
        return valtype_name(self._raw.type(self._ctx.store).element)

    @property
    def type(self) -> str:
        return describe(self._raw.type(self._ctx.store))

    def __len__(self) -> int:
        return int(self._raw.size(self._ctx.store))

    def __repr__(self) -> str:
        return f"<wasm table {self.name!r}: {len(self)} {self.element}>"

    def _check(self, index: int) -> None:
        if not isinstance(index, int):
            raise TypeError(f"table {self.name!r}: indices must be ints")
        if not 0 <= index < len(self):
            raise IndexError(f"table {self.name!r}: index {index} is out of bounds for a table "
                             f"of {len(self)} elements")

    def __getitem__(self, index: int) -> Any:
        self._check(index)
        value = self._raw.get(self._ctx.store, index)
        if isinstance(value, wasmtime.Val):
            value = value.value
        if isinstance(value, wasmtime.Func):
            return wrap_func(self._ctx, value, f"{self.name}[{index}]", "<table>")
        return value

    def __setitem__(self, index: int, value: Any) -> None:
        self._check(index)
        self._raw.set(self._ctx.store, index, self._lower(value))

    def _lower(self, value: Any) -> Any:
        if self.element == "funcref":
            if isinstance(value, Function):
                if context_of(value) is not self._ctx:
                    raise ValueError("a function of another realm cannot be stored here")
                return raw_of(value)
            if value is not None and not isinstance(value, wasmtime.Func):
                raise TypeError(f"table {self.name!r} holds funcref: store a wasm function "
                                "or None")
            return wasmtime.Val.funcref(value)
        return wasmtime.Val.externref(value)

    def grow(self, delta: int, init: Any = None) -> int:
        """Grow by ``delta`` elements set to ``init``; return the previous length."""
        try:
            return int(self._raw.grow(self._ctx.store, delta, self._lower(init)))
        except wasmtime.WasmtimeError as err:
            raise ValueError(f"table {self.name!r}: cannot grow by {delta} from "
                             f"{len(self)} ({self.type})") from err
