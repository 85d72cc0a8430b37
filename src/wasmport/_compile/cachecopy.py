"""A private copy of a cached artifact, so the code a process runs can never change under it.

``Module.deserialize_file`` maps the file it is given and runs code straight from those pages:
a write to the file (a truncation, a careless ``cp`` over it) changes or removes the code of
every process that loaded it, which is SIGBUS, SIGSEGV or another module's code.  So each
load copies the artifact first, and the engine maps the copy:

    Linux       a memfd, sealed against writes and resizing (by anyone), mapped by the engine
    elsewhere   the bytes read into memory, which ``Module.deserialize`` copies again

docs/cache.md has what each way costs.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import sys

import wasmtime

from .cachesafety import open_checked

if sys.platform == "linux":
    import fcntl

    _SEALS = fcntl.F_SEAL_SEAL | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE
_PROC_FD = "/proc/self/fd"


class PrivateCopy:
    """The bytes of one artifact, held where no other process can change them."""

    def __init__(self, fd: int, size: int) -> None:
        self.size = size
        self._memfd: int | None = None
        self._data = b""
        if _memfd_usable():
            try:
                self._memfd = _copy_to_memfd(fd, size)
                return
            except OSError:
                pass  # no memfd here (a sandbox, an old kernel): keep the bytes instead
        self._data = _read_exactly(fd, size)

    def sha256(self) -> str:
        if self._memfd is None:
            return hashlib.sha256(self._data).hexdigest()
        with mmap.mmap(self._memfd, self.size, prot=mmap.PROT_READ) as view:
            return hashlib.sha256(view).hexdigest()

    def deserialize(self, engine: wasmtime.Engine) -> wasmtime.Module:
        """The module (raises WasmtimeError when the engine refuses the bytes)."""
        if self._memfd is None:
            return wasmtime.Module.deserialize(engine, self._data)
        return wasmtime.Module.deserialize_file(engine, f"{_PROC_FD}/{self._memfd}")

    def source(self) -> str | bytes:
        """What a deserializer of another code kind reads: the sealed copy's path (the
        engine maps it), or the bytes where there is no memfd."""
        return self._data if self._memfd is None else f"{_PROC_FD}/{self._memfd}"

    def close(self) -> None:
        """Drop this copy (a module made from it keeps its own mapping)."""
        if self._memfd is not None:
            os.close(self._memfd)
            self._memfd = None
        self._data = b""


def copy_artifact(path: str, size: int) -> tuple[PrivateCopy, os.stat_result] | None:
    """A private copy of the artifact at ``path`` and its stat, or None: missing, not of
    the ``size`` its record says, or written to while it was copied.  Raises Untrusted
    (cachesafety) when the file must not be used."""
    try:
        fd, st = open_checked(path)
    except OSError:
        return None
    try:
        if st.st_size != size:
            return None
        copy = PrivateCopy(fd, size)
        after = os.fstat(fd)
    except OSError:
        return None
    finally:
        os.close(fd)
    if (after.st_size, after.st_ctime_ns) != (st.st_size, st.st_ctime_ns):
        copy.close()
        return None
    return copy, st


def _memfd_usable() -> bool:
    return sys.platform == "linux" and os.path.isdir(_PROC_FD)


def _copy_to_memfd(fd: int, size: int) -> int:
    memfd = os.memfd_create("wasmport-artifact", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    try:
        offset = 0
        while offset < size:
            sent = os.sendfile(memfd, fd, offset, size - offset)
            if sent == 0:
                raise OSError("the artifact shrank while it was copied")
            offset += sent
        fcntl.fcntl(memfd, fcntl.F_ADD_SEALS, _SEALS)
    except BaseException:
        os.close(memfd)
        raise
    return memfd


def _read_exactly(fd: int, size: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    parts, got = [], 0
    while got < size:
        chunk = os.read(fd, size - got)
        if not chunk:
            raise OSError("the artifact shrank while it was read")
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)
