"""Wasm functions as Python callables, checked against their wasm signature.

A :class:`Function` is a ``functools.partial`` subclass around the call itself, so
calling one runs the call with no extra Python frame: for the signatures the fast path
carries the call is made by a fast layer (_engine/calls.py: the C extension for numbers
and v128, else the ctypes wrapper, which also carries references) over the engine's
unchecked call (GIL held); otherwise, or when limits are in force, it is the checked path
(_engine/checked.py, ``wasmtime_func_call``), which releases the GIL.  Values convert as
convert.py says.

An export that the native layer carries gets its call when it is made, from its
signature's plan (plans.py); any other Function builds its call on its first call.
"""

from __future__ import annotations

import functools
import inspect
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

import wasmtime

from .._compile.refs import reduce_value, token_of
from .._engine import calls
from .._engine import fast as _fast
from .._engine.store import StoreContext, context_for
from .._engine.typemake import func_type
from .._engine.typenames import parse_signature
from .._engine.valtypes import func_sig_of
from .._errors import RealmClosedError
from .base import ExternValue
from .checked_call import checked_call
from .convert import Codec
from .exceptions import raise_failure
from .hostfunc import python_func
from .plans import ALWAYS, plans_of, signature_tail
from .slots import RawRefs, fast_carries

if TYPE_CHECKING:
    from .._compile.module import Module


def signature_text(name: str, params: tuple[str, ...], results: tuple[str, ...]) -> str:
    return name + signature_tail(params, results)


class _EngineFunc:
    """A planned export's wasmtime.Func, made from its engine bytes on first use (most
    exports are only ever called)."""

    def __get__(self, function: Any, owner: type | None = None) -> Any:
        if function is None:
            return self
        made = function.__dict__["_raw"] = calls.func_from_raw(function.__dict__["_engine_func"])
        return made


class Function(functools.partial, ExternValue):  # type: ignore[type-arg]
    """A wasm function: an export, a funcref, or a Python callable made one with
    ``Function(realm, signature, fn)``.  Call it like a Python function.

    ``signature`` reads like ``"func (i32, externref) -> f64"`` (or a ``(params,
    results)`` pair of type names); ``realm`` None is the default realm.  Such a function
    can be stored in a funcref table or global and passed where wasm takes a funcref.

    Arguments are converted to the parameter types: an i32 takes -2**31..2**32-1, an
    i64 -2**63..2**64-1 (OverflowError outside, never a silent wrap), f32/f64 take ints
    and floats, v128 an int or 16 bytes, references as convert.py lists; anything else
    is a TypeError.  Results: None, one value, or a tuple.  A trap raises
    :class:`wasmport.Trap`, an uncaught wasm exception :class:`wasmport.WasmException`;
    an exception raised by Python code that the wasm code called comes out unchanged.
    """

    __name__: str
    __qualname__: str
    name: str
    params: tuple[str, ...]
    results: tuple[str, ...]
    _where: str
    _module: Module | None
    _origin: Any  # an export's: a weak reference to its Instance (instance.py)
    __setstate__: Callable[[tuple[Any, ...]], None]
    _raw = _EngineFunc()  # a Function made by _make holds its own
    # Slots for what refers to tracked objects: the __dict__ of an export then holds only
    # strings, bytes and tuples of strings, so the garbage collector does not track it.
    __slots__ = ("_ctx", "_module", "_origin")

    def __new__(cls, realm: Any, signature: Any, fn: Callable[..., Any], *,
                name: str | None = None) -> Function:
        if not callable(fn):
            raise TypeError(f"Function(realm, signature, fn): fn must be callable, not "
                            f"{type(fn).__name__}")
        ctx = context_for(realm)
        params, results = parse_signature(signature)
        label = name or getattr(fn, "__name__", None) or "python"
        func = python_func(codec(ctx), func_type(params, results), params, results, fn,
                           f"Function {label!r}")
        return cls._make(ctx, func, label, params, results, "<python>")

    @classmethod
    def _make(cls, ctx: StoreContext, func: wasmtime.Func, name: str,
              params: tuple[str, ...], results: tuple[str, ...], where: str,
              module: Module | None = None) -> Function:
        doc = signature_text(name, params, results)
        self = super().__new__(cls, _unbuilt)
        self._bind(ctx, func, name)
        self.__name__ = self.__qualname__ = name
        self.params, self.results = params, results
        self.__doc__ = doc
        self._where = f"{where}: {name}()"
        self._module = module  # the module that exports it, for its parameter names
        # The call itself is built on the first call: a module with thousands of exports
        # pays only for those it uses.
        self.__setstate__((_Unbuilt(self), (), {}, self.__dict__))
        return self

    def _build(self) -> Callable[..., Any]:
        call = _make_call(self._ctx, self._raw, self.params, self.results, self._where,
                          self.__doc__ or "", self._ctx.release_gil)
        _give_token(call, self)
        self.__setstate__((call, (), {}, self.__dict__))
        return call

    @property
    def nogil(self) -> Callable[..., Any]:
        """This function, called without holding the GIL: other Python threads run while
        it computes (for long calls; a short call costs more this way)."""
        call: Callable[..., Any] | None = self.__dict__.get("_nogil")
        if call is None:
            call = self.__dict__["_nogil"] = _make_call(
                self._ctx, self._raw, self.params, self.results, self._where,
                self.__doc__ or "", True)
        return call

    def __get__(self, instance: object, owner: type | None = None) -> Function:
        """Stored on a class, a wasm function stays itself, never a bound method: 3.13's
        partial warns that it will bind (3.14 does).  Being a method descriptor also
        makes ``mypy.stubtest`` see a function where a stub says ``def`` (3.10-3.12)."""
        return self

    @property
    def param_names(self) -> tuple[str, ...]:
        """The parameter names: the exporting module's name section's, else p0, p1..."""
        names = () if self._module is None else self._module.param_names(self.name)
        return names if len(names) == len(self.params) else tuple(
            f"p{i}" for i in range(len(self.params)))

    @property
    def __signature__(self) -> inspect.Signature:
        return inspect.Signature([inspect.Parameter(name, inspect.Parameter.POSITIONAL_ONLY)
                                  for name in self.param_names])

    @property
    def type(self) -> str:
        res = self.results
        shown = "nil" if not res else res[0] if len(res) == 1 else f"({', '.join(res)})"
        return f"func ({', '.join(self.params)}) -> {shown}"

    def __repr__(self) -> str:
        return f"<wasm function {self.__doc__}>"

    def __reduce__(self) -> Any:
        """By reference (module, content digest, export name), for the exports of a
        module from import or load(); a TypeError for the others."""
        return reduce_value(self)


calls.enable_vectorcall(Function)


def _unbuilt(*args: Any) -> Any:
    raise AssertionError("a Function is given its call before it is used")


class _Unbuilt:
    """A Function's call until its first call, which builds the real one and swaps it
    in.  It holds the Function weakly: a Function never refers to itself, so tools that
    walk ``partial.func`` (Dask's tokenizer, for one) do not recurse."""

    __slots__ = ("_function",)

    def __init__(self, function: Function) -> None:
        self._function = weakref.ref(function)

    def __call__(self, *args: Any) -> Any:
        function = self._function()
        if function is None:
            raise RuntimeError("this wasm function's call outlived its Function object")
        return function._build()(*args)

    def __dask_tokenize__(self) -> Any:
        return token_of(self._function())


def _give_token(call: Any, function: Function) -> None:
    """Dask tokenizes a ``functools.partial`` by its ``func``: the built call, which
    therefore tokenizes as its Function (when dask was imported after wasmport, before
    ``normalize_token`` knew the Function class)."""
    ref = weakref.ref(function)
    try:
        if calls.is_native_caller(call):  # it calls its hook with itself
            call.__dask_tokenize__ = lambda caller: lambda: token_of(ref())
        else:
            call.__dask_tokenize__ = lambda: token_of(ref())
    except AttributeError:  # a call object without a __dict__
        pass


class ExportToken:
    """The ``__dask_tokenize__`` hook of the native callers of one instance's exports:
    ``hook(caller)`` is the callable giving the token of that caller's Function (one
    hook per instance, no object per export)."""

    __slots__ = ("_instance",)

    def __init__(self, instance: weakref.ref[Any]) -> None:
        self._instance = instance

    def __call__(self, caller: Any) -> Callable[[], Any]:
        instance = self._instance()
        function = None if instance is None else instance.export(caller.__name__)
        return functools.partial(token_of, function)


def codec(ctx: StoreContext) -> Codec:
    """The value conversions of ``ctx``'s store (made once per store)."""
    found: Codec | None = ctx.values
    if found is None:
        found = ctx.values = Codec(ctx, lambda func: wrap_func(ctx, func, "<funcref>", "<wasm>"),
                                   Function)
        found.raw = RawRefs(found)
    return found


def _make_call(ctx: StoreContext, func: wasmtime.Func, params: tuple[str, ...],
               results: tuple[str, ...], where: str, doc: str,
               release_gil: bool) -> Callable[..., Any]:
    if _fast.ENABLED and ctx.guard is None and fast_carries(codec(ctx), params, results):
        return _fast_call(ctx, func, params, results, where, doc, release_gil)
    return checked_call(ctx, codec(ctx), func, params, results, where, doc)  # no GIL


def _fast_call(ctx: StoreContext, func: wasmtime.Func, params: tuple[str, ...],
               results: tuple[str, ...], where: str, doc: str,
               release_gil: bool) -> Callable[..., Any]:
    conv = codec(ctx)

    def raise_trap(trap: int, error: int) -> NoReturn:
        raise_failure(conv, _fast.take(trap, error), where)

    def closed() -> NoReturn:
        if ctx.exiting:  # a daemon thread at interpreter exit: wait for the end
            ctx.entry_lock.acquire()
        raise RealmClosedError(f"{where}: realm {ctx.name!r} is closed")

    # Numbers and v128 take the C extension where it is built; references the ctypes layer.
    native = calls.NATIVE and calls.NATIVE_VALUES.issuperset(params + results)
    make, extra = (calls.make_caller, {}) if native else (_fast.make_caller, {"refs": conv.raw})
    return make(ctx.store, func, params, results, raise_trap=raise_trap,
                name=doc.partition("(")[0], closed=closed,
                # Without the GIL other threads can run at any time: always lock.
                gate=ALWAYS if release_gil else ctx.gate,
                lock=ctx.entry_lock, verified=True, release_gil=release_gil, **extra)


def wrap_func(ctx: StoreContext, func: wasmtime.Func, name: str, where: str,
              module: Module | None = None) -> Function:
    """A Function for an engine function, its signature read from the engine; ``module``
    when it is that module's export ``name``."""
    params, results = func_sig_of(ctx.store, func)
    return Function._make(ctx, func, name, params, results, where, module)


def export_function(ctx: StoreContext, found: tuple[bytes, tuple[str, ...], tuple[str, ...]],
                    name: str, where: str, module: Module, origin: Any,
                    token: ExportToken) -> Function:
    """The Function of an export the native look-up found: ``found`` is the engine's
    bytes of the function and its signature; ``where`` the module's ``where``, ``origin``
    a weak reference to the instance, ``token`` its callers' Dask hook.  Where the
    signature has a plan its call is made now, from the plan."""
    raw, params, results = found
    conv = ctx.values or codec(ctx)
    plan = (conv.plans or plans_of(conv))[params, results]
    if plan is None:
        function = Function._make(ctx, calls.func_from_raw(raw), name, params, results,
                                  where, module)
        function._origin = origin
        return function
    make, tail, params, results = plan  # the plan's tuples: these die young
    at = f"{where}: {name}()"
    call = make(raw, name, at, token)
    function = _new_partial(Function, call)
    function.__dict__ = {"_engine_func": raw, "name": name, "__name__": name,
                         "__qualname__": name, "params": params, "results": results,
                         "__doc__": name + tail, "_where": at}
    function._ctx, function._module, function._origin = ctx, module, origin
    return function


_new_partial = functools.partial.__new__
