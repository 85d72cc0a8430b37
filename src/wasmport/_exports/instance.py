"""The instance behind an instance-phase module: exports looked up and wrapped on first use.

Exports are looked up by name (one engine look-up each), so instantiating a module costs
the same with 4 exports or 4,000.  A function export remembers its instance weakly
(for pickling by reference), in its own ``_origin``.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import wasmtime

from .._compile.module import Module, opaque_exports
from .._compile.refs import reduce_value
from .._engine import calls
from .._engine.raw import export_get
from .._engine.store import StoreContext
from .function import ExportToken, Function, export_function, wrap_func
from .global_ import Global
from .memory import Memory
from .table import Table
from .tag import Tag


class Instance:
    """The instance behind an instance-phase module (see :func:`wasmport.instance_of`).

    ``module`` is the source-phase :class:`wasmport.Module`; ``exports`` maps each
    export name to its :class:`Function`, :class:`Memory`, :class:`Global`,
    :class:`Table` or :class:`Tag`; ``realm`` is the realm that owns it.
    """

    # Made on the first export (_first_use): the module's opaque exports and where, this
    # instance weakly, its callers' Dask hook and its export finder.
    _opaque: Mapping[str, str]
    _where: str
    _origin: weakref.ref[Instance]
    _token: ExportToken
    _find: Callable[[int, str], Any] | None = None

    def __init__(self, module: Module, ctx: StoreContext, raw: wasmtime.Instance) -> None:
        self.module = module
        self._ctx = ctx
        self._raw = raw
        self._wrapped: dict[str, Any] = {}

    @functools.cached_property
    def exports(self) -> Mapping[str, Any]:
        """Export name -> its wrapped value (looked up on first use)."""
        return _Exports(self)

    def export(self, name: str) -> Any:
        """The wrapped export ``name``; KeyError when there is none."""
        value = self._wrapped.get(name)
        if value is not None:
            return value
        ctx, module = self._ctx, self.module
        address = ctx.address  # RealmClosedError once closed
        find = self._find or self._first_use()
        # The native look-up reads the type through the C API query that aborts the
        # process on v128 and typed references: only for exports sigscan found plain.
        found = None if name in self._opaque else find(address, name)
        if found is not None:  # the native layer: the function and its type in one pass
            value = export_function(ctx, found, name, self._where, module, self._origin,
                                    self._token)
        else:
            value = self._lookup(name)
        self._wrapped[name] = value
        return value

    def _first_use(self) -> Callable[[int, str], Any]:
        """What every export's look-up shares, made on the first one."""
        self._opaque = opaque_exports(self.module)
        self._where = self.module.where
        self._origin = origin = weakref.ref(self)
        self._token = ExportToken(origin)
        find = self._find = calls.export_finder(self._raw)
        return find

    def _lookup(self, name: str) -> Any:
        extern = export_get(self._ctx.store, self._raw, name)
        if extern is None:
            raise KeyError(name)
        value = _wrap(self._ctx, extern, name, self.module)
        if isinstance(value, Function):
            value._origin = self._origin
        return value

    def has_export(self, name: str) -> bool:
        return name in self._wrapped or (
            not self._ctx.closed and export_get(self._ctx.store, self._raw, name) is not None)

    @property
    def realm(self) -> Any:
        """The realm that owns this instance."""
        return self._ctx.owner

    def __repr__(self) -> str:
        return f"<wasm instance of {self.module.name!r} ({len(self.exports)} exports)>"

    def __reduce__(self) -> Any:
        return reduce_value(self)  # a TypeError: it is live state


class _Exports(Mapping[str, Any]):
    """A read-only mapping of export name -> wrapped export, filled on demand."""

    def __init__(self, instance: Instance) -> None:
        self._instance = instance

    def __getitem__(self, name: str) -> Any:
        return self._instance.export(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._instance.has_export(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._instance.module.export_names)

    def __len__(self) -> int:
        return len(self._instance.module.export_names)

    def __repr__(self) -> str:
        return f"<exports of {self._instance.module.name!r}: {list(self)}>"


def _wrap(ctx: StoreContext, value: Any, name: str, module: Module) -> Any:
    if isinstance(value, wasmtime.Func):
        return wrap_func(ctx, value, name, module.where, module)
    for raw, cls in _WRAPPERS:
        if isinstance(value, raw):
            return cls._wrap(ctx, value, name)
    return value


_WRAPPERS: tuple[tuple[type, Any], ...] = (
    (wasmtime.Memory, Memory), (wasmtime.SharedMemory, Memory), (wasmtime.Global, Global),
    (wasmtime.Table, Table),
    (wasmtime.Tag, Tag))


def origin_of(function: Function) -> tuple[Instance, str] | None:
    """The instance exporting ``function`` and its export name; None for a function from
    a table, a funcref result or a host."""
    ref = getattr(function, "_origin", None)
    instance = None if ref is None else ref()
    return None if instance is None else (instance, function.name)


def context_of_instance(instance: Instance) -> StoreContext:
    """The store context an instance lives in."""
    return instance._ctx


def raw_instance(instance: Instance) -> wasmtime.Instance:
    """The engine's instance (for the engine's export look-ups)."""
    return instance._raw
