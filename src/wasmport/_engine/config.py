"""Engines: one per engine configuration, shared by every realm that uses it, with the
state that belongs to an engine (its epoch ticker, its WASI linker) in one record.

Compiled code belongs to an engine, so realms sharing an engine share the machine
code of every asset (see docs/design.md, "Realms, stores and engines").  Engines live
for the process: nothing here is ever freed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import wasmtime

from .ticker import Ticker


@dataclass(frozen=True)
class EngineConfig:
    """The settings that change generated code; part of every compiled-code key."""

    consume_fuel: bool = False
    epoch_interruption: bool = False

    def key(self) -> str:
        return f"fuel={int(self.consume_fuel)},epoch={int(self.epoch_interruption)},nomove"


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
