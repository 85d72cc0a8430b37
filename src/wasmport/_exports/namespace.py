"""The instance-phase module object: a module whose attributes are an instance's exports."""

from __future__ import annotations

import functools
import keyword
import types
import weakref
from typing import Any

from .._compile.refs import reduce_value, token_of
from .._engine import calls
from .global_ import Global
from .instance import Instance


def _missing_attribute(module: weakref.ref[InstanceModule], name: str) -> Any:
    """A module ``__getattr__`` (PEP 562) where the native look-up is absent: the module
    is held weakly, so that a module nobody holds is freed at once (its ``__getattr__``
    would otherwise make a reference cycle of it)."""
    return module()._wasm_missing(name)  # type: ignore[union-attr]


class InstanceModule(types.ModuleType):
    """A wasm instance seen as a Python module.  Exports are read-only attributes;
    a mutable global export reads its current value each time."""

    __slots__ = ("_wasm_instance",)

    def __init__(self, name: str, path: str | None, instance: Instance | None = None) -> None:
        """``instance`` shows at once; else once it is linked (see fill())."""
        _MODULE_INIT(self, name)
        if path is not None:
            self.__dict__["__file__"] = path
        _INSTANCE_SLOT.__set__(self, instance)
        if instance is not None and not _HOOKED:
            self._wasm_hook()

    def _wasm_hook(self) -> None:
        # Without the native look-up: a module-level __getattr__ (PEP 562), not a
        # class-level one, which would put a Python-level step on every attribute access,
        # even the exports already cached in __dict__.
        self.__dict__["__getattr__"] = functools.partial(_missing_attribute, weakref.ref(self))

    def _wasm_fill(self, instance: Instance) -> None:
        _INSTANCE_SLOT.__set__(self, instance)  # see fill()
        if not _HOOKED:
            self._wasm_hook()

    def _wasm_missing(self, name: str) -> Any:
        """A miss of the generic attribute look-up (from native/modattr.c, or the
        ``__getattr__`` above): look up, wrap and (unless it is a mutable global) cache the
        export ``name``; AttributeError when there is none, NotImplemented before the
        module is linked (ModuleType's own look-up then)."""
        instance = self._wasm_instance
        if instance is None:
            return NotImplemented
        namespace = self.__dict__
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

    def __reduce__(self) -> Any:
        """By reference (name, path, content digest) for a module from import or load():
        the receiving process gets its own instance, with its own state."""
        return reduce_value(self)

    def __dask_tokenize__(self) -> Any:
        return token_of(self)

    def __repr__(self) -> str:
        where = self.__dict__.get("__file__")
        return f"<wasm module {self.__name__!r}" + (f" from {where!r}>" if where else ">")


_MODULE_INIT = types.ModuleType.__init__
_INSTANCE_SLOT: Any = vars(InstanceModule)["_wasm_instance"]  # past __setattr__'s check

# The first use of each export is a miss in the module's __dict__: the native layer sends
# it to _wasm_missing, with no __getattr__ to make per instance and no AttributeError to
# raise and clear first (which Python does before 3.12).
_HOOKED = calls.enable_module_getattr(InstanceModule)


def instance_or_none(module: Any) -> Instance | None:
    """The instance behind an instance-phase module; None for anything else (or one
    not linked yet)."""
    if isinstance(module, InstanceModule):
        instance: Instance | None = object.__getattribute__(module, "_wasm_instance")
        return instance
    return None


def instance_of(module: Any) -> Instance:
    """The instance behind an instance-phase module; TypeError for anything else."""
    instance = instance_or_none(module)
    if instance is None:
        raise TypeError(f"instance_of() takes an instance-phase wasm module, not "
                        f"{type(module).__name__}")
    return instance


def fill(module: InstanceModule, instance: Instance) -> None:
    """Make ``module`` show ``instance``'s exports (once it is linked)."""
    module._wasm_fill(instance)
