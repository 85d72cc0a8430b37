"""Engines: one per engine configuration, shared by every realm that uses it, with the
state that belongs to an engine (its epoch ticker, its WASI linker) in one record.

Compiled code belongs to an engine, so realms sharing an engine share the machine
code of every asset (see docs/design.md, "Realms, stores and engines").  Engines live
for the process: nothing here is ever freed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import wasmtime

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
        return (f"fuel={int(self.consume_fuel)},epoch={int(self.epoch_interruption)},nomove"
                f"{extra}")


class EngineRecord:
    """One engine and the state made for it on first need."""

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.engine = wasmtime.Engine(_wasmtime_config(config))
        self._lock = threading.Lock()
        self._ticker: Ticker | None = None
        self._wasi_linker: wasmtime.Linker | None = None

    def ticker(self) -> Ticker:
        """The thread that advances this engine's epoch for timed calls."""
        with self._lock:
            if self._ticker is None:
                self._ticker = Ticker(self.engine)
            return self._ticker

    def wasi_linker(self) -> wasmtime.Linker:
        """A linker holding WASI preview 1, to look its functions up by name."""
        with self._lock:
            if self._wasi_linker is None:
                linker = wasmtime.Linker(self.engine)
                linker.define_wasi()
                self._wasi_linker = linker
            return self._wasi_linker


def _wasmtime_config(config: EngineConfig) -> wasmtime.Config:
    cfg = wasmtime.Config()
    cfg.consume_fuel = config.consume_fuel
    cfg.epoch_interruption = config.epoch_interruption
    # Linear memories never move when they grow (they grow in place inside their
    # reservation, or fail): a memory's base address can be cached for good.
    cfg.memory_may_move = False
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
