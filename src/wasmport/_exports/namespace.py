"""The instance-phase module object: a module whose attributes are an instance's exports."""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .global_ import Global

if TYPE_CHECKING:
    from .._module import Module
    from .._realm import Realm


class Instance:
    """The instance behind an instance-phase module (see :func:`wasmport.instance_of`).

    ``module`` is the source-phase :class:`wasmport.Module`; ``exports`` maps each
    export name to its :class:`Function`, :class:`Memory`, :class:`Global` or
    :class:`Table`; ``realm`` is the realm that owns it.
    """

    def __init__(self, module: Module, realm: Realm, raw: Any, exports: Mapping[str, Any]):
        self.module = module
        self.realm = realm
        self.exports: Mapping[str, Any] = types.MappingProxyType(dict(exports))
        self._raw = raw

    def __repr__(self) -> str:
        return f"<wasm instance of {self.module.name!r} ({len(self.exports)} exports)>"


class InstanceModule(types.ModuleType):
    """A wasm instance seen as a Python module.  Exports are read-only attributes;
    a mutable global export reads its current value each time."""

    __slots__ = ("_wasm_instance", "_wasm_live")

    def __init__(self, name: str, path: str | None) -> None:
        super().__init__(name)
        object.__setattr__(self, "_wasm_instance", None)
        object.__setattr__(self, "_wasm_live", {})
        if path is not None:
            self.__file__ = path

    def _wasm_fill(self, instance: Instance) -> None:
        live: dict[str, Any] = {}
        for name, value in instance.exports.items():
            if isinstance(value, Global) and value.mutable:
                live[name] = value
            elif not (name.startswith("__") and name.endswith("__")):
                self.__dict__[name] = value.value if isinstance(value, Global) else value
        self.__dict__["__all__"] = sorted(n for n in instance.exports if n.isidentifier()
                                          and not n.startswith("_"))
        object.__setattr__(self, "_wasm_live", live)
        object.__setattr__(self, "_wasm_instance", instance)

    def __getattr__(self, name: str) -> Any:
        live = object.__getattribute__(self, "_wasm_live")
        if name in live:
            return live[name].value
        instance = object.__getattribute__(self, "_wasm_instance")
        if instance is not None and name in instance.exports:
            value = instance.exports[name]
            return value.value if isinstance(value, Global) else value
        raise AttributeError(f"wasm module {self.__name__!r} has no export {name!r}")

    def _is_export(self, name: str) -> bool:
        instance = object.__getattribute__(self, "_wasm_instance")
        return instance is not None and name in instance.exports

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
        names = set(self.__dict__)
        if instance is not None:
            names.update(instance.exports)
        return sorted(names)

    def __repr__(self) -> str:
        where = getattr(self, "__file__", None)
        return f"<wasm module {self.__name__!r}" + (f" from {where!r}>" if where else ">")
