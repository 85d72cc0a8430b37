"""Instantiating a component in a realm: one store per instance, the realm's WASI and
limits applied to it, its imports resolved the realm's way (``_link/components.py``).

wasmtime poisons every component instance of a store after a trap or a host
exception in one of them, so each instance gets a store of its own (of the realm's
engine): a failure stays inside its instance, and the realm's core modules and other
component instances keep working.  The realm's WASI configuration becomes a new
engine WASI context for each store (its output sinks shared with the realm); WASI
output and timeouts need calls that release the GIL, so those instances release it.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import wasmtime

from .._component import ComponentInstance
from .._component import instantiate as instantiate_component
from .._engine import interrupt
from .._engine.limits import Limits, arm_deadline, limit_error, set_store_limits
from .._engine.store import StoreContext
from .._errors import RealmClosedError, ResourceLimitError, Trap
from .._link.components import resolve_component_imports
from .._link.policy import LinkPolicy, Load
from .._wasi.context import WasiContext
from .component import Component, ComponentModule, code_of, fill_component

#: The states of each realm's live component instances (a state outlives its instance
#: object while a resource of the instance is held).
_live: weakref.WeakKeyDictionary[StoreContext, weakref.WeakSet[Any]] = \
    weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class ComponentSettings:
    """What a realm gives each component instance it makes."""

    ctx: StoreContext
    policy: LinkPolicy
    load: Load
    wasi: WasiContext | None
    limits: Limits | None
    release_gil: bool


def instantiate(settings: ComponentSettings, component: Component,
                explicit: Mapping[str, Any], namespace: ComponentModule | None = None
                ) -> ComponentModule:
    """A new instance-phase module of ``component``.  Raises LinkError, Trap,
    ResourceLimitError (``max_instances``; fuel or time while starting)."""
    code, where = code_of(component), component.where
    impls = resolve_component_imports(settings.policy, settings.load, code.imports, explicit,
                                      where, settings.wasi is not None, _dir(component))
    live = _live.setdefault(settings.ctx, weakref.WeakSet())
    _check_count(settings.limits, live, where, settings.ctx.name)
    inst = _new_instance(settings, code, impls, where)
    live.add(inst.state)
    module = namespace if namespace is not None else ComponentModule(component.name,
                                                                     component.path)
    fill_component(module, inst, component)
    return module


def _new_instance(settings: ComponentSettings, code: Any, impls: Mapping[str, Any],
                  where: str) -> ComponentInstance:
    """The instance, in a store of its own with the realm's WASI and limits."""
    store = wasmtime.Store(settings.ctx.engine)
    timer = interrupt.watch(store)  # every engine checks epochs: Ctrl-C and timeouts
    limits, wasi = settings.limits, settings.wasi
    guard = None if limits is None else ComponentGuard(store, settings.ctx, limits, where,
                                                       timer)
    try:
        inst = instantiate_component(
            store, code, impls, wasi=None if wasi is None else wasi.engine_config(),
            wasi_http=wasi is not None and wasi.config.http, where=where,
            release_gil=_releases_gil(settings))
    except BaseException as err:
        if guard is None:
            raise
        guard.abandon()
        raise guard.explain(err, "instantiation") from err.__cause__
    if guard is not None:
        guard.attach(inst)
    return inst


def _releases_gil(settings: ComponentSettings) -> bool:
    """WASI output runs on engine threads and the epoch ticker on its own: both need
    calls that let go of the GIL."""
    limits = settings.limits
    return settings.release_gil or settings.wasi is not None or (
        limits is not None and limits.timeout is not None)


def close_components(ctx: StoreContext) -> None:
    """The realm closes: its component instances refuse every call from now on (each
    keeps its own store until it is collected; freeing it under live wrappers would be a
    use-after-free)."""
    for state in list(_live.pop(ctx, ())):
        state.refuse(RealmClosedError(
            f"{state.where}: realm {ctx.name!r} is closed; its component instances "
            "cannot be called; load the component again in an open realm"))


def _dir(component: Component) -> str | None:
    return os.path.dirname(component.path) if component.path else None


def _check_count(limits: Limits | None, live: weakref.WeakSet[Any], where: str,
                 realm: str) -> None:
    cap = None if limits is None else limits.max_instances
    if cap is not None and len(live) >= cap:
        raise ResourceLimitError(
            f"{where}: instantiation refused: the realm holds {len(live)} component "
            f"instances: limit max_instances={cap!r} of realm {realm!r} exceeded; raise it "
            "with Limits(max_instances=...) on the realm, load or run, or drop instances",
            limit="max_instances", value=cap)


class ComponentGuard:
    """A realm's limits on one component instance's store: memory and table sizes by
    the store's limiter, fuel and a deadline armed before every outermost call (the
    component layer calls ``arm``), traps at a limit explained as ResourceLimitError."""

    def __init__(self, store: wasmtime.Store, ctx: StoreContext, limits: Limits,
                 where: str, timer: int | None) -> None:
        self.limits, self.store, self.where, self.realm = limits, store, where, ctx.name
        self.timer = timer  # the store's timer in the epoch callback (interrupt.py)
        set_store_limits(store, limits)
        self.ticker = ctx.record.ticker() if limits.timeout is not None else None
        if self.ticker is not None:  # ticking while the instance lives (no exit hook)
            self.ticker.acquire()
        self.arm()  # for the start functions

    def attach(self, instance: ComponentInstance) -> None:
        instance.state.guard = self
        instance.state.refresh()
        if self.ticker is not None:
            weakref.finalize(instance, self.ticker.release)

    def abandon(self) -> None:
        """The instantiation failed: stop ticking for it."""
        if self.ticker is not None:
            self.ticker.release()

    def arm(self) -> None:
        if self.limits.fuel is not None:
            self.store.set_fuel(self.limits.fuel)
        if self.ticker is not None:
            arm_deadline(self.store, self.timer, self.limits.timeout or 0)

    def explain(self, exc: BaseException, label: str) -> BaseException:
        if not isinstance(exc, Trap) or isinstance(exc, ResourceLimitError):
            return exc
        if self.limits.max_memory is not None and _memory_trap(exc):
            return self._error(exc, label, "max_memory", f"wasm trapped ({exc}) in a store "
                               "whose memories may not grow past the limit: a refused "
                               "memory.grow (the guest's allocator failing) is the likely "
                               "cause", exc.code)
        for code, limit, fact in ((wasmtime.TrapCode.OUT_OF_FUEL, "fuel",
                                   "the call used all its fuel"),
                                  (wasmtime.TrapCode.INTERRUPT, "timeout",
                                   "the call ran out of time")):
            timed_out = limit == "timeout" and exc.__cause__ is not None and \
                interrupt.is_timeout(exc.__cause__)
            if (exc.code == code or timed_out) and getattr(self.limits, limit) is not None:
                return self._error(exc, label, limit, fact, code)
        return exc

    def _error(self, exc: Trap, label: str, limit: str, fact: str,
               code: Any) -> ResourceLimitError:
        err = limit_error(self.limits, self.realm, f"{self.where}: {label}", limit, fact, code)
        err.__cause__ = exc
        return err


def _memory_trap(exc: Trap) -> bool:
    """A trap a refused memory.grow leads to: an access out of bounds, or a realloc whose
    result lies beyond the end of memory (the canonical ABI's check)."""
    return exc.code == wasmtime.TrapCode.MEMORY_OUT_OF_BOUNDS or \
        "beyond end of memory" in str(exc)
