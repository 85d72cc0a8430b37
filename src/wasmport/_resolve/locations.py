"""Where module files are: directories (their listings cached, as importlib's FileFinder
caches them) and zip archives (zipapps, zipped packages), behind one string path.

A file inside an archive has the path zipimport gives it: ``/x/app.pyz/pkg/codec.wasm``,
the archive's path followed by the member's name.  ``invalidate_caches()`` forgets every
listing; a directory whose modification time changed is listed again anyway.
"""

from __future__ import annotations

import os
import stat
import threading
import zipfile
from collections.abc import Iterable

# directory -> (its st_mtime_ns, the names in it)
_listings: dict[str, tuple[int, frozenset[str]]] = {}
# archive -> (its st_mtime_ns and size, {inner directory: names}, {member: size})
_archives: dict[str, tuple[tuple[int, int], dict[str, frozenset[str]], dict[str, int]]] = {}
# path that is not a directory -> (archive, member) or None; kept until invalidate_caches,
# as the import system keeps a path entry it found no finder for.
_splits: dict[str, tuple[str, str] | None] = {}
_lock = threading.Lock()


def invalidate_caches() -> None:
    """Forget every directory listing, archive index and missing path."""
    with _lock:
        _listings.clear()
        _archives.clear()
        _splits.clear()


def find_in(directories: Iterable[str], leaf: str, suffixes: tuple[str, ...]) -> str | None:
    """The first ``leaf + suffix`` in ``directories`` (suffixes in order of preference)."""
    for directory in directories:
        if not directory:
            continue
        names = _names(directory)
        for suffix in suffixes:
            if leaf + suffix in names:
                return os.path.join(os.path.abspath(directory), leaf + suffix)
    return None


def _names(directory: str) -> frozenset[str]:
    try:
        st = os.stat(directory)
    except OSError:
        return _member_names(directory)  # inside an archive, or missing
    if stat.S_ISDIR(st.st_mode):
        return _listing(directory, st.st_mtime_ns)
    return _member_names(directory)  # the archive itself (a zipapp on sys.path)


def _listing(directory: str, mtime_ns: int) -> frozenset[str]:
    with _lock:
        cached = _listings.get(directory)
    if cached is not None and cached[0] == mtime_ns:
        return cached[1]
    try:
        names = frozenset(os.listdir(directory))
    except OSError:
        names = frozenset()
    with _lock:
        _listings[directory] = (mtime_ns, names)
    return names


def split_archive(path: str) -> tuple[str, str] | None:
    """(archive, member) when ``path`` points inside a zip archive, else None."""
    with _lock:
        if path in _splits:
            return _splits[path]
    found = _split(path)
    with _lock:
        _splits[path] = found
    return found


def _split(path: str) -> tuple[str, str] | None:
    head, tail = os.path.abspath(path), ""
    while head and head != os.path.dirname(head):
        if os.path.isfile(head):
            return (head, tail) if zipfile.is_zipfile(head) else None
        head, leaf = os.path.split(head)
        tail = f"{leaf}/{tail}" if tail else leaf
    return None


def _member_names(directory: str) -> frozenset[str]:
    found = split_archive(directory)
    if found is None:
        return frozenset()
    archive, inner = found
    return _index(archive)[0].get(inner.rstrip("/"), frozenset())


def _index(archive: str) -> tuple[dict[str, frozenset[str]], dict[str, int]]:
    st = os.stat(archive)
    key = (st.st_mtime_ns, st.st_size)
    with _lock:
        cached = _archives.get(archive)
    if cached is not None and cached[0] == key:
        return cached[1], cached[2]
    with zipfile.ZipFile(archive) as zf:
        sizes = {info.filename: info.file_size for info in zf.infolist() if not info.is_dir()}
    dirs: dict[str, set[str]] = {}
    for member in sizes:
        inner, _, name = member.rpartition("/")
        dirs.setdefault(inner, set()).add(name)
    frozen = {inner: frozenset(names) for inner, names in dirs.items()}
    with _lock:
        _archives[archive] = (key, frozen, sizes)
    return frozen, sizes


def is_file(path: str) -> bool:
    """Whether ``path`` is a regular file or a member of a zip archive."""
    if os.path.isfile(path):
        return True
    found = split_archive(path)
    return found is not None and found[1] in _index(found[0])[1]


def read_member(path: str) -> bytes:
    """The bytes of a file inside a zip archive; FileNotFoundError when there is none."""
    found = split_archive(path)
    if found is None or found[1] not in _index(found[0])[1]:
        raise FileNotFoundError(f"{path}: no such file")
    with zipfile.ZipFile(found[0]) as zf:
        return zf.read(found[1])


def archive_stat(path: str) -> tuple[int, int] | None:
    """The archive's (mtime_ns, size) for a path inside one, to tell its content changed."""
    found = split_archive(path)
    if found is None:
        return None
    st = os.stat(found[0])
    return st.st_mtime_ns, st.st_size
