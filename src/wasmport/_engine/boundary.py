"""Crossing the boundary: traps become wasmport.Trap, host exceptions come back unchanged.

An exception raised by Python code that wasm called is parked here (per thread)
and re-raised, as the same object, at the Python caller of the wasm export.
"""

from __future__ import annotations

import re
import threading
from typing import Any, NoReturn

import wasmtime
from wasmtime import _func as wasmtime_func

from .._errors import Trap
from . import interrupt, stack
from .fast import is_host_exception

_pending = threading.local()


def park(exc: BaseException) -> None:
    """Remember the exception a host function raised, for the caller of the export."""
    _pending.exc = exc


def take_parked() -> BaseException | None:
    exc: BaseException | None = getattr(_pending, "exc", None)
    _pending.exc = None
    return exc


def has_parked() -> bool:
    """Whether a host function raised and its exception waits for this thread's caller."""
    return getattr(_pending, "exc", None) is not None


def trap_message(text: str) -> str:
    """The engine's most specific line: 'wasm trap: ...' or the last cause."""
    # Cause chains number their lines ("1: wasm trap: ..."): drop the numbers.
    lines = [re.sub(r"^\d+:\s*", "", line.strip()) for line in text.splitlines()
             if line.strip()]
    for line in reversed(lines):
        if line.startswith("wasm trap:"):
            return line[len("wasm trap:"):].strip()
    return lines[-1] if lines else "trap"


def raise_boundary_error(err: BaseException, where: str) -> NoReturn:
    """Translate what a call into wasm raised; the host exception behind it wins.

    A parked exception is used only when this failure is the trap a host function
    made after raising it; any other failure discards it, so a stale exception never
    surfaces at an unrelated call.
    """
    interrupt.raise_if_interrupted(err)  # Ctrl-C inside wasm: the handler's exception
    stack.raise_if_refused(err, where)  # a thread stack too small for wasm
    parked = take_parked()
    from_host = parked is err or _from_host(err)
    if from_host:
        # wasmtime-py parks its callbacks' exceptions in one global that only its own
        # Func.__call__ clears: a call that came in another way must clear it, or it
        # would surface at the next unrelated failure in any thread.
        wasmtime_func.LAST_EXCEPTION = None
    if parked is not None and from_host:
        raise parked
    if isinstance(err, wasmtime.Trap):
        frames = tuple((f.module_name, f.func_name, f.func_offset) for f in err.frames or ())
        text = str(err)
        raise Trap(f"{where}: wasm trap: {trap_message(text)}", code=err.trap_code,
                   frames=frames) from err
    if isinstance(err, wasmtime.WasmtimeError):
        raise Trap(f"{where}: {trap_message(str(err))}") from err
    raise err


def _from_host(err: BaseException) -> bool:
    if not isinstance(err, (wasmtime.Trap, wasmtime.WasmtimeError)):
        return False
    return is_host_exception(err) or "python exception" in str(err)


def as_python(value: Any) -> Any:
    """Results as Python sees them: multi-value as a tuple."""
    if isinstance(value, list):
        return tuple(value)
    return value
