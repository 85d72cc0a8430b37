"""Raw wasmtime-py, with every feature flag on: the judge of "wasmtime 50 lacks this".

The harness runs everything through wasmport.  When wasmport refuses to compile a module
the script says is valid, this asks wasmtime itself: if wasmtime, with every ``wasm_*``
flag of its Config turned on, refuses it too, wasmport is not the one to blame and the
command is counted as "wasmtime-lacks" (with wasmtime's words), not as a failure.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

import wasmtime

ALL_FLAGS = tuple(sorted(n for n in dir(wasmtime.Config) if n.startswith("wasm_")))


@functools.cache
def engine(flags: frozenset[str] = frozenset(ALL_FLAGS), off: frozenset[str] = frozenset()
           ) -> wasmtime.Engine:
    """An engine with ``flags`` on and ``off`` explicitly off (the rest at their defaults)."""
    config = wasmtime.Config()
    for flag in flags:
        setattr(config, flag, True)
    for flag in off:
        setattr(config, flag, False)
    return wasmtime.Engine(config)


def module_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return data if path.suffix == ".wasm" else bytes(wasmtime.wat2wasm(data))


def compile_error(path: Path, flags: Iterable[str] = ALL_FLAGS,
                  off: Iterable[str] = ()) -> str | None:
    """wasmtime's reason for refusing the module at ``path``, or None if it compiles."""
    try:
        wasmtime.Module(engine(frozenset(flags), frozenset(off)), module_bytes(path))
    except wasmtime.WasmtimeError as err:
        return " ".join(str(err).split())
    return None
