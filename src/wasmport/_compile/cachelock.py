"""One compile per machine: an inter-process lock per compiled-code cache key.

A process that misses the cache takes ``code/<key>.lock`` (``flock``, exclusive), then looks
in the cache again before compiling: processes that start cold together compile once, and
the others wait and load what the first one stored.  The kernel releases a flock when its
holder exits, however it exits, so a crashed compiler never blocks the others.

The holder writes its pid into the file (for the waiters' progress line) and removes the file
before releasing it, so no lock files pile up.  A waiter that then gets the lock on the
removed file sees that its inode is no longer the path's, and locks the path afresh.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

if sys.platform != "win32":
    import fcntl

#: Shown while waiting: called with the holder's pid (None when unknown).
Waiting = Callable[[int | None], AbstractContextManager[None]]

#: Lock descriptors held now: a child forked meanwhile closes its copies, so that the lock
#: ends with the holder's release and not with a long-lived child's exit.
_held: set[int] = set()

_FLAGS = (os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
_RETRIES = 100  # the path can only be replaced under a waiter so often


@contextmanager
def key_lock(path: str, waiting: Waiting) -> Iterator[bool]:
    """Hold the lock at ``path``; yields False when no lock could be had (no flock here,
    a read-only directory): the caller then goes on without one."""
    fd = _acquire(path, waiting) if sys.platform != "win32" else None
    try:
        yield fd is not None
    finally:
        if fd is not None:
            _release(fd, path)


def _acquire(path: str, waiting: Waiting) -> int | None:
    for _ in range(_RETRIES):
        try:
            fd = os.open(path, _FLAGS, 0o600)
        except OSError:
            return None
        try:
            _lock(fd, waiting)
            if _still_at(fd, path):
                os.ftruncate(fd, 0)
                os.pwrite(fd, str(os.getpid()).encode(), 0)
                _held.add(fd)
                return fd
        except OSError:
            os.close(fd)
            return None
        except BaseException:  # Ctrl-C while waiting
            os.close(fd)
            raise
        os.close(fd)
    return None


def _lock(fd: int, waiting: Waiting) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        with waiting(_holder(fd)):
            fcntl.flock(fd, fcntl.LOCK_EX)  # interruptible: signals are handled (PEP 475)


def _still_at(fd: int, path: str) -> bool:
    mine = os.fstat(fd)
    try:
        now = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return (mine.st_dev, mine.st_ino) == (now.st_dev, now.st_ino)


def _holder(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0)
    except OSError:
        return None
    return int(text) if text.strip().isdigit() else None


def _release(fd: int, path: str) -> None:
    try:
        os.unlink(path)  # before unlocking: a waiter on this inode will look again
    except OSError:
        pass
    _held.discard(fd)
    os.close(fd)


def _close_inherited() -> None:
    for fd in list(_held):
        try:
            os.close(fd)
        except OSError:
            pass
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited)
