"""Instantiate a compiled component in a store, and present its exports."""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Mapping
from typing import Any

from wasmtime import _ffi as ffi

from .._engine import component as _capi
from .._errors import LinkError
from ._boundary import failure
from ._call import Export
from ._link import link
from ._names import camel, snake
from ._namespace import Namespace, short_names
from ._resources import GuestResource, Resources, disown
from ._state import InstanceState
from ._types import Function, Interface, ResourceType, TypeDef


def hidden(name: str, item: Any) -> bool:
    """componentize-py's own export (an interface ``exports`` holding only ``init``),
    which the guest author never wrote: not shown on the instance."""
    return name == "exports" and isinstance(item, Interface) and set(item.functions) == {"init"}


class ComponentInstance:
    """One instance of a component in one store."""

    def __init__(self, code: Any, state: InstanceState, raw: Any, release_gil: bool = False
                 ) -> None:
        self.code = code
        self.state = state
        self.raw = raw  # wasmtime_component_instance_t
        self.release_gil = release_gil
        self.exports: Namespace = _Builder(self).build()

    @property
    def poisoned(self) -> bool:
        """True once a trap or a host exception made this instance unusable."""
        return self.state.poison is not None

    def flush(self) -> None:
        """Drop now the owned resource handles Python has collected."""
        self.state.flush()

    def __repr__(self) -> str:
        return f"<ComponentInstance {self.state.where}>"


class _Builder:
    def __init__(self, instance: ComponentInstance) -> None:
        self.inst = instance
        self.code = instance.code
        self.state = instance.state
        self.space = instance.code.types

    def func(self, name: str, parent: int, func: Function, label: str) -> Callable[..., Any]:
        data = name.encode()
        index = _capi.get_export_index(self.code.ptr, parent, data, len(data))
        if not index:
            raise LinkError(f"{self.state.where}: export {label!r} not found", path=label)
        raw = ffi.wasmtime_component_func_t()
        try:
            found = _capi.instance_get_func(ctypes.addressof(self.inst.raw), self.state.ctx,
                                            index, ctypes.byref(raw))
        finally:
            _capi.export_index_delete(index)
        if not found:
            raise LinkError(f"{self.state.where}: export {label!r} is not a function",
                            path=label)
        wrapper = Export(self.state, func, raw, self.space, label,
                         self.inst.release_gil).wrapper()
        wrapper.__wit_name__ = func.name  # type: ignore[attr-defined]
        return wrapper

    def interface(self, name: str, iface: Interface, exported: bool) -> Namespace:
        members: dict[str, Any] = dict(self.space.interface_types(iface))
        by_wit: dict[str, Any] = {}
        for td in iface.types.values():
            if not isinstance(td.type, ResourceType):
                for py_name, value in self.space.named(td).items():
                    by_wit.setdefault(td.name if py_name == camel(td.name) else py_name, value)
        if exported:
            self.exported_members(name, iface, members, by_wit)
        return Namespace(name, members, by_wit)

    def exported_members(self, name: str, iface: Interface, members: dict[str, Any],
                         by_wit: dict[str, Any]) -> None:
        data = name.encode()
        parent = _capi.get_export_index(self.code.ptr, 0, data, len(data))
        short = name.rsplit("/", 1)[-1].split("@")[0]
        try:
            funcs = {fname: self.func(fname, parent, func, f"{snake(short)}.{_label(func)}")
                     for fname, func in iface.functions.items()}
        finally:
            _capi.export_index_delete(parent)
        for td in iface.types.values():
            if isinstance(td.type, ResourceType):
                cls = self.resource_class(td, iface, funcs)
                members[camel(td.name)] = by_wit[td.name] = cls
        for fname, func in iface.functions.items():
            if func.kind == "freestanding":
                members[snake(fname)] = by_wit[fname] = funcs[fname]

    def resource_class(self, td: TypeDef, iface: Interface, funcs: dict[str, Any]) -> type:
        node = td.type
        assert isinstance(node, ResourceType)
        known: type | None = self.state.resources.guest.get(node)
        if known is not None:
            return known
        body: dict[str, Any] = {"__slots__": (), "_wp_state": self.state, "_wp_resource": node,
                                "__module__": "wasmport.components"}
        for func in iface.resource_functions(td.name):
            body.update(_resource_member(func, funcs[func.name]))
        cls = type(camel(td.name), (GuestResource,), body)
        self.state.resources.guest[node] = cls
        return cls

    def build(self) -> Namespace:
        world = self.code.world
        members: dict[str, Any] = {}
        by_wit: dict[str, Any] = {}
        for name, item in world.exports.items():
            if isinstance(item, Function):
                members[snake(name)] = by_wit[name] = self.func(name, 0, item, snake(name))
        for item in world.imports.values():
            if isinstance(item, TypeDef):
                members.update(self.space.named(item))
        spaces = self.namespaces()
        by_wit.update(spaces)
        shorts = short_names(list(spaces), set(members))
        for full, short in shorts.items():
            members[short] = spaces[full]
        return Namespace("", members, by_wit)

    def namespaces(self) -> dict[str, Namespace]:
        world = self.code.world
        out: dict[str, Namespace] = {}
        for name, item in world.exports.items():
            if isinstance(item, Interface) and not hidden(name, item):
                out[name] = self.interface(name, _merged(world.imports.get(name), item), True)
        for name, item in world.imports.items():
            if isinstance(item, Interface) and name not in out:
                out[name] = self.interface(name, item, False)
        return out


def _label(func: Function) -> str:
    """How messages name a function: ``area``, ``Counter``, ``Counter.get``."""
    if func.resource is None:
        return snake(func.name)
    if func.kind == "constructor":
        return camel(func.resource)
    return f"{camel(func.resource)}.{snake(func.short)}"


def _merged(imported: Any, exported: Interface) -> Interface:
    if not isinstance(imported, Interface):
        return exported
    return Interface(exported.name, {**imported.types, **exported.types}, exported.functions)


def _resource_member(func: Function, wrapper: Callable[..., Any]) -> dict[str, Any]:
    if func.kind == "constructor":
        def __init__(self: GuestResource, *args: Any, **kwargs: Any) -> None:
            self._adopt(disown(wrapper(*args, **kwargs)), True)
        return {"__init__": __init__}
    if func.kind == "static":
        return {snake(func.short): staticmethod(wrapper)}
    return {snake(func.short): wrapper}


def instantiate(store: Any, code: Any, imports: Mapping[str, Any] | None = None, *,
                wasi: Any = None, wasi_http: bool = False, where: str | None = None,
                release_gil: bool = False) -> ComponentInstance:
    """Instantiate ``code`` in ``store`` with Python implementations of its imports.

    ``wasi`` is a ``wasmtime.WasiConfig`` (consumed: it becomes the store's WASI
    context) or None for no WASI at all; ``wasi_http`` also needs ``wasi``.
    ``release_gil`` makes every call drop the GIL (for long calls beside other
    threads, or a timeout ticker); calls then cost a little more.
    Raises LinkError subclasses (an import missing or wrong), Trap (a start
    function trapped).
    """
    where = where or code.where
    if wasi_http and wasi is None:
        raise ValueError(f"{where}: wasi:http needs WASI: pass a WASI config too")
    resources = Resources()
    state = InstanceState(where, store, resources)
    resources.state = state
    linker = link(code, state, code.types, imports or {}, wasi, wasi_http)
    raw = ffi.wasmtime_component_instance_t()
    try:
        error = _capi.linker_instantiate(linker, state.ctx, code.ptr, ctypes.byref(raw))
    finally:
        _capi.linker_delete(linker)
    if error:
        raise _instantiate_error(failure(error, where), where)
    return ComponentInstance(code, state, raw, release_gil)


def _instantiate_error(err: BaseException, where: str) -> BaseException:
    text = str(err)
    if "cross-`Engine`" in text:
        return ValueError(f"{where}: the store belongs to another engine than the compiled "
                          "component; use a store of the engine it was compiled with")
    if "matching implementation was not found" in text or "type mismatch" in text \
            or "expected" in text and "found" in text:
        return LinkError(f"{text}; provide the import with the WIT type the component expects",
                         path=where)
    return err
