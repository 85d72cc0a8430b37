"""Signature plans: how one host method's parameters lift and its result lowers.

A plan is made once, when the HostModule class is created, and is plain data:
the core wasm types, and per parameter its host type and which core values it takes.
:func:`make_callback` turns a plan into a wasmtime-py callback; a raw ctypes path
can read the same plan.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from .._engine.boundary import park
from .._errors import HostSignatureError, MemoryAccessError
from .kinds import HostType
from .memory import CallerMemory, enter_call, leave_call
from .resolve import Unsupported, resolve
from .results import ErrnoError, ErrnoType, ResultType


@dataclass(frozen=True)
class ParamPlan:
    """One parameter: its position (not counting self), name, type and core values."""

    index: int
    name: str
    type: HostType
    start: int
    stop: int


@dataclass(frozen=True)
class SignaturePlan:
    """How a host method meets wasm: the lowered core signature and the conversions."""

    owner: str
    method: str
    export: str
    params: tuple[ParamPlan, ...]
    result: HostType
    wasm_params: tuple[str, ...]
    wasm_results: tuple[str, ...]
    uses_memory: bool
    errno: bool

    @property
    def text(self) -> str:
        """The method as declared: ``Store.put(key: String, value: Bytes) -> Errno``."""
        params = ", ".join(f"{p.name}: {p.type.name}" for p in self.params)
        return f"{self.owner}.{self.method}({params}) -> {self.result.name}"

    @property
    def wasm_type(self) -> str:
        """The lowered type in wasmport's notation: ``func (i32, i32) -> i32``."""
        res = self.wasm_results
        shown = "nil" if not res else res[0] if len(res) == 1 else f"({', '.join(res)})"
        return f"func ({', '.join(self.wasm_params)}) -> {shown}"


def build_plan(owner: str, method: str, export: str, fn: Callable[..., Any],
               localns: dict[str, Any] | None = None) -> SignaturePlan:
    """Plan ``fn``'s signature; HostSignatureError naming what is wrong and where."""
    def fail(message: str, index: int | None = None, param: str | None = None,
             result: bool = False) -> HostSignatureError:
        at = "result: " if result else "" if param is None else f"parameter {index} {param!r}: "
        return HostSignatureError(f"{owner}.{method}(): {at}{message}", owner=owner,
                                  method=method, index=index, param=param)

    if inspect.iscoroutinefunction(fn):
        raise fail("async methods cannot be host functions; wasm calls them synchronously")
    params = _parameters(fn, fail)
    try:
        hints = typing.get_type_hints(fn, localns=localns, include_extras=True)
    except Exception as err:  # NameError for a name not defined where the method is
        raise fail(f"an annotation cannot be resolved ({err}); define the names it uses "
                   "at module level") from err
    planned: list[ParamPlan] = []
    cores: list[str] = []
    for index, p in enumerate(params):
        ptype = _param_type(p, hints, index, fail)
        assert ptype.params is not None
        planned.append(ParamPlan(index, p.name, ptype, len(cores), len(cores) + len(ptype.params)))
        cores.extend(ptype.params)
    result = _result_type(hints, fail)
    assert result.results is not None
    return SignaturePlan(
        owner, method, export, tuple(planned), result, tuple(cores), result.results,
        result.uses_memory or any(p.type.uses_memory for p in planned),
        isinstance(result, (ErrnoType, ResultType)))


def _parameters(fn: Callable[..., Any], fail: Any) -> list[inspect.Parameter]:
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError) as err:
        raise fail(f"its signature cannot be read ({err})") from err
    if not params or params[0].kind not in (params[0].POSITIONAL_ONLY,
                                             params[0].POSITIONAL_OR_KEYWORD):
        raise fail("a host function is a method: its first parameter must be self")
    for index, p in enumerate(params[1:]):
        if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            raise fail(f"{p.kind.description} parameters cannot come from wasm; wasm "
                       "passes every argument by position", index, p.name)
    return params[1:]


def _param_type(p: inspect.Parameter, hints: dict[str, Any], index: int, fail: Any) -> HostType:
    if p.name not in hints:
        raise fail("no annotation; annotate it with a wasmport.types type, such as Int32 "
                   "or String", index, p.name)
    try:
        ptype = resolve(hints[p.name])
    except Unsupported as err:
        raise fail(str(err), index, p.name) from None
    if ptype.params is None:
        raise fail(_not_a_param(ptype), index, p.name)
    if p.default is not p.empty:
        try:
            ptype.check_default(p.default)
        except (TypeError, ValueError, OverflowError) as err:
            raise fail(f"bad default {p.default!r}: {err}", index, p.name) from None
    return ptype


def _not_a_param(ptype: HostType) -> str:
    if ptype.size is not None and ptype.results is None:
        return (f"{ptype.name} cannot be passed by value; take a Pointer[{ptype.name}] "
                "(what C passes for a struct)")
    return f"{ptype.name} cannot be a parameter"


def _result_type(hints: dict[str, Any], fail: Any) -> HostType:
    if "return" not in hints:
        raise fail("no return annotation; add -> None if it returns nothing", result=True)
    try:
        rtype = resolve(hints["return"])
    except Unsupported as err:
        raise fail(str(err), result=True) from None
    if rtype.results is None or rtype.uses_memory:
        raise fail(f"{rtype.name} cannot be a result: a host function cannot allocate in "
                   "the guest's memory; take an out-parameter (Buffer, Array[T] or "
                   "Pointer[T]) and return a length or an Errno", result=True)
    return rtype


# -- calls -------------------------------------------------------------------------------


def make_callback(plan: SignaturePlan, fn: Callable[..., Any], memory: CallerMemory | None,
                  where: str) -> Callable[..., Any]:
    """A wasmtime-py callback (``access_caller=True``) running ``fn`` under ``plan``.

    Any exception is parked for the Python caller of the wasm export, which re-raises
    it as the same object (see _exports/_calls.py); wasm sees a trap.
    """
    steps = tuple((p.type.lift, p.start, p.stop) for p in plan.params if not p.type.identity)
    direct = not steps and memory is None
    lifts = tuple((p.index, p.type.lift, p.start, p.stop) for p in plan.params)
    lower, n_results, errno = plan.result.lower, len(plan.wasm_results), plan.errno
    error_values: Callable[[int], tuple[Any, ...]] = getattr(plan.result, "error", _no_errno)

    def lift_all(raw: tuple[Any, ...]) -> list[Any]:
        args = []
        for index, lift, start, stop in lifts:
            try:
                args.append(lift(memory, *raw[start:stop]))
            except Exception as exc:
                _reraise(exc, f"{where}: {plan.owner}.{plan.method}() parameter {index} "
                         f"{plan.params[index].name!r}", memory)
        return args

    def shaped(out: tuple[Any, ...]) -> Any:
        return out[0] if n_results == 1 else (None if not n_results else list(out))

    def lowered(value: Any) -> Any:
        try:
            out = lower(memory, value)
        except Exception as exc:
            _reraise(exc, f"{where}: {plan.owner}.{plan.method}() returned {_short(value)}",
                     memory)
        return shaped(out)

    def callback(caller: Any, *raw: Any) -> Any:
        try:
            if memory is not None:
                enter_call(memory, caller)
            try:
                value = fn(*raw) if direct else fn(*lift_all(raw))
            except ErrnoError as err:
                if not errno:
                    raise
                return shaped(error_values(err.code))
            return lowered(value)
        except BaseException as exc:
            park(exc)
            raise
        finally:
            if memory is not None:
                leave_call(memory)

    def lower_only(value: Any) -> Any:
        """Lower a result the method already returned (the direct shape's slow case)."""
        try:
            return lowered(value)
        except BaseException as exc:
            park(exc)
            raise

    callback.lower_only = lower_only  # type: ignore[attr-defined]
    return callback


def _no_errno(code: int) -> tuple[Any, ...]:
    raise AssertionError("only Errno and Result[T] results take an error code")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _reraise(exc: Exception, where: str, memory: CallerMemory | None) -> NoReturn:
    """Raise the same kind of error, its message prefixed with where it happened."""
    new: Exception
    if isinstance(exc, MemoryAccessError):
        name = memory.name if memory is not None else "?"
        new = MemoryAccessError(exc.offset, exc.length, exc.size,
                                where=f"{where} in memory {name!r}")
    elif isinstance(exc, UnicodeDecodeError):
        new = UnicodeDecodeError(exc.encoding, exc.object, exc.start, exc.end,
                                 f"{exc.reason} ({where}; invalid UTF-8 is never replaced)")
    elif type(exc) in (ValueError, TypeError, OverflowError):
        new = type(exc)(f"{where}: {exc}")
    else:
        raise exc  # a user-defined type's own error: unchanged
    raise new from exc
