"""A generated wrapper per export whose parameters are scalars or strings, and whose
result is a scalar, a string or nothing: the common shape of a hot call.

The kinds of the reused argument values are written once; a call checks each
argument inline (``x.__class__ is int`` and a chained range test; anything else
takes the exact checks of ``_lower``), writes the payloads with one ``pack_into``
each, calls the engine and unpacks the result in place::

    def add(a, b):
        if _sh.cause is not None or _st.drops or _st.busy: _enter()
        if a.__class__ is not int or not 0 <= a <= 4294967295: a = _chk0(a)
        ...
        _p0(_mv, 8, a); _p1(_mv, 40, b)
        _st.busy += 1; _e = _call(_f, _ctx, _args, _n, _res, _nr); _st.busy -= 1
        if _e: raise _fail(_e)
        return _u(_rmv, 8)[0]
"""

from __future__ import annotations

import ctypes
import struct
from collections.abc import Callable
from typing import Any

from . import _capi
from ._checked import Bad
from ._lower import BYTES_DATA, F32_MAX, INT_RANGES, KIND, as_char, as_float, as_int, encode
from ._state import reentered
from ._types import Prim

_SCALARS = {"s8": "b", "u8": "B", "s16": "h", "u16": "H", "s32": "i", "u32": "I",
            "s64": "q", "u64": "Q", "f32": "f", "f64": "d", "bool": "?", "char": "I"}


def _kind_of(ty: Any) -> str | None:
    return ty.kind if isinstance(ty, Prim) else None


def _checker(export: Any, i: int, kind: str) -> Callable[[Any], Any]:
    """The exact (slow) check of parameter i: returns the value to write, or raises."""
    def check(value: Any) -> Any:
        try:
            if kind in INT_RANGES:
                return as_int(value, kind)
            if kind in ("f32", "f64"):
                return as_float(value, kind)
            if kind == "char":
                return as_char(value)
            if kind == "string":
                return encode(value)
            raise Bad(f"expected a bool, got {type(value).__name__} {value!r}")
        except Bad as bad:
            raise bad.error(export.where(), f"parameter {export.names[i]}") from None
    return check


def _param_lines(i: int, name: str, kind: str) -> list[str]:
    off = 32 * i + 8
    if kind in INT_RANGES:
        low, high = INT_RANGES[kind]
        return [f"    if {name}.__class__ is not int or not {low} <= {name} <= {high}:",
                f"        {name} = _chk{i}({name})", f"    _p{i}(_mv, {off}, {name})"]
    if kind in ("f32", "f64"):
        bound = F32_MAX if kind == "f32" else 1.7976931348623157e308
        test = f"not -{bound!r} <= {name} <= {bound!r}"
        return [f"    if {name}.__class__ is not float or {test}:",
                f"        {name} = _chk{i}({name})", f"    _p{i}(_mv, {off}, {name})"]
    if kind == "bool":
        return [f"    if {name} is not True and {name} is not False:",
                f"        {name} = _chk{i}({name})", f"    _p{i}(_mv, {off}, {name})"]
    if kind == "char":
        return [f"    _p{i}(_mv, {off}, _chk{i}({name}))"]
    return [f"    if {name}.__class__ is str:", "        try:",
            f"            _d{i} = {name}.encode()", "        except UnicodeEncodeError:",
            f"            _d{i} = _chk{i}({name})", "    else:",
            f"        _d{i} = _chk{i}({name})",
            f"    _p{i}(_mv, {off}, _len(_d{i}), _id(_d{i}) + {BYTES_DATA})"]


def _result_lines(kind: str | None) -> list[str]:
    if kind is None:
        return ["    return None"]
    if kind == "string":
        return ["    _s, _q = _u(_rmv, 8)", "    _v = _string_at(_q, _s).decode() if _s else ''",
                "    _delete(_res_address)", "    _rmv[0] = 0", "    return _v"]
    if kind == "char":
        return ["    return _chr(_u(_rmv, 8)[0])"]
    return ["    return _u(_rmv, 8)[0]"]


def _namespace(export: Any) -> dict[str, Any]:
    state = export.state
    return {
        "_st": state, "_sh": state.shared, "_call": export.call_c, "_f": export.func_arg,
        "_ctx": state.ctx_arg, "_args": export.args_arg, "_res": export.res_arg,
        "_n": export.nargs, "_nr": export.nres, "_mv": memoryview(export.args).cast("B"),
        "_rmv": memoryview(export.results).cast("B"), "_id": id, "_len": len, "_chr": chr,
        "_string_at": ctypes.string_at, "_delete": _capi.val_delete,
        "_res_address": ctypes.addressof(export.results),
        "_enter": lambda: _enter(export),
        "_fail": lambda error: state.fail(error, f"{export.label}()"),
    }


def fast_wrapper(export: Any) -> Callable[..., Any] | None:
    """The generated wrapper of an export, or None when its types need the general path."""
    params = [_kind_of(t) for _n, t in export.func.type.params]
    result = export.func.type.result
    result_kind = _kind_of(result) if result is not None else None
    if None in params or (result is not None and result_kind is None):
        return None
    ns = _namespace(export)
    lines = [f"def call({', '.join(export.names)}):",
             "    if _sh.cause is not None or _st.drops or _st.busy:", "        _enter()"]
    kinds = memoryview(export.args).cast("B")
    for i, (name, kind) in enumerate(zip(export.names, params, strict=True)):
        assert kind is not None
        kinds[32 * i] = KIND[kind]  # written once: the buffer is reused
        ns[f"_p{i}"] = struct.Struct(f"<{_SCALARS.get(kind, 'QQ')}").pack_into
        ns[f"_chk{i}"] = _checker(export, i, kind)
        lines += _param_lines(i, name, kind)
    lines += ["    _st.busy += 1", "    _e = _call(_f, _ctx, _args, _n, _res, _nr)",
              "    _st.busy -= 1", "    if _e:", "        raise _fail(_e)"]
    if result_kind is not None:
        ns["_u"] = struct.Struct("<" + _SCALARS.get(result_kind, "QQ")).unpack_from
    lines += _result_lines(result_kind)
    exec(compile("\n".join(lines), f"<wasmport component {export.label}>", "exec"), ns)
    call: Callable[..., Any] = ns["call"]
    call.__name__ = call.__qualname__ = export.label.rsplit(".", 1)[-1]
    return call


def _enter(export: Any) -> None:
    export.state.enter(export.label)
    if export.state.busy:
        raise reentered(export.where())
