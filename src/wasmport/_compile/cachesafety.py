"""Which directories and files the compiled-code cache may trust, checked as ssh checks ~/.ssh.

Loading an artifact runs its machine code, so every directory and file on the way to it must
be out of other users' reach: owned by this user (or root) and writable by nobody else.

    ancestors of the cache    owned by you or root; writable by others only if sticky (/tmp)
    the cache, v1/, code/,    owned by you or root; writable by nobody else, sticky or not
      src/
    each artifact, record     a regular file owned by you or root, writable by nobody else

A file is checked on the descriptor it is then read from (``fstat``), so what was checked is
what is read, even if the name is replaced in between.
"""

from __future__ import annotations

import functools
import os
import stat

#: The cache's own directories, below its root; created private (0700) when missing.
SUBDIRECTORIES = ("code", "src")


class Untrusted(Exception):
    """A file or directory of the cache is within another user's reach; the message says why
    and what to do."""


def _uid() -> int | None:
    return os.getuid() if hasattr(os, "getuid") else None


def _owner_problem(path: str, st: os.stat_result) -> str | None:
    uid = _uid()
    if uid is None or st.st_uid in (uid, 0):
        return None
    return f"{path} belongs to uid {st.st_uid}, not to you (uid {uid})"


def _mode_problem(path: str, st: os.stat_result, *, sticky_ok: bool) -> str | None:
    writable = st.st_mode & 0o002 or (st.st_mode & 0o020 and not _private_group(st))
    if not writable or (sticky_ok and st.st_mode & stat.S_ISVTX):
        return None
    return f"{path} is writable by other users (mode {stat.S_IMODE(st.st_mode):o})"


@functools.lru_cache(maxsize=64)
def _group_members(gid: int, uid: int) -> bool:
    try:
        import grp
        import pwd
    except ImportError:
        return False
    try:
        owner, group = pwd.getpwuid(uid), grp.getgrgid(gid)
    except KeyError:
        return False
    return owner.pw_gid == gid and set(group.gr_mem) <= {owner.pw_name}


def _private_group(st: os.stat_result) -> bool:
    """Whether the group of ``st`` is its owner's own (a "user private group", the default
    on Debian and Ubuntu, where a umask of 002 makes folders group-writable): its primary
    group, with no other member.  Debian's ssh accepts those too."""
    return _group_members(st.st_gid, st.st_uid)


def check_file(path: str, st: os.stat_result) -> None:
    """Raise Untrusted unless ``st`` (of the open file ``path``) is a private regular file."""
    if not stat.S_ISREG(st.st_mode):
        raise Untrusted(f"{path} is not a regular file; remove it (wasmport cache clear)")
    problem = _owner_problem(path, st) or _mode_problem(path, st, sticky_ok=False)
    if problem:
        raise Untrusted(f"{problem}; remove it (wasmport cache clear)")


def open_checked(path: str) -> tuple[int, os.stat_result]:
    """Open a cache file for reading, never through a symlink, and check it.

    Raises OSError when it cannot be opened (a miss) and Untrusted when it must not be used.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        check_file(path, st)
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def directory_refusal(directory: str, root: str) -> str | None:
    """Why the cache at ``directory`` (layout folder ``root``) must not be used, or None.

    Creates the cache's own directories (0700) when they are missing.
    """
    try:
        _create(directory, root)
        real = os.path.realpath(directory)  # a symlinked cache is judged where it leads
        own = [real] + [os.path.join(real, os.path.relpath(p, directory)) for p in
                        [root] + [os.path.join(root, sub) for sub in SUBDIRECTORIES]]
        for path in own:
            problem = _directory_problem(path, sticky_ok=False)
            if problem:
                return problem
        for path in _ancestors(real):
            problem = _directory_problem(path, sticky_ok=True)
            if problem:
                return problem
        if not os.access(root, os.W_OK):
            return f"{root} is not writable; set WASMPORT_CACHE_DIR to a directory of your own"
    except OSError as err:
        return f"{err.filename or directory}: {err.strerror or err}"
    return None


def _create(directory: str, root: str) -> None:
    """Make whatever is missing private (0700, whatever the umask), parents included: a
    new ``~/.cache`` made world-writable by a umask of 0 would refuse the cache for good."""
    missing, path = [], directory
    while path and not os.path.isdir(path) and os.path.dirname(path) != path:
        missing.append(path)
        path = os.path.dirname(path)
    mine = [root] + [os.path.join(root, sub) for sub in SUBDIRECTORIES]
    for path in [*reversed(missing), *mine]:
        try:
            os.mkdir(path, 0o700)
            os.chmod(path, 0o700)  # mkdir masks the mode with the umask, which may take ours
        except FileExistsError:
            pass


def _directory_problem(path: str, *, sticky_ok: bool) -> str | None:
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        return f"{path} is a symbolic link; remove it (the cache makes its own folders)"
    if not stat.S_ISDIR(st.st_mode):
        return f"{path} is not a directory"
    problem = _owner_problem(path, st) or _mode_problem(path, st, sticky_ok=sticky_ok)
    if problem is None:
        return None
    remedy = ("make it private (chmod 700)" if not sticky_ok else
              "use a cache directory below private directories only")
    return f"{problem}; {remedy} or set WASMPORT_CACHE_DIR to a directory of your own"


def _ancestors(directory: str) -> list[str]:
    found = []
    path = os.path.dirname(directory)
    while True:
        found.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            return found
        path = parent
