"""Resolve each import ("M", "F") of a module, in this order:

1. the explicit ``imports`` given to ``Module.instantiate``;
2. the realm's import map (M -> a specifier, or a mapping/object of fields);
3. host modules registered in the realm, then WASI (``wasi_snapshot_preview1``)
   when the realm was given ``wasi=``;
4. M starting with ``./`` or ``../``: a .wasm/.wat file relative to the importer;
5. a module name (a leading ``.`` is relative to the importer's package), through
   Python's import system: a wasm module is linked directly; a Python module only
   if it opts in with ``__wasm_exports__``.

Before any of these, a realm with ``allow_imports`` refuses every other module name
(its WASI, when configured, is always allowed).

See docs/design.md, "Why imports resolve in this order".
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._errors import ImportRefusedError, UnknownImportError
from .._exports.namespace import InstanceModule
from .._host.link import HostProvider, is_host_value
from .._resolve.specifiers import find_module_file, is_dotted_name
from .values import Site, to_extern

if TYPE_CHECKING:
    from .._compile.module import Module
    from .._realm import Realm

_MISSING = object()


class Provider:
    """What satisfies the imports of one import module name."""

    def __init__(self, label: str, fields: Any, *, allowed: frozenset[str] | None = None):
        self.label = label
        self._fields = fields
        self._allowed = allowed

    def get(self, site: Site) -> Any:
        name = site.field
        if self._allowed is not None and name not in self._allowed:
            raise ImportRefusedError(
                f"{site}: {self.label} does not offer {name!r}; add it to its "
                "__wasm_exports__", path=site.where, module=site.module, field=name)
        fields = self._fields
        if isinstance(fields, InstanceModule):
            instance = object.__getattribute__(fields, "_wasm_instance")
            value = instance.exports.get(name, _MISSING)
        elif isinstance(fields, Mapping):
            value = fields.get(name, _MISSING)
        else:
            value = getattr(fields, name, _MISSING) if name.isidentifier() else _MISSING
        if value is _MISSING:
            raise UnknownImportError(f"{site}: {self.label} has no {name!r}", path=site.where,
                                     module=site.module, field=name)
        return value

    def extern(self, realm: Realm, site: Site) -> Any:
        return to_extern(realm, site, self.get(site))

    def bind(self, instance: Any) -> None:
        """Called once the importing instance exists (typed host modules bind to it)."""


def provider_from_value(realm: Realm, label: str, value: Any, base_dir: str | None,
                        module: Module | None = None) -> Provider | HostProvider:
    """An import-map or explicit entry: a specifier, a mapping of fields, an object, or
    a typed host module (a HostModule class, factory or object)."""
    if isinstance(value, str):
        return Provider(f"{label} ({value})", realm._load_for_link(value, base_dir, None))
    if is_host_value(value):
        return HostProvider(realm, module, label, value)
    return Provider(label, value)


def resolve_imports(realm: Realm, module: Module, explicit: Mapping[str, Any],
                    on_instance: list[Any] | None = None) -> list[Any]:
    """The externs for ``module``'s imports, in order; raises a LinkError subclass.

    ``on_instance`` receives the callbacks to run with the new Instance once it exists.
    """
    if not module._import_types:
        return []
    where = module.path or f"<{module.name}>"
    providers: dict[str, Provider | HostProvider] = {}
    externs = []
    for mname, field, ty, opaque in module._import_types:
        site = Site(where, mname, field, ty, opaque)
        provider = providers.get(mname)
        if provider is None:
            provider = providers[mname] = _find_provider(realm, module, site, explicit)
        externs.append(provider.extern(realm, site))
    if on_instance is not None:
        on_instance.extend(p.bind for p in providers.values())
    return externs


def _find_provider(realm: Realm, module: Module, site: Site,
                   explicit: Mapping[str, Any]) -> Provider | HostProvider:
    mname = site.module
    importer_dir = os.path.dirname(module.path) if module.path else None
    _check_allowed(realm, site)
    if mname in explicit:
        return provider_from_value(realm, f"imports[{mname!r}]", explicit[mname], importer_dir,
                                   module)
    if mname in realm.import_map:
        return provider_from_value(realm, f"import map entry {mname!r}",
                                   realm.import_map[mname], realm.base_dir, module)
    host = realm._host_provider(mname)
    if host is not None and is_host_value(host):
        return HostProvider(realm, module, f"host module {mname!r}", host)
    if host is not None:
        return Provider(f"host module {mname!r}", host)
    wasi = realm._wasi_provider(mname)
    if wasi is not None:
        return Provider(f"WASI of realm {realm.name!r}", wasi)
    if mname.startswith(("./", "../")):
        return Provider(f"module {mname!r}", realm._load_for_link(mname, importer_dir, None))
    found = _python_import(realm, module, mname) if is_dotted_name(mname) else None
    if found is not None:
        return found
    raise _unknown_module(realm, site)


def _check_allowed(realm: Realm, site: Site) -> None:
    allowed = realm.allow_imports
    if allowed is None or site.module in allowed or realm._wasi_provider(site.module):
        return
    raise ImportRefusedError(
        f"{site}: realm {realm.name!r} does not allow imports from {site.module!r}; add "
        f"{site.module!r} to the realm's allow_imports (Realm(allow_imports=[...]))",
        path=site.where, module=site.module, field=site.field)


def _python_import(realm: Realm, module: Module, mname: str) -> Provider | None:
    package = module.name.rpartition(".")[0] or None
    try:
        fullname = importlib.util.resolve_name(mname, package)
    except (ImportError, ValueError):
        return None
    spec, parent_path = _quiet_find(fullname)
    if spec is not None and not getattr(spec.loader, "is_wasmport_loader", False):
        if fullname not in sys.modules:
            opts_in = _source_opts_in(spec)  # a module that does not opt in never runs
            if opts_in is not True:
                return _Refused(fullname, without_source=opts_in is None)
        pymod = importlib.import_module(fullname)
        return _python_provider(pymod, fullname)
    if spec is not None:
        path = spec.origin
    elif "." in fullname and parent_path is None:
        return None  # no such package: nothing to search (and nothing imported)
    else:
        path = find_module_file(fullname, parent_path)
    if path is None:
        return None
    return Provider(f"module {fullname!r}", realm._load_for_link(path, None, fullname))


def _quiet_find(fullname: str) -> tuple[importlib.machinery.ModuleSpec | None, list[str] | None]:
    """The spec of ``fullname`` and its package's search path, found without running any
    module's code: parents that are not imported yet are looked up, not imported.

    Import names come from the wasm module's author, so even a parent package must not
    run (``antigravity.x``) before the leaf is known to opt in.
    """
    parts = fullname.split(".")
    path: list[str] | None = None
    for depth in range(1, len(parts) + 1):
        name = ".".join(parts[:depth])
        imported = sys.modules.get(name)
        if imported is not None:
            spec = getattr(imported, "__spec__", None)
            search = getattr(imported, "__path__", None)
        else:
            spec = _find_spec(name, path)
            search = spec.submodule_search_locations if spec is not None else None
        if depth == len(parts):
            return spec, path
        if search is None:
            return None, None
        path = list(search)
    return None, None


def _find_spec(name: str, path: list[str] | None) -> importlib.machinery.ModuleSpec | None:
    """What the import system would find for ``name`` (no module runs), or None."""
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        if find is None:
            continue
        try:
            spec = find(name, path)
        except (ImportError, ValueError):
            continue
        if spec is not None:
            return spec  # type: ignore[no-any-return]
    return None


def _source_opts_in(spec: importlib.machinery.ModuleSpec) -> bool | None:
    """Whether a module not imported yet can opt in, judged from its source text.

    A wasm module's import names are chosen by whoever wrote it; importing whatever
    they name would run that Python module's top-level code (``antigravity`` opens a
    browser).  So a module is imported for wasm only if its source mentions
    ``__wasm_exports__``; one without Python source (an extension module, a namespace
    package) must be imported by the application first: None says there is no source.
    """
    origin = spec.origin
    if not origin or not origin.endswith(".py") or not os.path.isfile(origin):
        return None
    try:
        with open(origin, "rb") as f:
            return b"__wasm_exports__" in f.read()
    except OSError:
        return None


def _python_provider(pymod: Any, fullname: str) -> Provider:
    if isinstance(pymod, InstanceModule):
        return Provider(f"module {fullname!r}", pymod)
    offered = getattr(pymod, "__wasm_exports__", None)
    if offered is None:
        return _Refused(fullname)
    return Provider(f"Python module {fullname!r}", pymod, allowed=frozenset(offered))


class _Refused(Provider):
    def __init__(self, fullname: str, *, without_source: bool = False) -> None:
        super().__init__(f"Python module {fullname!r}", None)
        self.fullname = fullname
        self.without_source = without_source

    def get(self, site: Site) -> Any:
        if self.without_source:
            raise ImportRefusedError(
                f"{site}: Python module {self.fullname!r} has no Python source to check "
                "for __wasm_exports__ and is not imported; import it before the wasm module "
                "(it must still define __wasm_exports__)", path=site.where,
                module=site.module, field=site.field)
        raise ImportRefusedError(
            f"{site}: Python module {self.fullname!r} is not reachable from wasm: it does not "
            f"opt in; define __wasm_exports__ = [{site.field!r}, ...] in it to offer those "
            "names", path=site.where, module=site.module, field=site.field)


def _unknown_module(realm: Realm, site: Site) -> UnknownImportError:
    if site.module == "wasi_snapshot_preview1":
        return UnknownImportError(
            f"{site}: WASI is not enabled in realm {realm.name!r}; grant it with "
            "Realm(wasi=wasmport.WasiConfig(...)) or load(..., wasi=...), or run the "
            "program with wasmport.run()", path=site.where, module=site.module,
            field=site.field)
    hint = " (only wasi_snapshot_preview1 is provided)" if site.module.startswith("wasi") else ""
    return UnknownImportError(
        f"{site}: no module {site.module!r} provides it{hint}; give it in the realm's "
        f"import_map, register a host module named {site.module!r}, or add a module "
        f"{site.module}.wasm or an opted-in Python module to the path",
        path=site.where, module=site.module, field=site.field)
