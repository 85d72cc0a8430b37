"""The on-disk compiled-code cache.

::

    $WASMPORT_CACHE_DIR (default: the user cache directory + /wasmport)   yours, 0700
    └── v1/                                                               yours, 0700
        ├── src/<hash of path>.json   source stat -> wasm digest, so a hit reads no source
        └── code/<key>.cwasm          the engine's serialized module: copied, never mapped
            code/<key>.json           its record: versions, sha256, size, stat; its mtime
                                      is the entry's last use (for ``cache prune``)
            code/<key>.lock           only while a process compiles <key> (cachelock.py)

    key = sha256(digest | wasmtime version | engine config | machine [| "component"])[:48]

Loading an artifact runs its machine code, and ``Module.deserialize*`` trusts its input, so:

- every directory and file on the way must be out of other users' reach (cachesafety.py);
  when one is not, a ``CacheRefused`` warning says which and the module compiles in memory;
- an artifact is used only through a record wasmport wrote for this content and engine.
  Hashing an 11 MB artifact costs ~7 ms, so a hit compares the artifact's (size, inode,
  ctime) with the record instead: any write changes the ctime, which no user can set back.
  "Racy" stats (a ctime within ``RACY_NS`` of the check, as git's index does) and
  ``WASMPORT_CACHE_VERIFY=1`` hash in full; a mismatch is recompiled and rewritten;
- the source check is the same: (mtime, size, inode, ctime), hashing on any doubt;
- the engine maps a private, sealed copy of the artifact (cachecopy.py), so changing the
  file in place cannot change the code of a process that loaded it;
- a record that does not parse, in any field, is a miss: recompiled and rewritten; a
  record's "kind" (module, component) must be the kind asked for.

Writes go to a temporary file renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import threading
import time
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, TypeVar

import wasmtime

from .._errors import CompileError
from . import cachemaint, progress
from .cachecopy import PrivateCopy, copy_artifact
from .cachelock import key_lock
from .cacherecords import (
    MODULE,
    WASMTIME_VERSION,
    CodeRecord,
    SourceStat,
    flag,
    source_digest,
    unsealed,
    verify_always,
    write_atomic,
    write_json,
)
from .cachesafety import Untrusted, directory_refusal, open_checked

__all__ = ["WASMTIME_VERSION", "CacheRefused", "CodeCache", "SourceStat", "current",
           "default_directory", "enabled"]
LAYOUT = "v1"
COMPILING = "compiling in memory instead"
#: A record larger than this is not read (it is damaged): a miss.
MAX_RECORD = 16 << 20
#: A hit refreshes its record's mtime (its last use) when older than this.
TOUCH_NS = 3600 * 10**9

T = TypeVar("T")
#: How code of another kind is made from a private copy: loader(engine, path or bytes).
Loader = Callable[[wasmtime.Engine, "str | bytes"], Any]


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
    return flag("WASMPORT_CACHE", True)


class CodeCache:
    """One cache directory.  Every method degrades to "miss" on an OS error."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.root = os.path.join(directory, LAYOUT)
        self.refused: str | None = None
        self._checked = False
        self._lock = threading.Lock()
        self._refused_files: set[str] = set()

    # -- safety -----------------------------------------------------------------------------

    def usable(self) -> bool:
        with self._lock:
            if not self._checked:
                self._checked = True
                self.refused = directory_refusal(self.directory, self.root)
                if self.refused:
                    warnings.warn(f"wasmport: not using the compiled-code cache: {self.refused}",
                                  CacheRefused, stacklevel=4)
            return self.refused is None

    def _refuse(self, path: str, err: Untrusted, where: str, instead: str) -> None:
        with self._lock:
            if path in self._refused_files:
                return
            self._refused_files.add(path)
        warnings.warn(f"wasmport: not using the compiled-code cache for {where or 'a module'}: "
                      f"{err}; {instead}", CacheRefused, stacklevel=4)

    def _read(self, path: str, where: str, instead: str = COMPILING
              ) -> tuple[dict[str, Any], os.stat_result] | None:
        """A record and its stat, or None: missing, malformed, or refused (with a warning)."""
        if path in self._refused_files:
            return None
        try:
            fd, st = open_checked(path)
        except Untrusted as err:
            self._refuse(path, err, where, instead)
            return None
        except OSError:
            return None
        with os.fdopen(fd, "rb") as f:
            if st.st_size > MAX_RECORD:
                return None
            try:
                value = json.loads(f.read())
            except (OSError, ValueError, RecursionError):  # RecursionError: [[[[...]]]]
                return None
        value = unsealed(value) if isinstance(value, dict) else None
        return None if value is None else (value, st)

    # -- source stat -> digest --------------------------------------------------------------

    def _src_record(self, path: str) -> str:
        name = hashlib.sha256(path.encode("utf-8", "surrogatepass")).hexdigest()[:40]
        return os.path.join(self.root, "src", name + ".json")

    def known_digest(self, source: SourceStat, where: str = "") -> str | None:
        """The digest of the source, when its record proves it unchanged; None: hash it."""
        if verify_always() or not self.usable():
            return None
        found = self._read(self._src_record(source.path), where or source.path,
                           "reading the source instead")
        if found is None:
            return None
        return source_digest(found[0], source)

    def remember_digest(self, source: SourceStat, digest: str) -> None:
        path = self._src_record(source.path)
        if self.usable() and path not in self._refused_files:
            write_json(path, source.record(digest))

    # -- compiled code ---------------------------------------------------------------------

    def _code_paths(self, digest: str, engine_key: str, kind: str = MODULE) -> tuple[str, str]:
        kinded = "" if kind == MODULE else f"|{kind}"  # module keys as before
        key = hashlib.sha256(
            f"{digest}|{WASMTIME_VERSION}|{engine_key}|{platform.machine()}{kinded}".encode()
        ).hexdigest()[:48]
        base = os.path.join(self.root, "code", key)
        return base + ".cwasm", base + ".json"

    def load(self, engine: wasmtime.Engine, engine_key: str,
             digest: str) -> wasmtime.Module | None:
        """The cached module, or None on a miss or any doubt about the artifact."""
        found = self.load_with_extra(engine, engine_key, digest, dict)
        return None if found is None else found[0]

    def load_with_extra(self, engine: wasmtime.Engine, engine_key: str, digest: str,
                        decode: Callable[[dict[str, Any]], T], where: str = "",
                        kind: str = MODULE, loader: Loader | None = None
                        ) -> tuple[Any, T] | None:
        """The cached module and ``decode(extra)`` of what was stored with it, or None.

        ``decode`` raising ValueError, TypeError, KeyError or AttributeError is a miss.
        Code of another ``kind`` than "module" (a component) is made by ``loader`` from
        the private copy's path or bytes (``PrivateCopy.source``).
        """
        if not self.usable():
            return None
        artifact, record_path = self._code_paths(digest, engine_key, kind)
        found = self._read(record_path, where)
        record = None if found is None else CodeRecord.parse(found[0], digest, engine_key,
                                                              kind)
        if record is None or found is None:
            return None
        try:
            decoded = decode(record.extra)
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
        module = self._deserialize(engine, artifact, record, where, loader)
        if module is None:
            return None
        if module[1] is not None:
            write_json(record_path, dict(found[0], **module[1]))
        elif found[1].st_mtime_ns < time.time_ns() - TOUCH_NS:
            cachemaint.touch(record_path)
        return module[0], decoded

    def _deserialize(self, engine: wasmtime.Engine, artifact: str, record: CodeRecord,
                     where: str, loader: Loader | None
                     ) -> tuple[Any, dict[str, Any] | None] | None:
        """The module, and the record fields to rewrite after a full check (or None)."""
        copied = self._private_copy(artifact, record, where)
        if copied is None:
            return None
        copy, st = copied
        try:
            fresh = None
            if not record.trusts(st):
                if copy.sha256() != record.sha256:
                    return None
                fresh = CodeRecord.refreshed(st)
            return (copy.deserialize(engine) if loader is None
                    else loader(engine, copy.source())), fresh
        except (OSError, ValueError, wasmtime.WasmtimeError, CompileError):
            return None
        finally:
            copy.close()

    def _private_copy(self, artifact: str, record: CodeRecord,
                      where: str) -> tuple[PrivateCopy, os.stat_result] | None:
        if artifact in self._refused_files:
            return None
        try:
            return copy_artifact(artifact, record.size)
        except Untrusted as err:
            self._refuse(artifact, err, where, COMPILING)
            return None

    def compiling(self, engine_key: str, digest: str, what: str,
                  kind: str = MODULE) -> AbstractContextManager[bool]:
        """Hold this key's inter-process lock (one compile per machine); yields whether a
        lock is held.  While another process holds it, shows ``what`` on a terminal."""
        if not self.usable():
            return nullcontext(False)
        artifact, _ = self._code_paths(digest, engine_key, kind)
        return key_lock(artifact[: -len(".cwasm")] + ".lock", _waiting_for(what))

    def has_code(self, engine_key: str, digest: str, kind: str = MODULE) -> bool:
        """Whether an entry for this content, engine and code kind is stored (not
        verified)."""
        artifact, record_path = self._code_paths(digest, engine_key, kind)
        found = self._read(record_path, "") if self.usable() else None
        record = None if found is None else CodeRecord.parse(found[0], digest, engine_key, kind)
        return record is not None and cachemaint.size_of(artifact) == record.size

    def store(self, engine_key: str, digest: str, module: Any,
              extra: dict[str, Any] | None = None, kind: str = MODULE) -> bool:
        """Write the module's artifact (``module.serialize()``: a component's too) and
        record; whether both were written."""
        if not self.usable():
            return False
        artifact, meta_path = self._code_paths(digest, engine_key, kind)
        if artifact in self._refused_files or meta_path in self._refused_files:
            return False
        data = bytes(module.serialize())
        st = write_atomic(artifact, data)
        if st is None:
            return False
        return write_json(meta_path, CodeRecord.new(engine_key, digest, data, st,
                                                    extra or {}, kind)) is not None

    # -- maintenance -----------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        found = cachemaint.entries(self.root)
        refused = directory_refusal(self.directory, self.root) if os.path.isdir(
            self.root) else None
        return {"directory": self.directory, "enabled": enabled(), "entries": len(found),
                "bytes": sum(e.size for e in found), "refused": refused,
                "wasmtime": WASMTIME_VERSION}

    def clear(self) -> int:
        """Remove every cached file; return how many were removed."""
        return cachemaint.clear(self.root)

    def prune(self, max_bytes: int) -> cachemaint.Pruned:
        """Remove the least recently used entries until the cache holds at most
        ``max_bytes``."""
        return cachemaint.prune(self.root, max_bytes)


def _waiting_for(what: str) -> Callable[[int | None], AbstractContextManager[None]]:
    def waiting(pid: int | None) -> AbstractContextManager[None]:
        holder = f"process {pid}" if pid else "another process"
        return progress.showing(f"waiting for {holder} to compile {what}")
    return waiting


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

