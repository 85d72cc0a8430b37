"""Call plans: what every export of one signature shares in one store.

First use of an export then costs one native look-up (the function and its type), one
dict look-up for its signature's plan and one native caller: nothing is generated,
compiled or closed over per function.  The realm's two failure hooks are shared as
well: the native caller passes them the ``where`` of the function that failed.

A plan exists where the native layer carries the signature (numbers: exports of v128 are
looked up the general way, the native look-up's type query aborts on v128) in a store
without limits; elsewhere :meth:`CallPlans.maker` is None and the Function builds its
call on the first call, as function.py describes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from .._engine import calls
from .._engine import fast as _fast
from .._engine.valtypes import NUMERIC
from .._errors import RealmClosedError
from .convert import Codec
from .exceptions import raise_failure

Maker = Callable[[bytes, str, str, Any], Callable[..., Any]]
Signature = tuple[tuple[str, ...], tuple[str, ...]]
#: A signature's plan: ``make(func, name, where, token)``, the signature as a docstring's tail,
#: and the signature itself (one pair of tuples that all its Functions share).
Plan = tuple[Maker, str, tuple[str, ...], tuple[str, ...]]

ALWAYS = [True]  # a gate that is always open: calls that release the GIL always lock


class CallPlans(dict[Signature, "Plan | None"]):
    """The plans of one store, by signature ``(params, results)``: None where there is
    none; made on first use (``plans[signature]`` is one dict look-up)."""

    def __init__(self, conv: Codec) -> None:
        super().__init__()
        self._conv = conv
        self._raise_trap, self._closed = self.raise_trap, self.closed  # one bound method each

    def __missing__(self, key: Signature) -> Plan | None:
        made = self[key] = self._new_plan(*key)
        return made

    def _new_plan(self, params: tuple[str, ...], results: tuple[str, ...]) -> Plan | None:
        ctx = self._conv.ctx
        if not (_fast.ENABLED and ctx.guard is None and NUMERIC.issuperset(params + results)):
            return None
        release_gil = ctx.release_gil
        make = calls.caller_maker(ctx.store, params, results, raise_trap=self._raise_trap,
                                  closed=self._closed, lock=ctx.entry_lock,
                                  gate=ALWAYS if release_gil else ctx.gate,
                                  release_gil=release_gil)
        return None if make is None else (make, signature_tail(params, results), params, results)

    def raise_trap(self, trap: int, error: int, where: str) -> NoReturn:
        raise_failure(self._conv, _fast.take(trap, error), where)

    def closed(self, where: str) -> NoReturn:
        ctx = self._conv.ctx
        if ctx.exiting:  # a daemon thread at interpreter exit: wait for the end
            ctx.entry_lock.acquire()
        raise RealmClosedError(f"{where}: realm {ctx.name!r} is closed")


def signature_tail(params: tuple[str, ...], results: tuple[str, ...]) -> str:
    """``"(i32, i64) -> f64"``: a Function's docstring after its name."""
    res = "None" if not results else results[0] if len(results) == 1 else f"({', '.join(results)})"
    return f"({', '.join(params)}) -> {res}"


def plans_of(conv: Codec) -> CallPlans:
    """The call plans of ``conv``'s store (made on first use)."""
    found: CallPlans | None = conv.plans
    if found is None:
        found = conv.plans = CallPlans(conv)
    return found
