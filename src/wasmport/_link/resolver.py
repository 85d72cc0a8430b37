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

See docs/design.md, "Why imports resolve in this order".
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from .._compile.module import Module, import_sites
from .._compile.sites import Site
from .._engine.store import StoreContext
from .._errors import ImportRefusedError, UnknownImportError
from .._host.link import HostProvider, is_host_value
from .._resolve.specifiers import is_dotted_name
from .policy import LinkPolicy, Load
from .providers import AnyProvider, Provider, provider_from_value
from .python import python_provider


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


def find_provider(ctx: StoreContext, policy: LinkPolicy, load: Load, module: Module,
                  site: Site, explicit: Mapping[str, Any]) -> AnyProvider:
    """What provides ``site.module``, in the order of this module's docstring."""
    mname = site.module
    importer_dir = os.path.dirname(module.path) if module.path else None
    _check_allowed(policy, site)
    if mname in explicit:
        return provider_from_value(ctx, load, f"imports[{mname!r}]", explicit[mname],
                                   importer_dir, module)
    if mname in policy.import_map:
        return provider_from_value(ctx, load, f"import map entry {mname!r}",
                                   policy.import_map[mname], policy.base_dir, module)
    found = _registered(ctx, policy, module, mname)
    if found is None and mname.startswith(("./", "../")):
        found = Provider(f"module {mname!r}", load(mname, importer_dir, None))
    if found is None and is_dotted_name(mname):
        found = python_provider(load, module, mname)
    if found is None:
        raise _unknown_module(policy, site)
    return found


def _registered(ctx: StoreContext, policy: LinkPolicy, module: Module,
                mname: str) -> AnyProvider | None:
    """A host module registered in the realm, or the realm's WASI."""
    host = policy.host(mname)
    if host is not None and is_host_value(host):
        return HostProvider(ctx, module, f"host module {mname!r}", host)
    if host is not None:
        return Provider(f"host module {mname!r}", host)
    wasi = policy.wasi_for(mname)
    if wasi is not None:
        return Provider(f"WASI of realm {policy.name!r}", wasi)
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
