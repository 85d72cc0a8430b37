"""Resource handles both ways, and the tables that track them per instance.

Guest resources (the component exports them) are Python classes made per instance;
an object holds a cloned ``resource_any_t*``::

    Counter(5)          calls [constructor]counter, adopts the owned handle
    c.get()             calls [method]counter.get with c lent (borrow)
    Counter.make(3)     calls [static]counter.make
    c.drop(), with c:   drops the handle now (the guest destructor runs)
    del c               queued, dropped before the instance's next call
    use after a drop    ResourceDroppedError; passing c where the WIT says own<counter>
                        moves it: c is unusable afterwards, as after a drop

Host resources (the component imports them, a Python class implements them) are
plain Python objects the engine knows by a ``rep``: an index into this instance's
table, kept until the guest drops its handle (the destructor callback) or hands
ownership back to Python.
"""

from __future__ import annotations

import ctypes
import itertools
import weakref
from typing import Any

from .._engine import component as _capi
from .._errors import ResourceDroppedError
from ._checked import Bad, show
from ._names import camel
from ._types import ResourceType

_host_type_ids = itertools.count(1)


def new_host_type_id() -> int:
    """A process-wide unique u32 tagging one host-implemented resource type."""
    return next(_host_type_ids) & 0xFFFFFFFF


class GuestResource:
    """Base of the classes made for a component's exported resources."""

    __slots__ = ("_wp_ptr", "_wp_final", "__weakref__")
    _wp_state: Any
    _wp_resource: ResourceType

    def _adopt(self, ptr: int, own: bool) -> None:
        self._wp_ptr = ptr
        self._wp_final = weakref.finalize(self, self._wp_state.queue_drop, ptr) if own \
            else None

    def _wp_handle(self) -> int:
        ptr = getattr(self, "_wp_ptr", 0)
        if not ptr:
            raise ResourceDroppedError(
                f"{self._wp_state.where}: this {type(self).__name__} handle was dropped "
                "(or moved into the component); make a new one", resource=self._wp_name())
        return ptr

    @classmethod
    def _wp_name(cls) -> str:
        return cls._wp_resource.name or cls.__name__

    def _moved(self) -> None:
        """The guest owns it now: free our memory only, never drop it."""
        ptr, self._wp_ptr = self._wp_ptr, 0
        if self._wp_final is not None:
            self._wp_final.detach()
        _capi.resource_any_delete(ptr)

    def drop(self) -> None:
        """Drop the handle now; the guest's destructor runs.  Dropping twice is allowed."""
        ptr = getattr(self, "_wp_ptr", 0)
        if not ptr:
            return
        self._wp_ptr = 0
        if self._wp_final is not None and self._wp_final.detach() is not None:
            self._wp_state.drop(ptr, f"dropping a {type(self).__name__}")
        else:
            _capi.resource_any_delete(ptr)

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.drop()

    def __repr__(self) -> str:
        alive = "dropped" if not getattr(self, "_wp_ptr", 0) else "live"
        return f"<{type(self).__name__} resource ({alive})>"


class OpaqueResource(GuestResource):
    """A handle of a resource no Python class stands for (a WASI stream, say)."""

    __slots__ = ()


class HostKind:
    """One resource type the host implements for one instance."""

    def __init__(self, node: ResourceType, impl: Any) -> None:
        self.node = node
        self.impl = impl
        self.type_id = new_host_type_id()


class Resources:
    """Per instance: guest resource classes, host resource kinds, the rep table."""

    def __init__(self) -> None:
        self.guest: dict[ResourceType, type[GuestResource]] = {}
        self.host: dict[ResourceType, HostKind] = {}
        self.table: dict[int, Any] = {}
        self._reps = itertools.count(1)
        self.state: Any = None

    def guest_class(self, node: ResourceType) -> type[GuestResource]:
        cls = self.guest.get(node)
        if cls is None:
            cls = type(camel(node.name or "resource"), (OpaqueResource,),
                       {"__slots__": (), "_wp_state": self.state, "_wp_resource": node})
            self.guest[node] = cls
        return cls

    # -- lowering: Python value -> resource_any_t* --------------------------------
    def lower(self, node: ResourceType, own: bool, value: Any, cx: Any) -> int:
        kind = self.host.get(node)
        if kind is not None:
            return self._lower_host(kind, own, value, cx)
        cls = self.guest_class(node)
        if not isinstance(value, cls):
            raise Bad(f"expected a {cls.__name__} of this instance, got {show(value)}")
        ptr = value._wp_handle()
        if own:
            cx.moved.append(value)
        return ptr

    def _lower_host(self, kind: HostKind, own: bool, value: Any, cx: Any) -> int:
        if isinstance(kind.impl, type) and not isinstance(value, kind.impl):
            raise Bad(f"expected a {kind.impl.__name__}, got {show(value)}")
        rep = next(self._reps) & 0xFFFFFFFF
        self.table[rep] = value
        if not own:
            cx.borrowed_reps.append(rep)
        host = _capi.resource_host_new(own, rep, kind.type_id)
        try:
            out = ctypes.c_size_t()
            error = _capi.resource_host_to_any(cx.state.ctx, host, ctypes.byref(out))
        finally:
            _capi.resource_host_delete(host)
        if error:
            raise cx.state.fail(error, f"lending a {kind.node.name}")
        cx.after.append(out.value)
        return out.value

    # -- lifting: resource_any_t* -> Python value ---------------------------------
    def lift(self, node: ResourceType, own: bool, ptr: int, cx: Any) -> Any:
        if node in self.host:
            return self._lift_host(own, ptr, cx)
        obj = self.guest_class(node).__new__(self.guest_class(node))
        obj._adopt(_capi.resource_any_clone(ptr), own)
        if not own:
            cx.lent.append(obj)
        return obj

    def _lift_host(self, own: bool, ptr: int, cx: Any) -> Any:
        out = ctypes.c_size_t()
        error = _capi.resource_any_to_host(cx.state.ctx, ptr, ctypes.byref(out))
        if error:
            raise cx.state.fail(error, "reading a host resource")
        try:
            rep = _capi.resource_host_rep(out.value)
        finally:
            _capi.resource_host_delete(out.value)
        return self.table.pop(rep) if own else self.table[rep]

    def destroyed(self, rep: int) -> None:
        """The guest dropped its handle of a host resource: forget the object."""
        self.table.pop(rep, None)


def moved(handle: GuestResource) -> None:
    """The engine took ``handle`` (moved into a call): it is gone here."""
    handle._moved()


def disown(handle: GuestResource) -> int:
    """Take the engine pointer out of ``handle``, which will then never drop it."""
    ptr, handle._wp_ptr = handle._wp_ptr, 0
    if handle._wp_final is not None:
        handle._wp_final.detach()
    return ptr
