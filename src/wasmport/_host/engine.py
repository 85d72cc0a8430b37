"""Host methods as engine functions: on the fast path when it is available.

Three shapes, fastest first:

- *direct*: no memory, every parameter taken as is and a plain scalar result (or
  none): a generated callback runs the method and checks the result inline;
- *planned*: anything else, through the plan's callback, given the raw caller so a
  start function (which runs before the memory is bound) still finds the memory;
- *checked*: wasmtime-py's own ``Func`` when the fast path is off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import wasmtime

from .. import _fast
from .._exports._calls import park
from .._exports.function import FAST
from .kinds import Float, Integer
from .plan import SignaturePlan, make_callback

if TYPE_CHECKING:
    from .._link.values import Site
    from .._realm import Realm
    from .memory import CallerMemory


def host_func(realm: Realm, site: Site, plan: SignaturePlan, fn: Callable[..., Any],
              memory: CallerMemory | None) -> wasmtime.Func:
    """The engine function calling ``fn`` (a bound method) under ``plan`` for ``site``."""
    realm._gate[0] = True  # Python code now runs inside calls: threads take turns
    where = str(site)
    if not FAST:
        callback = make_callback(plan, fn, memory, where)
        return wasmtime.Func(realm.store, site.ty, callback, access_caller=True)
    params, results = plan.wasm_params, plan.wasm_results
    direct = _direct(plan, fn, where) if memory is None else None
    if direct is not None:
        return _fast.make_host_func(realm.store, params, results, direct, park, name=where)
    return _fast.make_host_func(realm.store, params, results,
                                make_callback(plan, fn, memory, where), park, name=where,
                                pass_caller=True)


def _direct(plan: SignaturePlan, fn: Callable[..., Any], where: str) -> Callable[..., Any] | None:
    if plan.errno or not all(p.type.identity for p in plan.params):
        return None
    result = plan.result
    if not plan.wasm_results:
        test = "r is None"
    elif isinstance(result, Integer) and result.identity:
        test = f"r.__class__ is int and {result.lo} <= r <= {result.hi}"
    elif isinstance(result, Float) and plan.wasm_results == ("f64",):
        test = "r.__class__ is float"  # an f32 result needs Float32's rounding check
    else:
        return None
    args = ", ".join(f"a{i}" for i in range(len(plan.wasm_params)))
    source = (f"def direct({args}):\n"
              f"    r = fn({args})\n"
              f"    if {test}:\n"
              f"        return r\n"
              f"    return slow(r)\n")

    def slow(value: Any) -> Any:
        try:
            lowered = result.lower(None, value)
            return lowered[0] if lowered else None
        except (TypeError, ValueError, OverflowError) as exc:
            raise type(exc)(f"{where}: {plan.owner}.{plan.method}() returned "
                            f"{value!r:.60}: {exc}") from exc

    namespace: dict[str, Any] = {"fn": fn, "slow": slow}
    exec(compile(source, f"<wasmport host {plan.owner}.{plan.method}>", "exec"), namespace)
    made: Callable[..., Any] = namespace["direct"]
    return made
