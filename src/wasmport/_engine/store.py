"""The store side of a realm: what values, links and calls need of it.

A realm (the top layer) owns one :class:`StoreContext`; everything below the realm
-- instances, functions, memories, globals, tables, host functions -- holds this
context, never the realm, so the lower layers never import the upper ones::

    Realm ──owns──> StoreContext ──owns──> wasmtime.Store
      ^                 │ name, engine record, guard (limits), entry lock, gate
      └─── owner ───────┘   (for Instance.realm and messages only)
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import wasmtime

from .._errors import RealmClosedError
from . import interrupt
from .calls import new_lock
from .capi import context_address
from .config import EngineConfig, engine_record
from .limits import Guard, Limits


class StoreContext:
    """One store, and how threads enter it.

    ``gate[0]`` opens (for good) once Python code can run inside a call, i.e. when the
    store gets its first Python host function: from then on calls hold ``entry_lock``
    so that threads take turns in the store.  ``guard`` applies limits around every
    entry into wasm and is set when the realm has limits or WASI, which also marks
    calls that must release the GIL.
    """

    def __init__(self, name: str, *, owner: Any, limits: Limits | None = None,
                 guarded: bool = False, release_gil: bool = False,
                 features: frozenset[str] = frozenset()) -> None:
        self.name = name
        config = limits.engine_config() if limits is not None else EngineConfig()
        self.engine_config = replace(config, features=features)
        self.record = engine_record(self.engine_config)
        self.engine = self.record.engine
        self.release_gil = release_gil
        self._store: wasmtime.Store | None = wasmtime.Store(self.engine)
        self._address = context_address(self._store)
        timer = interrupt.watch(self._store)  # Ctrl-C and timeouts (interrupt.py)
        self.guard = (Guard(self._store, self.record, limits or Limits(), name, timer)
                      if guarded or limits is not None else None)
        self.entry_lock = new_lock()
        self.gate = [False]
        self.exiting = False
        self.closing = False  # set by begin_close(): value accesses refuse from then on
        self.values: Any = None  # the value conversions of the layer above (made on first use)
        self._owner = weakref.ref(owner)
        self._held: Any = None  # see hold_owner()
        _contexts[owner] = weakref.ref(self)  # a value holding its key would never go

    @property
    def store(self) -> wasmtime.Store:
        """The engine's store; RealmClosedError once the realm is closed."""
        store = self._store
        if store is None:
            raise RealmClosedError(f"realm {self.name!r} is closed")
        return store

    @property
    def address(self) -> int:
        """The store's ``wasmtime_context_t*`` (for raw engine calls); RealmClosedError
        once the realm is closed."""
        if self._store is None:
            raise RealmClosedError(f"realm {self.name!r} is closed")
        return self._address

    @property
    def closed(self) -> bool:
        return self._store is None

    @property
    def owner(self) -> Any:
        """The realm that owns this store (None once it is gone)."""
        return self._owner()

    def hold_owner(self) -> None:
        """Keep the owner alive as long as this context: a child realm lives while any of
        its values does, and is collected (its store freed) with the last of them."""
        self._held = self._owner()

    def open_gate(self) -> None:
        """Python code now runs inside calls into this store: threads take turns."""
        self.gate[0] = True

    def in_call(self) -> bool:
        """Whether this thread is inside a call into the store (holds the entry lock)."""
        return bool(self.entry_lock._is_owned())

    def __enter__(self) -> wasmtime.Store:
        """``with ctx as store:`` holds the entry lock around an access to a value of the
        store (a memory copy, a global or table access), the lock :meth:`close` takes:
        the store cannot be freed under it.  RealmClosedError once it is closed."""
        if self.closing:  # refuse at once: threads taking turns would starve close()
            raise RealmClosedError(f"realm {self.name!r} is closed")
        self.entry_lock.acquire()
        store = self._store
        if store is None:
            self.entry_lock.release()
            raise RealmClosedError(f"realm {self.name!r} is closed")
        return store

    def __exit__(self, *exc: object) -> None:
        self.entry_lock.release()

    def begin_close(self) -> None:
        """A close is under way: value accesses raise RealmClosedError instead of queueing
        for the entry lock (at exit they keep waiting, see _realm/default.py)."""
        if not self.exiting:
            self.closing = True

    def close(self) -> None:
        """Free the store now; values of it then raise RealmClosedError.  The store is
        marked dead before the engine frees it, so that a check made meanwhile (the
        native window's, with the GIL released by the free) sees it closed."""
        store, self._store, self.guard = self._store, None, None
        if store is not None:
            store._Store__context = None  # type: ignore[attr-defined]
            store.close()

    def __repr__(self) -> str:
        return f"<store context {self.name!r}{' (closed)' if self.closed else ''}>"


_contexts: weakref.WeakKeyDictionary[Any, weakref.ref[StoreContext]] = \
    weakref.WeakKeyDictionary()
_default_owner: list[Callable[[], Any]] = []


def set_default_owner(factory: Callable[[], Any]) -> None:
    """Called once by the realm layer: how to get the default realm."""
    _default_owner[:] = [factory]


def context_for(owner: Any) -> StoreContext:
    """The store context of a realm given by a user (None: the default realm)."""
    if owner is None:
        owner = _default_owner[0]()
    found = _contexts.get(owner) if owner is not None else None
    context = found() if found is not None else None
    if context is None:
        raise TypeError(f"realm= takes a wasmport.Realm, not {type(owner).__name__}")
    return context
