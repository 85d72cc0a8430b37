"""A fast call layer over wasmtime's raw C API, through ctypes, holding the GIL.

Two entry points, for signatures of i32/i64/f32/f64/v128 and (given ``refs=``, see
_refs.py) references:

- ``make_caller``: Python -> wasm through ``wasmtime_func_call_unchecked``.
- ``make_host_func``: wasm -> Python through ``wasmtime_func_new_unchecked``.

``AVAILABLE`` is False (and ``REASON`` says why) when a symbol is missing or an ABI
fact checked at import does not hold; callers then use wasmtime-py's own calls.

Interface (keyword arguments beyond the first five are optional):

    make_caller(store, func, params, results, *, raise_trap=default_relay.raise_trap,
                name=None, release_gil=False, refs=None) -> Callable[..., Any]
    make_host_func(store, params, results, fn, on_error, *, name=None, refs=None,
                   functype=None) -> wasmtime.Func

Trap/exception protocol:

- When a call fails, the wrapper calls ``raise_trap(trap_addr, error_addr)``: two
  ints, exactly one non-zero.  ``trap_addr`` is a ``wasm_trap_t*`` (the wasm code
  trapped; it has a trap code), ``error_addr`` a ``wasmtime_error_t*`` (anything
  else: a trap a host function returned, WASI exit, engine errors).  Ownership of
  that pointer passes to `raise_trap`, which must free it exactly once and raise;
  ``take(trap_addr, error_addr)`` returns a ``wasmtime.Trap`` /
  ``wasmtime.WasmtimeError`` (built by wasmtime-py's ``_from_ptr``) that owns it.
  If `raise_trap` returns, the wrapper raises RuntimeError.
- When `fn` raises (BaseException included) or returns a value that does not fit
  its results, ``on_error(exc)`` is called with the exception and wasm traps with
  a message containing ``HOST_EXCEPTION_MARKER``; that comes back to the Python
  caller as an ``error_addr``.  ``Relay`` pairs the two hooks per thread:
  ``on_error`` parks the exception, ``raise_trap`` re-raises that very object when
  the failure is a host-exception trap, and otherwise raises the engine's object.

Example:
    >>> import wasmtime
    >>> from wasmport import _fast
    >>> store = wasmtime.Store()
    >>> module = wasmtime.Module(store.engine, '(module (func (export "add") '
    ...     '(param i32 i32) (result i32) local.get 0 local.get 1 i32.add))')
    >>> add = wasmtime.Instance(store, module, []).exports(store)["add"]
    >>> fast_add = _fast.make_caller(store, add, ("i32", "i32"), ("i32",), name="add")
    >>> fast_add(2, 2**32 - 1)
    1
"""

from __future__ import annotations

from ._abi import AVAILABLE as AVAILABLE
from ._abi import REASON as REASON
from ._caller import make_caller as make_caller
from ._host import make_host_func as make_host_func
from ._refs import RefSlot as RefSlot
from ._refs import RefSlots as RefSlots
from ._traps import HOST_EXCEPTION_MARKER as HOST_EXCEPTION_MARKER
from ._traps import Relay as Relay
from ._traps import default_relay as default_relay
from ._traps import is_host_exception as is_host_exception
from ._traps import take as take
from ._traps import take_error as take_error
from ._traps import take_trap as take_trap

#: Whether calls take the fast path (``WASMPORT_NO_FAST=1`` turns it off, for tests and
#: diagnosis: every call then goes through wasmtime-py's checked path).
ENABLED = AVAILABLE

__all__ = [
    "AVAILABLE",
    "ENABLED",
    "HOST_EXCEPTION_MARKER",
    "REASON",
    "RefSlot",
    "RefSlots",
    "Relay",
    "default_relay",
    "is_host_exception",
    "make_caller",
    "make_host_func",
    "take",
    "take_error",
    "take_trap",
]
