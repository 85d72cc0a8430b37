"""Python implementations of a component's imports, defined on a component linker.

An imported interface is implemented by one Python object (an instance, a class
with static methods, a module): its functions in snake_case, each resource as a
class attribute in UpperCamel (``impl.Blob``) whose constructor, methods and static
methods implement the resource's.  A world-level function import is a callable.
Everything is checked at link time against the WIT (missing function or resource
class, wrong arity: ``IncompatibleImportError`` naming interface and function).

At run time a host function lifts its arguments, calls the Python code, and lowers
what it returns with the same checks as export arguments; ``raise Err(e)`` gives the
error case of a ``result``.  Anything raised is parked and reaches the caller of the
export as the same object (the engine only sees an error, and poisons the instance).
Rust takes over host results, so they are lowered into our buffers and deep-copied
into Rust memory (``val_clone``).
"""

from __future__ import annotations

import ctypes
import inspect
import itertools
import weakref
from collections.abc import Callable
from typing import Any

from wasmtime import _ffi as ffi

from .._engine import component as _capi
from .._errors import IncompatibleImportError
from ._boundary import park
from ._checked import Bad
from ._lift import lifter
from ._lower import lowerer
from ._names import camel, snake
from ._pytypes import TypeSpace
from ._state import Cx, InstanceState
from ._types import Function, ResultType
from .values import Err, Ok

# The engine's callbacks find their Python side by key.  Weakly: the instance's state
# holds it (state.hosts), so an instance nobody refers to any more is collected with
# its store, whose host functions then go, and their finalizers forget the keys.  (A
# strong global table would keep every store alive.)
_HOSTS: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()
_keys = itertools.count(1)


@_capi.FUNC_CALLBACK  # type: ignore[untyped-decorator]
def _dispatch(data: int, ctx: int, ty: int, args: int, nargs: int, results: int,
              nresults: int) -> int:
    try:
        return _HOSTS[data](args, nargs, results)  # type: ignore[no-any-return]
    except BaseException as exc:  # every exception must reach the caller of the export
        return park(exc)  # (a key gone with its instance is a KeyError: an error, no crash)


@_capi.RESOURCE_DTOR  # type: ignore[untyped-decorator]
def _destroy(data: int, ctx: int, rep: int) -> int:
    try:
        _HOSTS[data](rep)
        return 0
    except BaseException as exc:
        return park(exc)


@_capi.FINALIZER  # type: ignore[untyped-decorator]
def _forget(data: int) -> None:
    try:
        _HOSTS.pop(data, None)
    except Exception:  # at interpreter exit the dict may be gone already
        pass


def host_entry(host: Any, owner: list[Any]) -> tuple[Any, int, Any]:
    """(callback, data, finalizer) to define ``host(args, nargs, results)`` on a linker:
    the C extension's callback (src/native/component_host.c, the same contract as
    ``_dispatch``, without the ctypes thunk) when it is there, else ``_dispatch``.
    ``owner`` holds the host function; the engine only refers to it weakly."""
    native = _capi.NATIVE
    if native is None:
        return _dispatch, register(host, owner), _forget
    owner.append(host)
    callback, data, finalizer = native.component_host(host, park)
    return _capi.FUNC_CALLBACK(callback), data, _capi.FINALIZER(finalizer)


def live_hosts() -> int:
    """How many host functions and resource destructors the engine still holds (tests)."""
    native = _capi.NATIVE
    return len(_HOSTS) + (0 if native is None else native.component_live_hosts())


def register(target: Any, owner: list[Any]) -> int:
    """A key for ``target``, which lives as long as the ``owner`` list holds it."""
    key = next(_keys)
    owner.append(target)
    _HOSTS[key] = target
    return key


class HostFunc:
    """One imported function, implemented by ``target``."""

    def __init__(self, state: InstanceState, func: Function, target: Callable[..., Any],
                 space: TypeSpace, label: str) -> None:
        self.state, self.target, self.label = state, target, label
        self.lifts = [lifter(t, space) for _name, t in func.type.params]
        result = func.type.result
        self.lower = lowerer(result, space) if result is not None else None
        self.wraps_result = isinstance(result, ResultType)
        self.scratch = ffi.wasmtime_component_val_t()  # only used between lower and clone
        self.scratch_mv = memoryview(self.scratch).cast("B")

    def __call__(self, args: int, nargs: int, results: int) -> int:
        cx = Cx(self.state)
        self.state.gate += 1  # the instance is calling out: no export may enter it now
        try:
            raw = ctypes.string_at(args, 32 * nargs) if nargs else b""
            values = [lift(raw, 32 * i, cx) for i, lift in enumerate(self.lifts)]
            outcome = self.outcome(values)
            if self.lower is not None:
                self.write(outcome, results, cx)
        finally:
            self.state.gate -= 1
            cx.abandon()
        return 0

    def outcome(self, values: list[Any]) -> Any:
        if not self.wraps_result:
            return self.target(*values)
        try:
            return Ok(self.target(*values))
        except Err as err:
            return err

    def write(self, value: Any, results: int, cx: Cx) -> None:
        try:
            self.lower(value, self.scratch_mv, 0, cx)  # type: ignore[misc]
        except Bad as bad:
            raise bad.error(f"{self.state.where}: host {self.label}()", "returned value") \
                from None
        _capi.val_clone(ctypes.addressof(self.scratch), results)


def _arity_ok(target: Any, count: int) -> bool:
    try:
        sig = inspect.signature(target)
    except (TypeError, ValueError):  # a builtin without a signature: trust it
        return True
    try:
        sig.bind(*range(count))
    except TypeError:
        return False
    return True


def _incompatible(where: str, iface: str, func: Function, fact: str, remedy: str
                  ) -> IncompatibleImportError:
    return IncompatibleImportError(f"{where}: import {iface!r}, function {func.name!r}: {fact}; "
                                   f"{remedy}", path=where, module=iface, field=func.name)


def _params(func: Function, skip: int = 0) -> str:
    return ", ".join(snake(name) for name, _ in func.type.params[skip:])


def target_of(where: str, iface: str, impl: Any, func: Function) -> Callable[..., Any]:
    """The Python callable for one imported function, checked against its WIT type."""
    if func.kind == "freestanding":
        return _member(where, iface, impl, snake(func.name), func, 0,
                       f"define {snake(func.name)}({_params(func)})")
    res = camel(func.resource or "")
    cls = getattr(impl, res, None)
    if cls is None:
        raise _incompatible(where, iface, func, f"{impl!r} has no resource class {res}",
                            f"give it a class attribute {res} implementing resource "
                            f"{func.resource!r}")
    if func.kind == "constructor":
        if not _arity_ok(cls, len(func.type.params)):
            raise _incompatible(where, iface, func, f"{res}() does not take "
                                f"{len(func.type.params)} arguments",
                                f"define {res}.__init__(self, {_params(func)})")
        return cls  # type: ignore[no-any-return]
    attr = snake(func.short)
    if func.kind == "static":
        return _member(where, iface, cls, attr, func, 0,
                       f"define @staticmethod {res}.{attr}({_params(func)})")
    _member(where, iface, cls, attr, func, 0,
            f"define {res}.{attr}(self{', ' if len(func.type.params) > 1 else ''}"
            f"{_params(func, 1)})")
    return lambda obj, *rest: getattr(obj, attr)(*rest)


def _member(where: str, iface: str, owner: Any, attr: str, func: Function, skip: int,
            remedy: str) -> Callable[..., Any]:
    target = getattr(owner, attr, None)
    if target is None or not callable(target):
        raise _incompatible(where, iface, func, f"{owner!r} has no function {attr}()", remedy)
    if not _arity_ok(target, len(func.type.params) - skip):
        raise _incompatible(where, iface, func, f"{attr}() does not take "
                            f"{len(func.type.params) - skip} arguments", remedy)
    return target  # type: ignore[no-any-return]
