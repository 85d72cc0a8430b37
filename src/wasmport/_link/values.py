"""Python values -> engine externs, checked against the import's declared type.

``to_extern`` checks and makes the extern; ``check_extern`` runs the same checks and
makes nothing (no host function, no global, no realm gate opened), and also matches the
:class:`Declared` exports of modules a dry run compiled but did not instantiate.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real
from typing import Any

import wasmtime

from .._compile.sites import Site
from .._engine import calls
from .._engine import fast as _fast
from .._engine.boundary import park
from .._engine.store import StoreContext
from .._engine.valtypes import NUMERIC, check_value, describe, func_sig, kind_of, valtype_name
from .._exports.base import ExternValue, context_of, raw_of
from .._exports.function import Function, wrap_func
from .._exports.global_ import Global, to_val
from .._exports.memory import Memory
from .._exports.opaque import OpaqueExport
from .._exports.table import Table
from .._exports.tag import Tag
from .._host.link import check_type, exported_method, method_extern
from .declared import Declared

#: What ``check_extern`` says of a match only the engine can check (see sigscan.py).
ENGINE_CHECKS = "the engine checks this type when it instantiates (wasmport cannot describe it)"


def to_extern(ctx: StoreContext, site: Site, value: Any) -> Any:
    """The engine extern satisfying ``site`` with ``value``; IncompatibleImportError if none."""
    if site.opaque is not None or isinstance(value, OpaqueExport):
        return _pass_through(ctx, site, value)
    convert = _CONVERTERS.get(kind_of(site.ty))
    return (convert or _converter(site))(ctx, site, value, True)


def check_extern(ctx: StoreContext, site: Site, value: Any) -> str | None:
    """The checks of :func:`to_extern`, making nothing: raises what it would raise, and
    returns a note when only the engine could tell (``ENGINE_CHECKS``)."""
    if site.opaque is not None or isinstance(value, OpaqueExport) or (
            isinstance(value, Declared) and value.opaque is not None):
        if not isinstance(value, Declared):
            _pass_through(ctx, site, value)
        elif value.kind != site.kind:
            raise site.incompatible(value.type, "give an export of the import's type")
        return ENGINE_CHECKS
    _converter(site)(ctx, site, value, False)
    return None


def _converter(site: Site) -> Callable[[StoreContext, Site, Any, bool], Any]:
    """The converter for the site's kind (an IncompatibleImportError for none)."""
    kind = kind_of(site.ty)
    convert = _CONVERTERS.get(kind)
    if convert is None:
        raise site.incompatible(describe(site.ty), f"{kind} imports are not supported")
    return convert


def _pass_through(ctx: StoreContext, site: Site, value: Any) -> Any:
    """A wasm export given unexamined: one side's type cannot be described, so the engine
    alone checks the match when it instantiates (an IncompatibleImportError if not)."""
    if not isinstance(value, ExternValue):
        raise site.incompatible(_found(value), "an import of this type takes a wasm export "
                                "(of another instance in this realm)")
    return _owned(ctx, site, value)


def _owned(ctx: StoreContext, site: Site, value: ExternValue) -> Any:
    """The engine object of ``value``, which must live in ``ctx``'s store."""
    if context_of(value) is not ctx:
        raise site.incompatible(f"a {kind_of(site.ty)} of another realm",
                                "values cannot cross realms; load both modules in one realm")
    return raw_of(value)


def _declared(value: Any, kind: str) -> Declared | None:
    """``value`` when it is a dry run's declared export of ``kind``."""
    return value if isinstance(value, Declared) and value.kind == kind else None


def _func(ctx: StoreContext, site: Site, value: Any, make: bool) -> Any:
    if isinstance(value, Function):
        raw = _owned(ctx, site, value)
        _same_sig(site, (value.params, value.results), value)
        return raw
    if (declared := _declared(value, "func")) is not None:
        return _same_sig(site, func_sig(declared.ty), declared)
    method = exported_method(value)  # a bound @wasmport.export method
    if method is not None:
        check_type(site, method)
        return method_extern(ctx, site, value, method) if make else None
    if isinstance(value, (Memory, Global, Table)) or not callable(value):
        raise site.incompatible(_found(value), "give a Python callable or a wasm function")
    return python_func(ctx, site, value) if make else None


def _same_sig(site: Site, found: tuple[tuple[str, ...], tuple[str, ...]],
              value: Function | Declared) -> None:
    if found != func_sig(site.ty):
        raise site.incompatible(value.type, f"export a function of type {describe(site.ty)}")


def python_func(ctx: StoreContext, site: Site, fn: Callable[..., Any]) -> wasmtime.Func:
    """A host function calling ``fn``: on the fast path for numeric types."""
    params, results = func_sig(site.ty)
    ctx.open_gate()  # Python code now runs inside calls: threads take turns
    if _fast.ENABLED and NUMERIC.issuperset(params + results):
        return calls.make_host_func(ctx.store, params, results, fn, park, name=str(site))
    return wasmtime.Func(ctx.store, site.ty, host_callable(ctx, site, fn))


def host_callable(ctx: StoreContext, site: Site, fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``fn`` so its results are range-checked and its exceptions reach the caller."""
    params, results = func_sig(site.ty)
    refs = any(p == "funcref" for p in params)

    def call(*args: Any) -> Any:
        try:
            if refs:
                args = tuple(wrap_func(ctx, a, "<funcref>", site.where)
                             if isinstance(a, wasmtime.Func) else a for a in args)
            return _check_results(site, results, fn(*args))
        except BaseException as exc:
            park(exc)
            raise

    return call


def _check_results(site: Site, results: tuple[str, ...], value: Any) -> Any:
    what = f"{site} (Python callable) returned"
    if not results:
        if value is not None:
            raise TypeError(f"{what} {value!r}, but the import's type has no results")
        return None
    if len(results) == 1:
        return _lower_result(results[0], value, what)
    if not isinstance(value, (tuple, list)) or len(value) != len(results):
        raise TypeError(f"{what} {value!r}; expected a tuple of {len(results)} values "
                        f"({', '.join(results)})")
    return [_lower_result(vt, v, what) for vt, v in zip(results, value, strict=True)]


def _lower_result(vt: str, value: Any, what: str) -> Any:
    if vt in ("i32", "i64", "f32", "f64"):
        return to_val(vt, check_value(vt, value, what))
    if vt == "funcref" and isinstance(value, Function):
        return raw_of(value)
    return value


def _global(ctx: StoreContext, site: Site, value: Any, make: bool) -> Any:
    vt = valtype_name(site.ty.content)
    if isinstance(value, Global):
        raw = _owned(ctx, site, value)
        _same_global(site, vt, (value.valtype, value.mutable), value)
        return raw
    if (declared := _declared(value, "global")) is not None:
        ty = declared.ty
        return _same_global(site, vt, (valtype_name(ty.content), ty.mutable), declared)
    if site.ty.mutable:
        raise site.incompatible(_found(value), f"a mutable global needs a wasmport.Global("
                                f"value, {vt!r}, mutable=True)")
    if vt in ("i32", "i64", "f32", "f64") and isinstance(value, Real) and not isinstance(
            value, bool):
        try:
            checked = check_value(vt, value, str(site))
        except (OverflowError, TypeError) as err:
            why = str(err).rpartition(": ")[2]  # "4294967296 is out of range for i32 (...)"
            raise site.incompatible(repr(value), f"give a number that fits {vt}: {why}") from err
        return wasmtime.Global(ctx.store, site.ty, to_val(vt, checked)) if make else None
    raise site.incompatible(_found(value), f"give a number or a wasmport.Global of type {vt}")


def _same_global(site: Site, vt: str, found: tuple[str, bool],
                 value: Global | Declared) -> None:
    if found != (vt, site.ty.mutable):
        raise site.incompatible(value.type, f"give a wasmport.Global of type "
                                f"{describe(site.ty)}")


def _memory(ctx: StoreContext, site: Site, value: Any, make: bool) -> Any:
    raw, found, pages = _sized(ctx, site, value, Memory, "give a wasmport.Memory")
    if not _limits_fit(pages, found.limits, site.ty.limits) or found.is_64 != site.ty.is_64:
        raise site.incompatible(describe(found), "give a memory whose limits fit the import's")
    return raw


def _table(ctx: StoreContext, site: Site, value: Any, make: bool) -> Any:
    raw, found, size = _sized(ctx, site, value, Table, "give a wasmport.Table")
    if valtype_name(found.element) != valtype_name(site.ty.element) or not _limits_fit(
            size, found.limits, site.ty.limits):
        raise site.incompatible(describe(found), "give a table whose type fits the import's")
    return raw


def _sized(ctx: StoreContext, site: Site, value: Any, cls: type[Memory] | type[Table],
           remedy: str) -> tuple[Any, Any, int]:
    """(engine object, type, current size) of a memory or table; a declared one is not
    made yet, so its size is its minimum."""
    if isinstance(value, cls):
        raw = _owned(ctx, site, value)
        return raw, raw.type(ctx.store), value.pages if isinstance(value, Memory) else len(value)
    declared = _declared(value, site.kind)
    if declared is None:
        raise site.incompatible(_found(value), remedy)
    return None, declared.ty, declared.ty.limits.min


def _limits_fit(size: int, found: wasmtime.Limits, expected: wasmtime.Limits) -> bool:
    """Import subtyping: the current size reaches the minimum; the maximum is within."""
    if size < expected.min:
        return False
    if expected.max is None:
        return True
    return found.max is not None and found.max <= expected.max


def _found(value: Any) -> str:
    if isinstance(value, (Memory, Global, Table, Function, Tag, Declared)):
        return value.type
    return f"a Python {type(value).__name__}"


def _tag(ctx: StoreContext, site: Site, value: Any, make: bool) -> Any:
    if isinstance(value, Tag):
        raw = _owned(ctx, site, value)
        found = raw.type(ctx.store)
    elif (declared := _declared(value, "tag")) is not None:
        raw, found = None, declared.ty
    else:
        raise site.incompatible(_found(value), "give a tag exported by a wasm module")
    if func_sig(found.functype) != func_sig(site.ty.functype):
        raise site.incompatible(describe(found), f"export a tag of type {describe(site.ty)}")
    return raw


_CONVERTERS: dict[str, Callable[[StoreContext, Site, Any, bool], Any]] = {
    "func": _func, "global": _global, "memory": _memory, "table": _table, "tag": _tag}
