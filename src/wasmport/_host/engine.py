"""Host methods as engine functions: on the fast path when it is available.

Four shapes, fastest first:

- *plain*: scalar parameters taken as they come and a signed or f64 result (or none):
  the bound method itself is the engine's callback; the fast layer checks the result
  inline and hands anything else to the plan's lowering;
- *direct*: parameters that are plain scalars, ``Bytes`` or ``String``, and such a
  result: a callback generated for the plan lifts inline, calls the method and checks
  the result inline.  Anything unusual (a bad pointer, invalid
  UTF-8, a result out of range) is handed to the planned callback, which raises
  the plan's own, precise error; lifting reads memory only, so doing it again is safe.
- *planned*: anything else, through the plan's callback, given the raw caller so a
  start function (which runs before the memory is bound) still finds the memory;
- *checked*: the checked path (_exports/hostfunc.py) when the fast path is off, or when
  a type is v128 or a reference (those cross as Python values: _host/references.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import wasmtime

from .._compile.sites import Site
from .._engine import calls
from .._engine import fast as _fast
from .._engine.boundary import park
from .._engine.store import StoreContext
from .._engine.valtypes import NUMERIC
from .._exports.function import codec
from .._exports.hostfunc import python_func
from .kinds import Float, Integer
from .memory import CallerMemory, native_window
from .plan import SignaturePlan, make_callback
from .pointers import BytesType, StringType


def host_func(ctx: StoreContext, site: Site, plan: SignaturePlan, fn: Callable[..., Any],
              memory: CallerMemory | None) -> wasmtime.Func:
    """The engine function calling ``fn`` (a bound method) under ``plan`` for ``site``."""
    ctx.open_gate()  # Python code now runs inside calls: threads take turns
    where = str(site)
    planned = make_callback(plan, fn, memory, where)
    params, results = plan.wasm_params, plan.wasm_results
    if not _fast.ENABLED or not NUMERIC.issuperset(params + results):
        return python_func(codec(ctx), site.ty, params, results, planned, where,
                           pass_caller=True)
    lower_only = planned.lower_only  # type: ignore[attr-defined]
    check = ((lambda r: (lower_only(r),)) if results else lower_only)
    if memory is None and _plain(plan):
        # The method itself is the callback: the fast layer lets signed results through
        # inline and hands anything else to the plan's own lowering.
        return calls.make_host_func(ctx.store, params, results, fn, park, name=where,
                                    check=check)
    lifts = _native_lifts(plan) if memory is not None and calls.NATIVE else None
    if lifts is not None:
        assert memory is not None
        return calls.make_host_func(ctx.store, params, results, fn, park, name=where,
                                    check=check, lifts=lifts, memory=native_window(memory),
                                    fallback=planned)
    direct = _direct(plan, fn, memory, planned) if memory is not None else None
    return calls.make_host_func(ctx.store, params, results, direct or planned, park,
                                name=where, pass_caller=True)


def _native_lifts(plan: SignaturePlan) -> list[tuple[str, int]] | None:
    """The direct shape in the native layer's words: (kind, first slot) per parameter, or
    None when a parameter or the result needs the plan."""
    if _result_test(plan) is None:
        return None
    lifts = []
    for p in plan.params:
        if p.type.identity:
            lifts.append(("value", p.start))
        elif isinstance(p.type, (BytesType, StringType)):
            lifts.append(("bytes" if isinstance(p.type, BytesType) else "string", p.start))
        else:
            return None
    return lifts


def _plain(plan: SignaturePlan) -> bool:
    """Scalar parameters taken as they come, and a signed-integer, f64 or no result."""
    result = plan.result
    if plan.errno or not all(p.type.identity for p in plan.params):
        return False
    if not plan.wasm_results:
        return True
    if isinstance(result, Integer):
        return result.identity  # Int32 / Int64: the signed range is exactly theirs
    return isinstance(result, Float) and plan.wasm_results == ("f64",)


def _result_test(plan: SignaturePlan) -> str | None:
    result = plan.result
    if plan.errno:
        return None
    if not plan.wasm_results:
        return "r is None"
    if isinstance(result, Integer) and result.identity:
        return f"r.__class__ is int and {result.lo} <= r <= {result.hi}"
    if isinstance(result, Float) and plan.wasm_results == ("f64",):
        return "r.__class__ is float"  # an f32 result needs Float32's rounding check
    return None


def _lifts(plan: SignaturePlan) -> list[str] | None:
    """Source lines lifting each parameter into v<i>, or None if one needs the plan."""
    lines: list[str] = []
    for p in plan.params:
        a, b = f"a{p.start}", f"a{p.start + 1}"
        if p.type.identity:
            lines.append(f"v{p.index} = {a}")
        elif isinstance(p.type, (BytesType, StringType)):
            copy = "view[p:p + n].tobytes()" if isinstance(p.type, BytesType) else (
                "str(view[p:p + n], 'utf-8')")
            lines += [f"p = {a} & 0xFFFFFFFF",
                      f"n = {b} & 0xFFFFFFFF",
                      "if p + n > size:",  # grown since (memories never move) or out
                      "    memory._refresh()",
                      "    view, size = memory._view, memory._size",
                      "    if p + n > size:",
                      "        raise IndexError",
                      f"v{p.index} = {copy}"]
        else:
            return None
    return lines


def _direct(plan: SignaturePlan, fn: Callable[..., Any], memory: CallerMemory,
            planned: Callable[..., Any]) -> Callable[..., Any] | None:
    test, lifts = _result_test(plan), _lifts(plan)
    if test is None or lifts is None:
        return None
    raw = ", ".join(f"a{i}" for i in range(len(plan.wasm_params)))
    values = ", ".join(f"v{p.index}" for p in plan.params)
    head = [f"def direct(caller{', ' if raw else ''}{raw}):",  # the raw caller comes first
            "    if memory._provisional:",  # a start function: the planned way
            f"        return planned(caller{', ' if raw else ''}{raw})",
            # The engine's memories never move (_engine.py): the cached window stays
            # valid, and is refreshed only when an access goes past it.
            "    view, size = memory._view, memory._size"]
    body = ["    try:", *("        " + line for line in lifts or ["pass"]),
            "    except Exception:",
            f"        return planned(caller{', ' if raw else ''}{raw})",
            f"    r = fn({values})",
            f"    if {test}:",
            "        return r",
            f"    return planned(caller{', ' if raw else ''}{raw}, result=r)"]
    namespace: dict[str, Any] = {"fn": fn, "planned": _replay(planned), "memory": memory}
    exec(compile("\n".join(head + body) + "\n",
                 f"<wasmport host {plan.owner}.{plan.method}>", "exec"), namespace)
    made: Callable[..., Any] = namespace["direct"]
    return made


def _replay(planned: Callable[..., Any]) -> Callable[..., Any]:
    """The planned callback, which lifts again and raises the plan's error; given a
    ``result`` it lowers that value instead of calling the method a second time."""
    def replay(caller: Any, *raw: Any, result: Any = _UNSET) -> Any:
        if result is _UNSET:
            return planned(caller, *raw)
        return planned.lower_only(result)  # type: ignore[attr-defined]

    return replay


_UNSET = object()
