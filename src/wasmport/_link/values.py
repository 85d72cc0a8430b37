"""Python values -> engine externs, checked against the import's declared type."""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real
from typing import TYPE_CHECKING, Any

import wasmtime

from .._engine import fast as _fast
from .._engine.boundary import park
from .._engine.valtypes import check_value, describe, func_sig, kind_of, valtype_name
from .._errors import IncompatibleImportError
from .._exports.function import FAST, NUMERIC, Function, wrap_func
from .._exports.global_ import Global, to_val
from .._exports.memory import Memory
from .._exports.opaque import OpaqueExport
from .._exports.table import Table
from .._exports.tag import Tag
from .._host.link import method_extern

if TYPE_CHECKING:
    from .._realm import Realm


class Site:
    """Where an import is: the importing file and ("module", "field"), for messages."""

    def __init__(self, where: str, module: str, field: str, ty: Any,
                 opaque: str | None = None) -> None:
        self.where, self.module, self.field, self.ty = where, module, field, ty
        self.opaque = opaque  # the type's text when the engine cannot describe it

    def __str__(self) -> str:
        return f'{self.where}: import "{self.module}"."{self.field}"'

    def incompatible(self, found: str, remedy: str) -> IncompatibleImportError:
        expected = f"{kind_of(self.ty)} {self.opaque}" if self.opaque else describe(self.ty)
        return IncompatibleImportError(
            f"{self}: expected {expected}, found {found}; {remedy}", path=self.where,
            module=self.module, field=self.field, expected=expected, found=found)


def to_extern(realm: Realm, site: Site, value: Any) -> Any:
    """The engine extern satisfying ``site`` with ``value``; IncompatibleImportError if none."""
    if site.opaque is not None or isinstance(value, OpaqueExport):
        return _pass_through(realm, site, value)
    kind = kind_of(site.ty)
    convert = _CONVERTERS.get(kind)
    if convert is None:
        raise site.incompatible(describe(site.ty), f"{kind} imports are not supported")
    return convert(realm, site, value)


def _pass_through(realm: Realm, site: Site, value: Any) -> Any:
    """A wasm export given unexamined: one side's type cannot be described, so the engine
    alone checks the match when it instantiates (an IncompatibleImportError if not)."""
    extern = _raw_extern(value)
    if extern is None:
        raise site.incompatible(_found(value), "an import of this type takes a wasm export "
                                "(of another instance in this realm)")
    _owned(realm, site, value)
    return extern


def _raw_extern(value: Any) -> Any:
    for cls, attr in ((OpaqueExport, "_extern"), (Function, "_func"), (Global, "_global"),
                      (Memory, "_memory"), (Table, "_table"), (Tag, "_tag")):
        if isinstance(value, cls):
            return getattr(value, attr)
    return None


def _owned(realm: Realm, site: Site, value: Any) -> None:
    if getattr(value, "_realm", realm) is not realm:
        raise site.incompatible(f"a {kind_of(site.ty)} of another realm",
                                "values cannot cross realms; load both modules in one realm")


def _func(realm: Realm, site: Site, value: Any) -> Any:
    if isinstance(value, Function):
        _owned(realm, site, value)
        if (value.params, value.results) != func_sig(site.ty):
            raise site.incompatible(value.type, f"export a function of type "
                                    f"{describe(site.ty)}")
        return value._func
    typed = method_extern(realm, site, value)  # a bound @wasmport.export method (host_func
    if typed is not None:                      # opens the realm's gate)
        return typed
    if isinstance(value, (Memory, Global, Table)) or not callable(value):
        raise site.incompatible(_found(value), "give a Python callable or a wasm function")
    return python_func(realm, site, value)


def python_func(realm: Realm, site: Site, fn: Callable[..., Any]) -> wasmtime.Func:
    """A host function calling ``fn``: on the fast path for numeric types."""
    params, results = func_sig(site.ty)
    realm._gate[0] = True  # Python code now runs inside calls: threads take turns
    if FAST and NUMERIC.issuperset(params + results):
        return _fast.make_host_func(realm.store, params, results, fn, park, name=str(site))
    return wasmtime.Func(realm.store, site.ty, host_callable(realm, site, fn))


def host_callable(realm: Realm, site: Site, fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``fn`` so its results are range-checked and its exceptions reach the caller."""
    params, results = func_sig(site.ty)
    refs = any(p == "funcref" for p in params)

    def call(*args: Any) -> Any:
        try:
            if refs:
                args = tuple(wrap_func(realm, a, "<funcref>", site.where)
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
        return value._func
    return value


def _global(realm: Realm, site: Site, value: Any) -> Any:
    vt = valtype_name(site.ty.content)
    if isinstance(value, Global):
        _owned(realm, site, value)
        if value.valtype != vt or value.mutable != site.ty.mutable:
            raise site.incompatible(value.type, f"give a wasmport.Global of type "
                                    f"{describe(site.ty)}")
        return value._global
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
        return wasmtime.Global(realm.store, site.ty, to_val(vt, checked))
    raise site.incompatible(_found(value), f"give a number or a wasmport.Global of type {vt}")


def _memory(realm: Realm, site: Site, value: Any) -> Any:
    if not isinstance(value, Memory):
        raise site.incompatible(_found(value), "give a wasmport.Memory")
    _owned(realm, site, value)
    found = value._memory.type(realm.store)
    if not _limits_fit(value.pages, found.limits, site.ty.limits) or found.is_64 != site.ty.is_64:
        raise site.incompatible(describe(found), "give a memory whose limits fit the import's")
    return value._memory


def _table(realm: Realm, site: Site, value: Any) -> Any:
    if not isinstance(value, Table):
        raise site.incompatible(_found(value), "give a wasmport.Table")
    _owned(realm, site, value)
    found = value._table.type(realm.store)
    if valtype_name(found.element) != valtype_name(site.ty.element) or not _limits_fit(
            len(value), found.limits, site.ty.limits):
        raise site.incompatible(describe(found), "give a table whose type fits the import's")
    return value._table


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


def _tag(realm: Realm, site: Site, value: Any) -> Any:
    if not isinstance(value, Tag):
        raise site.incompatible(_found(value), "give a tag exported by a wasm module")
    _owned(realm, site, value)
    found = value._tag.type(realm.store)
    if func_sig(found.functype) != func_sig(site.ty.functype):
        raise site.incompatible(describe(found), f"export a tag of type {describe(site.ty)}")
    return value._tag


_CONVERTERS = {"func": _func, "global": _global, "memory": _memory, "table": _table,
               "tag": _tag}
