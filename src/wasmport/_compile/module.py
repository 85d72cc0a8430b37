"""The source phase: a compiled, unlinked module (``wasmport.Module``)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import wasmtime

from .._engine.raw import Preinstantiated, instance_new
from .._engine.store import StoreContext, context_for
from .._engine.valtypes import describe, kind_of
from .assets import Asset
from .interface import CoreInterface
from .refs import reduce_value, token_of
from .sections import read_interface
from .sites import Site

if TYPE_CHECKING:
    from .._engine.limits import Limits


class Owner(Protocol):
    """What a Module needs of the realm it was compiled for: a way to instantiate it."""

    def instantiate(self, module: Module, imports: Mapping[str, Any] | None = None, *,
                    wasi: Any = None, limits: Limits | None = None) -> Any: ...


@dataclass(frozen=True)
class ImportDescriptor:
    """One import of a module: ``module``, ``name``, ``kind`` and a readable ``type``."""

    module: str
    name: str
    kind: str
    type: str


@dataclass(frozen=True)
class ExportDescriptor:
    """One export of a module: ``name``, ``kind`` and a readable ``type``."""

    name: str
    kind: str
    type: str


def _shown(kind: str, text: str) -> str:
    """An undescribable type as text: ``global (ref $0)``; func types by their index."""
    return f"{kind} {text}"


class Module:
    """A compiled WebAssembly module, not linked: no import resolved, no start run.

    Get one with ``from wasmport.source import foo``, ``wasmport.load("foo?source")`` or
    :func:`wasmport.compile`.  :meth:`instantiate` makes a new, independent instance
    each call: its own memories, tables and globals, sharing the compiled code.
    """

    def __init__(self, asset: Asset, realm: Owner, name: str | None = None) -> None:
        self._asset = asset
        self._ctx = context_for(realm)
        self._owner = realm
        self._compiled: wasmtime.Module = asset.compiled(self._ctx.engine_config)
        self.name = name or asset.name
        self.path = asset.path
        self._has_initialize: bool | None = None  # learnt from the first instance

    @property
    def where(self) -> str:
        """The file, or ``<name>`` for a module compiled from bytes: for messages."""
        return self.path or f"<{self.name}>"

    @functools.cached_property
    def imports(self) -> tuple[ImportDescriptor, ...]:
        """Each import: module, name, kind and readable type, in order."""
        opaque = self._asset.opaque.imports
        return tuple(
            ImportDescriptor(i.module, i.name or "", kind_of(i.type),
                             _shown(kind_of(i.type), opaque[n]) if n in opaque
                             else describe(i.type))
            for n, i in enumerate(self._compiled.imports))

    @functools.cached_property
    def exports(self) -> tuple[ExportDescriptor, ...]:
        """Each export: name, kind and readable type, in order."""
        opaque = self._asset.opaque.exports
        return tuple(
            ExportDescriptor(e.name, kind_of(e.type), _shown(kind_of(e.type), opaque[e.name])
                             if e.name in opaque else describe(e.type))
            for e in self._compiled.exports)

    @functools.cached_property
    def _sites(self) -> tuple[Site, ...]:
        """Each import as a Site: what linking reads each time, with the binary's spelling
        of a type beyond numbers, funcref and externref (sigscan.py)."""
        opaque, where = self._asset.opaque.imports, self.where
        return tuple(Site(where, i.module, i.name or "", i.type, opaque.get(n))
                     for n, i in enumerate(self._compiled.imports))

    @functools.cached_property
    def _make_instance(self) -> Any:
        """How a realm without limits makes an instance of this module: pre-checked once
        when it has no imports, else the engine's instantiate holding the GIL."""
        if self._sites:
            return instance_new
        return Preinstantiated(self._ctx.engine, self._compiled)

    @functools.cached_property
    def _kinds(self) -> dict[str, str]:
        """Export name -> kind, in order, in one pass over the engine's export list (once
        per asset: a module of thousands of exports in a new realm reads it again)."""
        return self._asset.export_kinds(self._compiled)

    @functools.cached_property
    def _memories(self) -> tuple[str, ...]:
        return tuple(name for name, kind in self._kinds.items() if kind == "memory")

    @functools.cached_property
    def export_names(self) -> tuple[str, ...]:
        """The export names, in order (cheaper than :attr:`exports`)."""
        return tuple(self._kinds)

    def param_names(self, name: str) -> tuple[str, ...]:
        """The parameter names of the function export ``name``: its name section's where
        they are Python identifiers, else ``p0``, ``p1``... (as ``inspect.signature`` and
        ``wasmport stubs`` show them).  Reads the binary the first time it is asked."""
        return self._interface.param_names(name)

    @functools.cached_property
    def _interface(self) -> CoreInterface:
        return read_interface(self._asset.wasm)

    def __repr__(self) -> str:
        where = f" from {self.path!r}" if self.path else ""
        return f"<wasm source module {self.name!r}{where}>"

    def __reduce__(self) -> Any:
        """By reference: the content digest and the path (or the bytes), never machine
        code; the receiving process gets its default realm's Module for that content."""
        return reduce_value(self)

    def __dask_tokenize__(self) -> Any:
        return token_of(self)

    def instantiate(self, imports: Mapping[str, Any] | None = None, *,
                    realm: Owner | None = None, wasi: Any = None,
                    limits: Limits | None = None) -> Any:
        """Link and instantiate a new instance-phase module.

        ``imports`` maps an import module name to a mapping of field -> value, or to an
        instance-phase module; any import module it leaves out resolves the realm's way
        (import map, host modules, relative files, Python modules that opt in).

        ``wasi`` / ``limits`` instantiate it in a child of the realm with its own store
        (see :func:`wasmport.load`); values given in ``imports`` must then be that
        child's.

        Raises LinkError when an import cannot be satisfied, Trap when the start
        function traps.
        """
        target = self._owner if realm is None else realm
        return target.instantiate(self, imports, wasi=wasi, limits=limits)


def asset_of(module: Module) -> Asset:
    """The asset a Module was compiled from."""
    return module._asset


def context_of_module(module: Module) -> StoreContext:
    """The store context (realm side) a Module was compiled for."""
    return module._ctx


def owner_of(module: Module) -> Owner:
    """The realm a Module belongs to."""
    return module._owner


def compiled_of(module: Module) -> wasmtime.Module:
    """The engine's compiled module."""
    return module._compiled


def import_sites(module: Module) -> tuple[Site, ...]:
    """Each import of ``module`` as a Site, in order."""
    return module._sites


def has_initialize(module: Module) -> bool | None:
    """Whether the module exports ``_initialize`` (None: not known yet)."""
    return module._has_initialize


def note_initialize(module: Module, present: bool) -> None:
    """Remember what the first instance told about ``_initialize`` (a fact of the module:
    reading the export list for it would cost O(exports) per module)."""
    module._has_initialize = present


def memory_exports(module: Module) -> tuple[str, ...]:
    """The names of the memories ``module`` exports."""
    return module._memories


def instance_maker(module: Module) -> Any:
    """How a realm without limits makes an instance of ``module`` (see _make_instance)."""
    return module._make_instance


def preinstantiated(module: Module) -> Preinstantiated | None:
    """The pre-checked maker of instances of a module without imports (None with
    imports): ``.at(store address)`` is a new instance."""
    made = module._make_instance
    return made if isinstance(made, Preinstantiated) else None


def opaque_exports(module: Module) -> Mapping[str, str]:
    """Export name -> type text, for the exports the engine's plain type queries cannot
    describe (v128, typed references: see sigscan.py)."""
    return module._asset.opaque.exports


def opaque_export(module: Module, name: str) -> str | None:
    """The type text of an export the engine's plain type queries cannot describe (v128,
    typed references: see sigscan.py), else None."""
    return module._asset.opaque.exports.get(name)
