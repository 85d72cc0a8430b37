"""Resolve each import ("M", "F") of a module, in this order:

1. the explicit ``imports`` given to ``Module.instantiate``;
2. the realm's import map (M -> a specifier, or a mapping/object of fields);
3. host modules registered in the realm, then WASI (``wasi_snapshot_preview1``)
   when the realm was given ``wasi=``;
4. M starting with ``./`` or ``../``: a .wasm/.wat file relative to the importer;
5. a module name (a leading ``.`` is relative to the importer's package), through
   Python's import system: a wasm module is linked directly; a Python module only
   if it opts in with ``__wasm_exports__`` (python.py).

Before any of these, a realm with ``allow_imports`` refuses every other module name
(its WASI, when configured, is always allowed).

``resolve_imports`` makes the externs; ``check_imports`` asks the same providers, found
the same way, only whether each import would link (``wasmport check``), making and
running nothing when its load callback is a dry run's (declared.py).

See docs/design.md, "Why imports resolve in this order".
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .._compile.module import Module, import_sites
from .._compile.sites import Site
from .._engine.store import StoreContext
from .._errors import ImportRefusedError, UnknownImportError
from .._host.link import HostProvider, is_host_value
from .._resolve.specifiers import is_dotted_name
from .policy import LinkPolicy, Load
from .providers import AnyProvider, Provider, provider_from_value
from .python import entry_provider, python_provider


def resolve_imports(ctx: StoreContext, policy: LinkPolicy, load: Load, module: Module,
                    explicit: Mapping[str, Any]) -> tuple[list[Any], list[Callable[[Any], None]]]:
    """The externs for ``module``'s imports, in order, and the callbacks to run with the
    new Instance once it exists; raises a LinkError subclass."""
    sites = import_sites(module)
    if not sites:
        return [], []
    providers: dict[str, AnyProvider] = {}
    externs = []
    for site in sites:
        provider = providers.get(site.module)
        if provider is None:
            provider = providers[site.module] = find_provider(ctx, policy, load, module, site,
                                                              explicit)
        externs.append(provider.extern(ctx, site))
    return externs, [p.bind for p in providers.values()]


@dataclass(frozen=True)
class Resolution:
    """How one import would resolve: its site, the provider found (None when nothing
    provides it), the error linking would raise (None: it links), a note (see
    ``check_extern``), and whether the error is a wasm dependency's own (``inherited``:
    the dependency fails to link, though this import matches its export)."""

    site: Site
    provider: AnyProvider | None
    error: Exception | None = None
    note: str | None = None
    inherited: bool = False


def check_imports(ctx: StoreContext, policy: LinkPolicy, load: Load, module: Module,
                  explicit: Mapping[str, Any]) -> list[Resolution]:
    """How each import of ``module`` would resolve, in order, every failure included (a
    realm stops at the first).  Nothing is made; with a dry run's ``load``, nothing runs
    but the Python modules that opt in, which linking imports too."""
    providers: dict[str, AnyProvider] = {}
    return [_check(ctx, policy, load, module, site, explicit, providers)
            for site in import_sites(module)]


def _check(ctx: StoreContext, policy: LinkPolicy, load: Load, module: Module, site: Site,
           explicit: Mapping[str, Any], providers: dict[str, AnyProvider]) -> Resolution:
    provider = providers.get(site.module)
    try:
        if provider is None:
            provider = find_provider(ctx, policy, load, module, site, explicit)
            providers[site.module] = provider
        note = provider.check(ctx, site)
    except Exception as err:  # noqa: BLE001 - linking would raise it: it is the answer
        return Resolution(site, provider, err)
    failure = provider.failure if isinstance(provider, Provider) else None
    if failure is not None:
        return Resolution(site, provider, failure, note, inherited=True)
    return Resolution(site, provider, None, note)


def find_provider(ctx: StoreContext, policy: LinkPolicy, load: Load, module: Module,
                  site: Site, explicit: Mapping[str, Any]) -> AnyProvider:
    """What provides ``site.module``, in the order of this module's docstring."""
    mname = site.module
    importer_dir = os.path.dirname(module.path) if module.path else None
    _check_allowed(policy, site)
    if mname in explicit:
        return _entry(ctx, load, module, site, f"imports[{mname!r}]", explicit[mname],
                      importer_dir, "explicit")
    if mname in policy.import_map:
        return _entry(ctx, load, module, site, f"import map entry {mname!r}",
                      policy.import_map[mname], policy.base_dir, "import map")
    found = _registered(ctx, policy, module, mname)
    if found is None and mname.startswith(("./", "../")):
        found = _file(load, site, importer_dir)
    if found is None and is_dotted_name(mname):
        found = python_provider(load, module, mname)
    if found is None:
        raise _unknown_module(policy, site)
    return found


def _entry(ctx: StoreContext, load: Load, module: Module, site: Site, label: str, value: Any,
           base_dir: str | None, by: str) -> AnyProvider:
    """An explicit or import-map entry; a string that names nothing is an
    UnknownImportError naming the entry."""
    if not isinstance(value, str):
        return provider_from_value(ctx, label, value, module, by)
    try:
        found = entry_provider(load, value, base_dir, module.name.rpartition(".")[0] or None)
    except ModuleNotFoundError as err:
        raise UnknownImportError(
            f"{site}: {label}: {err}; give a path to a .wasm/.wat file, the name of a wasm "
            "module or of a Python module that defines __wasm_exports__, or a mapping of "
            "fields", path=site.where, module=site.module,
            field=site.field) from err
    return found.named(label, by)


def _file(load: Load, site: Site, importer_dir: str | None) -> Provider:
    try:
        return Provider(f"module {site.module!r}", load(site.module, importer_dir, None),
                        by="file")
    except ModuleNotFoundError as err:
        raise UnknownImportError(f"{site}: {err}; the path is relative to the importing file",
                                 path=site.where, module=site.module, field=site.field) from err


def _registered(ctx: StoreContext, policy: LinkPolicy, module: Module,
                mname: str) -> AnyProvider | None:
    """A host module registered in the realm, or the realm's WASI."""
    host = policy.host(mname)
    if host is not None and is_host_value(host):
        return HostProvider(ctx, module, f"host module {mname!r}", host)
    if host is not None:
        return Provider(f"host module {mname!r}", host, by="host module")
    wasi = policy.wasi_for(mname)
    if wasi is not None:
        return Provider(f"WASI of realm {policy.name!r}", wasi, by="wasi")
    return None


def _check_allowed(policy: LinkPolicy, site: Site) -> None:
    if policy.allows(site.module):
        return
    raise ImportRefusedError(
        f"{site}: realm {policy.name!r} does not allow imports from {site.module!r}; add "
        f"{site.module!r} to the realm's allow_imports (Realm(allow_imports=[...]))",
        path=site.where, module=site.module, field=site.field)


def _unknown_module(policy: LinkPolicy, site: Site) -> UnknownImportError:
    if site.module == "wasi_snapshot_preview1":
        return UnknownImportError(
            f"{site}: WASI is not enabled in realm {policy.name!r}; grant it with "
            "Realm(wasi=wasmport.WasiConfig(...)) or load(..., wasi=...), or run the "
            "program with wasmport.run()", path=site.where, module=site.module,
            field=site.field)
    hint = " (only wasi_snapshot_preview1 is provided)" if site.module.startswith("wasi") else ""
    return UnknownImportError(
        f"{site}: no module {site.module!r} provides it{hint}; give it in the realm's "
        f"import_map, register a host module named {site.module!r}, or add a module "
        f"{site.module}.wasm or an opted-in Python module to the path",
        path=site.where, module=site.module, field=site.field)
