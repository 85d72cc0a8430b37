"""Assets: a resolved .wasm/.wat file (or bytes) and its compiled code, compiled at most once.

The asset cache is keyed by the resolved path and checked against the file's
content: a changed file is a new asset; an unchanged one is never compiled twice
for the same engine, whichever phase asks first.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass, field
from typing import Any

import wasmtime

from .._engine.capi import export_names_and_kinds
from .._engine.config import EngineConfig, find_record, get_engine
from .._errors import CompileError
from .._resolve.locations import archive_stat, read_member
from . import codecache as _codecache
from . import progress as _progress
from .cacherecords import COMPONENT, MODULE
from .compcode import ComponentBuild, head_of, load_or_compile
from .sigscan import NOTHING, Opaque, opaque_sites

WASM_MAGIC = b"\0asm"
_CORE_VERSION = b"\x01\x00\x00\x00"


@dataclass(eq=False)
class Asset:
    """One WebAssembly asset: its digest, its binary bytes (read when first needed) and its
    compiled modules, one per engine configuration."""

    name: str
    path: str | None
    digest: str
    _wasm: bytes | None = field(default=None, repr=False)
    stat_key: tuple[int, ...] | None = None
    _compiled: dict[EngineConfig, wasmtime.Module] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    compiles: int = 0
    #: Imports and exports whose types the engine cannot describe (known once compiled).
    opaque: Opaque = NOTHING
    _export_kinds: dict[str, str] | None = field(default=None, repr=False)
    _components: dict[EngineConfig, Any] = field(default_factory=dict, repr=False)
    _kind: str | None = None

    @property
    def where(self) -> str:
        return self.path or f"<{self.name}>"

    @property
    def wasm(self) -> bytes:
        """The binary module (text assets converted)."""
        if self._wasm is None:
            assert self.path is not None
            self._wasm = _read_wasm(self.path)
            # The digest came from a stat record; the bytes are the truth.
            self.digest = hashlib.sha256(self._wasm).hexdigest()
        return self._wasm

    def compiled(self, config: EngineConfig) -> wasmtime.Module:
        """The module compiled for ``config``'s engine: from memory, from the on-disk
        cache, or compiled now (and then cached); at most once per configuration."""
        with self._lock:
            module = self._compiled.get(config)
            if module is None:
                module = self._compiled[config] = self._load_or_compile(config)
            return module

    def _load_or_compile(self, config: EngineConfig) -> wasmtime.Module:
        engine = get_engine(config)
        cache = _codecache.current()
        if cache is None:
            return self._compile(engine)
        cached = self._cached(cache, engine, config)
        if cached is None:
            what = self._what()  # reads the bytes: a digest from a stat record is checked
            with cache.compiling(config.key(), self.digest, what):
                cached = self._cached(cache, engine, config)  # compiled while we waited?
                if cached is None:
                    module = self._compile(engine)
                    cache.store(config.key(), self.digest, module,
                                {"opaque": self.opaque.to_json()})
                    return module
        module, self.opaque = cached
        return module

    def _cached(self, cache: _codecache.CodeCache, engine: wasmtime.Engine,
                config: EngineConfig) -> tuple[wasmtime.Module, Opaque] | None:
        return cache.load_with_extra(engine, config.key(), self.digest, _opaque_of, self.where)

    def _compile(self, engine: wasmtime.Engine) -> wasmtime.Module:
        with _progress.showing(f"compiling {self._what()}"):
            module = compile_wasm(engine, self.wasm, self.where)
        self.opaque = _opaque_sites(self.wasm, self.where)
        self.compiles += 1
        return module

    def _what(self) -> str:
        name = os.path.basename(self.path) if self.path else f"<{self.name}>"
        return f"{name} ({_progress.human_size(len(self.wasm))})"

    def export_kinds(self, compiled: wasmtime.Module) -> dict[str, str]:
        """Export name -> kind, in order, read from ``compiled`` (one of this asset's
        modules: they all agree) once per asset; shared, so never to be changed."""
        kinds = self._export_kinds
        if kinds is None:
            kinds = self._export_kinds = dict(export_names_and_kinds(compiled))
        return kinds

    @property
    def is_component(self) -> bool:
        """Whether the asset is a component (layer 1 in its header; text is a module).
        A warm asset, whose bytes are not read, reads its first 8 bytes for it."""
        if self._kind is None:
            head = self._wasm[:8] if self._wasm is not None else head_of(self.path)
            self._kind = COMPONENT if head[:4] == WASM_MAGIC and head[6:8] == b"\x01\x00" \
                and head[4:8] != _CORE_VERSION else MODULE
        return self._kind == COMPONENT

    def component(self, config: EngineConfig, build: ComponentBuild) -> Any:
        """The component compiled for ``config``'s engine, as :meth:`compiled` does for a
        module: from memory, the on-disk cache (records of kind "component"), or now."""
        with self._lock:
            code = self._components.get(config)
            if code is None:
                code = self._components[config] = load_or_compile(self, config, build)
            return code

    def compile_count(self) -> int:
        """How many times this asset was compiled by the engine (cache hits excluded)."""
        return self.compiles


def _opaque_of(extra: dict[str, Any]) -> Opaque:
    """The opaque sites stored with cached code; anything malformed raises (a cache miss):
    a record that lost them would let the engine be asked to describe such a type."""
    value = extra["opaque"]
    imports, exports = value["imports"], value["exports"]
    if not all(isinstance(v, str) for v in [*imports.values(), *exports.values()]):
        raise TypeError("opaque type texts must be strings")
    return Opaque({int(k): v for k, v in imports.items()}, dict(exports))


def _check_binary(wasm: bytes, where: str) -> None:
    if wasm[:4] != WASM_MAGIC:
        raise CompileError(
            f"{where}: not a WebAssembly binary (it does not start with \\0asm); "
            "give text modules the .wat suffix",
            path=where,
            reason="bad magic",
        )


def _check_core(wasm: bytes, where: str) -> None:
    if wasm[4:8] != _CORE_VERSION and wasm[6:8] == b"\x01\x00":
        raise CompileError(
            f"{where}: this is a WebAssembly component, not a core module; load it with "
            "wasmport.load() or import it (a wasmport.Component is its source phase)",
            path=where,
            reason="component",
        )


def compile_wasm(engine: wasmtime.Engine, wasm: bytes, where: str) -> wasmtime.Module:
    _check_binary(wasm, where)
    _check_core(wasm, where)
    try:
        module = find_record(engine).compile(wasm)
    except wasmtime.WasmtimeError as err:
        reason = str(err).strip()
        raise CompileError(f"{where}: invalid module: {_first_cause(reason)}", path=where,
                           reason=reason) from err
    return module


def _opaque_sites(wasm: bytes, where: str) -> Opaque:
    """What the engine's C API would abort the process on if asked to describe it (see
    _sigscan): such imports and exports are passed through, never described."""
    try:
        return opaque_sites(wasm)
    except (ValueError, IndexError) as err:
        raise CompileError(f"{where}: its import and export types could not be read ({err})",
                           path=where, reason="unsupported type") from err


def _first_cause(reason: str) -> str:
    """The engine's most specific line ("Caused by:" chains put it last)."""
    lines = [line.strip() for line in reason.splitlines() if line.strip()]
    if "Caused by:" in lines:
        causes = [re.sub(r"^\d+:\s*", "", c) for c in lines[lines.index("Caused by:") + 1:]]
        return causes[-1] if causes else lines[0]
    return lines[0] if lines else "unknown error"


def wat_to_wasm(text: str | bytes, where: str) -> bytes:
    if isinstance(text, str):
        try:
            text = text.encode("utf-8")
        except UnicodeEncodeError as err:  # a lone surrogate: no UTF-8 text holds one
            reason = f"the text is not valid Unicode ({err.reason} at index {err.start})"
            raise CompileError(f"{where}: invalid text module: {reason}", path=where,
                               reason=reason) from None
    try:
        return bytes(wasmtime.wat2wasm(text))
    except wasmtime.WasmtimeError as err:
        reason = str(err).strip()
        raise CompileError(f"{where}: invalid text module: {reason}", path=where,
                           reason=reason) from err


def asset_from_bytes(data: bytes, *, name: str = "module", path: str | None = None) -> Asset:
    wasm = data if data[:4] == WASM_MAGIC else None
    if wasm is None:
        raise CompileError(f"<{name}>: not a WebAssembly binary (it does not start with \\0asm)",
                           path=path, reason="bad magic")
    return Asset(name, path, hashlib.sha256(wasm).hexdigest(), wasm)


_cache: dict[str, Asset] = {}
_cache_lock = threading.Lock()


def asset_for_file(path: str) -> Asset:
    """The asset for a .wasm/.wat file, reusing the cached one while the content is the same.

    The digest comes from the on-disk cache's stat record when the file is unchanged, so a
    warm start neither reads nor hashes the file.
    """
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
    except OSError as err:
        if archive_stat(path) is not None:
            return _archived_asset(os.path.abspath(path))
        raise ModuleNotFoundError(f"{path}: no such WebAssembly file", path=path) from err
    stat_key = _codecache.SourceStat.of(real, st).key()
    with _cache_lock:
        cached = _cache.get(real)
        if cached is not None and cached.stat_key == stat_key:
            return cached
    asset = _new_file_asset(real, st)
    with _cache_lock:
        cached = _cache.get(real)
        if cached is not None and cached.digest == asset.digest:
            cached.stat_key = stat_key
            return cached
        _cache[real] = asset
        return asset


def _new_file_asset(real: str, st: os.stat_result) -> Asset:
    name = os.path.splitext(os.path.basename(real))[0]
    stat_key = _codecache.SourceStat.of(real, st).key()
    cache = _codecache.current()
    source = _codecache.SourceStat.of(real, st)
    digest = cache.known_digest(source) if cache is not None else None
    if digest is not None:
        return Asset(name, real, digest, None, stat_key)
    wasm = _read_wasm(real)
    asset = Asset(name, real, hashlib.sha256(wasm).hexdigest(), wasm, stat_key)
    if cache is not None:
        cache.remember_digest(source, asset.digest)
    return asset


def _archived_asset(path: str) -> Asset:
    """The asset of a file inside a zip archive (a zipapp, a zipped package): it is read
    whole, and is the same asset while the archive is unchanged."""
    stat_key = archive_stat(path)
    with _cache_lock:
        cached = _cache.get(path)
        if cached is not None and cached.stat_key == stat_key:
            return cached
    wasm = _decode(read_member(path), path)
    name = os.path.splitext(os.path.basename(path))[0]
    asset = Asset(name, path, hashlib.sha256(wasm).hexdigest(), wasm, stat_key)
    with _cache_lock:
        _cache[path] = asset
    return asset


def _after_fork_in_child() -> None:
    """A lock held by another thread at fork() stays held in the child: make them anew
    (nothing is half-done here: the lock guards dictionary look-ups and one compile)."""
    global _cache_lock
    _cache_lock = threading.Lock()
    for asset in list(_cache.values()):
        asset._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _read_wasm(real: str) -> bytes:
    with open(real, "rb") as f:
        return _decode(f.read(), real)


def _decode(data: bytes, where: str) -> bytes:
    wasm = wat_to_wasm(data, where) if where.endswith(".wat") else data
    _check_binary(wasm, where)
    return wasm
