"""Python -> wasm: a generated wrapper over ``wasmtime_func_call_unchecked``.

Each wrapper owns one slot buffer, laid out as

    +---------+---------+-----+-----------+------------------+
    | slot 0  | slot 1  | ... | slot n-1  | wasm_trap_t* out |   n = max(params, results, 1)
    +---------+---------+-----+-----------+------------------+
      16 B each; args go in, results come back in the same slots

and a ``busy`` flag.  A call that arrives while the buffer is in use (wasm ->
Python -> the same export again, or another thread getting the GIL inside a host
function) is handed to a second wrapper with its own buffer, built on first need
and kept: a stack of buffers, one per nesting depth actually reached.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from ctypes import c_size_t, c_uint64, c_void_p
from typing import Any, NoReturn

import wasmtime
from wasmtime import _ffi as ffi

from ..valtypes import func_sig_of
from . import _store
from ._abi import lib, require
from ._codegen import caller_factory, views_of
from ._refs import RefSlot, RefSlots
from ._traps import default_relay
from ._values import check_signature, codegen_kinds, describe, lower

RaiseTrap = Callable[[int, int], NoReturn]

# How many extra buffers nested calls have made, for tests and diagnostics.
stats = {"nested_buffers": 0}


def make_caller(store: wasmtime.Store, func: wasmtime.Func, params: tuple[str, ...],
                results: tuple[str, ...], *, raise_trap: RaiseTrap | None = None,
                name: str | None = None, release_gil: bool = False,
                closed: Callable[[], NoReturn] | None = None,
                gate: list[bool] | None = None,
                lock: Any = None, verified: bool = False,
                refs: RefSlots | None = None) -> Callable[..., Any]:
    """A Python callable calling `func` through ``wasmtime_func_call_unchecked``.

    `params`/`results` must match the function's type exactly (checked here, once).
    On a trap or error the wrapper calls ``raise_trap(trap_addr, error_addr)``
    (exactly one non-zero; the callee owns that pointer) and expects it to raise.
    `release_gil` drops the GIL for the call; the caller must then make sure no
    other thread enters the same store meanwhile.
    `closed()` raises when the store has been closed (default: ValueError).
    While ``gate[0]`` is true each call holds `lock` (a re-entrant lock), so threads
    take turns in the store once Python code can run inside a call.
    `verified` says `params`/`results` were read from this very function's type, so
    the (slow) type check is skipped; the store check is not.
    `refs` converts reference types (_refs.py); without it only numbers and v128 pass.

    Raises:
        ValueError: an unsupported value type, a type mismatch, or `func` from another store.
        TypeError: `store` or `func` of the wrong class.
    """
    require()
    params, results = check_signature(params, results, refs)
    if not isinstance(store, wasmtime.Store):
        raise TypeError(f"make_caller(): expected a wasmtime.Store, not {type(store).__name__}")
    if not isinstance(func, wasmtime.Func):
        raise TypeError(f"make_caller(): expected a wasmtime.Func, not {type(func).__name__}")
    label = name or "wasm function"
    func_copy = ffi.wasmtime_func_t.from_buffer_copy(func._func)
    if func_copy.store_id != _store.store_id(store):
        raise ValueError(f"{label}: the function belongs to another store")
    if not verified:
        check_type(store, func, params, results, label)
    spec = _Spec(store, func_copy, params, results, label, raise_trap or default_relay.raise_trap,
                 lib.call_unchecked_nogil if release_gil else lib.call_unchecked)
    spec.refs = (ref_slots(refs, params, True), ref_slots(refs, results, False))
    if closed is not None:
        spec.closed = closed  # type: ignore[method-assign]
    return spec.build(gate or _NEVER, lock)


_NEVER = [False]


def ref_slots(refs: RefSlots | None, names: tuple[str, ...],
              argument: bool) -> tuple[RefSlot | None, ...]:
    """The RefSlot of each position (None for a number or v128)."""
    return tuple(refs.slot_for(n, argument) if refs is not None and k == "ref" else None
                 for n, k in zip(names, codegen_kinds(names), strict=True))


def check_type(store: wasmtime.Store, func: wasmtime.Func, params: tuple[str, ...],
               results: tuple[str, ...], label: str) -> None:
    """ValueError unless `func`'s type is `params` -> `results` (read by the query that never
    aborts: v128 too)."""
    found = func_sig_of(store, func)
    if found != (params, results):
        raise ValueError(f"{label}: asked for func {describe(params, results)}, "
                         f"the function is func {describe(*found)}")


class _Spec:
    """Everything the wrappers of one caller share; `build` makes one wrapper."""

    def __init__(self, store: wasmtime.Store, func_copy: Any, params: tuple[str, ...],
                 results: tuple[str, ...], label: str, raise_trap: RaiseTrap, c_call: Any):
        self.store = store
        self.ctx_ref, self.ctx = _store.context_address(store)
        self.func_copy = func_copy  # our own copy of the 16-byte wasmtime_func_t
        self.params, self.results = params, results
        self.nslots = max(len(params), len(results), 1)
        self.label, self.raise_trap, self.c_call = label, raise_trap, c_call
        self.factory = caller_factory(codegen_kinds(params), codegen_kinds(results))
        self.refs: tuple[tuple[RefSlot | None, ...], ...] = ((), ())

    def lower(self, value: Any, kind: str, position: int) -> Any:
        return lower(value, kind, f"{self.label}() argument {position}")

    def closed(self) -> NoReturn:
        raise ValueError(f"{self.label}(): the store is closed")

    def build(self, gate: list[bool], lock: Any) -> Callable[..., Any]:
        n = self.nslots
        buf = (c_uint64 * (2 * n + 1))()  # n slots + the trap out-pointer
        iv, qv, Qv, fv, dv = views_of(buf)
        base = ctypes.addressof(buf)
        args = (c_void_p(self.ctx), c_void_p(ctypes.addressof(self.func_copy)), c_void_p(base),
                c_size_t(n), c_void_p(base + 16 * n))
        raise_trap = self.raise_trap
        deeper: list[Callable[..., Any]] = []

        def failed(err: int) -> NoReturn:
            trap = Qv[2 * n]
            Qv[2 * n] = 0  # the buffer is reusable before anyone else can run
            raise_trap(trap, err)
            raise RuntimeError(f"{self.label}(): raise_trap returned instead of raising")

        def nested(*values: Any) -> Any:
            if not deeper:
                deeper.append(self.build(gate, lock))
                stats["nested_buffers"] += 1
            return deeper[0](*values)

        acquire, release = (lock.acquire, lock.release) if lock is not None else (None, None)
        call: Callable[..., Any] = self.factory(
            self.store, self.ctx_ref, self.c_call, *args, iv, qv, Qv, fv, dv,
            nested, self.lower, self.closed, failed, gate, acquire, release, self.refs)
        call.__name__ = call.__qualname__ = self.label
        call.__doc__ = f"{self.label}{describe(self.params, self.results)} (raw call)"
        call._wasmport_fast = (self, buf)  # type: ignore[attr-defined]  # keeps buf alive
        return call
