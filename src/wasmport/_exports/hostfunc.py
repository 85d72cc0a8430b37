"""Python callables as engine functions: what an import satisfied by a callable becomes,
and what ``wasmport.Function(realm, signature, fn)`` makes.

The callable receives and returns public values (convert.py); its results are checked
against the function's type before wasm sees them, and what it raises reaches the
Python caller of the export unchanged (parked per thread, boundary.py).  A
:class:`wasmport.WasmException` it raises is thrown into wasm instead (exceptions.py).
Numeric signatures take the fast path's unchecked callbacks; the others the checked
path (_engine/checked.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import wasmtime

from .._engine import calls, checked
from .._engine import fast as _fast
from .._engine.boundary import park, take_parked
from .._engine.valtypes import NUMERIC
from .convert import Codec
from .exceptions import thrown_trap
from .slots import fast_carries


def python_func(codec: Codec, functype: wasmtime.FuncType, params: tuple[str, ...],
                results: tuple[str, ...], fn: Callable[..., Any], where: str, *,
                pass_caller: bool = False) -> wasmtime.Func:
    """An engine function of ``functype`` (value types ``params``/``results``) calling
    ``fn``; ``where`` names it in messages (``import "env"."log"``).  ``pass_caller``:
    ``fn`` takes the raw ``wasmtime_caller_t*`` first (typed host modules' plans)."""
    ctx = codec.ctx
    ctx.open_gate()  # Python code now runs inside calls: threads take turns
    if calls.NATIVE and calls.NATIVE_VALUES.issuperset(params + results):  # the C trampoline
        return calls.make_host_func(ctx.store, params, results, fn, _on_error(codec),
                                    name=where, pass_caller=pass_caller)
    if _fast.ENABLED and fast_carries(codec, params, results, host=True):
        return _fast.make_host_func(ctx.store, params, results, fn, _on_error(codec),
                                    name=where, refs=codec.raw, functype=functype,
                                    pass_caller=pass_caller)
    lifting = _lifting(codec, params, results, fn, where, pass_caller)
    return checked.host_func(ctx, functype, params, results, lifting, _on_error(codec),
                             pass_caller=pass_caller)


def _on_error(codec: Codec) -> Callable[[BaseException], int | None]:
    def on_error(exc: BaseException) -> int | None:
        try:
            trap = thrown_trap(codec, exc)
        except BaseException as err:  # a WasmException that cannot be thrown: say why
            trap, exc = None, err
        if trap is None:
            park(exc)
        else:
            take_parked()  # thrown into wasm: not the Python caller's to see
        return trap

    return on_error


def _lifting(codec: Codec, params: tuple[str, ...], results: tuple[str, ...],
             fn: Callable[..., Any], where: str, pass_caller: bool) -> Callable[..., Any]:
    to_python, check = codec.to_python, result_checker(codec, results, where)
    if pass_caller:
        return lambda caller, *args: check(fn(caller, *[to_python(a) for a in args]))
    if all(p in NUMERIC for p in params):
        return lambda *args: check(fn(*args))
    return lambda *args: check(fn(*[to_python(a) for a in args]))


def result_checker(codec: Codec, results: tuple[str, ...],
                   where: str) -> Callable[[Any], Any]:
    """What a callable returned, checked against ``results``: None, one engine value,
    or a tuple of them; TypeError/OverflowError naming ``where`` otherwise."""
    what = f"{where} (Python callable) returned"
    count = len(results)

    def check(value: Any) -> Any:
        if not count:
            if value is not None:
                raise TypeError(f"{what} {value!r}, but the import's type has no results")
            return None
        if count == 1:
            return codec.to_engine(results[0], value, what)
        if not isinstance(value, (tuple, list)) or len(value) != count:
            raise TypeError(f"{what} {value!r}; expected a tuple of {count} values "
                            f"({', '.join(results)})")
        return tuple(codec.to_engine(t, v, what) for t, v in zip(results, value, strict=True))

    return check

