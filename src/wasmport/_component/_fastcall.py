"""A generated wrapper per export: the whole call in one Python function, no loops.

Scalar and string arguments are checked inline (``x.__class__ is int`` and a
chained range test; anything else takes the exact checks of ``_scalar``); a scalar
is then stored through a ctypes view of its payload, a string packed with one
``pack_into``; their kinds are written into the reused argument buffer once.  Other
arguments call their lowerer.  A scalar result is read through a ctypes view, a
string in place; others call their lifter.  For ``add(u32, u32)``::

    def add(a, b):
        if _st.gate or _st.alert: _enter()   # in a host call, poisoned, handles to drop
        if a.__class__ is not int or not 0 <= a <= 4294967295: a = _chk0(a)
        _a0.value = a                # a ctypes view of the first value's payload
        ...
        _e = _call(_f, _ctx, _args, _n, _res, _nr)
        if _e: raise _fail(_e)
        return _r.value       # a ctypes view of the result's payload
"""

from __future__ import annotations

import ctypes
import struct
import sys
from collections.abc import Callable
from typing import Any

from .._engine import component as _capi
from ._abi import BYTES_DATA, F32_MAX, INT_RANGES, KIND, MEM, RECORD
from ._checked import Bad
from ._names import snake
from ._recordfast import simple
from ._scalar import as_char, as_float, as_int, encode
from ._state import reentered
from ._types import Prim, RecordType

NATIVE_MAX_PARAMS = 16  # the C call's values on its stack (LOCAL_VALS in component.c)
NATIVE_MAX_FIELDS = 16  # fields of one record (WP_RECORD_FIELDS in component.h)

_CTYPES = {"s8": ctypes.c_int8, "u8": ctypes.c_uint8, "s16": ctypes.c_int16,
           "u16": ctypes.c_uint16, "s32": ctypes.c_int32, "u32": ctypes.c_uint32,
           "s64": ctypes.c_int64, "u64": ctypes.c_uint64, "f32": ctypes.c_float,
           "f64": ctypes.c_double, "bool": ctypes.c_bool, "char": ctypes.c_uint32}


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


def _scalar_lines(i: int, name: str, kind: str) -> list[str]:
    if kind == "char":
        return [f"    _a{i}.value = _chk{i}({name})"]
    if kind in INT_RANGES:
        low, high = INT_RANGES[kind]
        test = f"{name}.__class__ is not int or not {low} <= {name} <= {high}"
    elif kind in ("f32", "f64"):
        bound = F32_MAX if kind == "f32" else 1.7976931348623157e308
        test = f"{name}.__class__ is not float or not -{bound!r} <= {name} <= {bound!r}"
    else:
        test = f"{name} is not True and {name} is not False"
    return [f"    if {test}:", f"        {name} = _chk{i}({name})", f"    _a{i}.value = {name}"]


def _string_lines(i: int, name: str) -> list[str]:
    return [f"    if {name}.__class__ is str:", "        try:",
            f"            _d{i} = {name}.encode()", "        except UnicodeEncodeError:",
            f"            _d{i} = _chk{i}({name})", "    else:",
            f"        _d{i} = _chk{i}({name})",
            f"    _p{i}(_mv, {32 * i + 8}, _len(_d{i}), _id(_d{i}) + {BYTES_DATA})"]


def _general_lines(i: int, name: str) -> list[str]:
    return ["    try:", f"        _l{i}({name}, _mv, {32 * i}, _cx)",
            "    except BaseException as _b:", f"        raise _bad(_b, {i})"]


def _result_lines(kind: str | None, lifted: bool) -> list[str]:
    if lifted:
        return ["    try:", "        return _lift(_rmv, 0, _cx)", "    finally:",
                "        _delete(_res_address)", "        _rmv[0] = 0"]
    if kind is None:
        return ["    return None"]
    if kind == "string":
        return ["    _s, _q = _u(_rmv, 8)",
                "    _v = _mem[_q:_q + _s].tobytes().decode() if _s else ''",
                "    _delete(_res_address)", "    _rmv[0] = 0", "    return _v"]
    if kind == "char":
        return ["    return _chr(_r.value)"]
    return ["    return _r.value"]


def _namespace(export: Any) -> dict[str, Any]:
    state = export.state
    return {
        "_export": export,  # owns the function value whose address _f is
        "_st": state, **_engine_call(export), "_mv": export.argmv, "_rmv": export.resmv,
        "_id": id, "_len": len, "_chr": chr, "_cx": export.cx, "_lift": export.lift,
        "_mem": MEM, "_delete": _capi.val_delete,
        "_res_address": ctypes.addressof(export.results),
        "_enter": lambda: _enter(export),
        "_fail": lambda error: state.fail(error, f"{export.label}()"),
        "_bad": lambda exc, i: _bad(export, exc, i),
    }


def _engine_call(export: Any) -> dict[str, Any]:
    """``_call(_f, _ctx, _args, _n, _res, _nr)``: the C extension's bare call over plain
    int addresses where it is there (a tenth of a ctypes call), else the ctypes one."""
    native = _capi.NATIVE
    if native is None:
        return {"_call": export.call_c, "_f": export.func_arg, "_ctx": export.state.ctx_arg,
                "_args": export.args_arg, "_res": export.res_arg, "_n": export.nargs,
                "_nr": export.nres}
    return {"_call": native.component_call, "_f": export.func_arg.value,
            "_ctx": export.state.ctx, "_args": export.args_arg.value,
            "_res": export.res_arg.value, "_n": export.nargs.value, "_nr": export.nres.value}


def generated_wrapper(export: Any) -> Callable[..., Any]:
    """The generated wrapper of one export (GIL held, buffers reused)."""
    kinds = [_kind_of(t) for _n, t in export.func.type.params]
    result = export.func.type.result
    result_kind = _kind_of(result)
    lifted = result is not None and result_kind is None
    general = None in kinds
    ns = _namespace(export)
    lines = [f"def call({', '.join(export.names)}):",
             "    if _st.gate or _st.alert:", "        _enter()"]
    if general or lifted:
        lines.append("    _cx.reset()")
    for i, (name, kind) in enumerate(zip(export.names, kinds, strict=True)):
        if kind is None:
            ns[f"_l{i}"] = export.lowers[i]
            lines += _general_lines(i, name)
            continue
        export.argmv[32 * i] = KIND[kind]  # written once: the buffer is reused
        ns[f"_chk{i}"] = _checker(export, i, kind)
        if kind == "string":
            ns[f"_p{i}"] = struct.Struct("<QQ").pack_into
            lines += _string_lines(i, name)
        else:  # a ctypes view of the payload: one store, after the range check
            ns[f"_a{i}"] = _CTYPES[kind].from_buffer(export.args, 32 * i + 8)
            lines += _scalar_lines(i, name, kind)
    # No count of calls in flight here: with the GIL held, Python runs during a call
    # only inside a host function, and host functions raise the gate themselves.
    lines += ["    _e = _call(_f, _ctx, _args, _n, _res, _nr)"]
    if general:
        lines += ["    if _cx.moved or _cx.after or _cx.borrowed_reps:", "        _cx.finish()"]
    lines += ["    if _e:", "        raise _fail(_e)"]
    if result_kind == "string" and not lifted:
        ns["_u"] = struct.Struct("<QQ").unpack_from
    elif result_kind is not None and not lifted:  # a ctypes view of the payload: one load
        ns["_r"] = _CTYPES[result_kind].from_buffer(export.results, 8)
    lines += _result_lines(result_kind, lifted)
    exec(compile("\n".join(lines), f"<wasmport component {export.label}>", "exec"), ns)
    call: Callable[..., Any] = ns["call"]
    call.__name__ = call.__qualname__ = export.label.rsplit(".", 1)[-1]
    return call


def native_wrapper(export: Any, slow: Callable[..., Any]) -> Any:
    """The export as one C call (src/native/component.c) when its parameters and result
    are scalars, strings or records of those, and the C extension is there; None
    otherwise.  What the C call does not take as it is (keywords, a wrong count, a value
    to check further, an instance that is busy or has something to report) goes to
    `slow`, this module's wrapper, untouched."""
    native = _capi.NATIVE
    params = [_native_param(t) for _n, t in export.func.type.params]
    result = export.func.type.result
    got = None if result is None else _native_result(result, export.space)
    if native is None or None in params or len(params) > NATIVE_MAX_PARAMS or (
            result is not None and got is None):
        return None
    state = export.state
    kinds = bytes(kind for kind, _spec in params)  # type: ignore[misc]
    made = native.component_func(
        slow, state, lambda error: state.fail(error, f"{export.label}()"), export.raw,
        state.ctx, kinds, -1 if got is None else got[0],
        (*[spec for _kind, spec in params], None if got is None else got[1]))  # type: ignore[misc]
    made.__name__ = made.__qualname__ = slow.__name__
    return made


def _native_param(ty: Any) -> tuple[int, Any] | None:
    """(kind, record spec or None) of a parameter the C call takes, or None."""
    if isinstance(ty, Prim):
        return KIND[ty.kind], None
    if not _native_record(ty):
        return None
    attrs = tuple(sys.intern(snake(name)) for name, _ in ty.fields)
    names = tuple(name.encode() for name, _ in ty.fields)
    return RECORD, (attrs, names, bytes(KIND[t.kind] for _n, t in ty.fields))


def _native_result(ty: Any, space: Any) -> tuple[int, Any] | None:
    if isinstance(ty, Prim):
        return KIND[ty.kind], None
    if not _native_record(ty):
        return None
    return RECORD, (space.record(ty), bytes(KIND[t.kind] for _n, t in ty.fields))


def _native_record(ty: Any) -> bool:
    return isinstance(ty, RecordType) and simple(ty) and len(ty.fields) <= NATIVE_MAX_FIELDS


def _bad(export: Any, exc: BaseException, i: int) -> BaseException:
    """A lowering failure: undo what the call made so far; a Bad names the parameter."""
    export.cx.unwind()
    if isinstance(exc, Bad):
        err = exc.error(export.where(), f"parameter {export.names[i]}")
        err.__suppress_context__ = True
        return err
    return exc


def _enter(export: Any) -> None:
    export.state.enter(export.label)
    if export.state.busy:
        raise reentered(export.where())
