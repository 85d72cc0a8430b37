"""The default realm: the one the import hook and ``wasmport.load`` use, created on first
use, closed cleanly at interpreter exit, and made afresh in a forked child."""

from __future__ import annotations

import atexit
import os
import threading

from .._engine.store import set_default_owner
from .realm import Realm, context_of_realm, forget_modules

_default: Realm | None = None
_default_lock = threading.Lock()


def default_realm() -> Realm:
    """The realm the import hook and ``wasmport.load`` use; created on first use and
    closed cleanly at interpreter exit."""
    global _default
    with _default_lock:
        if _default is None or _default.closed:
            _default = Realm(name="default")
            atexit.register(_shutdown_default)
        return _default


set_default_owner(default_realm)


def _after_fork_in_child() -> None:
    global _default_lock
    _default_lock = threading.Lock()  # one another thread held at fork() stays held


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def realm_or_default(realm: Realm | None) -> Realm:
    return default_realm() if realm is None else realm


def _shutdown_default() -> None:
    """At exit: close the default realm while no thread is inside it, and keep it that
    way.  Only daemon threads are left at this point (threading joins the others before
    atexit runs); one still calling into the realm waits on the entry lock until the
    process ends, instead of failing with RealmClosedError on its way out.  If a daemon
    thread stays inside a call (a blocking host function, a long computation), the store
    is left to the process's end rather than freed under it, and exit does not wait."""
    realm = _default
    if realm is None or realm.closed:
        return
    ctx = context_of_realm(realm)
    ctx.exiting = True
    if ctx.entry_lock.acquire(timeout=_EXIT_WAIT):  # never released: the process ends
        realm.close()
    else:
        forget_modules(realm)


_EXIT_WAIT = 0.5  # seconds to wait at exit for a daemon thread's call to return


