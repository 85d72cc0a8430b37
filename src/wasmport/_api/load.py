"""The dynamic entry points: load, load_async, compile and instance_of."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping
from typing import Any

from .._compile.assets import asset_from_bytes, wat_to_wasm
from .._compile.module import Module
from .._engine.limits import Limits
from .._exports.namespace import instance_of as core_instance_of
from .._realm import Phase, Realm, realm_or_default
from .._realm.component import Component, component_instance_or_none
from .._wasi.config import WasiConfig


def caller_dir(depth: int) -> str | None:
    """The directory of the file ``depth`` frames up the caller's stack, if it has one."""
    frame = sys._getframe(depth + 1)
    path = frame.f_globals.get("__file__")
    return os.path.dirname(os.path.abspath(path)) if isinstance(path, str) else None


def load(specifier: str | os.PathLike[str], *, phase: Phase | None = None,
         realm: Realm | None = None, wasi: WasiConfig | None = None,
         limits: Limits | None = None, imports: Mapping[str, Any] | None = None) -> Any:
    """Load a WebAssembly module by module name or path.

    ``load("pkg.codec")`` and ``load("./codec.wasm")`` (relative to the calling file)
    give the instance-phase module; ``phase="source"`` or a ``?source`` / ``?module``
    suffix gives the compiled, unlinked :class:`Module`.  A ``pathlib.Path`` is a
    filesystem path.

    ``wasi`` / ``limits`` load it into a child of the realm with its own store, that
    WASI configuration and those limits (over the realm's); loads with equal values
    share that child.

    ``imports`` (as for :meth:`Module.instantiate`: import module name -> a mapping of
    fields, an instance-phase module, or a typed host module) makes a *new* instance
    with them, every call: an instance linked to values you chose is yours, not the
    realm's shared one.

    Raises ModuleNotFoundError, CompileError, LinkError or Trap.

    Example::

        codec = wasmport.load("./codec.wasm")
        Codec = wasmport.load("./codec.wasm?source")
        guest = wasmport.load("./guest.wasm", imports={"kv": KVStore})
    """
    return realm_or_default(realm).load(_specifier(specifier), phase=phase, imports=imports,
                                        wasi=wasi, limits=limits, base_dir=caller_dir(1))


def _specifier(specifier: str | os.PathLike[str]) -> str:
    """A path object is a filesystem path, never a module name."""
    if isinstance(specifier, os.PathLike):
        return os.path.abspath(os.fspath(specifier))
    return specifier


async def load_async(specifier: str | os.PathLike[str], *, phase: Phase | None = None,
                     realm: Realm | None = None, wasi: WasiConfig | None = None,
                     limits: Limits | None = None,
                     imports: Mapping[str, Any] | None = None) -> Any:
    """:func:`load` in a worker thread, so compiling does not block the event loop."""
    target, base_dir = realm_or_default(realm), caller_dir(1)
    return await asyncio.to_thread(target.load, _specifier(specifier), phase=phase,
                                   imports=imports, wasi=wasi, limits=limits,
                                   base_dir=base_dir)


def compile(source: bytes | str, *, name: str = "module",
            realm: Realm | None = None) -> Module | Component:
    """Compile wasm bytes, or text-format source given as str, into a source-phase
    Module (a :class:`Component` for component bytes).

    Raises CompileError.
    """
    wasm = wat_to_wasm(source, f"<{name}>") if isinstance(source, str) else bytes(source)
    asset = asset_from_bytes(wasm, name=name)
    kind = Component if asset.is_component else Module
    return kind(asset, realm_or_default(realm), name)


def instance_of(module: Any) -> Any:
    """The instance behind an instance-phase module: an :class:`Instance`, or for a
    component its instance (``.exports["ns:pkg/iface@1.0.0"]`` by full WIT name,
    ``.poisoned``); TypeError for anything else."""
    found = component_instance_or_none(module)
    return found if found is not None else core_instance_of(module)
