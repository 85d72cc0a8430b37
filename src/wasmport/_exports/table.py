"""Tables of references, bounds-checked."""

from __future__ import annotations

from typing import Any

import wasmtime

from .._engine.externs import EngineRefused, new_table, table_get, table_grow, table_set
from .._engine.store import StoreContext, context_for
from .._engine.typemake import table_type
from .._engine.valtypes import describe, valtype, valtype_name
from .base import ExternValue, index_arg
from .function import codec


class Table(ExternValue):
    """A wasm table.

    ``Table(minimum, maximum=None, *, element="funcref", init=None, realm=None)`` creates
    one in ``realm`` (the default realm when None), every element ``init``; ``element`` is
    a reference type (``"externref"``, ``"anyref"``, ``"(ref null i31)"``...).  ``table[i]``
    reads an element (a :class:`Function`, a Python object, a GC value, or None);
    ``table[i] = v`` writes one.  An index outside ``0..len(table)`` raises IndexError.
    """

    def __init__(self, minimum: int, maximum: int | None = None, *, element: str = "funcref",
                 init: Any = None, realm: Any = None) -> None:
        ctx = context_for(realm)
        text = valtype_name(valtype(element))
        ty = table_type(text, minimum, maximum)
        engine = codec(ctx).to_engine(text, init, f"Table({text}) init")
        try:
            raw = new_table(ctx, ty, text, engine)
        except EngineRefused as err:
            raise ValueError(f"Table({minimum}, {maximum}, element={text!r}): {err}") from None
        self._bind(ctx, raw, "table")

    @classmethod
    def _wrap(cls, ctx: StoreContext, table: wasmtime.Table, name: str) -> Table:
        self = cls.__new__(cls)
        self._bind(ctx, table, name)
        return self

    @property
    def element(self) -> str:
        found: str | None = self.__dict__.get("_element")
        if found is None:
            found = self.__dict__["_element"] = valtype_name(
                self._raw.type(self._ctx.store).element)
        return found

    @property
    def type(self) -> str:
        return describe(self._raw.type(self._ctx.store))

    def __len__(self) -> int:
        with self._ctx as store:
            return int(self._raw.size(store))

    def __repr__(self) -> str:
        return f"<wasm table {self.name!r}: {len(self)} {self.element}>"

    def _check(self, index: Any) -> int:
        number = index_arg(index, f"table {self.name!r} index")
        if not 0 <= number < len(self):
            raise IndexError(f"table {self.name!r}: index {number} is out of bounds for a table "
                             f"of {len(self)} elements")
        return number

    def __getitem__(self, index: int) -> Any:
        ctx = self._ctx
        with ctx:
            index = self._check(index)
            return codec(ctx).to_python(table_get(ctx, self._raw, index))

    def __setitem__(self, index: int, value: Any) -> None:
        with self._ctx:
            index = self._check(index)
            engine = self._lower(value, f"table {self.name!r}[{index}]")
            try:
                table_set(self._ctx, self._raw, index, self.element, engine)
            except EngineRefused as err:  # a concrete type the value does not match
                raise TypeError(f"table {self.name!r} ({self.type}): {err}") from None

    def _lower(self, value: Any, what: str) -> Any:
        return codec(self._ctx).to_engine(self.element, value, what)

    def grow(self, delta: int, init: Any = None) -> int:
        """Grow by ``delta`` elements set to ``init``; return the previous length.

        TypeError for a delta that is not an int, ValueError for a negative one or past
        the table's maximum, ResourceLimitError past the realm's ``max_table_elements``.
        """
        count = index_arg(delta, f"table {self.name!r}.grow()")
        if count < 0:
            raise ValueError(f"table {self.name!r}.grow(): delta must be >= 0, not {delta!r}")
        engine = self._lower(init, f"table {self.name!r}.grow() init")
        with self._ctx:
            try:
                return table_grow(self._ctx, self._raw, count, self.element, engine)
            except EngineRefused as err:
                guard, now = self._ctx.guard, len(self)
                limit = None if guard is None else guard.growth_refused(
                    f"table {self.name!r}.grow({count})", "max_table_elements", now + count)
                if limit is not None:
                    raise limit from None
                raise ValueError(f"table {self.name!r}: cannot grow by {count} from "
                                 f"{now} ({self.type})") from err
