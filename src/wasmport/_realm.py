"""Realm: the unit of isolation.  One store, an instance cache keyed by (asset, phase),
an import map, host modules and (later) policy and limits.

Everything a realm creates (instances, memories, globals, tables) lives in its
store, so wasm-to-wasm links inside a realm are direct engine links.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
import types
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import wasmtime

from ._compile import assets as _assets
from ._compile.assets import Asset
from ._compile.module import Module
from ._engine.boundary import has_parked, raise_boundary_error
from ._engine.config import EngineConfig, get_engine
from ._engine.limits import Guard, Limits
from ._engine.raw import export_get
from ._errors import ImportCycleError, IncompatibleImportError, LinkError, RealmClosedError
from ._exports.function import Function
from ._exports.namespace import Instance, InstanceModule
from ._host.link import host_name
from ._link.resolver import resolve_imports
from ._resolve.specifiers import resolve
from ._wasi.config import WasiConfig
from ._wasi.context import WASI_MODULE, WasiImports, attach_wasi

Phase = Literal["instance", "source"]
_PHASES = ("instance", "source")


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
    computes (``fn.nogil(...)`` does it for one call).

    Use it as a context manager, or call :meth:`close`; a closed realm's functions and
    memories raise :class:`wasmport.RealmClosedError`.
    """

    def __init__(self, *, import_map: Mapping[str, Any] | None = None,
                 host_modules: Mapping[str, Any] | Iterable[Any] | None = None,
                 base_dir: str | None = None, name: str = "realm",
                 wasi: WasiConfig | None = None, limits: Limits | None = None,
                 allow_imports: Iterable[str] | None = None,
                 release_gil: bool = False) -> None:
        self.name = name
        # Calls keep the GIL unless asked (fastest for short calls); True lets other
        # Python threads run while wasm computes (docs/sandbox.md, "Threads and the GIL").
        self.release_gil = release_gil
        self.import_map: Mapping[str, Any] = types.MappingProxyType(dict(import_map or {}))
        self.base_dir = os.path.abspath(base_dir) if base_dir else os.getcwd()
        self.wasi, self.limits = wasi, limits
        self.allow_imports = None if allow_imports is None else frozenset(allow_imports)
        self.engine_config = limits.engine_config() if limits is not None else EngineConfig()
        store = wasmtime.Store(get_engine(self.engine_config))
        # A guard also marks the realm's calls as ones that must release the GIL (the
        # epoch ticker and WASI's output callbacks run on other threads): the GIL-keeping
        # fast path is used only where _guard is None.
        self._guard = None if limits is None and wasi is None else Guard(
            store, get_engine(self.engine_config), limits or Limits(), name)
        self._wasi = None if wasi is None else attach_wasi(store, wasi, name)
        if self._guard is not None and self._wasi is not None:
            self._guard.on_return = self._wasi.raise_pending  # output errors reach the caller
        self._children: dict[tuple[Any, Any], Realm] = {}
        self._store: wasmtime.Store | None = store
        self._hosts: dict[str, Any] = _host_entries(host_modules)
        self._cache: dict[tuple[Asset, str], Any] = {}
        self._lock = threading.RLock()
        self._linking: list[Asset] = []
        # One thread at a time in the store.  Calls on the fast path hold the GIL, so
        # they need the lock only once Python code can run inside a call: the gate
        # opens (for good) when the realm first gets a Python host function.
        self._entry_lock = threading.RLock()
        self._gate = [False]
        self._exiting = False

    # -- lifetime -------------------------------------------------------------------------

    @property
    def store(self) -> wasmtime.Store:
        store = self._store
        if store is None:
            raise RealmClosedError(f"realm {self.name!r} is closed")
        return store

    @property
    def closed(self) -> bool:
        return self._store is None

    def close(self) -> None:
        """Drop every instance and free the store, once no thread is inside a call into
        it.  Idempotent.

        Raises RuntimeError when called from inside a call into this realm (a host
        function): its wasm frames still need the store.
        """
        if self._entry_lock._is_owned() and not self._exiting:  # type: ignore[attr-defined]
            raise RuntimeError(f"realm {self.name!r} cannot be closed from inside a call "
                               "into it; close it after the call returns")
        with self._entry_lock, self._lock:
            store = self._store
            if store is None:
                return
            _forget_modules(self)
            for child in self._children.values():
                child.close()
            self._children.clear()
            self._cache.clear()
            self._hosts.clear()
            self._store = None
            self._guard = None
            store.close()  # frees the engine state now; fast calls then see it closed

    def __enter__(self) -> Realm:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{len(self._cache)} cached"
        return f"<wasmport.Realm {self.name!r} ({state})>"

    # -- host modules ---------------------------------------------------------------------

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

    def _host_provider(self, name: str) -> Any:
        return self._hosts.get(name)

    def _wasi_provider(self, name: str) -> Any:
        return WasiImports(self) if self._wasi is not None and name == WASI_MODULE else None

    def _child(self, wasi: WasiConfig | None, limits: Limits | None, *,
               cached: bool = True) -> Realm:
        """A realm with this one's import map, host modules and policy, and its own
        store: wasmtime keeps WASI state and limits per store, so a per-load or per-run
        WASI config or limit needs one (docs/wasi.md, "Design notes")."""
        wasi = self.wasi if wasi is None else wasi
        limits = self.limits if limits is None else limits.over(self.limits)
        with self._lock:
            child = self._children.get((wasi, limits)) if cached else None
            if child is None or child.closed:
                child = Realm(import_map=self.import_map, host_modules=self._hosts,
                              base_dir=self.base_dir, name=self.name, wasi=wasi,
                              limits=limits, allow_imports=self.allow_imports)
                if cached:
                    self._children[(wasi, limits)] = child
            return child

    # -- loading --------------------------------------------------------------------------

    def load(self, specifier: str, *, phase: Phase | None = None,
             base_dir: str | None = None) -> Any:
        """Load a specifier: the instance-phase module, or with ``phase="source"`` (or a
        ``?source`` / ``?module`` suffix) the :class:`wasmport.Module`.

        Relative paths (``./x.wasm``) resolve from ``base_dir`` (default: the realm's).
        """
        resolved = resolve(specifier, base_dir=base_dir or self.base_dir)
        chosen = _choose_phase(specifier, phase, resolved.phase)
        return self._load_path(resolved.path, resolved.name, chosen)

    def _load_path(self, path: str, name: str, phase: str) -> Any:
        asset = _assets.asset_for_file(path)
        if phase == "source":
            return self.source_module(asset, name)
        return self.instance_module(asset, name)

    def _load_for_link(self, specifier: str, base_dir: str | None, name: str | None) -> Any:
        resolved = resolve(specifier, base_dir=base_dir or self.base_dir)
        return self._load_path(resolved.path, name or resolved.name, "instance")

    def source_module(self, asset: Asset, name: str | None = None) -> Module:
        """The one source-phase Module of ``asset`` in this realm."""
        with self._lock:
            self.store  # noqa: B018 - raises when closed
            key = (asset, "source")
            module = self._cache.get(key)
            if module is None:
                module = self._cache[key] = Module(asset, self, name)
            return module

    def instance_module(self, asset: Asset, name: str | None = None,
                        namespace: InstanceModule | None = None) -> InstanceModule:
        """The one instance-phase module of ``asset`` in this realm, linked on first use."""
        with self._lock:
            key = (asset, "instance")
            cached = self._cache.get(key)
            if cached is not None:
                return cached  # type: ignore[no-any-return]
            module = self.source_module(asset, name)  # _instantiate checks for a cycle
            ns = self._instantiate(module, {}, cache=True, namespace=namespace)
            return ns

    def cached_instance(self, asset: Asset) -> InstanceModule | None:
        return self._cache.get((asset, "instance"))

    def _check_cycle(self, asset: Asset) -> None:
        if asset in self._linking:
            start = self._linking.index(asset)
            chain = tuple(a.where for a in self._linking[start:]) + (asset.where,)
            kind = "imports itself" if len(chain) == 2 else "is part of an import cycle"
            raise ImportCycleError(f"{asset.where}: {kind}: {' -> '.join(chain)}; wasm modules "
                                   "cannot import each other in a cycle", chain=chain,
                                   path=asset.where)

    # -- linking and instantiation -------------------------------------------------------

    def _instantiate(self, module: Module, explicit: Mapping[str, Any], *, cache: bool,
                     namespace: InstanceModule | None = None) -> InstanceModule:
        with self._lock:
            asset = module._asset
            if module._realm is not self and module._realm.engine_config != self.engine_config:
                # Types of another engine's module abort the process when used here.
                module = self.source_module(asset, module.name)
            self._check_cycle(asset)
            self._linking.append(asset)
            where, store = asset.where, self.store
            try:
                on_instance: list[Any] = []
                externs = resolve_imports(self, module, explicit, on_instance)
                compiled = module._compiled
                if self._guard is None:
                    raw = _new_instance(store, compiled, externs, where, module._make_instance)
                else:
                    with self._guard.entered(where):
                        raw = _new_instance(store, compiled, externs, where, wasmtime.Instance)
            finally:
                self._linking.pop()
            ns = namespace if namespace is not None else InstanceModule(module.name, module.path)
            instance = Instance(module, self, raw)
            for bind in on_instance:  # typed host modules: bind the importer's memory
                bind(instance)
            if self._guard is not None:
                self._guard.watch(instance.exports.values())
            ns._wasm_fill(instance)
            _run_initialize(instance, where)  # a reactor that traps here is not cached
            if cache:
                self._cache[(asset, "instance")] = ns
            return ns


def _host_entries(host_modules: Mapping[str, Any] | Iterable[Any] | None) -> dict[str, Any]:
    """``host_modules`` as name -> provider: a mapping as given, or typed host modules
    each under the name it declares."""
    if host_modules is None:
        return {}
    if isinstance(host_modules, Mapping):
        return dict(host_modules)
    return {host_name(value): value for value in host_modules}


def _new_instance(store: wasmtime.Store, compiled: wasmtime.Module, externs: list[Any],
                  where: str, make: Any) -> wasmtime.Instance:
    try:
        return make(store, compiled, externs)  # type: ignore[no-any-return]
    except wasmtime.Trap as err:
        raise_boundary_error(err, f"{where}: instantiation")
    except wasmtime.WasmtimeError as err:
        text = str(err)
        if "wasm trap" in text or has_parked():  # a start function's host call raised
            raise_boundary_error(err, f"{where}: instantiation")
        if "shared memory support is disabled" in text:
            raise LinkError(f"{where}: shared memories (the threads proposal) are not "
                            "supported yet; use a memory without `shared`", path=where) from err
        if "incompatible import type" in text:  # a pass-through the engine refused
            raise IncompatibleImportError(
                f"{where}: {_engine_cause(text)}; give an export of the import's type",
                path=where) from err
        raise LinkError(f"{where}: instantiation failed: {text.strip()}", path=where) from err
    except BaseException as err:  # a host exception wasmtime-py re-raised: unpark it
        raise_boundary_error(err, f"{where}: instantiation")


def _engine_cause(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    head = lines[0] if lines else "incompatible import type"
    cause = lines[-1] if len(lines) > 1 else ""
    return f"{head} ({cause})" if cause and cause != head else head


def _run_initialize(instance: Instance, where: str) -> None:
    module = instance.module
    if module._has_initialize is None:  # a fact of the module: look once
        module._has_initialize = export_get(instance.realm.store, instance._raw,
                                            "_initialize") is not None
    if not module._has_initialize:
        return
    init = instance.exports.get("_initialize")
    if isinstance(init, Function) and not init.params and not init.results:
        init()


def _choose_phase(specifier: str, phase: str | None, from_suffix: str | None) -> str:
    if phase is not None and phase not in _PHASES:
        raise ValueError(f"phase must be 'instance' or 'source', not {phase!r}")
    if phase is not None and from_suffix is not None and phase != from_suffix:
        raise ValueError(f"{specifier!r} asks for the {from_suffix} phase but phase={phase!r}")
    return phase or from_suffix or "instance"


# -- the default realm ---------------------------------------------------------------------

_default: Realm | None = None
_default_lock = threading.Lock()


def default_realm() -> Realm:
    """The realm the import hook and ``wasmport.load`` use; created on first use and
    closed cleanly at interpreter exit."""
    global _default
    with _default_lock:
        if _default is None or _default.closed:
            _default = Realm(name="default")
            atexit.register(_shutdown_default)
        return _default


def realm_or_default(realm: Realm | None) -> Realm:
    return default_realm() if realm is None else realm


def _shutdown_default() -> None:
    """At exit: close the default realm while no thread is inside it, and keep it that
    way.  Only daemon threads are left at this point (threading joins the others before
    atexit runs); one still calling into the realm waits on the entry lock until the
    process ends, instead of failing with RealmClosedError on its way out.  If a daemon
    thread stays inside a call (a blocking host function, a long computation), the store
    is left to the process's end rather than freed under it, and exit does not wait."""
    realm = _default
    if realm is None or realm.closed:
        return
    realm._exiting = True
    if realm._entry_lock.acquire(timeout=_EXIT_WAIT):  # never released: the process ends
        realm.close()
    else:
        _forget_modules(realm)


_EXIT_WAIT = 0.5  # seconds to wait at exit for a daemon thread's call to return


def _forget_modules(realm: Realm) -> None:
    """Remove the realm's modules from sys.modules, so nothing stale is imported later."""
    for name, mod in list(sys.modules.items()):
        owner: Realm | None
        if isinstance(mod, Module):
            owner = mod._realm
        elif isinstance(mod, InstanceModule):
            inst = object.__getattribute__(mod, "_wasm_instance")
            owner = inst.realm if inst is not None else None
        else:
            continue
        if owner is realm:
            del sys.modules[name]

