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
from .._exports.namespace import Instance, InstanceModule
from .._realm import Phase, Realm, realm_or_default
from .._resolve.specifiers import split_phase
from .._wasi.config import WasiConfig


def _caller_dir(depth: int) -> str | None:
    frame = sys._getframe(depth + 1)
    path = frame.f_globals.get("__file__")
    return os.path.dirname(os.path.abspath(path)) if isinstance(path, str) else None


def load(specifier: str, *, phase: Phase | None = None, realm: Realm | None = None,
         wasi: WasiConfig | None = None, limits: Limits | None = None,
         imports: Mapping[str, Any] | None = None) -> Any:
    """Load a WebAssembly module by module name or path.

    ``load("pkg.codec")`` and ``load("./codec.wasm")`` (relative to the calling file)
    give the instance-phase module; ``phase="source"`` or a ``?source`` / ``?module``
    suffix gives the compiled, unlinked :class:`Module`.

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
    target = sandboxed(realm_or_default(realm), wasi, limits)
    return _load(target, specifier, phase, _caller_dir(1), imports)


def _load(target: Realm, specifier: str, phase: Phase | None, base_dir: str | None,
          imports: Mapping[str, Any] | None) -> Any:
    if imports is None:
        return target.load(specifier, phase=phase, base_dir=base_dir)
    if phase == "source" or split_phase(specifier)[1] == "source":
        raise ValueError("imports= links an instance; the source phase takes none")
    module = target.load(specifier, phase="source", base_dir=base_dir)
    return module.instantiate(imports, realm=target)


def sandboxed(realm: Realm, wasi: WasiConfig | None, limits: Limits | None) -> Realm:
    """``realm``, or its child for a per-load WASI configuration or limits."""
    return realm if wasi is None and limits is None else realm._child(wasi, limits)


async def load_async(specifier: str, *, phase: Phase | None = None,
                     realm: Realm | None = None, wasi: WasiConfig | None = None,
                     limits: Limits | None = None,
                     imports: Mapping[str, Any] | None = None) -> Any:
    """:func:`load` in a worker thread, so compiling does not block the event loop."""
    base_dir = _caller_dir(1)
    target = sandboxed(realm_or_default(realm), wasi, limits)
    return await asyncio.to_thread(_load, target, specifier, phase, base_dir, imports)


def compile(source: bytes | str, *, name: str = "module", realm: Realm | None = None) -> Module:
    """Compile wasm bytes, or text-format source given as str, into a source-phase Module.

    Raises CompileError.
    """
    wasm = wat_to_wasm(source, f"<{name}>") if isinstance(source, str) else bytes(source)
    return Module(asset_from_bytes(wasm, name=name), realm_or_default(realm), name)


def instance_of(module: Any) -> Instance:
    """The instance behind an instance-phase module; TypeError for anything else."""
    if isinstance(module, InstanceModule):
        instance = object.__getattribute__(module, "_wasm_instance")
        if instance is not None:
            return instance  # type: ignore[no-any-return]
    raise TypeError(f"instance_of() takes an instance-phase wasm module, not "
                    f"{type(module).__name__}")
