"""Failures crossing a component call: traps, guest exits, host exceptions.

A host function's exception is parked per thread and the callback returns an
engine error; when the export call that led there fails, the parked exception is
raised again, the same object.  Anything else becomes ``wasmport.Trap`` (a guest
exit keeps ``wasmtime.ExitTrap`` as its ``__cause__``, as for core modules).

wasmtime gives a component call's failure as a ``wasmtime_error_t`` without a trap
code, so the code is read back from the message (the text of each wasmtime trap
code is fixed).
"""

from __future__ import annotations

import re
import threading
from typing import Any, NoReturn

import wasmtime

from .._engine import component as _capi
from .._engine.fast import take_error
from .._engine.interrupt import interrupted_by
from .._errors import InstancePoisonedError, Trap

HOST_MARKER = b"wasmport: a host function raised an exception"
POISONED_TEXT = "cannot enter component instance"

_TRAP_CODES = {
    "call stack exhausted": "STACK_OVERFLOW",
    "out of bounds memory access": "MEMORY_OUT_OF_BOUNDS",
    "unaligned atomic": "HEAP_MISALIGNED",
    "undefined element: out of bounds table access": "TABLE_OUT_OF_BOUNDS",
    "uninitialized element": "INDIRECT_CALL_TO_NULL",
    "indirect call type mismatch": "BAD_SIGNATURE",
    "integer overflow": "INTEGER_OVERFLOW",
    "integer divide by zero": "INTEGER_DIVISION_BY_ZERO",
    "invalid conversion to integer": "BAD_CONVERSION_TO_INTEGER",
    "wasm `unreachable` instruction executed": "UNREACHABLE",
    "interrupt": "INTERRUPT",
    "all fuel consumed by WebAssembly": "OUT_OF_FUEL",
}

_parked = threading.local()


def park(exc: BaseException) -> int:
    """Keep a host exception for this thread's caller; the engine error to return."""
    _parked.exc = exc
    return int(_capi.error_new(HOST_MARKER))


def take_parked() -> BaseException | None:
    exc: BaseException | None = getattr(_parked, "exc", None)
    _parked.exc = None
    return exc


def trap_line(text: str) -> str:
    """The most specific line of an engine message: 'wasm trap: ...' or the last cause."""
    lines = [re.sub(r"^\d+:\s*", "", line.strip()) for line in text.splitlines()
             if line.strip() and not line.strip().startswith("Caused by")]
    lines = [line for line in lines if not re.match(r"^\d+:\s*0x", line)]
    for line in reversed(lines):
        if line.startswith("wasm trap:"):
            return line
    return lines[-1] if lines else "trap"


def trap_code(line: str) -> Any:
    text = line[len("wasm trap:"):].strip() if line.startswith("wasm trap:") else line
    name = _TRAP_CODES.get(text)
    return getattr(wasmtime.TrapCode, name) if name else None


def _engine_error(error: int) -> wasmtime.WasmtimeError:
    """Hand an owned error to wasmtime-py: it frees it, and knows guest exits (ExitTrap)."""
    return take_error(error)


def failure(error: int, where: str) -> BaseException:
    """The exception for an owned ``wasmtime_error_t*`` a call returned (consumed here)."""
    parked = take_parked()
    frames = _capi.frames(error)
    cause = _engine_error(error)
    text = str(cause)
    if parked is not None and HOST_MARKER.decode() in text:
        return parked
    interrupted = interrupted_by(cause)  # Ctrl-C: what Python's SIGINT handler raised
    if interrupted is not None:
        return interrupted
    line = trap_line(text)
    if POISONED_TEXT in text:
        err: Trap = InstancePoisonedError(
            f"{where}: {line}; instantiate the component again",
            instance=where, cause=cause)
    elif isinstance(cause, wasmtime.ExitTrap):
        err = Trap(f"{where}: the guest exited with status {cause.code}")
    else:
        err = Trap(f"{where}: {line}", code=trap_code(line), frames=frames)
    err.__cause__ = cause
    return err


def raise_failure(error: int, where: str) -> NoReturn:
    raise failure(error, where)
