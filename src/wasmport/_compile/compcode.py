"""A component asset's compiled code, through the same on-disk cache as a module's.

The component layer sits above this one, so it hands in a :class:`ComponentBuild`
(how to compile and how to load an artifact); the cache keeps component artifacts
under records of kind "component", never read as a module's (cacherecords.py), with
the same safety rules: a private sealed copy, ownership checks, stat and ctime.
"""

from __future__ import annotations

import os
from typing import Any, Protocol

import wasmtime

from .._engine.config import EngineConfig, get_engine
from . import codecache as _codecache
from . import progress as _progress
from .cacherecords import COMPONENT


class Asset(Protocol):
    """What this module reads of an ``assets.Asset`` (which imports this module)."""

    name: str
    path: str | None
    digest: str
    compiles: int

    @property
    def where(self) -> str: ...

    @property
    def wasm(self) -> bytes: ...


class ComponentBuild(Protocol):
    """``compile`` raises CompileError; ``load`` reads a cached artifact (a path to map,
    or bytes; trusted input only), ``source`` (the .wasm path or bytes) naming the
    world's own types, which an artifact does not keep."""

    def compile(self, engine: wasmtime.Engine, wasm: bytes, where: str) -> Any: ...

    def load(self, engine: wasmtime.Engine, artifact: str | bytes, where: str,
             source: str | bytes) -> Any: ...

    def describe(self, code: Any) -> dict[str, Any]:
        """What to keep in the record beside the artifact (JSON), for ``restore``."""

    def restore(self, code: Any, extra: dict[str, Any]) -> None:
        """Give loaded code what ``describe`` kept; never raises (a bad record is ignored)."""


def head_of(path: str | None) -> bytes:
    """The first 8 bytes of a binary file (nothing for text or a missing file)."""
    if path is None or path.endswith(".wat"):
        return b""
    try:
        with open(path, "rb") as f:
            return f.read(8)
    except OSError:
        return b""


def load_or_compile(asset: Asset, config: EngineConfig, build: ComponentBuild) -> Any:
    """The component from the code cache, or compiled now and stored there."""
    engine, cache = get_engine(config), _codecache.current()
    if cache is None:
        return _compile(asset, engine, build)
    source: str | bytes = asset.path if asset.path and _is_plain_file(asset.path) \
        else asset.wasm

    def load(engine: wasmtime.Engine, artifact: str | bytes) -> Any:
        return build.load(engine, artifact, asset.where, source)

    def cached() -> Any:
        found = cache.load_with_extra(engine, config.key(), asset.digest, dict, asset.where,
                                      COMPONENT, load)
        if found is None:
            return None
        build.restore(found[0], found[1])
        return found[0]
    code = cached()
    if code is not None:
        return code
    with cache.compiling(config.key(), asset.digest, _what(asset), COMPONENT):
        code = cached()  # compiled by another process while we waited?
        if code is None:
            code = _compile(asset, engine, build)
            cache.store(config.key(), asset.digest, code, build.describe(code), COMPONENT)
    return code


def _is_plain_file(path: str | None) -> bool:
    """A binary file of its own (not text, not a member of an archive)."""
    return path is not None and not path.endswith(".wat") and os.path.isfile(path)


def _compile(asset: Asset, engine: wasmtime.Engine, build: ComponentBuild) -> Any:
    with _progress.showing(f"compiling {_what(asset)}"):
        code = build.compile(engine, asset.wasm, asset.where)
    asset.compiles += 1
    return code


def _what(asset: Asset) -> str:
    name = os.path.basename(asset.path) if asset.path else f"<{asset.name}>"
    return f"{name} ({_progress.human_size(len(asset.wasm))})"
