"""Would every import of a module link in a realm?  Found and checked as the realm would,
with nothing run (``wasmport check``, docs/cli.md); a component's in compcheck.py.

The realm's own resolver answers (``check_imports``), with a dry-run load callback: a
wasm dependency is compiled and its imports checked in turn, and the resolver gets its
:class:`ExportTypes` instead of an instance, so no start function and no ``_initialize``
runs.  A dependency the realm has instantiated already is used as it is.  No host
function, global or host object is made; the only code that runs is that of Python
modules that opt in with ``__wasm_exports__``, which linking would import too.
"""

from __future__ import annotations

import dataclasses
import os
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .._api.load import compile as compile_module
from .._compile.assets import Asset, asset_for_file
from .._compile.module import Module, asset_of
from .._engine.store import StoreContext
from .._errors import CompileError, WasmportError, one_line
from .._instantiate import Linking
from .._link.declared import ExportTypes
from .._link.policy import LinkPolicy
from .._link.providers import Provider
from .._link.resolver import Resolution, check_imports
from .._realm import Realm, cached_instance, default_realm, link_view, load_asset
from .._realm.component import Component
from .._resolve.specifiers import resolve
from .compcheck import component_imports

SCHEMA = 1
Target = str | os.PathLike[str] | bytes | Module


@dataclass(frozen=True)
class ImportCheck:
    """How one import would resolve.  ``by``: the step that found a provider ("import
    map", "host module", "wasi", "file", "python module"), None when nothing does;
    ``detail``: the provider as LinkError names it; ``file``: the wasm or Python module
    behind it; ``error``: what linking would raise, None when it links."""

    where: str
    module: str
    name: str
    type: str
    by: str | None = None
    detail: str | None = None
    file: str | None = None
    error: Exception | None = None
    note: str | None = None
    inherited: bool = False  # the error is a wasm dependency's own, reported at its import

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def site(self) -> str:
        return f'{self.where}: import "{self.module}"."{self.name}"'

    @property
    def message(self) -> str | None:
        """The error's message on one line (with its class when it is not wasmport's or
        an import or file error, such as a Python module's own exception)."""
        err = self.error
        if err is None:
            return None
        if isinstance(err, (WasmportError, ImportError, OSError)):
            return one_line(err)
        return f"{type(err).__name__}: {one_line(err)}"

    @property
    def line(self) -> str | None:
        """The problem, location first: the import's site, then what linking says."""
        text = self.message
        if text is None or text.startswith(self.site + ":"):
            return text
        return f"{self.site}: {text}"

    def resolution(self) -> dict[str, Any]:
        """The ``resolution`` object of the JSON schemas (docs/cli.md)."""
        err = self.error
        return {"by": self.by, "detail": self.detail, "file": self.file, "ok": self.ok,
                "error": self.message, "error_type": None if err is None else type(err).__name__,
                "inherited": self.inherited, "note": self.note}


@dataclass(frozen=True)
class ComponentImportCheck(ImportCheck):
    """One import of a component: ``module`` is its WIT name, ``name`` empty, ``type``
    "interface" or the function's WIT type."""

    @property
    def site(self) -> str:
        return f"{self.where}: import {self.module!r}"

    @property
    def line(self) -> str | None:
        text = self.message
        if text is None or text.startswith(self.where):
            return text  # the component layer's messages say where already
        return f"{self.site}: {text}"


@dataclass(frozen=True)
class ModuleCheck:
    """One wasm module the check compiled: where it is and how its imports resolve."""

    where: str
    path: str | None
    name: str
    imports: tuple[ImportCheck, ...]


@dataclass(frozen=True)
class CheckReport:
    """The answer: ``ok`` when every import of the module and of its wasm dependencies
    would link.  ``modules`` holds the module first, then each dependency; ``error`` is
    set when the module itself cannot be compiled (then ``modules`` is empty)."""

    where: str
    realm: str
    modules: tuple[ModuleCheck, ...]
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problems(self) -> tuple[str, ...]:
        """One location-first line per import that would not link (a dependency's own
        failure once, at its own import), or the module's compile error."""
        if self.error is not None:
            return (one_line(self.error),)
        return tuple(i.line for m in self.modules for i in m.imports
                     if i.line is not None and not i.inherited)

    @property
    def imports(self) -> tuple[ImportCheck, ...]:
        """The module's own imports (not its dependencies')."""
        return self.modules[0].imports if self.modules else ()

    def to_json(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "module": self.where, "realm": self.realm, "ok": self.ok,
                "problems": list(self.problems),
                "modules": [{"module": m.where, "file": m.path, "name": m.name,
                             "imports": [{"module": i.module, "name": i.name, "type": i.type,
                                          "resolution": i.resolution()} for i in m.imports]}
                            for m in self.modules]}


def check(target: Target, *, realm: Realm | None = None, name: str | None = None,
          import_map: Mapping[str, Any] | None = None,
          allow_imports: Iterable[str] | None = None) -> CheckReport:
    """Whether every import of ``target`` (a path, bytes or a Module) would link in
    ``realm`` (default: the default realm), with nothing instantiated or run.

    ``name`` is the module's dotted name, for package-relative imports (default: the
    file's stem).  ``import_map`` entries are added over the realm's; ``allow_imports``
    narrows the realm's allow-list.  Raises ModuleNotFoundError when the file does not
    exist; a module that does not compile is a report with ``error`` set.

    Example::

        report = wasmport.check("plugin.wasm", realm=host_realm)
        if not report.ok:
            print(*report.problems, sep="\\n")
    """
    realm = default_realm() if realm is None else realm
    ctx, policy, lock = link_view(realm)
    policy = narrowed(policy, import_map, allow_imports)
    with lock:
        try:
            module = _module_of(target, realm, name)
        except CompileError as err:
            return CheckReport(_where(target), policy.name, (), err)
        if isinstance(module, Component):
            return _component_report(module, realm, policy)
        run = _DryRun(realm, ctx, policy)
        run.visit(module)
        return CheckReport(module.where, policy.name, run.modules())


def narrowed(policy: LinkPolicy, import_map: Mapping[str, Any] | None,
             allow_imports: Iterable[str] | None) -> LinkPolicy:
    """``policy`` with ``import_map``'s entries over its own and its allow-list narrowed
    to ``allow_imports``."""
    changes: dict[str, Any] = {}
    if import_map:
        changes["import_map"] = types.MappingProxyType({**policy.import_map, **import_map})
    if allow_imports is not None:
        allowed = frozenset(allow_imports)
        if policy.allow_imports is not None:
            allowed &= policy.allow_imports
        changes["allow_imports"] = allowed
    return dataclasses.replace(policy, **changes) if changes else policy


def _component_report(component: Component, realm: Realm, policy: LinkPolicy) -> CheckReport:
    checks = tuple(ComponentImportCheck(component.where, f.name, "", f.type, f.by, f.detail,
                                        None, f.error)
                   for f in component_imports(component, realm, policy))
    return CheckReport(component.where, policy.name,
                       (ModuleCheck(component.where, component.path, component.name, checks),))


def _module_of(target: Target, realm: Realm, name: str | None) -> Module | Component:
    if isinstance(target, (bytes, bytearray, memoryview)):
        return compile_module(bytes(target), name=name or "module", realm=realm)
    if isinstance(target, Module):
        asset, name = asset_of(target), name or target.name
    else:
        asset = asset_for_file(os.path.abspath(os.fspath(target)))
    module: Module | Component = load_asset(realm, asset, name, "source")
    return module


def _where(target: Target) -> str:
    if isinstance(target, Module):
        return target.where
    return "<bytes>" if isinstance(target, (bytes, bytearray, memoryview)) else os.fspath(target)


class _DryRun:
    """The load callback of a check, and what it found, module by module."""

    def __init__(self, realm: Realm, ctx: StoreContext, policy: LinkPolicy) -> None:
        self._realm, self._ctx, self._policy = realm, ctx, policy
        self._linking = Linking()  # cycles: the ImportCycleError the realm's would raise
        self._types: dict[Asset, ExportTypes] = {}
        self._found: dict[Asset, ModuleCheck | None] = {}  # in the order they were met

    def load(self, specifier: str, base_dir: str | None, name: str | None) -> Any:
        """The realm's load callback, instantiating nothing: a dependency it has linked
        already, else the export types of the compiled module, its imports checked."""
        resolved = resolve(specifier, base_dir=base_dir or self._policy.base_dir)
        asset = asset_for_file(resolved.path)
        live = cached_instance(self._realm, asset)
        if live is not None:
            return live
        return self.visit(load_asset(self._realm, asset, name or resolved.name, "source"))

    def visit(self, module: Module) -> ExportTypes:
        asset = asset_of(module)
        known = self._types.get(asset)
        if known is not None:
            return known
        self._linking.enter(asset)
        self._found.setdefault(asset, None)
        try:
            found = check_imports(self._ctx, self._policy, self.load, module, {})
        finally:
            self._linking.leave()
        self._found[asset] = ModuleCheck(module.where, module.path, module.name,
                                         tuple(_import_check(r) for r in found))
        failure = next((r.error for r in found if r.error is not None), None)
        self._types[asset] = ExportTypes(module, failure)
        return self._types[asset]

    def modules(self) -> tuple[ModuleCheck, ...]:
        return tuple(m for m in self._found.values() if m is not None)


def _import_check(found: Resolution) -> ImportCheck:
    site, provider = found.site, found.provider
    origin = provider.origin if isinstance(provider, Provider) else None
    return ImportCheck(site.where, site.module, site.field, site.expected(),
                       None if provider is None else provider.by,
                       None if provider is None else provider.label, origin,
                       found.error, found.note, found.inherited)
