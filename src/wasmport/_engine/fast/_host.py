"""wasm -> Python: host functions through ``wasmtime_func_new_unchecked``.

Each host function gets its own ctypes callback (a generated function reading and
writing the raw slots through memoryviews).  The engine passes a pointer to slots
on its native stack; views over an address are cached per host function, so a
steady caller pays one dict lookup.  A view is only ever used during the call
that passed its address, when that memory is the live slot array.

Lifetimes: the callback object must outlive every call, i.e. the store.  It sits
in ``_registry`` under an integer key given to the engine as ``env``; the engine
calls ``_finalize(env)`` when the store drops the function, which removes it.
(Consequence: a host function whose `fn` references its own store keeps that
store alive, as with wasmtime-py's own ``Func``.)

No exception may leave a ctypes callback: ctypes would print it and hand the
engine an undefined return value.  Every failure becomes ``on_error(exc)`` plus a
returned trap whose message starts with ``HOST_EXCEPTION_MARKER``.
"""

from __future__ import annotations

import ctypes
import itertools
import sys
import types
from collections.abc import Callable
from ctypes import c_void_p
from typing import Any

import wasmtime
from wasmtime import _ffi as ffi

from ..typemake import func_type
from . import _store
from ._abi import CALLBACK, FINALIZER, SLOT_SIZE, lib, require
from ._caller import ref_slots
from ._codegen import host_factory, views_of
from ._refs import RefSlot, RefSlots
from ._traps import HOST_EXCEPTION_MARKER
from ._values import check_signature, codegen_kinds, describe, host_results

_registry: dict[int, Any] = {}
_keys = itertools.count(1)
_VIEW_CACHE_LIMIT = 64
_FALLBACK_MESSAGE = HOST_EXCEPTION_MARKER.encode() + b" an exception"


def _forget(env: int) -> None:
    try:
        _registry.pop(env, None)
    except BaseException:  # noqa: S110 - interpreter teardown: nothing left to tell
        pass


_finalize = FINALIZER(_forget)  # called by the engine when the store drops a host func
# A store may be freed late in interpreter shutdown, after this module's globals are
# gone; the engine would then call a freed libffi closure.  Never free this one.
ctypes.pythonapi.Py_IncRef(ctypes.py_object(_finalize))


def make_host_func(store: wasmtime.Store, params: tuple[str, ...], results: tuple[str, ...],
                   fn: Callable[..., Any], on_error: Callable[[BaseException], int | None], *,
                   name: str | None = None, pass_caller: bool = False,
                   check: Callable[[Any], tuple[Any, ...]] | None = None,
                   refs: RefSlots | None = None,
                   functype: wasmtime.FuncType | None = None) -> wasmtime.Func:
    """A wasmtime.Func whose calls from wasm run `fn` through an unchecked callback.

    `fn` gets Python ints (signed) and floats, after the address of the engine's
    ``wasmtime_caller_t`` when `pass_caller` (valid only during that call); what it
    returns is checked against `results` (None for none, a value for one, a tuple or list
    for many).  A given `check` takes over: only results in the *signed* range pass
    inline, the rest go to ``check(value)``, which returns the tuple of values to store
    or raises.  If `fn` raises, or returns something that does not fit, the exception
    goes to ``on_error(exc)`` and wasm traps (with the trap on_error returns, if any).
    `refs` converts reference types (_refs.py); `functype`, the function's engine type,
    is needed when one is concrete (it is made from `params`/`results` otherwise).

    Raises:
        ValueError: an unsupported value type.
        TypeError: `fn` or `on_error` not callable.
    """
    require()
    params, results = check_signature(params, results, refs, host=True)
    if not callable(fn) or not callable(on_error):
        raise TypeError("make_host_func(): fn and on_error must be callable")
    where = f"host function {name or getattr(fn, '__qualname__', None) or repr(fn)}"
    slots = (ref_slots(refs, results, True), ref_slots(refs, params, False))
    callback = CALLBACK(_generate(params, results, fn, on_error, where, pass_caller, check,
                                  slots))
    key = next(_keys)
    _registry[key] = callback
    # A fresh FuncType per function: a FuncType used with another engine aborts.
    ty = functype or func_type(params, results)
    _, ctx = _store.context_address(store)
    out = ffi.wasmtime_func_t()
    lib.func_new_unchecked(c_void_p(ctx), c_void_p(ctypes.cast(ty.ptr(), c_void_p).value),
                           callback, c_void_p(key), _finalize, ctypes.byref(out))
    _store.remember(store, int(out.store_id))
    return wasmtime.Func._from_raw(out)


def _generate(params: tuple[str, ...], results: tuple[str, ...], fn: Callable[..., Any],
              on_error: Callable[[BaseException], int | None], where: str,
              pass_caller: bool,
              given_check: Callable[[Any], tuple[Any, ...]] | None,
              slots: tuple[tuple[RefSlot | None, ...], ...]) -> Callable[..., int]:
    nslots = max(len(params), len(results))
    views: dict[int, Any] = {}

    def make_views(address: int, count: int) -> Any:
        if count < nslots:
            raise RuntimeError(f"{where}: the engine passed {count} slots for "
                               f"{describe(params, results)}, expected {nslots}")
        if len(views) >= _VIEW_CACHE_LIMIT:
            views.clear()
        found = views[address] = views_of((ctypes.c_char * (SLOT_SIZE * nslots))
                                          .from_address(address))
        return found

    def check(value: Any) -> tuple[Any, ...]:
        return host_results(value, results, where)

    def failed(exc: BaseException) -> int:
        return trap_for(exc, on_error)

    checking = given_check or check
    pres = [(k, s.pre, s.done) for k, s in enumerate(slots[0]) if s is not None]
    if pres:  # every reference result's pre (its allocations) before any raw number
        def checking(value: Any, plain: Any = checking) -> tuple[Any, ...]:
            values = list(plain(value))
            made: list[tuple[Any, Any]] = []
            try:
                for k, pre, done in pres:
                    values[k] = pre(values[k])
                    made.append((done, values[k]))
            except BaseException:
                for done, temp in made:  # what the earlier results made: released
                    if done is not None and temp is not None:
                        done(temp)
                raise
            return tuple(values)

    factory = host_factory(codegen_kinds(params), codegen_kinds(results), pass_caller,
                           given_check is not None)
    body: Callable[..., int] = factory(fn, views, make_views, checking, failed, slots)
    return body


def trap_for(exc: BaseException, on_error: Callable[[BaseException], int | None]) -> int:
    """Hand `exc` to on_error and return a new wasm_trap_t* for the engine to own: the
    one on_error returns (a thrown wasm exception, say), else a host-exception trap."""
    try:
        trap = on_error(exc)
        if trap:
            return int(trap)
    except BaseException as second:
        _unraisable(second, f"Exception in on_error while reporting {type(exc).__name__}")
    try:
        message = f"{HOST_EXCEPTION_MARKER} {type(exc).__qualname__}".encode()
        return int(lib.trap_new(message, len(message)))
    except BaseException:
        return int(lib.trap_new(_FALLBACK_MESSAGE, len(_FALLBACK_MESSAGE)))


def _unraisable(exc: BaseException, message: str) -> None:
    # The same hook CPython uses for exceptions it cannot raise (pytest reports them).
    try:
        sys.unraisablehook(types.SimpleNamespace(
            exc_type=type(exc), exc_value=exc, exc_traceback=exc.__traceback__,
            err_msg=message, object=None))
    except BaseException:  # noqa: S110 - the hook itself failed: stay inside the callback
        pass
