"""Python values of WIT types -> WAVE text, and WIT types -> their WIT spelling.

The inverse of ``wave.parse_value``: what a component function returned, as
``wasmport run --invoke`` prints it.  Options print as ``some(...)``/``none`` and results
as ``ok(...)``/``err(...)``, never flattened, so that the text reads back as the same
value; floats in the shortest form that reads back to the same f32 or f64; a case named
like a WAVE keyword gets its ``%``.  A resource handle has no WAVE form: it prints as
``<resource NAME>``, which does not read back.
"""

from __future__ import annotations

import math
import struct
from typing import Any

from ._names import snake
from ._pytypes import TypeSpace
from ._types import (
    EnumType,
    FlagsType,
    HandleType,
    ListType,
    OptionType,
    Prim,
    RecordType,
    ResourceType,
    ResultType,
    TupleType,
    VariantType,
    WitType,
)
from ._wit import type_text as wit_type_text
from .values import Err, Ok, Some

WAVE_KEYWORDS = frozenset({"true", "false", "inf", "nan", "some", "none", "ok", "err"})
_ESCAPED = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def type_text(ty: WitType | None) -> str:
    """A WIT type for messages: as WIT spells it where used (``list<option<u8>>``), a
    named type with its kind (``record point``)."""
    if isinstance(ty, (RecordType, VariantType, EnumType, FlagsType, ResourceType)):
        kind = type(ty).__name__.removesuffix("Type").lower()
        return f"{kind} {wit_type_text(ty)}"
    return wit_type_text(ty)


def label(name: str) -> str:
    return f"%{name}" if name in WAVE_KEYWORDS else name


def _float(value: float, kind: str) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if kind == "f64":
        text = repr(value)
    else:  # the fewest digits that give back the same f32
        text = next(t for t in (f"{value:.{p}g}" for p in range(1, 10)) if _is_f32(t, value))
    return text


def _is_f32(text: str, value: float) -> bool:
    try:
        return struct.pack("<f", float(text)) == struct.pack("<f", value)
    except OverflowError:  # rounded past the largest f32
        return False


def _text(value: str, quote: str) -> str:
    out = []
    for ch in value:
        if ch == quote:
            out.append("\\" + ch)
        elif ch in _ESCAPED:
            out.append(_ESCAPED[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    return quote + "".join(out) + quote


def _prim(value: Any, ty: Prim, space: TypeSpace) -> str:
    if ty.kind == "bool":
        return "true" if value else "false"
    if ty.kind in ("f32", "f64"):
        return _float(value, ty.kind)
    if ty.kind == "char":
        return _text(value, "'")
    if ty.kind == "string":
        return _text(value, '"')
    return str(int(value))


def _list(value: Any, ty: ListType, space: TypeSpace) -> str:
    return "[" + ", ".join(to_wave(v, ty.element, space) for v in value) + "]"


def _tuple(value: Any, ty: TupleType, space: TypeSpace) -> str:
    return "(" + ", ".join(to_wave(v, t, space) for v, t in zip(value, ty.items, strict=True)) \
        + ")"


def _record(value: Any, ty: RecordType, space: TypeSpace) -> str:
    return "{" + ", ".join(f"{label(name)}: {to_wave(getattr(value, snake(name)), t, space)}"
                           for name, t in ty.fields) + "}"


def _variant(value: Any, ty: VariantType, space: TypeSpace) -> str:
    i = space.variant(ty).cases.index(type(value))
    name, payload = ty.cases[i]
    if payload is None:
        return label(name)
    return f"{label(name)}({to_wave(value.value, payload, space)})"


def _enum(value: Any, ty: EnumType, space: TypeSpace) -> str:
    return label(ty.cases[value.value])


def _flags(value: Any, ty: FlagsType, space: TypeSpace) -> str:
    return "{" + ", ".join(label(f) for i, f in enumerate(ty.flags) if value.value >> i & 1) \
        + "}"


def _option(value: Any, ty: OptionType, space: TypeSpace) -> str:
    if value is None:
        return "none"
    inner = value.value if isinstance(value, Some) else value
    return f"some({to_wave(inner, ty.some, space)})"


def _result(value: Any, ty: ResultType, space: TypeSpace) -> str:
    is_ok = isinstance(value, Ok)
    if not is_ok and not isinstance(value, Err):
        raise TypeError(f"expected Ok or Err for {type_text(ty)}, got {value!r}")
    word, payload = ("ok", ty.ok) if is_ok else ("err", ty.err)
    return word if payload is None else f"{word}({to_wave(value.value, payload, space)})"


def _resource(value: Any, ty: Any, space: TypeSpace) -> str:
    resource = ty.resource if isinstance(ty, HandleType) else ty
    return f"<resource {resource.name}>"


_PRINTERS: dict[type, Any] = {
    Prim: _prim, ListType: _list, TupleType: _tuple, RecordType: _record,
    VariantType: _variant, EnumType: _enum, FlagsType: _flags, OptionType: _option,
    ResultType: _result, HandleType: _resource, ResourceType: _resource}


def to_wave(value: Any, ty: WitType, space: TypeSpace) -> str:
    """``value`` (as the component's wrappers return it) as WAVE text of type ``ty``."""
    printer = _PRINTERS.get(type(ty))
    if printer is None:
        return f"<{type_text(ty)}>"
    return printer(value, ty, space)  # type: ignore[no-any-return]
