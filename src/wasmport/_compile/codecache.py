"""The on-disk compiled-code cache.

::

    $WASMPORT_CACHE_DIR (default: the user cache directory + /wasmport)
    └── v1/
        ├── src/<hash of path>.json     source stat -> wasm digest (no hashing on a hit)
        └── code/<key>.cwasm            the engine's serialized module, loaded with mmap
            code/<key>.json             its record: versions, sha256, size, inode, ctime

``Module.deserialize_file`` trusts its input, so an artifact is used only when its
record says wasmport wrote it for this content and engine.  Checking the sha256 of
an 11 MB artifact costs ~7 ms, so a hit checks the artifact's (size, inode,
ctime_ns) against the record instead: any write to the file changes its ctime,
which user code cannot set back.  When those differ the artifact is hashed in full,
and a mismatch is recompiled and rewritten.  Writes go to a temporary file and are
renamed into place, so concurrent writers never expose a partial file.
A directory that other users can write to is refused (see ``CacheRefused``).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import tempfile
import threading
import warnings
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

import wasmtime

LAYOUT = "v1"
WASMTIME_VERSION = version("wasmtime")


class CacheRefused(RuntimeWarning):
    """The compiled-code cache directory is unsafe or unusable; compiling without it."""


def default_directory() -> str:
    explicit = os.environ.get("WASMPORT_CACHE_DIR")
    if explicit:
        return os.path.abspath(explicit)
    if sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Caches")
    elif sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~/AppData/Local")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "wasmport")


def enabled() -> bool:
    return os.environ.get("WASMPORT_CACHE", "1").strip().lower() not in ("0", "false", "no", "off")


@dataclass(frozen=True)
class SourceStat:
    path: str
    mtime_ns: int
    size: int
    ino: int

    @classmethod
    def of(cls, path: str, st: os.stat_result) -> SourceStat:
        return cls(path, st.st_mtime_ns, st.st_size, st.st_ino)


class CodeCache:
    """One cache directory.  Every method degrades to "miss" on an OS error."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.root = os.path.join(directory, LAYOUT)
        self.refused: str | None = None
        self._checked = False
        self._lock = threading.Lock()

    # -- safety -----------------------------------------------------------------------------

    def usable(self) -> bool:
        with self._lock:
            if not self._checked:
                self._checked = True
                self.refused = _refusal(self.root)
                if self.refused:
                    warnings.warn(f"wasmport: not using the compiled-code cache: {self.refused}",
                                  CacheRefused, stacklevel=4)
            return self.refused is None

    # -- source stat -> digest --------------------------------------------------------------

    def _src_record(self, path: str) -> str:
        name = hashlib.sha256(path.encode("utf-8", "surrogatepass")).hexdigest()[:40]
        return os.path.join(self.root, "src", name + ".json")

    def known_digest(self, stat: SourceStat) -> str | None:
        record = _read_json(self._src_record(stat.path))
        if record is None or record.get("stat") != [stat.mtime_ns, stat.size, stat.ino]:
            return None
        if record.get("path") != stat.path:
            return None
        digest = record.get("digest")
        return digest if isinstance(digest, str) else None

    def remember_digest(self, stat: SourceStat, digest: str) -> None:
        if self.usable():
            _write_json(self._src_record(stat.path), {
                "path": stat.path, "stat": [stat.mtime_ns, stat.size, stat.ino],
                "digest": digest})

    # -- compiled code ---------------------------------------------------------------------

    def _code_paths(self, digest: str, engine_key: str) -> tuple[str, str]:
        key = hashlib.sha256(
            f"{digest}|{WASMTIME_VERSION}|{engine_key}|{platform.machine()}".encode()
        ).hexdigest()[:48]
        base = os.path.join(self.root, "code", key)
        return base + ".cwasm", base + ".json"

    def load(self, engine: wasmtime.Engine, engine_key: str,
             digest: str) -> wasmtime.Module | None:
        """The cached module, or None on a miss or any doubt about the artifact."""
        found = self.load_with_extra(engine, engine_key, digest)
        return None if found is None else found[0]

    def load_with_extra(self, engine: wasmtime.Engine, engine_key: str,
                        digest: str) -> tuple[wasmtime.Module, dict[str, Any]] | None:
        """The cached module and the ``extra`` stored with it, or None."""
        if not self.usable():
            return None
        artifact, meta_path = self._code_paths(digest, engine_key)
        meta = _read_json(meta_path)
        if meta is None or meta.get("wasmtime") != WASMTIME_VERSION or meta.get(
                "engine") != engine_key or meta.get("digest") != digest:
            return None
        try:
            st = os.stat(artifact)
        except OSError:
            return None
        if [st.st_size, st.st_ino, st.st_ctime_ns] != meta.get("stat"):
            if not _content_matches(artifact, meta):
                return None
            meta["stat"] = [st.st_size, st.st_ino, st.st_ctime_ns]
            _write_json(meta_path, meta)
        try:
            module = wasmtime.Module.deserialize_file(engine, artifact)
        except wasmtime.WasmtimeError:
            return None
        extra = meta.get("extra")
        return module, extra if isinstance(extra, dict) else {}

    def store(self, engine_key: str, digest: str, module: wasmtime.Module,
              extra: dict[str, Any] | None = None) -> None:
        if not self.usable():
            return
        artifact, meta_path = self._code_paths(digest, engine_key)
        data = bytes(module.serialize())
        if not _write_atomic(artifact, data):
            return
        try:
            st = os.stat(artifact)
        except OSError:
            return
        _write_json(meta_path, {
            "wasmtime": WASMTIME_VERSION, "engine": engine_key, "digest": digest,
            "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
            "stat": [st.st_size, st.st_ino, st.st_ctime_ns], "extra": extra or {}})

    # -- maintenance -----------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        entries, total = 0, 0
        code = os.path.join(self.root, "code")
        for name in _listdir(code):
            if name.endswith(".cwasm"):
                entries += 1
                total += _size(os.path.join(code, name))
        return {"directory": self.directory, "enabled": enabled(), "entries": entries,
                "bytes": total, "refused": _refusal(self.root) if os.path.isdir(self.root)
                else None, "wasmtime": WASMTIME_VERSION}

    def clear(self) -> int:
        """Remove every cached file; return how many were removed."""
        removed = 0
        for sub in ("code", "src"):
            folder = os.path.join(self.root, sub)
            for name in _listdir(folder):
                try:
                    os.unlink(os.path.join(folder, name))
                    removed += 1
                except OSError:
                    pass
        return removed


def _refusal(root: str) -> str | None:
    """Why this directory must not be used, or None when it is safe."""
    try:
        for sub in ("code", "src"):
            os.makedirs(os.path.join(root, sub), mode=0o700, exist_ok=True)
        probe = root
        while True:
            st = os.stat(probe)
            if hasattr(os, "getuid") and st.st_uid not in (os.getuid(), 0):
                return f"{probe} belongs to another user"
            if st.st_mode & 0o022 and not st.st_mode & 0o1000:
                return f"{probe} is writable by other users (mode {st.st_mode & 0o777:o})"
            parent = os.path.dirname(probe)
            if parent == probe or probe == os.path.dirname(os.path.abspath(root)):
                break
            probe = parent
        if not os.access(root, os.W_OK):
            return f"{root} is not writable"
    except OSError as err:
        return f"{root}: {err.strerror or err}"
    return None


def _content_matches(artifact: str, meta: dict[str, Any]) -> bool:
    try:
        with open(artifact, "rb") as f:
            data = f.read()
    except OSError:
        return False
    return len(data) == meta.get("size") and hashlib.sha256(data).hexdigest() == meta.get(
        "sha256")


def _write_atomic(path: str, data: bytes) -> bool:
    directory = os.path.dirname(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return False
    return True


def _write_json(path: str, value: dict[str, Any]) -> None:
    _write_atomic(path, json.dumps(value, sort_keys=True).encode())


def _read_json(path: str) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as f:
            value = json.loads(f.read())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


_caches: dict[str, CodeCache] = {}
_caches_lock = threading.Lock()


def current() -> CodeCache | None:
    """The cache the environment asks for now (None when WASMPORT_CACHE=0)."""
    if not enabled():
        return None
    directory = default_directory()
    with _caches_lock:
        cache = _caches.get(directory)
        if cache is None:
            cache = _caches[directory] = CodeCache(directory)
        return cache
