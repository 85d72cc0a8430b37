"""Resource limits: fuel, wall-clock timeouts, memory, instances and table elements.

Where each limit lives::

    Limits field         enforced by                       scope
    ------------------   -------------------------------   -------------------------------
    fuel                 engine fuel (consume_fuel)        each call from Python into wasm
    timeout              epoch interruption + a ticker     each call from Python into wasm
    max_memory           store limiter                     each linear memory (bytes)
    max_table_elements   store limiter                     each table
    max_instances        the guard's count                 the realm: instances made (a failed
                                                           one, e.g. a trapped start, is not)

A "call from Python into wasm" is an export call, or an instantiation (start
function).  Nested calls (wasm -> Python -> wasm) share the budget of the outermost
call.  Exceeding a limit raises :class:`wasmport.ResourceLimitError`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from typing import Any

import wasmtime

from .._errors import LinkError, ResourceLimitError, Trap
from . import interrupt
from .boundary import trap_message
from .config import EngineConfig, EngineRecord
from .ticker import TICK

PAGE = 65536


@dataclass(frozen=True)
class Limits:
    """Resource limits for a realm, a load or a run; None means unlimited.

    ``fuel``: units (about one per wasm instruction) each call from Python may use;
    ``timeout``: wall-clock seconds each call may take; ``max_memory``: bytes each
    linear memory may grow to; ``max_instances``: instances the realm may hold;
    ``max_table_elements``: elements each table may hold.

    Example::

        >>> Limits(fuel=10_000, max_memory=1 << 20)
        Limits(fuel=10000, max_memory=1048576)
    """

    fuel: int | None = None
    timeout: float | None = None
    max_memory: int | None = None
    max_instances: int | None = None
    max_table_elements: int | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if f.name == "timeout":
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                        value > 0 and math.isfinite(value)):
                    raise ValueError(f"Limits(timeout=...) must be a number of seconds > 0, "
                                     f"not {value!r}")
            elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"Limits({f.name}=...) must be an int >= 0, not {value!r}")

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self)
                          if getattr(self, f.name) is not None)
        return f"Limits({shown})"

    def engine_config(self) -> EngineConfig:
        """The engine these limits need: fuel and timeouts change the generated code."""
        return EngineConfig(consume_fuel=self.fuel is not None,
                            epoch_interruption=self.timeout is not None)

    def over(self, base: Limits | None) -> Limits:
        """These limits on top of ``base``: fields set here win, unset ones inherit."""
        if base is None:
            return self
        given = {f.name: getattr(self, f.name) for f in fields(self)
                 if getattr(self, f.name) is not None}
        return replace(base, **given)


def arm_deadline(store: wasmtime.Store, timer: int | None, timeout: float) -> None:
    """A deadline ``timeout`` seconds ahead for the next call into ``store``: through the
    store's timer in the epoch callback when it has one (interrupt.py; the callback looks
    at the clock every tick), else as a count of the ticker's ticks."""
    if timer is not None:
        interrupt.arm(timer, timeout)
        store.set_epoch_deadline(1)
    else:
        store.set_epoch_deadline(math.ceil(timeout / TICK) + 1)


class Guard:
    """A realm's limits, applied to its store and around every entry into wasm."""

    def __init__(self, store: wasmtime.Store, record: EngineRecord, limits: Limits,
                 realm_name: str, timer: int | None = None) -> None:
        self.limits = limits
        self._store = store
        self._timer = timer  # the store's timer in the epoch callback (interrupt.py)
        self._realm_name = realm_name
        self._depth = 0
        self._ticker = record.ticker() if limits.timeout is not None else None
        self._memories: list[tuple[str, wasmtime.Memory]] = []
        #: Called after an outermost call returns normally (WASI: re-raise output errors).
        self.on_return: Callable[[], None] | None = None
        #: Called with ``where`` before an outermost call (WASI: refuse after fork()).
        self.on_enter: Callable[[str], None] | None = None
        #: Instances made in the store: what max_instances counts.  The engine's limiter
        #: would count failed instantiations too (a trapped start function keeps its
        #: instance in the store), so it keeps only its default cap as a backstop.
        self.instances = 0
        set_store_limits(store, limits)

    def instance_allowed(self, where: str) -> None:
        """ResourceLimitError when the realm holds max_instances instances already."""
        cap = self.limits.max_instances
        if cap is not None and self.instances >= cap:
            raise self._error(where, "max_instances", "instantiation refused: instance count "
                              f"too high: the realm holds {self.instances}", None)

    def instance_made(self) -> None:
        self.instances += 1

    def watch(self, name: str, memory: wasmtime.Memory) -> None:
        """Remember an exported memory, to explain traps at the limit."""
        if self.limits.max_memory is not None:
            self._memories.append((name, memory))

    @contextmanager
    def entered(self, where: str) -> Iterator[None]:
        """Around one entry into wasm: refill fuel, arm the deadline, translate errors."""
        outermost = self._depth == 0
        if outermost:
            if self.on_enter is not None:
                self.on_enter(where)
            self._arm()
        self._depth += 1
        try:
            yield
        except (wasmtime.Trap, wasmtime.WasmtimeError, Trap, LinkError) as err:
            if isinstance(err, ResourceLimitError):
                raise  # a nested call's, re-raised by the outer one
            engine_err = err.__cause__ if isinstance(err, (Trap, LinkError)) else err
            limit_error = self._explain(engine_err, where)
            if limit_error is None:
                raise
            raise limit_error from engine_err
        finally:
            self._depth -= 1
            if outermost and self._ticker is not None:
                self._ticker.release()
                if self._timer is not None:
                    interrupt.arm(self._timer, 0)
        if outermost and self.on_return is not None:
            self.on_return()

    def _arm(self) -> None:
        if self.limits.fuel is not None:
            self._store.set_fuel(self.limits.fuel)
        if self._ticker is not None:
            arm_deadline(self._store, self._timer, self.limits.timeout or 0)
            self._ticker.acquire()

    def _explain(self, err: BaseException | None, where: str) -> ResourceLimitError | None:
        if err is None:
            return None
        if isinstance(err, wasmtime.Trap):
            code = err.trap_code
            if code == wasmtime.TrapCode.OUT_OF_FUEL:
                return self._error(where, "fuel", "the call used all its fuel", code)
            if code == wasmtime.TrapCode.INTERRUPT:
                return self._error(where, "timeout", "the call ran out of time", code)
            return self._memory_at_limit(err, where)
        if interrupt.is_timeout(err):
            return self._error(where, "timeout", "the call ran out of time",
                               wasmtime.TrapCode.INTERRUPT)
        return self._instantiation_limit(err, where)

    def _memory_at_limit(self, err: wasmtime.Trap, where: str) -> ResourceLimitError | None:
        """A trap while a memory cannot grow only because of max_memory: almost always a
        failed memory.grow (malloc returning NULL) that the program turned into a trap."""
        cap = self.limits.max_memory
        if cap is None:
            return None
        for name, memory in self._memories:
            size = memory.data_len(self._store)
            own_max = memory.type(self._store).limits.max
            if size + PAGE > cap and (own_max is None or own_max * PAGE > size):
                return self._error(where, "max_memory", f"wasm trapped ({_trap_text(err)}) "
                                   f"while memory {name!r} was at the limit "
                                   f"({size} bytes), after a memory.grow was refused",
                                   err.trap_code)
        return None

    def _instantiation_limit(self, err: BaseException, where: str) -> ResourceLimitError | None:
        if not isinstance(err, wasmtime.WasmtimeError):
            return None
        text = str(err)
        for needle, limit in (("instance count too high", "max_instances"),
                              ("exceeds memory limits", "max_memory"),
                              ("exceeds table limits", "max_table_elements")):
            if needle in text and getattr(self.limits, limit) is not None:
                fact = text.strip().splitlines()[0].replace("resource limit exceeded: ", "")
                return self._error(where, limit, f"instantiation refused: {fact}", None)
        return None

    def growth_refused(self, where: str, limit: str, wanted: int) -> ResourceLimitError | None:
        """The error for a Python-side grow the engine refused, when ``wanted`` (bytes of a
        memory, elements of a table) is past ``limit``; None when the limit is not why."""
        cap = getattr(self.limits, limit)
        if cap is None or wanted <= cap:
            return None
        return self._error(where, limit, f"growth to {wanted} refused", None)

    def _error(self, where: str, limit: str, fact: str, code: Any) -> ResourceLimitError:
        return limit_error(self.limits, self._realm_name, where, limit, fact, code)


def set_store_limits(store: wasmtime.Store, limits: Limits) -> None:
    """The store limiter's share of ``limits``: memory and table sizes (max_instances is
    the guards' own count; the engine keeps its default cap as a backstop)."""
    store.set_limits(memory_size=_or_unset(limits.max_memory),
                     table_elements=_or_unset(limits.max_table_elements))


def limit_error(limits: Limits, realm: str, where: str, limit: str, fact: str,
                code: Any) -> ResourceLimitError:
    """The ResourceLimitError of a call or instantiation that went past ``limit``."""
    value = getattr(limits, limit)
    return ResourceLimitError(
        f"{where}: {fact}: limit {limit}={value!r} of realm {realm!r} exceeded; raise it "
        f"with Limits({limit}=...) on the realm, load or run", limit=limit, value=value,
        code=code)


def _or_unset(value: int | None) -> int:
    return -1 if value is None else value


def _trap_text(err: wasmtime.Trap) -> str:

    return trap_message(str(err))
