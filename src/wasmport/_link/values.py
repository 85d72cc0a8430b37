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
from .._host.link import check_type, exported_method, method_extern
from .declared import Declared

#: What ``check_extern`` says of a match only the engine can check (see sigscan.py).
ENGINE_CHECKS = "the engine checks this type when it instantiates (wasmport cannot describe it)"


def to_extern(ctx: StoreContext, site: Site, value: Any) -> Any:
    """The engine extern satisfying ``site`` with ``value``; IncompatibleImportError if none."""
    if site.opaque is not None and isinstance(value, ExternValue):
        return _pass_through(ctx, site, value)
    convert = _CONVERTERS.get(kind_of(site.ty))
    return (convert or _converter(site))(ctx, site, value, True)


def check_extern(ctx: StoreContext, site: Site, value: Any) -> str | None:
    """The checks of :func:`to_extern`, making nothing: raises what it would raise, and
    returns a note when only the engine could tell (``ENGINE_CHECKS``)."""
    if (site.opaque is not None and isinstance(value, (ExternValue, Declared))) or (
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
    """A wasm export given unexamined: one side's type has concrete or GC types whose
    match only the engine can judge when it instantiates (an IncompatibleImportError if
    not)."""
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


def _numbers_only(*types: str) -> bool:
    """Types whose match is equality; for references the engine judges subtyping."""
    return all(t in NUMERIC or t == "v128" for t in types)


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
    wanted = func_sig(site.ty)
    if found != wanted and _numbers_only(*found[0], *found[1], *wanted[0], *wanted[1]):
        raise site.incompatible(value.type, f"export a function of type {describe(site.ty)}")


def python_func(ctx: StoreContext, site: Site, fn: Callable[..., Any]) -> wasmtime.Func:
    """A host function of the import's own type calling ``fn``."""
    params, results = func_sig(site.ty)
    return _python_func(codec(ctx), site.ty, params, results, fn, str(site))


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
    number = isinstance(value, Real) and not isinstance(value, bool)
    if isinstance(value, (ExternValue, Declared)) or (vt in NUMERIC and not number):
        raise site.incompatible(_found(value), f"give a number or a wasmport.Global of type {vt}")
    try:
        engine = codec(ctx).to_engine(vt, value, str(site))
        return new_global(ctx, site.ty, vt, engine) if make else None
    except (OverflowError, TypeError, ValueError, EngineRefused) as err:
        why = str(err).rpartition(": ")[2]  # "4294967296 is out of range for i32 (...)"
        what = "a number" if vt in NUMERIC else "a value"
        raise site.incompatible(repr(value), f"give {what} that fits {vt}: {why}") from err


def _same_global(site: Site, vt: str, found: tuple[str, bool],
                 value: Global | Declared) -> None:
    """Globals match exactly; an immutable reference global may be a subtype (the engine
    judges it)."""
    covariant = not site.ty.mutable and not _numbers_only(found[0], vt)
    if found[1] != site.ty.mutable or (found[0] != vt and not covariant):
        raise site.incompatible(value.type, f"give a wasmport.Global of type "
                                f"{describe(site.ty)}")


def _memory(ctx: StoreContext, site: Site, value: Any, make: bool) -> Any:
    raw, found, pages = _sized(ctx, site, value, Memory, "give a wasmport.Memory")
    if (not _limits_fit(pages, found.limits, site.ty.limits) or found.is_64 != site.ty.is_64
            or found.is_shared != site.ty.is_shared):
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
        if isinstance(value, Memory):
            return raw, memory_type(ctx.store, raw), value.pages
        return raw, raw.type(ctx.store), len(value)
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
        raise site.incompatible(_found(value), "give a wasmport.Tag (exported by a wasm "
                                "module, or Tag(params, realm=...))")
    if func_sig(found.functype) != func_sig(site.ty.functype):
        raise site.incompatible(describe(found), f"export a tag of type {describe(site.ty)}")
    return raw


_CONVERTERS: dict[str, Callable[[StoreContext, Site, Any, bool], Any]] = {
    "func": _func, "global": _global, "memory": _memory, "table": _table, "tag": _tag}
