"""Tables of references (funcref, externref), bounds-checked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import wasmtime

from .._engine.valtypes import valtype, valtype_name
from .function import Function, wrap_func

if TYPE_CHECKING:
    from .._realm import Realm


class Table:
    """A wasm table.

    ``Table(minimum, maximum=None, *, element="funcref", realm=None)`` creates one in
    ``realm`` (the default realm when None).  ``table[i]`` reads an element (a
    :class:`Function`, an external object, or None); ``table[i] = f`` writes one.
    An index outside ``0..len(table)`` raises IndexError.
    """

    def __init__(self, minimum: int, maximum: int | None = None, *, element: str = "funcref",
                 realm: Realm | None = None) -> None:
        from .._realm import realm_or_default

        self._realm = realm_or_default(realm)
        ttype = wasmtime.TableType(valtype(element), wasmtime.Limits(minimum, maximum))
        self._table = wasmtime.Table(self._realm.store, ttype, None)
        self.name = "table"

    @classmethod
    def _wrap(cls, realm: Realm, table: wasmtime.Table, name: str) -> Table:
        self = cls.__new__(cls)
        self._realm, self._table, self.name = realm, table, name
        return self

    @property
    def element(self) -> str:
        return valtype_name(self._table.type(self._realm.store).element)

    @property
    def type(self) -> str:
        from .._engine.valtypes import describe

        return describe(self._table.type(self._realm.store))

    def __len__(self) -> int:
        return int(self._table.size(self._realm.store))

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
        value = self._table.get(self._realm.store, index)
        if isinstance(value, wasmtime.Val):
            value = value.value
        if isinstance(value, wasmtime.Func):
            return wrap_func(self._realm, value, f"{self.name}[{index}]", "<table>")
        return value

    def __setitem__(self, index: int, value: Any) -> None:
        self._check(index)
        self._table.set(self._realm.store, index, self._lower(value))

    def _lower(self, value: Any) -> Any:
        if self.element == "funcref":
            if isinstance(value, Function):
                if value._realm is not self._realm:
                    raise ValueError("a function of another realm cannot be stored here")
                return value._func
            if value is not None and not isinstance(value, wasmtime.Func):
                raise TypeError(f"table {self.name!r} holds funcref: store a wasm function "
                                "or None")
            return wasmtime.Val.funcref(value)
        return wasmtime.Val.externref(value)

    def grow(self, delta: int, init: Any = None) -> int:
        """Grow by ``delta`` elements set to ``init``; return the previous length."""
        try:
            return int(self._table.grow(self._realm.store, delta, self._lower(init)))
        except wasmtime.WasmtimeError as err:
            raise ValueError(f"table {self.name!r}: cannot grow by {delta} from "
                             f"{len(self)} ({self.type})") from err
