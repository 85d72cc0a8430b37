"""What every call into one component instance shares: its store, its poisoned state,
the owned resource handles waiting to be dropped, and the per-call context.

Poisoning is wasmtime's: after a trap, or a host function's exception, inside a
component instance, wasmtime 50 refuses to enter *any* component instance of that
store again (``may_enter`` reads one flag per store; core instances in the store
keep working).  So the unit of confinement is the store: give each component
instance its own store and a failure stays inside that instance.  wasmport keeps
the first failure per store, so that the next call of any component instance there
says what happened and what to do (``InstancePoisonedError``) before reaching the
engine.  A value that wasmport's own checks reject never reaches the engine, so it
poisons nothing.

Owned handles collected by Python are not dropped from the garbage collector (it
may run while the instance is inside a call, where a guest destructor cannot be
entered): they are queued, and dropped before the instance's next call or when
``flush()`` runs.
"""

from __future__ import annotations

import ctypes
import weakref
from typing import Any

from .._errors import InstancePoisonedError, Trap
from . import _capi
from ._boundary import failure


class StorePoison:
    """The first failure of any component instance of one store."""

    __slots__ = ("cause", "owner")

    def __init__(self) -> None:
        self.cause: BaseException | None = None
        self.owner: Any = None  # the InstanceState whose call failed (a weak reference)


_poison_of: weakref.WeakKeyDictionary[Any, StorePoison] = weakref.WeakKeyDictionary()


def store_poison(store: Any) -> StorePoison:
    found = _poison_of.get(store)
    if found is None:
        found = _poison_of[store] = StorePoison()
    return found


class InstanceState:
    def __init__(self, where: str, store: Any, resources: Any) -> None:
        self.where = where
        self.store = store
        self.ctx = _capi.context_address(store)
        self.ctx_arg = ctypes.c_void_p(self.ctx)
        self.shared = store_poison(store)
        self.drops: list[int] = []  # owned resource_any_t* addresses to drop
        self.resources = resources
        self.busy = 0  # calls of this instance now on the stack

    @property
    def poison(self) -> BaseException | None:
        """The failure that made this store's component instances unusable, if any."""
        return self.shared.cause

    def enter(self, label: str) -> None:
        """Before a call: refuse a poisoned instance, drop what the GC queued."""
        cause = self.shared.cause
        if cause is not None:
            owner = self.shared.owner()
            whose = "an earlier call" if owner is self else \
                "a call of another component instance in the same store"
            raise InstancePoisonedError(
                f"{self.where}: {label}: this component instance cannot be entered again: "
                f"{whose} failed ({cause}); instantiate the component again, in a new store",
                instance=self.where, cause=cause)
        if self.drops and not self.busy:
            self.flush()

    def fail(self, error: int, label: str) -> BaseException:
        """The exception for a failed call; the store's instances are poisoned from now on."""
        exc = failure(error, f"{self.where}: {label}")
        if self.shared.cause is None:
            self.shared.cause, self.shared.owner = exc, weakref.ref(self)
        return exc

    def flush(self) -> None:
        """Drop the owned handles Python collected (guest destructors may run)."""
        while self.drops:
            ptr = self.drops.pop()
            self.drop(ptr, "a collected handle")

    def drop(self, ptr: int, label: str) -> None:
        """Drop and free one owned ``resource_any_t*``; a trap poisons as a call would."""
        try:
            if self.poison is None:
                error = _capi.resource_any_drop(self.ctx, ptr)
                if error:
                    raise self.fail(error, label)
        finally:
            _capi.resource_any_delete(ptr)


class Cx:
    """One call's context: buffers to keep alive, handles moved, things to free after."""

    __slots__ = ("keep", "moved", "after", "borrowed_reps", "lent", "resources", "state")

    def __init__(self, state: InstanceState) -> None:
        self.keep: list[Any] = []
        self.moved: list[Any] = []       # guest handles passed as own<T>: the guest has them
        self.after: list[int] = []       # resource_any_t* made for this call only
        self.borrowed_reps: list[int] = []  # host objects lent for this call only
        self.lent: list[Any] = []        # borrow<T> handles valid during a host call only
        self.resources = state.resources
        self.state = state

    def finish(self) -> None:
        """After the engine call: moved handles are gone, temporary handles freed."""
        for handle in self.moved:
            handle._moved()
        self.abandon()

    def abandon(self) -> None:
        """Free what this call made; the engine has its own copies by now."""
        for ptr in self.after:
            _capi.resource_any_delete(ptr)
        for rep in self.borrowed_reps:
            self.resources.table.pop(rep, None)
        for handle in self.lent:
            handle._moved()
        self.after.clear()
        self.keep.clear()

    def unwind(self) -> None:
        """Lowering failed before the engine was called: undo the handles made so far."""
        for ptr in self.after:
            error = _capi.resource_any_drop(self.state.ctx, ptr)
            if error:
                _capi.error_delete(error)
        self.abandon()


def reentered(where: str) -> Trap:
    """The error for a call into an instance that is itself calling out to Python."""
    return Trap(f"{where}: cannot enter this component instance while it is calling out "
                "to Python: a component instance is not reentrant; call another instance, "
                "or call after the current call returns")
