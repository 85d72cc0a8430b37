"""Realm: the unit of isolation, and the thin owner at the top of the layers.

A realm owns a store (through its :class:`StoreContext`), the instance cache keyed by
(asset, phase), the import map, host modules and policy.  Everything it creates lives
in its store, so wasm-to-wasm links inside a realm are direct engine links.  The layers
below never see the realm: linking gets its :class:`LinkPolicy` and a load callback,
values get its store context.
"""

from __future__ import annotations

import os
import sys
import threading
import types
import weakref
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import wasmtime

from .._compile.assets import Asset, asset_for_file
from .._compile.module import Module, asset_of, context_of_module, owner_of
from .._compile.refs import reduce_value
from .._engine.config import EngineConfig, features_of
from .._engine.gcrefs import collect
from .._engine.limits import Limits
from .._engine.store import StoreContext
from .._exports.namespace import InstanceModule, instance_or_none
from .._host.link import host_entries, host_name
from .._instantiate import Linking, instantiate
from .._link.policy import LinkPolicy
from .._resolve.specifiers import choose_phase, resolve
from .._wasi.config import WasiConfig
from .._wasi.context import WasiContext, WasiImports, attach_wasi
from .compinst import ComponentSettings, close_components
from .compinst import instantiate as instantiate_component
from .component import (
    Component,
    ComponentModule,
    component_asset,
    component_context,
    component_owner,
)

Phase = Literal["instance", "source"]


class Realm:
    """A realm owns engine-side state (a store), the instance cache and the policy.

    ``import_map`` maps an import module name to another specifier (resolved from
    ``base_dir``, default: the current directory) or to a mapping/object giving the
    fields directly.  ``host_modules`` maps a name to a mapping or object of fields or to
    a typed host module (a :class:`wasmport.HostModule` class, factory or object); it may
    also be a list of typed host modules, each registered under the name it declares.

    The sandbox (nothing granted by default): ``wasi`` (a :class:`wasmport.WasiConfig`)
    provides ``wasi_snapshot_preview1``; ``limits`` (a :class:`wasmport.Limits`) bounds
    fuel, time, memory, instances and tables; ``allow_imports`` (import module names),
    when given, is the only set of modules a wasm module may import at all.
    ``release_gil=True`` makes every call let other Python threads run while wasm
    computes (``fn.nogil(...)`` does it for one call).  ``features`` turns on WebAssembly
    proposals wasmtime has behind a flag: ``"threads"`` (shared memories, atomics),
    ``"custom_page_sizes"``, ``"wide_arithmetic"`` (on anyway); the realm then gets an
    engine of its own configuration (compiled code is kept per configuration).

    Use it as a context manager, or call :meth:`close`; a closed realm's functions and
    memories raise :class:`wasmport.RealmClosedError`.
    """

    def __init__(self, *, import_map: Mapping[str, Any] | None = None,
                 host_modules: Mapping[str, Any] | Iterable[Any] | None = None,
                 base_dir: str | None = None, name: str = "realm",
                 wasi: WasiConfig | None = None, limits: Limits | None = None,
                 allow_imports: Iterable[str] | None = None,
                 release_gil: bool = False, features: Iterable[str] | None = None) -> None:
        self.name = name
        self.features = features_of(features)
        # Calls keep the GIL unless asked (fastest for short calls); True lets other
        # Python threads run while wasm computes (docs/sandbox.md, "Threads and the GIL").
        self.release_gil = release_gil
        self.import_map: Mapping[str, Any] = types.MappingProxyType(dict(import_map or {}))
        self.base_dir = os.path.abspath(base_dir) if base_dir else os.getcwd()
        self.wasi, self.limits = wasi, limits
        self.allow_imports = None if allow_imports is None else frozenset(allow_imports)
        # A guard also marks the realm's calls as ones that must release the GIL (the
        # epoch ticker and WASI's output callbacks run on other threads).
        self._context = StoreContext(name, owner=self, limits=limits, release_gil=release_gil,
                                     guarded=limits is not None or wasi is not None,
                                     features=self.features)
        self._wasi = None if wasi is None else attach_wasi(self._context.store, wasi, name)
        if self._context.guard is not None and self._wasi is not None:
            self._wasi.watch(self._context.guard)  # output errors, fork()
        self._hosts: dict[str, Any] = host_entries(host_modules)
        self._policy = LinkPolicy(name, self.import_map, self.base_dir, self._hosts,
                                  self.allow_imports,
                                  None if wasi is None else WasiImports(self._context))
        # Per-load configurations' realms, shared while alive: each lives as long as a
        # value of it (its context holds it), so one nobody uses is freed with its store.
        self._children: weakref.WeakValueDictionary[tuple[Any, Any], Realm] = \
            weakref.WeakValueDictionary()
        self._made: weakref.WeakSet[Realm] = weakref.WeakSet()
        self._cache: dict[tuple[Asset, str], Any] = {}
        self._lock = threading.RLock()
        self._linking = Linking()

    # -- lifetime -------------------------------------------------------------------------

    @property
    def store(self) -> wasmtime.Store:
        return self._context.store

    @property
    def engine_config(self) -> EngineConfig:
        return self._context.engine_config

    @property
    def closed(self) -> bool:
        return self._context.closed

    def close(self) -> None:
        """Drop every instance and free the store, once no thread is inside a call into
        it; children made by :meth:`child` close too.  Idempotent.

        Raises RuntimeError when called from inside a call into this realm (a host
        function): its wasm frames still need the store.
        """
        ctx = self._context
        if ctx.in_call() and not ctx.exiting:
            raise RuntimeError(f"realm {self.name!r} cannot be closed from inside a call "
                               "into it; close it after the call returns")
        ctx.begin_close()
        with ctx.entry_lock, self._lock:
            if ctx.closed:
                return
            forget_modules(self)
            for child in [*self._children.values(), *self._made]:
                child.close()
            self._children.clear()
            self._cache.clear()
            self._hosts.clear()
            close_components(ctx)
            ctx.close()  # frees the engine state now; fast calls then see it closed

    def gc(self) -> None:
        """Run the store's garbage collector now.

        GC objects no one holds are freed, and so are externrefs, which releases the
        Python objects wasm was the last to hold.  (The engine also collects by itself,
        when its heap fills.)
        """
        collect(self._context.address)

    def __enter__(self) -> Realm:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{len(self._cache)} cached"
        return f"<wasmport.Realm {self.name!r} ({state})>"

    def __reduce__(self) -> Any:
        return reduce_value(self)  # a TypeError: a store is live state

    # -- host modules and children --------------------------------------------------------

    def register(self, name: Any, provider: Any = None) -> None:
        """Make ``provider`` (a mapping of fields, an object, an instance-phase module, or
        a typed host module: a HostModule class, factory or object) the host module that
        imports of ``name`` resolve to in this realm.

        ``register(Store)`` registers a typed host module under the name it declares.
        """
        if provider is None:
            name, provider = host_name(name), name
        self.store  # noqa: B018 - raises when closed
        with self._lock:
            self._hosts[name] = provider

    def child(self, *, wasi: WasiConfig | None = None, limits: Limits | None = None) -> Realm:
        """A new realm with this one's import map, host modules and policy, and a store of
        its own with ``wasi`` (default: this realm's) and ``limits`` (over this realm's).

        wasmtime keeps WASI state and limits per store, so a per-load or per-run WASI
        configuration or limit needs one (docs/wasi.md, "Design notes").  Close it when
        done; closing this realm closes it too.
        """
        made = Realm(import_map=self.import_map, host_modules=self._hosts,
                     base_dir=self.base_dir, name=self.name,
                     wasi=self.wasi if wasi is None else wasi,
                     limits=self.limits if limits is None else limits.over(self.limits),
                     allow_imports=self.allow_imports, release_gil=self.release_gil,
                     features=self.features)
        made._context.hold_owner()
        self._made.add(made)
        return made

    def _sandboxed(self, wasi: WasiConfig | None, limits: Limits | None) -> Realm:
        """This realm, or its shared child for a per-load WASI configuration or limits."""
        if wasi is None and limits is None:
            return self
        with self._lock:
            child = self._children.get((wasi, limits))
            if child is None or child.closed:
                child = self._children[(wasi, limits)] = self.child(wasi=wasi, limits=limits)
            return child

    # -- loading and instantiating ---------------------------------------------------------

    def load(self, specifier: str | os.PathLike[str], *, phase: Phase | None = None,
             imports: Mapping[str, Any] | None = None, wasi: WasiConfig | None = None,
             limits: Limits | None = None, base_dir: str | None = None) -> Any:
        """Load a specifier into this realm, as :func:`wasmport.load` does: the
        instance-phase module, or with ``phase="source"`` (or a ``?source`` / ``?module``
        suffix) the :class:`wasmport.Module`.

        ``imports`` makes a new instance linked to them; ``wasi`` / ``limits`` load into
        a child realm with its own store.  Relative paths (``./x.wasm``) resolve from
        ``base_dir`` (default: the realm's).
        """
        text = os.fspath(specifier)
        target = self._sandboxed(wasi, limits)
        resolved = resolve(text, base_dir=base_dir or self.base_dir)
        chosen = choose_phase(text, phase, resolved.phase)
        asset = asset_for_file(resolved.path)
        if imports is None:
            return load_asset(target, asset, resolved.name, chosen)
        if chosen == "source":
            raise ValueError("imports= links an instance; the source phase takes none")
        return target.instantiate(target._source(asset, resolved.name), imports)

    def instantiate(self, module: Module | Component, imports: Mapping[str, Any] | None = None,
                    *, wasi: WasiConfig | None = None, limits: Limits | None = None) -> Any:
        """A new instance-phase module of ``module`` (or component) in this realm (see
        :meth:`wasmport.Module.instantiate`)."""
        target = self if wasi is None and limits is None else self._sandboxed(wasi, limits)
        source = component_context(module) if isinstance(module, Component) else \
            context_of_module(module)
        if source is not target._context and source.engine_config != target.engine_config:
            # Types of another engine's module abort the process when used here.
            asset = component_asset(module) if isinstance(module, Component) else \
                asset_of(module)
            module = target._source(asset, module.name)
        return target._instantiate(module, imports or {})

    def _source(self, asset: Asset, name: str | None) -> Any:
        with self._lock:
            self.store  # noqa: B018 - raises when closed
            key = (asset, "source")
            module = self._cache.get(key)
            if module is None:
                kind = Component if asset.is_component else Module
                module = self._cache[key] = kind(asset, self, name)
            return module

    def _instance(self, asset: Asset, name: str | None, namespace: Any = None) -> Any:
        with self._lock:
            cached = self._cache.get((asset, "instance"))
            if cached is not None:
                return cached
            ns = self._instantiate(self._source(asset, name), {}, namespace)
            self._cache[(asset, "instance")] = ns
            return ns

    def _instantiate(self, module: Module | Component, explicit: Mapping[str, Any],
                     namespace: Any = None) -> Any:
        with self._lock:
            if isinstance(module, Component):
                settings = ComponentSettings(self._context, self._policy, self._load_for_link,
                                             self._wasi, self.limits, self.release_gil)
                return instantiate_component(settings, module, explicit, namespace)
            return instantiate(self._context, self._policy, self._load_for_link, module,
                               explicit, self._linking, namespace)

    def _load_for_link(self, specifier: str, base_dir: str | None, name: str | None) -> Any:
        resolved = resolve(specifier, base_dir=base_dir or self.base_dir)
        return self._instance(asset_for_file(resolved.path), name or resolved.name)


def load_asset(realm: Realm, asset: Asset, name: str | None, phase: str,
               namespace: Any = None) -> Any:
    """The realm's one Module (source phase) or instance-phase module of ``asset``."""
    if phase == "source":
        return realm._source(asset, name)
    return realm._instance(asset, name, namespace)


def cached_instance(realm: Realm, asset: Asset) -> InstanceModule | None:
    """The realm's instance-phase module of ``asset`` if it was linked already."""
    return realm._cache.get((asset, "instance"))


def link_view(realm: Realm) -> tuple[StoreContext, LinkPolicy, threading.RLock]:
    """What linking in ``realm`` sees (its store context and policy) and the lock its
    loads and links hold: for a dry run (``wasmport check``)."""
    return realm._context, realm._policy, realm._lock


def context_of_realm(realm: Realm) -> StoreContext:
    """The store context (the store side) of ``realm``."""
    return realm._context


def wasi_context(realm: Realm) -> WasiContext | None:
    """The WASI context of the realm's store (None without WASI)."""
    return realm._wasi


def forget_modules(realm: Realm) -> None:
    """Remove the realm's modules from sys.modules, so nothing stale is imported later."""
    for name, mod in list(sys.modules.items()):
        if isinstance(mod, (Module, Component)):
            owner: Any = owner_of(mod) if isinstance(mod, Module) else component_owner(mod)
        elif isinstance(mod, ComponentModule):
            owner = component_owner(mod.__dict__.get("__wasm_component__"))
        else:
            instance = instance_or_none(mod)
            owner = instance.realm if instance is not None else None
        if owner is realm:
            del sys.modules[name]
