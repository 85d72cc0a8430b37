"""The checked path of a wasm function's call: wasmtime-py's ``wasmtime_func_call``, for
the signatures the fast layers do not carry and for stores with limits (function.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import wasmtime

from .._engine import checked
from .._engine.store import StoreContext
from .convert import Codec
from .exceptions import raise_failure


def checked_call(ctx: StoreContext, conv: Codec, func: wasmtime.Func, params: tuple[str, ...],
                 results: tuple[str, ...], where: str, doc: str) -> Callable[..., Any]:
    """The call of ``func`` through wasmtime-py's checked path (``wasmtime_func_call``,
    which releases the GIL), limits applied per call when the store has them."""
    count, nresults = len(params), len(results)
    to_engine, to_python = conv.to_engine, conv.to_python
    name = doc.partition("(")[0]

    def call(*args: Any) -> Any:
        if len(args) != count:
            raise _arity_error(doc, count, len(args))
        values = [to_engine(t, a, f"{name}() argument {i}")
                  for i, (t, a) in enumerate(zip(params, args, strict=True), 1)]
        try:
            with ctx.entry_lock:  # the GIL is released: one thread in the store
                guard = ctx.guard
                if guard is None:
                    out = checked.call(ctx, func, params, values, nresults, where=where)
                else:  # limits: a fresh fuel/time budget for this call (limits.py)
                    with guard.entered(where):
                        out = checked.call(ctx, func, params, values, nresults, where=where)
        except BaseException as err:
            raise_failure(conv, err, where)
        if nresults == 1:
            return to_python(out[0])
        return tuple(to_python(v) for v in out) if out else None

    return call


def _arity_error(doc: str, expected: int, given: int) -> TypeError:
    """The message Python itself gives, as the fast path's generated wrappers do."""
    name = doc.partition("(")[0]
    if given < expected:
        missing = expected - given
        return TypeError(f"{name}() missing {missing} required positional argument"
                         f"{'' if missing == 1 else 's'} ({doc})")
    return TypeError(f"{name}() takes {expected} positional argument{'' if expected == 1 else 's'}"
                     f" but {given} were given ({doc})")
