"""A generated host function for imports of scalars and strings, the common hot shape.

The arguments are read in place with one ``unpack_from`` (through ``MEM``); the
result is checked inline and written over the engine's placeholder result (a
string is packed into a scratch value and deep-copied, ``val_clone``, since Rust
owns host results).  For
``add: func(a: u32, b: u32) -> u32``::

    def host(args, nargs, results):
        _st.gate += 1      # the instance is calling out: no export may enter it now
        try:
            a, b = _unpack(_mem, args)
            _v = _target(a, b)
            if _v.__class__ is not int or not 0 <= _v <= 4294967295: _v = _chk(_v)
            _pack(_mem, results, 6, _v)
            return 0
        finally:
            _st.gate -= 1
"""

from __future__ import annotations

import ctypes
import struct
from collections.abc import Callable
from typing import Any

from wasmtime import _ffi as ffi

from .._engine import component as _capi
from ._abi import BYTES_DATA, INT_RANGES, KIND, MEM
from ._checked import Bad
from ._scalar import as_char, as_float, as_int, encode
from ._types import Function, Prim

_CODES = {"s8": "b", "u8": "B", "s16": "h", "u16": "H", "s32": "i", "u32": "I",
          "s64": "q", "u64": "Q", "f32": "f", "f64": "d", "bool": "?", "char": "I",
          "string": "QQ"}


def _kinds(func: Function) -> tuple[list[str], str | None] | None:
    params = [t.kind if isinstance(t, Prim) else None for _n, t in func.type.params]
    result = func.type.result
    if None in params or (result is not None and not isinstance(result, Prim)):
        return None
    return params, result.kind if isinstance(result, Prim) else None  # type: ignore[return-value]


def _arg_lines(kinds: list[str]) -> list[str]:
    if not kinds:
        return []
    names = []
    for i, kind in enumerate(kinds):
        names += [f"_s{i}", f"_q{i}"] if kind == "string" else [f"a{i}"]
    lines = [f"    {', '.join(names)}{',' if len(names) == 1 else ''} = _unpack(_mem, args)"]
    for i, kind in enumerate(kinds):
        if kind == "string":
            text = f"_mem[_q{i}:_q{i} + _s{i}].tobytes().decode()"
            lines.append(f"    a{i} = {text} if _s{i} else ''")
        elif kind == "char":
            lines.append(f"    a{i} = _chr(a{i})")
    return lines


def _result_lines(kind: str | None) -> list[str]:
    if kind is None:
        return ["    _target(" + "{args}" + ")", "    return 0"]
    lines = ["    _v = _target({args})"]
    if kind in INT_RANGES:
        low, high = INT_RANGES[kind]
        lines += [f"    if _v.__class__ is not int or not {low} <= _v <= {high}:",
                  "        _v = _chk(_v)"]
    else:
        lines.append("    _v = _chk(_v)")
    if kind == "string":  # Rust owns host results: a deep copy into its memory
        return lines + [f"    _pack(_smv, 0, {KIND[kind]}, _len(_v), _id(_v) + {BYTES_DATA})",
                        "    _clone(_scratch, results)", "    return 0"]
    # a scalar owns nothing: written straight over the engine's placeholder value
    return lines + [f"    _pack(_mem, results, {KIND[kind]}, _v)", "    return 0"]


def _checker(kind: str, where: str) -> Callable[[Any], Any]:
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
            if value is True or value is False:
                return value
            raise Bad(f"expected a bool, got {type(value).__name__} {value!r}")
        except Bad as bad:
            raise bad.error(where, "returned value") from None
    return check


def fast_host(state: Any, func: Function, target: Callable[..., Any], where: str) -> Any:
    """The generated host function, or None when its types need the general path.  With
    the C extension, a result that is no string makes it a plan the C callback runs
    itself (src/native/component_plan.c: the same steps as the generated code)."""
    found = _kinds(func)
    if found is None:
        return None
    kinds, result = found
    native = _capi.NATIVE
    if native is not None and result != "string":
        return native.component_host_plan(
            state, target, _checker(result, where) if result else _no_check,
            bytes(KIND[k] for k in kinds), -1 if result is None else KIND[result])
    scratch = ffi.wasmtime_component_val_t()
    ns: dict[str, Any] = {
        "_st": state, "_target": target, "_mem": MEM, "_chr": chr, "_len": len, "_id": id,
        "_unpack": struct.Struct("<" + "".join(_pad(k) for k in kinds)).unpack_from,
        "_clone": _capi.val_clone, "_scratch": ctypes.addressof(scratch), "_keep": scratch,
        "_smv": memoryview(scratch).cast("B"),
    }
    if result is not None:
        ns["_pack"] = struct.Struct(f"<B7x{_CODES[result]}").pack_into
        ns["_chk"] = _checker(result, where)
    args = ", ".join(f"a{i}" for i in range(len(kinds)))
    body = [*_arg_lines(kinds), *[line.replace("{args}", args) for line in _result_lines(result)]]
    lines = ["def host(args, nargs, results):", "    _st.gate += 1", "    try:",
             *["    " + line for line in body], "    finally:", "        _st.gate -= 1"]
    exec(compile("\n".join(lines), f"<wasmport host {where}>", "exec"), ns)
    host: Callable[[int, int, int], int] = ns["host"]
    return host


def _no_check(value: Any) -> Any:
    return value


def _pad(kind: str) -> str:
    """One 32-byte value: 8 bytes of kind and padding, the payload, padding to 32."""
    size = struct.calcsize("<" + _CODES[kind])
    return f"8x{_CODES[kind]}{24 - size}x" if size < 24 else f"8x{_CODES[kind]}"
