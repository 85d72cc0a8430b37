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

import wasmtime

from ._engine import EngineConfig, get_engine
from ._errors import CompileError
from ._sigscan import undescribable

WASM_MAGIC = b"\0asm"
_CORE_VERSION = b"\x01\x00\x00\x00"


@dataclass(eq=False)
class Asset:
    """One WebAssembly asset: its binary bytes, their digest and its compiled modules."""

    name: str
    path: str | None
    wasm: bytes
    digest: str
    stat_key: tuple[int, int] | None = None
    _compiled: dict[EngineConfig, wasmtime.Module] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def where(self) -> str:
        return self.path or f"<{self.name}>"

    def compiled(self, config: EngineConfig) -> wasmtime.Module:
        """The module compiled for ``config``'s engine; compiles on first use only."""
        with self._lock:
            module = self._compiled.get(config)
            if module is None:
                module = self._compiled[config] = compile_wasm(
                    get_engine(config), self.wasm, self.where
                )
            return module

    def compile_count(self) -> int:
        return len(self._compiled)


def _check_binary(wasm: bytes, where: str) -> None:
    if wasm[:4] != WASM_MAGIC:
        raise CompileError(
            f"{where}: not a WebAssembly binary (it does not start with \\0asm); "
            "give text modules the .wat suffix",
            path=where,
            reason="bad magic",
        )
    if wasm[4:8] != _CORE_VERSION and wasm[6:8] == b"\x01\x00":
        raise CompileError(
            f"{where}: this is a WebAssembly component; components are not supported yet, "
            "only core modules can be imported",
            path=where,
            reason="component",
        )


def compile_wasm(engine: wasmtime.Engine, wasm: bytes, where: str) -> wasmtime.Module:
    _check_binary(wasm, where)
    try:
        module = wasmtime.Module(engine, wasm)
    except wasmtime.WasmtimeError as err:
        reason = str(err).strip()
        raise CompileError(f"{where}: invalid module: {_first_cause(reason)}", path=where,
                           reason=reason) from err
    _check_describable(wasm, where)
    return module


def _check_describable(wasm: bytes, where: str) -> None:
    """Refuse what the engine's C API would abort the process on (see _sigscan)."""
    bad = undescribable(wasm)
    if bad is not None:
        raise CompileError(
            f"{where}: {bad}, which wasmport cannot pass across a module boundary yet; "
            "imports and exports may use i32, i64, f32, f64, funcref and externref only",
            path=where, reason="unsupported type")


def _first_cause(reason: str) -> str:
    """The engine's most specific line ("Caused by:" chains put it last)."""
    lines = [line.strip() for line in reason.splitlines() if line.strip()]
    if "Caused by:" in lines:
        causes = [re.sub(r"^\d+:\s*", "", c) for c in lines[lines.index("Caused by:") + 1:]]
        return causes[-1] if causes else lines[0]
    return lines[0] if lines else "unknown error"


def wat_to_wasm(text: str | bytes, where: str) -> bytes:
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
    return Asset(name, path, wasm, hashlib.sha256(wasm).hexdigest())


_cache: dict[str, Asset] = {}
_cache_lock = threading.Lock()


def asset_for_file(path: str) -> Asset:
    """The asset for a .wasm/.wat file, reusing the cached one while the content is the same."""
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
    except OSError as err:
        raise ModuleNotFoundError(f"{path}: no such WebAssembly file", path=path) from err
    stat_key = (st.st_mtime_ns, st.st_size)
    with _cache_lock:
        cached = _cache.get(real)
        if cached is not None and cached.stat_key == stat_key:
            return cached
    asset = _read_asset(real, stat_key)
    with _cache_lock:
        cached = _cache.get(real)
        if cached is not None and cached.digest == asset.digest:
            cached.stat_key = stat_key
            return cached
        _cache[real] = asset
        return asset


def _read_asset(real: str, stat_key: tuple[int, int]) -> Asset:
    with open(real, "rb") as f:
        data = f.read()
    name = os.path.splitext(os.path.basename(real))[0]
    wasm = wat_to_wasm(data, real) if real.endswith(".wat") else data
    _check_binary(wasm, real)
    return Asset(name, real, wasm, hashlib.sha256(wasm).hexdigest(), stat_key)
