"""Calling a component's exports: converters and buffers built once per function.

wasmtime-py's ``Func.__call__`` asks the engine for the function's type on every
call (~13 µs of its ~20 µs) and boxes each value through Python objects.  Here the
type is read once, when the instance is made; each function gets its lowerers,
its lifter and two reused value buffers, and a call is: check and write the
arguments, one ``wasmtime_component_func_call`` (GIL held), lift the result, free
the engine's result value.  The engine copies the arguments before it runs any
wasm, so reusing the buffers is safe when a host function calls the same export
again; with ``release_gil`` each call gets its own buffers instead.

``post-return`` needs no call: wasmtime 50 runs it inside ``func_call``.
"""

from __future__ import annotations

import ctypes
import inspect
import os
from collections.abc import Callable
from typing import Any

from wasmtime import _ffi as ffi

from .._engine import component as _capi
from ._checked import Bad
from ._fastcall import generated_wrapper, native_wrapper
from ._lift import lifter, result_parts
from ._lower import lowerer
from ._names import annotation, snake
from ._pytypes import TypeSpace
from ._state import Cx, InstanceState, reentered
from ._types import Function, ResultType
from ._wit import func_text
from .values import Err

VAL = ffi.wasmtime_component_val_t
# WASMPORT_NO_FAST=1 (the suite's second pass) takes the general path everywhere, so
# that it is tested on its own; generated wrappers and host functions are left out.
GENERAL_ONLY = bool(os.environ.get("WASMPORT_NO_FAST"))


def result_lifter(func: Function, space: TypeSpace) -> Callable[[Any, int, Any], Any] | None:
    """Lift a function's result: ``result<T, E>`` returns T or raises Err(E)."""
    ty = func.type.result
    if ty is None:
        return None
    if not isinstance(ty, ResultType):
        return lifter(ty, space)
    parts = result_parts(ty, space)

    def lift_outcome(buf: Any, off: int, cx: Any) -> Any:
        is_ok, value = parts(buf, off, cx)
        if is_ok:
            return value
        raise Err(value)
    return lift_outcome


def signature(func: Function, skip_self: bool = False) -> inspect.Signature:
    params = func.type.params[1:] if skip_self else func.type.params
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    return inspect.Signature([inspect.Parameter(snake(name), kind) for name, _ in params])


class Export:
    """One export of one instance: what its wrapper needs, built once."""

    def __init__(self, state: InstanceState, func: Function, raw: Any, space: TypeSpace,
                 label: str, release_gil: bool = False) -> None:
        self.state, self.func, self.raw, self.label = state, func, raw, label
        self.space = space
        self.lowers = [lowerer(t, space) for _name, t in func.type.params]
        self.names = [snake(name) for name, _ in func.type.params]
        self.lift = result_lifter(func, space)
        self.release_gil = release_gil
        self.call_c = _capi.func_call_nogil if release_gil else _capi.func_call
        self.func_arg = ctypes.c_void_p(ctypes.addressof(raw))
        self.nargs = ctypes.c_size_t(len(self.lowers))
        self.nres = ctypes.c_size_t(0 if self.lift is None else 1)
        self.args, self.results = self.buffers()
        self.args_arg = ctypes.c_void_p(ctypes.addressof(self.args))
        self.res_arg = ctypes.c_void_p(ctypes.addressof(self.results))
        self.argmv = memoryview(self.args).cast("B")
        self.resmv = memoryview(self.results).cast("B")
        self.cx = Cx(state)

    def buffers(self) -> tuple[Any, Any]:
        return (VAL * max(len(self.lowers), 1))(), VAL()

    def where(self) -> str:
        return f"{self.state.where}: {self.label}()"

    def bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        try:
            bound = signature(self.func).bind(*args, **kwargs)
        except TypeError as err:
            raise TypeError(f"{self.where()}: {err}; the WIT signature is "
                            f"({', '.join(self.names)})") from None
        return bound.args

    def lower_all(self, args: tuple[Any, ...], mv: Any, cx: Cx) -> None:
        i = 0
        try:
            for i, lower in enumerate(self.lowers):
                lower(args[i], mv, 32 * i, cx)
        except Bad as bad:
            cx.unwind()
            raise bad.error(self.where(), f"parameter {self.names[i]}") from None
        except BaseException:
            cx.unwind()
            raise

    def invoke(self, *args: Any, **kwargs: Any) -> Any:
        """The general path: any WIT types, keyword arguments."""
        state = self.state
        if kwargs or len(args) != len(self.lowers):
            args = self.bind(args, kwargs)
        state.enter(self.label)
        if state.busy:
            raise reentered(self.where())
        args_arg: Any
        res_arg: Any
        if self.release_gil:  # other threads run meanwhile: nothing shared
            cx, (argbuf, resbuf) = Cx(state), self.buffers()
            args_arg, res_arg = ctypes.byref(argbuf), ctypes.byref(resbuf)
            argmv = memoryview(argbuf).cast("B")
        else:
            cx, resbuf, args_arg, res_arg, argmv = (self.cx, self.results, self.args_arg,
                                                    self.res_arg, self.argmv)
            cx.reset()
        self.lower_all(args, argmv, cx)
        state.gate += 1
        try:
            error = self.call_c(self.func_arg, state.ctx_arg, args_arg, self.nargs, res_arg,
                                self.nres)
        finally:
            state.gate -= 1
        cx.finish()
        if error:
            raise state.fail(error, f"{self.label}()")
        if self.lift is None:
            return None
        return self.lifted(resbuf, cx)

    def lifted(self, resbuf: Any, cx: Cx) -> Any:
        try:
            return self.lift(memoryview(resbuf).cast("B"), 0, cx)  # type: ignore[misc]
        finally:
            free_result(resbuf)

    def wrapper(self) -> Callable[..., Any]:
        if not self.release_gil and not GENERAL_ONLY:
            python = self.described(generated_wrapper(self))
            made = native_wrapper(self, python)
            if made is None:
                return python
            made.__signature__ = inspect.signature(python)  # the same as the Python one's
            return self.described(made)
        invoke = self.invoke

        def call(*args: Any, **kwargs: Any) -> Any:
            return invoke(*args, **kwargs)
        call.__signature__ = signature(self.func)  # type: ignore[attr-defined]
        return self.described(call)

    def described(self, call: Any) -> Callable[..., Any]:
        call.__doc__ = f"WIT: {func_text(self.func)}"
        call.__annotations__ = {**{name: annotation(t) for name, (_n, t)
                                   in zip(self.names, self.func.type.params, strict=True)},
                                "return": annotation(self.func.type.result, returned=True)}
        described: Callable[..., Any] = call
        return described


def free_result(resbuf: Any) -> None:
    """Free the engine's result value and leave a plain bool in its place: the engine
    assigns the next result over the old one, dropping whatever it finds there."""
    _capi.val_delete(ctypes.addressof(resbuf))
    memoryview(resbuf).cast("B")[0] = 0
