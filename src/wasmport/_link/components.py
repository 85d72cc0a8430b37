"""Resolve the imports of a component, in one order (written once, here):

1. the explicit ``imports`` given to ``instantiate`` / ``load(..., imports=)``;
2. the realm's import map;
3. implementations registered in the realm (``realm.register(name, impl)``);
4. ``wasi:*`` interfaces: wasmtime's own, when the realm grants WASI.

A name matches with or without its ``@version`` (``test:demo/host`` finds
``test:demo/host@0.1.0``).  What is found may be: an object or class implementing
the interface (functions in snake_case, resources as UpperCamel classes); a callable,
for a world-level function import; a Python module, only if it opts in with
``__wasm_exports__`` (the capability rule of core imports, python.py); another
component's instance-phase module or instance (its export of the same interface,
called through the converters: docs/design.md, "Component to component"); or a
specifier string, loaded through the realm.

``resolve_component_imports`` gives the implementations the component layer links;
``plan_component_imports`` says, for each import, where it would come from and the
error linking would raise, making nothing (a dry run, e.g. for ``wasmport check``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from .._component._host import target_of
from .._component._names import camel, snake
from .._component._types import Function, Interface, InterfaceName, ResourceType, TypeDef
from .._errors import ImportRefusedError, IncompatibleImportError, LinkError, UnknownImportError
from .._exports.namespace import instance_or_none
from .declared import ExportTypes
from .policy import LinkPolicy, Load
from .providers import Refused
from .python import entry_provider


@dataclass(frozen=True)
class ComponentResolution:
    """How one import of a component resolves: its WIT name, the step that found it
    (``by``: "explicit", "import map", "registered", "wasi"; None: nothing), the
    implementation, and the error linking would raise (None: it links)."""

    name: str
    by: str | None
    value: Any = None
    error: Exception | None = None


def _lookup(table: Mapping[str, Any], name: str) -> tuple[bool, Any]:
    if name in table:
        return True, table[name]
    short = InterfaceName.parse(name).unversioned
    return (True, table[short]) if short in table else (False, None)


def find_implementation(policy: LinkPolicy, load: Load, explicit: Mapping[str, Any],
                        name: str, item: Any, wasi: bool,
                        base_dir: str | None) -> ComponentResolution:
    """The implementation of import ``name`` (WIT item ``item``), in the module's order."""
    _check_allowed(policy, name, wasi)
    for by, table in (("explicit", explicit), ("import map", policy.import_map),
                      ("registered", policy.hosts)):
        found, value = _lookup(table, name)
        if found:
            where = policy.base_dir if by == "import map" else base_dir
            return ComponentResolution(name, by, _usable(load, name, item, value, where))
    if wasi and name.startswith("wasi:"):
        return ComponentResolution(name, "wasi")
    return ComponentResolution(name, None)


def _check_allowed(policy: LinkPolicy, name: str, wasi: bool) -> None:
    allowed = policy.allow_imports
    if allowed is None or name in allowed or InterfaceName.parse(name).unversioned in allowed \
            or (wasi and name.startswith("wasi:")):
        return
    raise ImportRefusedError(
        f"realm {policy.name!r} does not allow the import {name!r}; add "
        f"{InterfaceName.parse(name).unversioned!r} to the realm's allow_imports "
        "(Realm(allow_imports=[...]))", module=name)


def _usable(load: Load, name: str, item: Any, value: Any, base_dir: str | None) -> Any:
    """What the component layer can link: the export of another component, a Python
    module's offered names, or the value itself."""
    if isinstance(value, str):
        value = _named(load, name, value, base_dir)
    exports = getattr(value, "__wasm_component_exports__", None)
    if exports is not None:
        return _exported(exports(), name, item)
    declared = getattr(value, "__wasm_component_declared__", None)
    if declared is not None:  # a dry run's compiled component: its export's WIT item
        return Declared(_exported(declared(), name, item))
    if instance_or_none(value) is not None or isinstance(value, ExportTypes):
        raise IncompatibleImportError(
            f"import {name!r}: {value!r} is a core wasm module, which cannot implement a "
            "component's import; give a component, or a Python implementation", module=name)
    if isinstance(value, ModuleType):
        return _Offered(value, name)
    if isinstance(value, Mapping) and isinstance(item, Interface):
        return _Fields(value)
    return value


def _named(load: Load, name: str, spec: str, base_dir: str | None) -> Any:
    """What an entry's string names (python.py's entry_provider): a component, or a
    Python module that opts in; UnknownImportError naming the entry when nothing is."""
    try:
        found = entry_provider(load, spec, base_dir, None)
    except ModuleNotFoundError as err:
        raise UnknownImportError(
            f"import {name!r}: the entry for it names {spec!r}: {err}; "
            "give a path to a component, the name of one or of a Python module that defines "
            "__wasm_exports__, or an implementation", module=name) from err
    if isinstance(found, Refused):
        raise ImportRefusedError(
            f"import {name!r}: Python module {spec!r} is not reachable from wasm: it does not "
            "opt in; define __wasm_exports__ = [...] in it, naming the functions and "
            "resource classes it offers", module=name)
    return found.fields


class _Fields:
    """A mapping of snake_case names to functions and resource classes, as an object."""

    def __init__(self, fields: Mapping[str, Any]) -> None:
        self.__dict__.update(fields)

    def __repr__(self) -> str:
        return f"the mapping with {', '.join(sorted(self.__dict__)) or 'nothing'}"


def _exported(exports: Any, name: str, item: Any) -> Any:
    """The other component's export matching import ``name``."""
    for candidate in (name, InterfaceName.parse(name).unversioned):
        if candidate in exports:
            return exports[candidate]
    for full in exports.keys():
        if InterfaceName.parse(full).unversioned == InterfaceName.parse(name).unversioned:
            return exports[full]
    what = "interface" if isinstance(item, Interface) else "function"
    raise UnknownImportError(f"the component given for import {name!r} does not export that "
                             f"{what}; it exports {', '.join(sorted(exports.keys())) or 'none'}",
                             module=name)


@dataclass(frozen=True)
class Declared:
    """A dry run's stand-in for another component's export: its WIT item, not a value."""

    item: Any


class _Offered:
    """A Python module seen through its ``__wasm_exports__``: nothing else is reachable."""

    def __init__(self, module: ModuleType, name: str) -> None:
        offered = getattr(module, "__wasm_exports__", None)
        if offered is None:
            raise ImportRefusedError(
                f"import {name!r}: Python module {module.__name__!r} is not reachable from "
                "wasm: it does not opt in; define __wasm_exports__ = [...] in it, naming "
                "the functions and resource classes it offers", module=name)
        self._module, self._offered, self._name = module, frozenset(offered), name

    def __getattr__(self, attr: str) -> Any:
        if attr not in self._offered:
            raise AttributeError(attr)
        return getattr(self._module, attr)

    def __repr__(self) -> str:
        return f"Python module {self._module.__name__!r} (its __wasm_exports__)"


def plan_component_imports(policy: LinkPolicy, load: Load, imports: Mapping[str, Any],
                           explicit: Mapping[str, Any], where: str, wasi: bool,
                           base_dir: str | None = None) -> list[ComponentResolution]:
    """How each import (WIT name -> item) would resolve, every failure included."""
    out = []
    for name, item in imports.items():
        if isinstance(item, TypeDef):
            continue  # a world-level type needs nothing
        try:
            found = find_implementation(policy, load, explicit, name, item, wasi, base_dir)
        except LinkError as err:
            out.append(ComponentResolution(name, "explicit", None, _located(err, where)))
            continue
        error = None if found.by is not None else _missing(policy, name, item, where)
        if error is None and found.by != "wasi" and not isinstance(found.value, Declared):
            error = _check(where, name, item, found.value)
        out.append(ComponentResolution(name, found.by, found.value, error))
    return out


def resolve_component_imports(policy: LinkPolicy, load: Load, imports: Mapping[str, Any],
                              explicit: Mapping[str, Any], where: str, wasi: bool,
                              base_dir: str | None = None) -> dict[str, Any]:
    """WIT import name -> implementation, for the component layer; raises the first
    LinkError a dry run finds."""
    found = {}
    for res in plan_component_imports(policy, load, imports, explicit, where, wasi, base_dir):
        if res.error is not None:
            raise res.error
        if res.by != "wasi":
            found[res.name] = res.value
    return found


def _located(err: LinkError, where: str) -> LinkError:
    if not str(err).startswith(where):
        err.args = (f"{where}: {err}", *err.args[1:])
    return err


def _missing(policy: LinkPolicy, name: str, item: Any, where: str) -> LinkError:
    short = InterfaceName.parse(name).unversioned
    if name.startswith("wasi:"):
        remedy = (f"grant WASI: Realm(wasi=wasmport.WasiConfig(...)) or load(..., wasi=...); "
                  f"realm {policy.name!r} has none")
    elif isinstance(item, Function):
        params = ", ".join(snake(p) for p, _ in item.type.params)
        remedy = (f"pass imports={{{short!r}: a callable taking ({params})}}, or give it in "
                  "the realm's import_map or realm.register()")
    else:
        remedy = (f"pass imports={{{short!r}: impl}} (an object with its functions), or give "
                  f"it in the realm's import_map or realm.register({short!r}, impl)")
    what = "a function" if isinstance(item, Function) else "an interface"
    return UnknownImportError(f"{where}: import {name!r} ({what}) is not provided; {remedy}",
                              path=where, module=name)


def _check(where: str, name: str, item: Any, impl: Any) -> LinkError | None:
    """The link-time checks of the component layer, run early: a missing function or
    resource class, or the wrong arity, names the interface and the function."""
    try:
        if isinstance(item, Function):
            if not callable(impl):
                raise UnknownImportError(f"{where}: import {name!r} is a function; "
                                         f"{impl!r} is not callable", path=where, module=name)
            target_of(where, "(world)", _Single(name, impl), item)
        elif isinstance(item, Interface):
            for td in item.types.values():
                if isinstance(td.type, ResourceType) and td.origin is None \
                        and getattr(impl, camel(td.name), None) is None:
                    return LinkError(
                        f"{where}: import {name!r}, resource {td.name!r}: {impl!r} has no "
                        f"class {camel(td.name)}; give it a class attribute "
                        f"{camel(td.name)}", path=where, module=name)
            for func in item.functions.values():
                if func.resource is None:
                    target_of(where, name, impl, func)
    except LinkError as err:
        return err
    return None


class _Single:
    def __init__(self, name: str, impl: Any) -> None:
        setattr(self, snake(name), impl)
        self._name = name

    def __repr__(self) -> str:
        return f"the callable given for {self._name!r}"
