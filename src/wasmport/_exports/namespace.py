"""The instance-phase module object: a module whose attributes are an instance's exports.

Exports are looked up and wrapped on first use, by name (one engine look-up each),
so instantiating a module costs the same with 4 exports or 4,000.
"""

from __future__ import annotations

import functools
import keyword
import types
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import wasmtime

from .._engine.raw import export_get
from .function import wrap_func
from .global_ import Global
from .memory import Memory
from .opaque import OpaqueExport
from .table import Table
from .tag import Tag

if TYPE_CHECKING:
    from .._compile.module import Module
    from .._realm import Realm


class Instance:
    """The instance behind an instance-phase module (see :func:`wasmport.instance_of`).

    ``module`` is the source-phase :class:`wasmport.Module`; ``exports`` maps each
    export name to its :class:`Function`, :class:`Memory`, :class:`Global`,
    :class:`Table` or :class:`Tag`; ``realm`` is the realm that owns it.
    """

    def __init__(self, module: Module, realm: Realm, raw: wasmtime.Instance) -> None:
        self.module = module
        self.realm = realm
        self._raw = raw
        self._wrapped: dict[str, Any] = {}
        self.exports: Mapping[str, Any] = _Exports(self)

    def export(self, name: str) -> Any:
        """The wrapped export ``name``; KeyError when there is none."""
        value = self._wrapped.get(name)
        if value is None:
            extern = export_get(self.realm.store, self._raw, name)
            if extern is None:
                raise KeyError(name)
            opaque = self.module._asset.opaque.exports.get(name)
            value = self._wrapped[name] = (
                _wrap(self.realm, extern, name, self.module) if opaque is None
                else OpaqueExport(self.realm, extern, name, _kind(extern), opaque))
        return value

    def has_export(self, name: str) -> bool:
        return name in self._wrapped or (
            not self.realm.closed and export_get(self.realm.store, self._raw, name) is not None)

    def __repr__(self) -> str:
        return f"<wasm instance of {self.module.name!r} ({len(self.exports)} exports)>"


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


def _kind(extern: Any) -> str:
    for cls, kind in ((wasmtime.Func, "func"), (wasmtime.Global, "global"),
                      (wasmtime.Table, "table"), (wasmtime.Memory, "memory")):
        if isinstance(extern, cls):
            return kind
    return "tag"


def _wrap(realm: Realm, value: Any, name: str, module: Module) -> Any:
    if isinstance(value, wasmtime.Func):
        return wrap_func(realm, value, name, module.where, module)
    if isinstance(value, wasmtime.Memory):
        return Memory._wrap(realm, value, name)
    if isinstance(value, wasmtime.Global):
        return Global._wrap(realm, value, name)
    if isinstance(value, wasmtime.Table):
        return Table._wrap(realm, value, name)
    if isinstance(value, wasmtime.Tag):
        return Tag._wrap(realm, value, name)
    return value


def _missing_attribute(module: InstanceModule, instance: Instance, name: str) -> Any:
    """Look up, wrap and (unless it is a mutable global) cache the export ``name``."""
    namespace = module.__dict__
    if name == "__all__":
        names = sorted(n for n in instance.module.export_names if n.isidentifier()
                       and not n.startswith("_") and not keyword.iskeyword(n))
        namespace["__all__"] = names
        return names
    try:
        value = instance.export(name)
    except KeyError:
        raise AttributeError(f"wasm module {namespace['__name__']!r} has no export "
                             f"{name!r}") from None
    if isinstance(value, Global):
        if value.mutable:
            return value.value  # live: never cached
        value = value.value
    if not (name.startswith("__") and name.endswith("__")):
        namespace[name] = value  # the import system's own attributes win
    return value


class InstanceModule(types.ModuleType):
    """A wasm instance seen as a Python module.  Exports are read-only attributes;
    a mutable global export reads its current value each time."""

    __slots__ = ("_wasm_instance",)

    def __init__(self, name: str, path: str | None) -> None:
        super().__init__(name)
        object.__setattr__(self, "_wasm_instance", None)
        if path is not None:
            self.__dict__["__file__"] = path

    def _wasm_fill(self, instance: Instance) -> None:
        object.__setattr__(self, "_wasm_instance", instance)
        # A module-level __getattr__ (PEP 562), not a class-level one: a class-level
        # hook would put a Python-level step on every attribute access, even the exports
        # already cached in __dict__.
        self.__dict__["__getattr__"] = functools.partial(_missing_attribute, self, instance)

    def _is_export(self, name: str) -> bool:
        instance = object.__getattribute__(self, "_wasm_instance")
        return instance is not None and instance.has_export(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if self._is_export(name):
            raise AttributeError(f"wasm module {self.__name__!r}: export {name!r} is read-only")
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        if self._is_export(name):
            raise AttributeError(f"wasm module {self.__name__!r}: export {name!r} is read-only")
        super().__delattr__(name)

    def __dir__(self) -> list[str]:
        instance = object.__getattribute__(self, "_wasm_instance")
        names = set(self.__dict__) - {"__getattr__"}
        if instance is not None:
            names.update(instance.module.export_names)
        return sorted(names)

    def __repr__(self) -> str:
        where = self.__dict__.get("__file__")
        return f"<wasm module {self.__name__!r}" + (f" from {where!r}>" if where else ">")
