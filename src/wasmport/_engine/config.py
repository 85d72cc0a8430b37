"""Engines: one per engine configuration, shared by every realm that uses it, with the
state that belongs to an engine (its epoch ticker, its WASI linker) in one record.

Compiled code belongs to an engine, so realms sharing an engine share the machine
code of every asset (see docs/design.md, "Realms, stores and engines").  Engines live
for the process: nothing here is ever freed.

Fork: an engine (memory only) stays valid in a forked child, but the engine's compile
thread pool (rayon) does not survive fork(), and a compile in the child would wait for
it forever.  So once this process has compiled, a forked child compiles on a serial
twin engine of the same configuration and loads the result into the record's engine,
as the on-disk cache does; the record locks and tickers are made anew in the child.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import wasmtime

from . import interrupt
from .stack import wasm_stack_size
from .ticker import Ticker

#: WebAssembly proposals a realm can turn on (``Realm(features=...)``) -> the wasmtime
#: Config settings behind them.  wasmtime 50 has the others of WebAssembly 3.0 on by default
#: (GC, exceptions, SIMD, memory64, ...); ``wide_arithmetic`` is on by default too, and
#: asking for it just says so.
FEATURES: dict[str, tuple[str, ...]] = {
    "threads": ("wasm_threads", "shared_memory"),
    "wide_arithmetic": ("wasm_wide_arithmetic",),
    "custom_page_sizes": ("wasm_custom_page_sizes",),
}


def features_of(names: Iterable[str] | None) -> frozenset[str]:
    """Checked feature names; ValueError naming the known ones."""
    if names is None:
        return frozenset()
    if isinstance(names, str):
        raise TypeError(f"features= takes a set of names, not the string {names!r}")
    found = frozenset(names)
    unknown = sorted(found - FEATURES.keys())
    if unknown:
        raise ValueError(f"unknown engine feature {', '.join(map(repr, unknown))}; "
                         f"known: {', '.join(sorted(FEATURES))}")
    return found


@dataclass(frozen=True)
class EngineConfig:
    """The settings that change generated code; part of every compiled-code key."""

    consume_fuel: bool = False
    epoch_interruption: bool = False
    features: frozenset[str] = field(default_factory=frozenset)

    def key(self) -> str:
        extra = "".join(f",{name}" for name in sorted(self.features))
        epoch = self.epoch_interruption or interrupt.AVAILABLE
        return (f"fuel={int(self.consume_fuel)},epoch={int(epoch)},nomove"
                f"{extra}")


class EngineRecord:
    """One engine and the state made for it on first need."""

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.engine = wasmtime.Engine(_wasmtime_config(config))
        interrupt.add_engine(self.engine)  # Ctrl-C bumps its epoch
        self._lock = threading.Lock()
        self._ticker: Ticker | None = None
        self._wasi_linker: wasmtime.Linker | None = None
        self._serial: wasmtime.Engine | None = None

    def ticker(self) -> Ticker:
        """The thread that advances this engine's epoch for timed calls."""
        with self._lock:
            if self._ticker is None:
                self._ticker = Ticker(self.engine)
            return self._ticker

    def compile(self, wasm: bytes) -> wasmtime.Module:
        """Compile ``wasm`` for this engine (on the serial twin in a forked child)."""
        if not _pool_lost[0]:
            _pool_started[0] = True  # before: the pool starts during the first compile
            return wasmtime.Module(self.engine, wasm)
        with self._lock:
            if self._serial is None:
                self._serial = wasmtime.Engine(_wasmtime_config(self.config, parallel=False))
        compiled = wasmtime.Module(self._serial, wasm).serialize()
        return wasmtime.Module.deserialize(self.engine, compiled)

    def _after_fork(self) -> None:
        self._lock = threading.Lock()
        if self._ticker is not None:
            self._ticker.after_fork()

    def wasi_linker(self) -> wasmtime.Linker:
        """A linker holding WASI preview 1, to look its functions up by name."""
        with self._lock:
            if self._wasi_linker is None:
                linker = wasmtime.Linker(self.engine)
                linker.define_wasi()
                self._wasi_linker = linker
            return self._wasi_linker


def _wasmtime_config(config: EngineConfig, parallel: bool = True) -> wasmtime.Config:
    cfg = wasmtime.Config()
    cfg.parallel_compilation = parallel
    cfg.consume_fuel = config.consume_fuel
    # Every engine checks epochs when the extension can handle them (interrupt.py): Ctrl-C
    # and timeouts; without it, only engines for timeouts do.
    cfg.epoch_interruption = config.epoch_interruption or interrupt.AVAILABLE
    # Linear memories never move when they grow (they grow in place inside their
    # reservation, or fail): a memory's base address can be cached for good.
    cfg.memory_may_move = False
    cfg.max_wasm_stack = wasm_stack_size()  # fits the threads' real stacks (stack.py)
    for name in config.features:
        for setting in FEATURES[name]:
            setattr(cfg, setting, True)
    return cfg


_records: dict[EngineConfig, EngineRecord] = {}
_lock = threading.Lock()


def engine_record(config: EngineConfig = EngineConfig()) -> EngineRecord:
    with _lock:
        record = _records.get(config)
        if record is None:
            record = _records[config] = EngineRecord(config)
        return record


def get_engine(config: EngineConfig = EngineConfig()) -> wasmtime.Engine:
    return engine_record(config).engine


def find_record(engine: wasmtime.Engine) -> EngineRecord:
    """The record of an engine made here."""
    return next(r for r in list(_records.values()) if r.engine is engine)


#: [whether this process (or its parent before a fork) compiled], [whether that was
#: before a fork, so that the compile thread pool is gone].
_pool_started = [False]
_pool_lost = [False]


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.Lock()
    _pool_lost[0] = _pool_started[0]
    for record in _records.values():
        record._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
