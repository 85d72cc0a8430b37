"""Looking after the compiled-code cache: its entries, ``clear`` and ``prune``.

An entry is ``code/<key>.cwasm`` with its record ``code/<key>.json``.  Its last use is the
record's mtime: a hit refreshes it when it is more than an hour old (codecache.TOUCH_NS), so
a hit normally writes nothing, and the order does not depend on the file system's atime
(``noatime`` and ``relatime`` mounts hardly update it).  The artifact's own times are never
touched: its ctime is what proves it unchanged.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass

#: Temporary files older than this were left by a writer that died.
STALE_TMP_NS = 3600 * 10**9


@dataclass(frozen=True)
class Entry:
    key: str
    size: int  # artifact and record, in bytes
    last_use_ns: int
    files: tuple[str, ...]


@dataclass(frozen=True)
class Pruned:
    removed: int  # entries
    removed_bytes: int
    kept: int
    kept_bytes: int


def touch(record: str) -> None:
    """Mark an entry used now (its record's mtime)."""
    try:
        os.utime(record, follow_symlinks=False)
    except (OSError, NotImplementedError):
        pass


def size_of(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return -1


def entries(root: str) -> list[Entry]:
    """Every entry of the cache whose layout folder is ``root``."""
    code = os.path.join(root, "code")
    found = []
    for name in _listdir(code):
        if name.endswith(".cwasm") and not name.startswith("."):
            entry = _entry(code, name[: -len(".cwasm")])
            if entry is not None:
                found.append(entry)
    return found


def _entry(code: str, key: str) -> Entry | None:
    artifact, record = (os.path.join(code, key + ext) for ext in (".cwasm", ".json"))
    try:
        st = os.stat(artifact)
    except OSError:
        return None
    try:
        rst: os.stat_result | None = os.stat(record)
    except OSError:
        rst = None
    size = st.st_size + (rst.st_size if rst else 0)
    return Entry(key, size, (rst or st).st_mtime_ns, (artifact, record))


def clear(root: str) -> int:
    """Remove every file of the cache; how many were removed."""
    removed = 0
    for sub in ("code", "src"):
        folder = os.path.join(root, sub)
        removed += sum(_unlink(os.path.join(folder, name)) for name in _listdir(folder))
    return removed


def prune(root: str, max_bytes: int) -> Pruned:
    """Remove the least recently used entries until the rest hold at most ``max_bytes``;
    also records without an artifact, temporary files of dead writers and source records
    of files that are gone."""
    found = sorted(entries(root), key=lambda e: e.last_use_ns)
    total = sum(e.size for e in found)
    removed = removed_bytes = 0
    for entry in found:
        if total <= max_bytes:
            break
        for path in entry.files:
            _unlink(path)
        total -= entry.size
        removed, removed_bytes = removed + 1, removed_bytes + entry.size
    _remove_leftovers(root)
    return Pruned(removed, removed_bytes, len(found) - removed, total)


def _remove_leftovers(root: str) -> None:
    code, src = os.path.join(root, "code"), os.path.join(root, "src")
    names = set(_listdir(code))
    now = time.time_ns()
    for name in names:
        path = os.path.join(code, name)
        if name.endswith(".json") and name[: -len(".json")] + ".cwasm" not in names:
            _unlink(path)
        elif name.startswith(".tmp-") and _mtime(path) < now - STALE_TMP_NS:
            _unlink(path)
    for name in _listdir(src):
        path = os.path.join(src, name)
        if not os.path.exists(_source_of(path)):
            _unlink(path)


def _source_of(record: str) -> str:
    """The source file a source record describes ("" when it cannot be read)."""
    try:
        with open(record, "rb") as f:
            value = json.loads(f.read())
    except (OSError, ValueError, RecursionError):
        return ""
    path = value.get("path") if isinstance(value, dict) else None
    return path if isinstance(path, str) else ""


def _mtime(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return 0


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def _unlink(path: str) -> bool:
    try:
        os.unlink(path)
    except OSError:
        return False
    return True
