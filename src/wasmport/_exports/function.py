"""Exported functions as Python callables, checked against their wasm signature."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

import wasmtime

from .._valtypes import check_value
from ._calls import as_python, raise_boundary_error

if TYPE_CHECKING:
    from .._realm import Realm


def signature_text(name: str, params: tuple[str, ...], results: tuple[str, ...]) -> str:
    res = "None" if not results else results[0] if len(results) == 1 else f"({', '.join(results)})"
    return f"{name}({', '.join(params)}) -> {res}"


class Function:
    """A wasm function export.  Call it like a Python function.

    Arguments are converted to the parameter types: an i32 takes -2**31..2**32-1, an
    i64 -2**63..2**64-1 (OverflowError outside, never a silent wrap), f32/f64 take ints
    and floats; anything else is a TypeError.  Results: None, one value, or a tuple.
    A trap raises :class:`wasmport.Trap`; an exception raised by Python code that the
    wasm code called comes out unchanged.
    """

    def __init__(self, realm: Realm, func: wasmtime.Func, name: str,
                 params: tuple[str, ...], results: tuple[str, ...], where: str) -> None:
        self._realm = realm
        self._func = func
        self.__name__ = self.__qualname__ = self.name = name
        self.params = params
        self.results = results
        self._where = f"{where}: {name}()"
        self.__doc__ = signature_text(name, params, results)

    @property
    def __signature__(self) -> inspect.Signature:
        return inspect.Signature([inspect.Parameter(f"p{i}", inspect.Parameter.POSITIONAL_ONLY)
                                  for i in range(len(self.params))])

    @property
    def type(self) -> str:
        res = self.results
        shown = "nil" if not res else res[0] if len(res) == 1 else f"({', '.join(res)})"
        return f"func ({', '.join(self.params)}) -> {shown}"

    def __repr__(self) -> str:
        return f"<wasm function {self.__doc__}>"

    def __call__(self, *args: Any) -> Any:
        params = self.params
        if len(args) != len(params):
            raise TypeError(f"{self.__doc__} takes {len(params)} argument"
                            f"{'' if len(params) == 1 else 's'}, {len(args)} given")
        pairs = enumerate(zip(params, args, strict=True))
        values = [_lower_arg(vt, a, self, i) for i, (vt, a) in pairs]
        store = self._realm.store
        try:
            if self._realm._guard is None:
                result = self._func(store, *values)
            else:  # limits or WASI: a fresh fuel/time budget for this call (_limits.py)
                with self._realm._guard.entered(self._where):
                    result = self._func(store, *values)
        except BaseException as err:
            raise_boundary_error(err, self._where)
        return _lift(self._realm, as_python(result))


def _lower_arg(vt: str, value: Any, fn: Function, index: int) -> Any:
    if vt == "funcref":
        if value is None or isinstance(value, wasmtime.Func):
            return value
        if isinstance(value, Function):
            return value._func
        raise TypeError(f"{fn.__doc__}: argument {index} must be a wasm function or None")
    if vt == "externref":
        return value
    return check_value(vt, value, f"{fn.__doc__}: argument {index}")


def _lift(realm: Realm, value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(_lift(realm, v) for v in value)
    if isinstance(value, wasmtime.Func):
        return wrap_func(realm, value, "<funcref>", "<table>")
    return value


def wrap_func(realm: Realm, func: wasmtime.Func, name: str, where: str) -> Function:
    from .._valtypes import func_sig

    params, results = func_sig(func.type(realm.store))
    return Function(realm, func, name, params, results, where)
