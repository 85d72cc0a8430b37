"""Linking host modules: one host object and one set of functions per importing instance.

The resolver asks a :class:`HostProvider` for each import of the host module's name.
The provider makes the host object on the first import (unless the application gave
a ready object), checks every import's type against the method's lowered type, and
once the importer is instantiated binds the importer's exported memory.  ``check``
does the checks alone (``wasmport check``: no host object is made).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

import wasmtime

from .._compile.module import Module, compiled_of
from .._compile.sites import Site
from .._engine.store import StoreContext
from .._engine.valtypes import describe, func_sig, kind_of
from .._errors import IncompatibleImportError, LinkError, UnknownImportError
from .._exports.base import context_of, raw_of
from .._exports.instance import Instance
from .engine import host_func
from .kinds import shown
from .memory import CallerMemory
from .module import HostFactory, HostFunction, HostModule, HostSpec, bind_object


def _partial_class(value: Any) -> Any:
    if isinstance(value, functools.partial) and isinstance(value.func, type) and issubclass(
            value.func, HostModule):
        return value.func
    return None


def is_host_value(value: Any) -> bool:
    """A HostModule class, factory (``Cls.factory(...)``, ``partial(Cls, ...)``) or object."""
    if isinstance(value, type):
        return issubclass(value, HostModule)
    return isinstance(value, (HostModule, HostFactory)) or _partial_class(value) is not None


def spec_of(value: Any) -> HostSpec:
    if isinstance(value, type) and issubclass(value, HostModule):
        return value.__wasm_host__
    if isinstance(value, HostFactory):
        return value.cls.__wasm_host__
    owner: type[HostModule] = _partial_class(value) or type(value)
    return owner.__wasm_host__


def host_name(value: Any) -> str:
    """The import module name a host module declares; TypeError if it declares none."""
    if not is_host_value(value):
        raise TypeError(f"register() needs a name for {value!r}: register(name, provider)")
    spec = spec_of(value)
    if spec.name is None:
        cls = shown(spec.cls)
        raise TypeError(f"{cls} declares no import module name; declare "
                        f"class {cls}(wasmport.HostModule, name=...) or register it under "
                        "a name: register(name, provider)")
    return spec.name


def host_entries(host_modules: Mapping[str, Any] | Iterable[Any] | None) -> dict[str, Any]:
    """``host_modules`` as name -> provider: a mapping as given, or typed host modules
    each under the name it declares."""
    if host_modules is None:
        return {}
    if isinstance(host_modules, Mapping):
        return dict(host_modules)
    return {host_name(value): value for value in host_modules}


class HostProvider:
    """Satisfies one importing instance's imports of one host module; ``by`` says which
    step of the resolution found it (for ``wasmport check``)."""

    def __init__(self, ctx: StoreContext, module: Module | None, label: str, value: Any,
                 by: str = "host module") -> None:
        self.label, self.by = label, by
        self.spec = spec_of(value)
        self._value = value
        self._importer = module
        self._object: HostModule | None = None
        self._memory: CallerMemory | None = None
        self._checked_memory = False
        self._module_name: str | None = None

    def _host_object(self) -> HostModule:
        if self._object is None:
            value = self._value
            made = value if isinstance(value, HostModule) else value()
            if not isinstance(made, self.spec.cls) or not isinstance(made, HostModule):
                raise TypeError(f"{self.label}: the factory returned {made!r}, not a "
                                f"{shown(self.spec.cls)}")
            self._object = made
        return self._object

    def get(self, site: Site) -> HostFunction:
        function = self.spec.functions.get(site.field)
        if function is None:
            offered = ", ".join(sorted(self.spec.functions)) or "no functions"
            raise UnknownImportError(
                f"{site}: {self._what()} has no function {site.field!r} (it exports "
                f"{offered}); add a method marked @wasmport.export({site.field!r})",
                path=site.where, module=site.module, field=site.field)
        return function

    def _what(self) -> str:
        return f"{self.label} ({shown(self.spec.cls)})"

    def extern(self, ctx: StoreContext, site: Site) -> wasmtime.Func:
        """The engine function for ``site``, after checking its kind and type."""
        function = self.checked(site)
        memory = None
        if function.plan.uses_memory:
            if self._memory is None:  # one per provider (not `or`: it has a __len__)
                self._memory = CallerMemory(self.spec.memory)
            memory = self._memory
        self._module_name = site.module
        bound = function.function.__get__(self._host_object())
        return host_func(ctx, site, function.plan, bound, memory)

    def check(self, ctx: StoreContext, site: Site) -> None:
        """The checks of :meth:`extern`, making nothing (not even the host object)."""
        self.checked(site)

    def checked(self, site: Site) -> HostFunction:
        """The method for ``site``, once its kind, type and memory use fit."""
        if kind_of(site.ty) != "func":
            raise site.incompatible(f"{self._what()}, which offers only functions",
                                    f"a host module cannot provide a {kind_of(site.ty)}")
        function = self.get(site)
        check_type(site, function)
        if function.plan.uses_memory:
            self._check_memory(site, function)
        return function

    def _check_memory(self, site: Site, function: HostFunction) -> None:
        if self._checked_memory or self._importer is None:
            return
        name, plan = self.spec.memory, function.plan
        exported = {e.name: e.type for e in compiled_of(self._importer).exports}
        ty = exported.get(name)
        cls = shown(self.spec.cls)
        if not isinstance(ty, wasmtime.MemoryType):
            found = "no memory" if ty is None else f"a {kind_of(ty)}"
            raise LinkError(
                f"{site}: {plan.text} uses the caller's memory, but {site.where} exports "
                f"{found} named {name!r}; export its memory as {name!r} (wat: (export "
                f"\"{name}\" (memory 0)); clang exports \"memory\") or declare "
                f"class {cls}(wasmport.HostModule, memory=...)",
                path=site.where, module=site.module, field=site.field)
        if ty.is_64:
            raise LinkError(f"{site}: {plan.text} uses the caller's memory, but {name!r} is "
                            "a 64-bit memory; host modules take 32-bit pointers",
                            path=site.where, module=site.module, field=site.field)
        self._checked_memory = True

    def bind(self, instance: Instance) -> None:
        """Called once the importing instance exists: bind its memory, record the object."""
        if self._memory is not None:
            exported = instance.exports[self.spec.memory]
            self._memory.bind(context_of(exported).store, raw_of(exported))
        if self._object is not None and self._module_name is not None:
            bind_object(instance, self._module_name, self._object)


def check_type(site: Site, function: HostFunction) -> None:
    plan = function.plan
    if func_sig(site.ty) == (plan.wasm_params, plan.wasm_results):
        return
    expected = describe(site.ty)
    raise IncompatibleImportError(
        f"{site}: expected {expected}, found {plan.wasm_type} from {plan.text}; declare the "
        f"import as {plan.wasm_type} or change the annotations of "
        f"{plan.owner}.{plan.method}()", path=site.where, module=site.module,
        field=site.field, expected=expected, found=plan.wasm_type)


def exported_method(value: Any) -> HostFunction | None:
    """The typed method of a bound ``@wasmport.export`` method, or None."""
    function = getattr(value, "__func__", None)
    owner = getattr(value, "__self__", None)
    if not isinstance(owner, HostModule) or getattr(function, "__wasm_export__", None) is None:
        return None
    spec = type(owner).__wasm_host__
    return next((f for f in spec.functions.values() if f.function is function), None)


def method_extern(ctx: StoreContext, site: Site, value: Any,
                  function: HostFunction) -> wasmtime.Func:
    """A bound exported method given as one import field (its type checked already):
    typed, memory found per call."""
    spec = type(value.__self__).__wasm_host__
    memory = CallerMemory(spec.memory) if function.plan.uses_memory else None
    return host_func(ctx, site, function.plan, value, memory)
