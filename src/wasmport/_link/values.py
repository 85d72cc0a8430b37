"""Python values -> engine externs, checked against the import's declared type."""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real
from typing import Any

import wasmtime

from .._compile.sites import Site
from .._engine.externs import EngineRefused, new_global
from .._engine.shared import memory_type
from .._engine.store import StoreContext
from .._engine.valtypes import NUMERIC, describe, func_sig, kind_of, valtype_name
from .._exports.base import ExternValue, context_of, raw_of
from .._exports.function import Function, codec
from .._exports.global_ import Global
from .._exports.hostfunc import python_func as _python_func
from .._exports.memory import Memory
from .._exports.table import Table
from .._exports.tag import Tag
from .._host.link import method_extern


def to_extern(ctx: StoreContext, site: Site, value: Any) -> Any:
    """The engine extern satisfying ``site`` with ``value``; IncompatibleImportError if none."""
    if site.opaque is not None and isinstance(value, ExternValue):
        return _pass_through(ctx, site, value)
    kind = kind_of(site.ty)
    convert = _CONVERTERS.get(kind)
    if convert is None:
        raise site.incompatible(describe(site.ty), f"{kind} imports are not supported")
    return convert(ctx, site, value)


def _pass_through(ctx: StoreContext, site: Site, value: ExternValue) -> Any:
    """A wasm export given unexamined: one side's type has concrete or GC types whose
    match only the engine can judge when it instantiates (an IncompatibleImportError if
    not)."""
    return _owned(ctx, site, value)


def _owned(ctx: StoreContext, site: Site, value: ExternValue) -> Any:
    """The engine object of ``value``, which must live in ``ctx``'s store."""
    if context_of(value) is not ctx:
        raise site.incompatible(f"a {kind_of(site.ty)} of another realm",
                                "values cannot cross realms; load both modules in one realm")
    return raw_of(value)


def _numbers_only(*types: str) -> bool:
    """Types whose match is equality; for references the engine judges subtyping."""
    return all(t in NUMERIC or t == "v128" for t in types)


def _func(ctx: StoreContext, site: Site, value: Any) -> Any:
    if isinstance(value, Function):
        raw = _owned(ctx, site, value)
        wanted = func_sig(site.ty)
        if (value.params, value.results) != wanted and _numbers_only(
                *value.params, *value.results, *wanted[0], *wanted[1]):
            raise site.incompatible(value.type, f"export a function of type "
                                    f"{describe(site.ty)}")
        return raw
    typed = method_extern(ctx, site, value)  # a bound @wasmport.export method (host_func
    if typed is not None:                      # opens the realm's gate)
        return typed
    if isinstance(value, (Memory, Global, Table)) or not callable(value):
        raise site.incompatible(_found(value), "give a Python callable or a wasm function")
    return python_func(ctx, site, value)


def python_func(ctx: StoreContext, site: Site, fn: Callable[..., Any]) -> wasmtime.Func:
    """A host function of the import's own type calling ``fn``."""
    params, results = func_sig(site.ty)
    return _python_func(codec(ctx), site.ty, params, results, fn, str(site))


def _global(ctx: StoreContext, site: Site, value: Any) -> Any:
    vt = valtype_name(site.ty.content)
    if isinstance(value, Global):
        raw = _owned(ctx, site, value)
        covariant = not site.ty.mutable and not _numbers_only(value.valtype, vt)
        if value.mutable != site.ty.mutable or (value.valtype != vt and not covariant):
            raise site.incompatible(value.type, f"give a wasmport.Global of type "
                                    f"{describe(site.ty)}")
        return raw
    if site.ty.mutable:
        raise site.incompatible(_found(value), f"a mutable global needs a wasmport.Global("
                                f"value, {vt!r}, mutable=True)")
    number = isinstance(value, Real) and not isinstance(value, bool)
    if isinstance(value, ExternValue) or (vt in NUMERIC and not number):
        raise site.incompatible(_found(value), f"give a number or a wasmport.Global of type {vt}")
    try:
        engine = codec(ctx).to_engine(vt, value, str(site))
        return new_global(ctx, site.ty, vt, engine)
    except (OverflowError, TypeError, ValueError, EngineRefused) as err:
        why = str(err).rpartition(": ")[2]  # "4294967296 is out of range for i32 (...)"
        what = "a number" if vt in NUMERIC else "a value"
        raise site.incompatible(repr(value), f"give {what} that fits {vt}: {why}") from err


def _memory(ctx: StoreContext, site: Site, value: Any) -> Any:
    if not isinstance(value, Memory):
        raise site.incompatible(_found(value), "give a wasmport.Memory")
    raw = _owned(ctx, site, value)
    found = memory_type(ctx.store, raw)
    if (not _limits_fit(value.pages, found.limits, site.ty.limits) or found.is_64 != site.ty.is_64
            or found.is_shared != site.ty.is_shared):
        raise site.incompatible(describe(found), "give a memory whose limits fit the import's")
    return raw


def _table(ctx: StoreContext, site: Site, value: Any) -> Any:
    if not isinstance(value, Table):
        raise site.incompatible(_found(value), "give a wasmport.Table")
    raw = _owned(ctx, site, value)
    found = raw.type(ctx.store)
    if valtype_name(found.element) != valtype_name(site.ty.element) or not _limits_fit(
            len(value), found.limits, site.ty.limits):
        raise site.incompatible(describe(found), "give a table whose type fits the import's")
    return raw


def _limits_fit(size: int, found: wasmtime.Limits, expected: wasmtime.Limits) -> bool:
    """Import subtyping: the current size reaches the minimum; the maximum is within."""
    if size < expected.min:
        return False
    if expected.max is None:
        return True
    return found.max is not None and found.max <= expected.max


def _found(value: Any) -> str:
    if isinstance(value, (Memory, Global, Table, Function, Tag)):
        return value.type
    return f"a Python {type(value).__name__}"


def _tag(ctx: StoreContext, site: Site, value: Any) -> Any:
    if not isinstance(value, Tag):
        raise site.incompatible(_found(value), "give a wasmport.Tag (exported by a wasm "
                                "module, or Tag(params, realm=...))")
    raw = _owned(ctx, site, value)
    found = raw.type(ctx.store)
    if func_sig(found.functype) != func_sig(site.ty.functype):
        raise site.incompatible(describe(found), f"export a tag of type {describe(site.ty)}")
    return raw


_CONVERTERS = {"func": _func, "global": _global, "memory": _memory, "table": _table,
               "tag": _tag}
