"""Generated converters for records of scalars and strings (the common record).

One ``pack_into`` writes every entry (its constant name, kind and payload) and one
``unpack`` reads every payload back, where the general converters make one call per
field.  Anything unexpected (a missing attribute, a value of the wrong type) goes
to the general lowerer, which finds the same fault and names its path.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from ._abi import BYTES_DATA, INT_RANGES, KIND, MEM, RECORD, data_address
from ._names import snake
from ._types import Prim, RecordType

_CODES = {"s8": "b", "u8": "B", "s16": "h", "u16": "H", "s32": "i", "u32": "I",
          "s64": "q", "u64": "Q", "f32": "f", "f64": "d", "bool": "?", "string": "QQ"}
_HEAD = struct.Struct("<B7xQQ").pack_into
_PAIR = struct.Struct("<8xQQ").unpack_from


def simple(ty: RecordType) -> bool:
    return bool(ty.fields) and all(isinstance(t, Prim) and t.kind in _CODES
                                   for _n, t in ty.fields)


def _value(code: str) -> str:
    """A 32-byte value: kind, padding, payload, padding."""
    return f"B7x{code}{24 - struct.calcsize('<' + code)}x"


def _test(name: str, kind: str) -> str:
    if kind in INT_RANGES:
        low, high = INT_RANGES[kind]
        return f"{name}.__class__ is int and {low} <= {name} <= {high}"
    if kind == "bool":
        return f"({name} is True or {name} is False)"
    if kind == "string":
        return f"{name}.__class__ is str"
    return f"{name}.__class__ is float and -3.4028234663852886e+38 <= {name} <= " \
           "3.4028234663852886e+38" if kind == "f32" else f"{name}.__class__ is float"


def fast_record_lowerer(ty: RecordType, general: Callable[..., None]
                        ) -> Callable[..., None]:
    kinds = [t.kind for _n, t in ty.fields]  # type: ignore[union-attr]
    names = [name.encode() for name, _ in ty.fields]
    attrs = [snake(name) for name, _ in ty.fields]
    size = 48 * len(kinds)
    args, tests, lines = [], [], []
    for i, (kind, name) in enumerate(zip(kinds, names, strict=True)):
        args.append(f"{len(name)}, {data_address(name)}, {KIND[kind]}, ")
        args[-1] += f"_len(_d{i}), _id(_d{i}) + {BYTES_DATA}" if kind == "string" else f"_f{i}"
        tests.append(_test(f"_f{i}", kind))
    fetch = ", ".join(f"v.{a}" for a in attrs) + ("," if len(attrs) == 1 else "")
    lines = ["def lower(v, mv, off, cx):", "    try:",
             f"        {', '.join(f'_f{i}' for i in range(len(kinds)))}"
             f"{',' if len(kinds) == 1 else ''} = {fetch}",
             "    except AttributeError:", "        return _general(v, mv, off, cx)",
             f"    if not ({' and '.join(tests)}):", "        return _general(v, mv, off, cx)"]
    for i, kind in enumerate(kinds):
        if kind == "string":
            lines += ["    try:", f"        _d{i} = _f{i}.encode()",
                      "    except UnicodeEncodeError:", "        return _general(v, mv, off, cx)",
                      f"    cx.keep.append(_d{i})"]
    lines += [f"    entries, at, address = cx.alloc({size})",
              f"    _pack(entries, at, {', '.join(args)})",
              f"    _head(mv, off, {RECORD}, {len(kinds)}, address)"]
    fmt = "<" + "".join(f"QQ{_value(_CODES[k])}" for k in kinds)
    ns: dict[str, Any] = {"_general": general, "_pack": struct.Struct(fmt).pack_into,
                          "_head": _HEAD, "_len": len, "_id": id, "_names": names}
    exec(compile("\n".join(lines), f"<wasmport record {ty.name}>", "exec"), ns)
    lower: Callable[..., None] = ns["lower"]
    # The names' data must live as long as the lowerer that points at it.
    lower.__wit_names__ = names  # type: ignore[attr-defined]
    return lower


def fast_record_lifter(ty: RecordType, cls: type) -> Callable[..., Any]:
    kinds = [t.kind for _n, t in ty.fields]  # type: ignore[union-attr]
    fmt = "<" + "".join(f"16x8x{_CODES[k]}{24 - struct.calcsize('<' + _CODES[k])}x"
                        for k in kinds)
    outs, values = [], []
    for i, kind in enumerate(kinds):
        if kind == "string":
            outs += [f"_s{i}", f"_q{i}"]
            values.append(f"(_mem[_q{i}:_q{i} + _s{i}].tobytes().decode() if _s{i} else '')")
        else:
            outs.append(f"_v{i}")
            values.append(f"_v{i}")
    lines = ["def lift(buf, off, cx):", "    _n, _p = _pair(buf, off)",
             f"    {', '.join(outs)}{',' if len(outs) == 1 else ''} = "
             "_unpack(_mem, _p)",
             f"    return _cls({', '.join(values)})"]
    ns: dict[str, Any] = {"_pair": _PAIR, "_unpack": struct.Struct(fmt).unpack_from,
                          "_mem": MEM, "_cls": cls}
    exec(compile("\n".join(lines), f"<wasmport record {ty.name}>", "exec"), ns)
    lift: Callable[..., Any] = ns["lift"]
    return lift
