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

from .._engine import component as _capi
from .._errors import InstancePoisonedError, Trap
from ._boundary import failure
from ._resources import moved


class StorePoison:
    """The first failure of any component instance of one store."""

    __slots__ = ("cause", "owner", "states")

    def __init__(self) -> None:
        self.cause: BaseException | None = None
        self.owner: Any = None  # the InstanceState whose call failed (a weak reference)
        self.states: weakref.WeakSet[InstanceState] = weakref.WeakSet()


def store_poison(store: Any) -> StorePoison:
    """The store's record, kept on the store itself: a global table keyed by stores would
    keep them alive through the failure's traceback."""
    found: StorePoison | None = getattr(store, "_wasmport_component_poison", None)
    if found is None:
        found = StorePoison()
        store._wasmport_component_poison = found
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
        self.hosts: list[Any] = []  # what the linker's callbacks find by key (see _host)
        weakref.finalize(self, _free_handles, self.drops)
        # What the generated wrappers test, two attributes: ``gate`` counts the host
        # functions of this instance now running (only their own thread changes it);
        # ``alert`` is set while handles wait to be dropped or the store is poisoned
        # (the garbage collector sets it, from any thread: so it is a plain store, never
        # a read-modify-write that could lose an update of ``gate``).
        self.gate = 0
        self.alert = False
        #: Limits, set by the layer above: ``arm()`` before each outermost call (fuel,
        #: deadline), ``explain(exc, label)`` turns a trap at a limit into its error.
        self.guard: Any = None
        self.refused: BaseException | None = None  # see refuse()
        self.shared.states.add(self)
        self.refresh()

    @property
    def busy(self) -> int:
        return self.gate

    def refresh(self) -> None:
        self.alert = bool(self.drops) or self.shared.cause is not None \
            or self.guard is not None or self.refused is not None

    def refuse(self, error: BaseException) -> None:
        """Every call from now on raises ``error`` (the owner of the instance is gone)."""
        self.refused = error
        self.refresh()

    def queue_drop(self, ptr: int) -> None:
        """From the garbage collector: drop this handle before the next call."""
        self.drops.append(ptr)
        self.refresh()

    @property
    def poison(self) -> BaseException | None:
        """The failure that made this store's component instances unusable, if any."""
        return self.shared.cause

    def enter(self, label: str) -> None:
        """Before a call: refuse a poisoned instance, drop what the GC queued."""
        if self.refused is not None:
            raise self.refused
        cause = self.shared.cause
        if cause is not None:
            owner = self.shared.owner()
            whose = "an earlier call" if owner is self else \
                "a call of another component instance in the same store"
            raise InstancePoisonedError(
                f"{self.where}: {label}: this component instance cannot be entered again: "
                f"{whose} failed ({cause}); instantiate the component again, in a new store",
                instance=self.where, cause=cause)
        if self.guard is not None and not self.busy:
            self.guard.arm()  # before the drops: a guest destructor runs on this budget
        if self.drops and not self.busy:
            self.flush()
            self.refresh()

    def fail(self, error: int, label: str) -> BaseException:
        """The exception for a failed call; the store's instances are poisoned from now on."""
        exc = failure(error, f"{self.where}: {label}")
        if self.guard is not None:
            exc = self.guard.explain(exc, label)
        if self.shared.cause is None:
            self.shared.cause, self.shared.owner = exc, weakref.ref(self)
            for state in list(self.shared.states):
                state.refresh()
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


def _free_handles(drops: list[int]) -> None:
    """An instance gone with handles still queued: free their memory (the store, going
    too, takes the handles themselves)."""
    for ptr in drops:
        _capi.resource_any_delete(ptr)
    drops.clear()


class Cx:
    """One call's context: an arena for nested values, handles moved, things to free after.

    The arena is a bump allocator over 8-aligned ctypes chunks; when a call needs more
    than the current chunk holds, a bigger chunk replaces it (the old one stays alive
    until the call is over).  An export keeps its context and resets it per call.
    """

    __slots__ = ("keep", "chunks", "moved", "after", "borrowed_reps", "lent", "resources",
                 "state", "mv", "base", "cap", "used", "size")

    def __init__(self, state: InstanceState, size: int = 1024) -> None:
        self.keep: list[Any] = []        # objects the arguments point into (encoded strings)
        self.chunks: list[Any] = []
        self.moved: list[Any] = []       # guest handles passed as own<T>: the guest has them
        self.after: list[int] = []       # resource_any_t* made for this call only
        self.borrowed_reps: list[int] = []  # host objects lent for this call only
        self.lent: list[Any] = []        # borrow<T> handles valid during a host call only
        self.resources = state.resources
        self.state = state
        self.cap = 0
        self.used = 0
        self.size = size  # the first chunk is made when something needs it

    def _chunk(self, size: int) -> None:
        raw = (ctypes.c_uint64 * ((size + 7) // 8))()
        self.chunks.append(raw)
        self.mv = memoryview(raw).cast("B")
        self.base = ctypes.addressof(raw)
        self.cap = len(self.mv)
        self.used = 0

    def alloc(self, size: int) -> tuple[Any, int, int]:
        """``size`` bytes for this call: (memoryview, offset in it, address)."""
        off = self.used
        if off + size > self.cap or not self.cap:
            self._chunk(max(2 * self.cap, size, self.size))
            off = 0
        self.used = off + ((size + 7) & ~7)
        return self.mv, off, self.base + off

    def reset(self) -> None:
        """Ready for the next call, keeping the current chunk."""
        self.used = 0
        self.keep.clear()
        if len(self.chunks) > 1:
            del self.chunks[:-1]

    def finish(self) -> None:
        """After the engine call: moved handles are gone, temporary handles freed."""
        for handle in self.moved:
            moved(handle)
        self.abandon()

    def abandon(self) -> None:
        """Free what this call made; the engine has its own copies by now."""
        for ptr in self.after:
            _capi.resource_any_delete(ptr)
        for rep in self.borrowed_reps:
            self.resources.table.pop(rep, None)
        for handle in self.lent:
            moved(handle)
        self.after.clear()
        self.borrowed_reps.clear()
        self.lent.clear()
        self.moved.clear()

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
