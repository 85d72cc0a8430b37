"""Build the component linker of one instantiation: host imports, WASI when granted.

Names in ``imports`` may carry the version or not (``test:demo/host`` finds
``test:demo/host@0.1.0``).  WASI interfaces come from wasmtime only when a WASI
config is given, and that config is set on the store first: wasmtime aborts the
process when a component calls WASI through a linker with WASI in it while the
store has no WASI context, so the two never come apart here.
"""

from __future__ import annotations

import ctypes
from collections.abc import Mapping
from typing import Any

from .._engine import component as _capi
from .._errors import IncompatibleImportError, LinkError, UnknownImportError
from ._boundary import failure
from ._call import GENERAL_ONLY
from ._host import HostFunc, _destroy, _forget, host_entry, register, target_of
from ._hostfast import fast_host
from ._names import camel, snake
from ._resources import HostKind
from ._state import InstanceState
from ._types import Function, Interface, InterfaceName, ResourceType, TypeDef


def find_impl(imports: Mapping[str, Any], name: str) -> Any:
    """The implementation given for an import name, with or without its version."""
    if name in imports:
        return imports[name]
    unversioned = InterfaceName.parse(name).unversioned
    return imports.get(unversioned)


def _check(error: int, where: str, what: str) -> None:
    if error:
        message = str(failure(error, where))
        raise LinkError(f"{where}: cannot define {what}: {message}", path=where)


def _name(text: str) -> tuple[bytes, int]:
    data = text.encode()
    return data, len(data)


class LinkPlan:
    def __init__(self, code: Any, state: InstanceState, space: Any, imports: Mapping[str, Any],
                 wasi: bool) -> None:
        self.code, self.state, self.space = code, state, space
        self.imports, self.wasi = imports, wasi
        self.where = state.where

    def define(self, linker: int) -> None:
        root = _capi.linker_root(linker)
        try:
            for name, item in self.code.world.imports.items():
                self.define_item(root, name, item)
        finally:
            _capi.linker_instance_delete(root)

    def define_item(self, root: int, name: str, item: Any) -> None:
        if isinstance(item, Interface):
            self.define_interface(root, name, item)
        elif isinstance(item, Function):
            impl = find_impl(self.imports, name)
            if impl is None or not callable(impl):
                params = ", ".join(snake(p) for p, _ in item.type.params)
                raise UnknownImportError(
                    f"{self.where}: import {name!r} (a function) is not provided; pass "
                    f"imports={{{name!r}: a callable taking ({params})}}",
                    path=self.where, module=name)
            target = target_of(self.where, "(world)", _Callable(name, impl), item)
            self.add_func(root, name, item, target, name)
        elif isinstance(item, TypeDef):
            return  # a world-level type needs no definition
        else:
            raise LinkError(f"{self.where}: import {name!r} is a {item.what}; wasmport cannot "
                            "provide one", path=self.where, module=name)

    def define_interface(self, root: int, name: str, iface: Interface) -> None:
        impl = find_impl(self.imports, name)
        if impl is None:
            if self.wasi and name.startswith("wasi:"):
                return  # wasmtime's WASI provides it
            remedy = ("grant WASI (a WASI config)" if name.startswith("wasi:")
                      else f"pass imports={{{InterfaceName.parse(name).unversioned!r}: impl}}")
            raise UnknownImportError(f"{self.where}: import {name!r} is not provided; {remedy}",
                                     path=self.where, module=name)
        data, size = _name(name)
        out = ctypes.c_size_t()
        _check(_capi.linker_instance_add_instance(root, data, size, ctypes.byref(out)),
               self.where, f"import {name!r}")
        try:
            self.define_members(out.value, name, iface, impl)
        finally:
            _capi.linker_instance_delete(out.value)

    def define_members(self, inst: int, name: str, iface: Interface, impl: Any) -> None:
        for td in iface.types.values():
            if isinstance(td.type, ResourceType) and td.origin is None:
                self.add_resource(inst, name, td, impl)
        for fname, func in iface.functions.items():
            target = target_of(self.where, name, impl, func)
            self.add_func(inst, fname, func, target, f"{name}#{fname}")

    def add_resource(self, inst: int, iface: str, td: TypeDef, impl: Any) -> None:
        cls = getattr(impl, camel(td.name), None)
        if cls is None:
            raise IncompatibleImportError(
                f"{self.where}: import {iface!r}, resource {td.name!r}: {impl!r} has no class "
                f"{camel(td.name)}; give it a class attribute {camel(td.name)}",
                path=self.where, module=iface, field=td.name)
        assert isinstance(td.type, ResourceType)
        kind = HostKind(td.type, cls)
        self.state.resources.host[td.type] = kind
        key = register(self.state.resources.destroyed, self.state.hosts)
        rtype = _capi.resource_type_new_host(kind.type_id)
        data, size = _name(td.name)
        try:
            _check(_capi.linker_instance_add_resource(inst, data, size, rtype, _destroy, key,
                                                      _forget),
                   self.where, f"resource {td.name!r} of {iface!r}")
        finally:
            _capi.resource_type_delete(rtype)

    def add_func(self, inst: int, name: str, func: Function, target: Any, label: str) -> None:
        where = f"{self.state.where}: host {label}()"
        fast = None if GENERAL_ONLY else fast_host(self.state, func, target, where)
        host = fast or HostFunc(self.state, func, target, self.space, label)
        callback, key, finalizer = host_entry(host, self.state.hosts)
        data, size = _name(name)
        _check(_capi.linker_instance_add_func(inst, data, size, callback, key, finalizer),
               self.where, f"function {label!r}")


class _Callable:
    """Lets a world-level callable be checked like an interface member."""

    def __init__(self, name: str, impl: Any) -> None:
        setattr(self, snake(name), impl)
        self._name = name

    def __repr__(self) -> str:
        return f"the callable given for {self._name!r}"


def link(code: Any, state: InstanceState, space: Any, imports: Mapping[str, Any],
         wasi: Any, wasi_http: bool) -> int:
    """A new component linker with every import defined (the caller deletes it)."""
    linker = _capi.linker_new(_capi.engine_address(code.engine))
    try:
        LinkPlan(code, state, space, imports, wasi is not None).define(linker)
        if wasi is not None:
            state.store.set_wasi(wasi)  # first: see the module docstring
            _check(_capi.linker_add_wasip2(linker), state.where, "WASI preview 2")
            if wasi_http:
                _capi.context_set_wasi_http(state.store)
                _check(_capi.linker_add_wasi_http(linker), state.where, "wasi:http")
    except BaseException:
        _capi.linker_delete(linker)
        raise
    return int(linker)
