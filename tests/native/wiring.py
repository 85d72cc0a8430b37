"""A prototype of the native layer wired into wasmport, applied by monkeypatching.

This is what the lead's wiring does (see the native branch's report), kept outside
the package so it changes no file of it.  ``install()`` patches:

    _exports/function.py  _fast_call        -> _native.make_caller, same arguments
    _realm.py             Realm._entry_lock -> _native.new_lock() (a native RLock)
    _host/link.py         host_func         -> the native shapes below (plain, lifted,
                                               planned)
    _link/values.py       _fast.make_host_func (plain Python callables) -> native
    _host/memory.py       CallerMemory._bind also binds a native Window
    _exports/memory.py    Memory.read / write / __len__ -> a native Window
    _exports/namespace.py Instance.export: a function export found and typed in one
                                               native call (_native.export_func)
    _exports/function.py  Function takes vectorcall on 3.10/3.11 (_native.enable_vectorcall)

As a pytest plugin (``pytest -p wiring``, with tests/native on sys.path) it installs
itself, so the existing suite runs on the native layer unchanged.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import wasmtime

from wasmport import _fast
from wasmport._errors import MemoryAccessError
from wasmport._exports import function as function_module
from wasmport._exports import memory as memory_module
from wasmport._exports import namespace
from wasmport._exports._calls import park
from wasmport._fast import _native
from wasmport._host import engine, link
from wasmport._host.memory import CallerMemory
from wasmport._host.plan import make_callback
from wasmport._host.pointers import BytesType, StringType
from wasmport._link import values
from wasmport._realm import Realm

_caller_windows: dict[int, tuple[CallerMemory, Any]] = {}  # a prototype: never emptied


def _fast_call(realm: Any, func: Any, params: Any, results: Any, where: str, doc: str,
               release_gil: bool) -> Callable[..., Any]:
    """function._fast_call with the native maker: the same arguments, word for word."""
    def raise_trap(trap: int, error: int) -> Any:
        function_module.raise_boundary_error(_fast.take(trap, error), where)

    def closed() -> Any:
        if realm._exiting:
            realm._entry_lock.acquire()
        raise function_module.RealmClosedError(f"{where}: realm {realm.name!r} is closed")

    return _native.make_caller(realm.store, func, params, results, raise_trap=raise_trap,
                               name=doc.partition("(")[0], closed=closed,
                               gate=function_module._ALWAYS if release_gil else realm._gate,
                               lock=realm._entry_lock, verified=True, release_gil=release_gil)


def _lifts(plan: Any) -> list[tuple[str, int]] | None:
    """engine._lifts in the native layer's words: one (kind, first slot) per parameter."""
    out = []
    for p in plan.params:
        if p.type.identity:
            out.append(("value", p.start))
        elif isinstance(p.type, (BytesType, StringType)):
            out.append(("bytes" if isinstance(p.type, BytesType) else "string", p.start))
        else:
            return None
    return out


def _caller_window(memory: CallerMemory) -> Any:
    found = _caller_windows.get(id(memory))
    if found is None:
        window = _native.new_window(lambda o, n, s: MemoryAccessError(
            o, n, s, where=f"memory {memory.name!r}"))
        found = _caller_windows[id(memory)] = (memory, window)
    return found[1]


def host_func(realm: Realm, site: Any, plan: Any, fn: Callable[..., Any],
              memory: CallerMemory | None) -> wasmtime.Func:
    """engine.host_func on the native layer: the same three fast shapes."""
    realm._gate[0] = True
    where = str(site)
    planned = make_callback(plan, fn, memory, where)
    if not function_module.FAST:
        return wasmtime.Func(realm.store, site.ty, planned, access_caller=True)
    params, results = plan.wasm_params, plan.wasm_results
    lower_only = planned.lower_only  # type: ignore[attr-defined]
    check = (lambda r: (lower_only(r),)) if results else lower_only
    if memory is None and engine._plain(plan):
        return _native.make_host_func(realm.store, params, results, fn, park, name=where,
                                      check=check)
    lifts = _lifts(plan) if memory is not None and engine._result_test(plan) else None
    if lifts is not None:
        assert memory is not None
        return _native.make_host_func(realm.store, params, results, fn, park, name=where,
                                      check=check, lifts=lifts, memory=_caller_window(memory),
                                      fallback=planned)
    return _native.make_host_func(realm.store, params, results, planned, park, name=where,
                                  pass_caller=True)


def _patch_caller_memory() -> None:
    bind = CallerMemory._bind

    def _bind(self: CallerMemory, store: wasmtime.Store, memory: wasmtime.Memory) -> None:
        bind(self, store, memory)
        _native.bind_window(_caller_window(self), store, memory, None)

    CallerMemory._bind = _bind  # type: ignore[method-assign]


def _memory_window(self: Any) -> Any:
    window = self.__dict__.get("_native_window")
    if window is None:
        store = self._realm.store  # RealmClosedError once closed, as _raw() raises
        window = _native.new_window(lambda o, n, s: MemoryAccessError(
            o, n, s, where=f"memory {self.name!r}"))
        _native.bind_window(window, store, self._memory, lambda: self._realm.store)
        self.__dict__["_native_window"] = window
    return window


def _patch_memory() -> None:
    cls = memory_module.Memory
    cls.read = lambda self, offset, length: _memory_window(self).read(offset, length)
    cls.write = lambda self, offset, data: _memory_window(self).write(offset, data)
    cls.__len__ = lambda self: _memory_window(self).size()


def _patch_realm() -> None:
    init = Realm.__init__

    def __init__(self: Realm, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self._entry_lock = _native.new_lock()  # type: ignore[assignment]

    Realm.__init__ = __init__  # type: ignore[method-assign]


def _patch_exports() -> None:
    export = namespace.Instance.export

    def fast_export(self: Any, name: str) -> Any:
        value = self._wrapped.get(name)
        if value is not None:
            return value
        if name not in self.module._asset.opaque.exports:
            found = _native.export_func(self.realm.store, self._raw, name)
            if found is not None:
                value = self._wrapped[name] = function_module.Function(
                    self.realm, found[0], name, found[1], found[2], self.module.where)
                return value
        return export(self, name)

    namespace.Instance.export = fast_export  # type: ignore[method-assign]


def install() -> None:
    """Route every fast-path call site to the native layer (idempotent)."""
    if getattr(function_module, "_wasmport_native_wired", False):
        return
    if not _native.AVAILABLE:
        raise RuntimeError(f"the native layer is unavailable: {_native.REASON}")
    function_module._fast_call = _fast_call
    function_module._wasmport_native_wired = True  # type: ignore[attr-defined]
    link.host_func = host_func
    values._fast = types.SimpleNamespace(make_host_func=_native.make_host_func)  # type: ignore
    _patch_caller_memory()
    _patch_memory()
    _patch_realm()
    _patch_exports()
    _native.enable_vectorcall(function_module.Function)


def pytest_configure(config: Any) -> None:
    install()
