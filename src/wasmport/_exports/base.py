"""What every value of an instance holds: its store's context and the engine's object.

The two accessors are how other layers reach them (linking passes the engine object on;
checks compare contexts so values never cross realms).
"""

from __future__ import annotations

from typing import Any

from .._compile.refs import reduce_value, token_of
from .._engine.numbers import as_int
from .._engine.store import StoreContext


class ExternValue:
    """Base of Function, Memory, Global, Table and Tag."""

    _ctx: StoreContext
    _raw: Any  # the wasmtime.Func / Memory / Global / Table / Tag
    name: str

    def _bind(self, ctx: StoreContext, raw: Any, name: str) -> None:
        self._ctx, self._raw, self.name = ctx, raw, name

    def __reduce__(self) -> Any:
        """A TypeError for values holding live state (memories, globals, tables, tags);
        a reference for a function export of a module from import or load()."""
        return reduce_value(self)

    def __dask_tokenize__(self) -> Any:
        return token_of(self)


def context_of(value: ExternValue) -> StoreContext:
    """The store context ``value`` lives in."""
    return value._ctx


def raw_of(value: ExternValue) -> Any:
    """The engine's object behind ``value`` (to link it into another instance)."""
    return value._raw


def index_arg(value: Any, what: str) -> int:
    """An offset, length or count given from Python: an int or an object with
    ``__index__``, never a bool or a float (TypeError naming ``what``: numbers.py)."""
    return as_int(value, what)
