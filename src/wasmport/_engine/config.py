"""Engines: one per engine configuration, shared by every realm that uses it.

Compiled code belongs to an engine, so realms sharing an engine share the machine
code of every asset (see docs/design.md, "Realms, stores and engines").
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import wasmtime


@dataclass(frozen=True)
class EngineConfig:
    """The settings that change generated code; part of every compiled-code key."""

    consume_fuel: bool = False
    epoch_interruption: bool = False

    def key(self) -> str:
        return f"fuel={int(self.consume_fuel)},epoch={int(self.epoch_interruption)},nomove"


_engines: dict[EngineConfig, wasmtime.Engine] = {}
_lock = threading.Lock()


def get_engine(config: EngineConfig = EngineConfig()) -> wasmtime.Engine:
    with _lock:
        engine = _engines.get(config)
        if engine is None:
            cfg = wasmtime.Config()
            cfg.consume_fuel = config.consume_fuel
            cfg.epoch_interruption = config.epoch_interruption
            # Linear memories never move when they grow (they grow in place inside their
            # reservation, or fail): a memory's base address can be cached for good.
            cfg.memory_may_move = False
            engine = _engines[config] = wasmtime.Engine(cfg)
        return engine
