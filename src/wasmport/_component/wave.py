"""WAVE, the WebAssembly Value Encoding, for component values (``wasmport run --invoke``).

``parse_value(text, ty, space)`` reads WAVE text as the Python value of a WIT type (what
the component's wrappers take); ``to_wave(value, ty, space)`` prints one; WaveReader
reads more than one value from one text (a call's arguments).  This file reads the
types made of other types: lists, tuples, records, variants, enums, flags, options and
results; the scalars and the cursor are in ``_wave_parse``, the printer in
``_wave_print``.
"""

from __future__ import annotations

from typing import Any

from ._names import snake
from ._pytypes import TypeSpace
from ._types import (
    EnumType,
    FlagsType,
    ListType,
    OptionType,
    Prim,
    RecordType,
    ResultType,
    TupleType,
    VariantType,
    WitType,
)
from ._wave_parse import Reader, WaveError, read_prim
from ._wave_print import WAVE_KEYWORDS, to_wave, type_text
from .values import Err, Ok, Some


def _list(r: Reader, ty: ListType) -> Any:
    r.expect("[", "to open a list")
    items = r.items("]", lambda: r.value(ty.element))
    return bytes(items) if ty.element == Prim("u8") else items


def _tuple(r: Reader, ty: TupleType) -> tuple[Any, ...]:
    at = r.pos
    r.expect("(", "to open a tuple")
    items: list[Any] = []
    for i, item in enumerate(ty.items):
        if i:
            r.expect(",", f"between the items of a {type_text(ty)}")
        items.append(r.value(item))
    r.take(",")
    if not r.take(")"):
        raise r.fail(f"a {type_text(ty)} has {len(ty.items)} items; expected ')', got "
                     f"{r.shown()}", at if r.peek(",") else None)
    return tuple(items)


def _record(r: Reader, ty: RecordType) -> Any:
    at = r.pos
    r.expect("{", "to open a record")
    fields = dict(ty.fields)
    given: dict[str, Any] = {}

    def field() -> None:
        name, _, where = r.label()
        if name not in fields:
            raise r.fail(f"{type_text(ty)} has no field {name!r}; it has "
                         f"{', '.join(fields)}", where)
        if name in given:
            raise r.fail(f"field {name!r} given twice", where)
        r.expect(":", f"after field {name!r}")
        given[name] = r.value(fields[name])
    if not r.take(":"):  # ``{:}``: nothing given
        r.items("}", field)
    else:
        r.expect("}", "to close an empty record")
    for name, field_type in ty.fields:
        if name not in given:
            if not isinstance(field_type, OptionType):
                raise r.fail(f"{type_text(ty)} needs field {name!r}", at)
            given[name] = None
    return r.space.record(ty)(**{snake(k): v for k, v in given.items()})


def _case(r: Reader, cases: list[str], what: str) -> tuple[int, int]:
    """The index of the case a label names, and where it starts."""
    name, escaped, at = r.label()
    if name in WAVE_KEYWORDS and not escaped:
        raise r.fail(f"{name!r} is a WAVE keyword; a case of that name is written %{name}", at)
    if name not in cases:
        raise r.fail(f"{what} has no case {name!r}; it has {', '.join(cases)}", at)
    return cases.index(name), at


def _variant(r: Reader, ty: VariantType) -> Any:
    i, at = _case(r, [c for c, _ in ty.cases], type_text(ty))
    cls, payload = r.space.variant(ty).cases[i], ty.cases[i][1]
    if payload is None:
        if r.peek("("):
            raise r.fail(f"case {ty.cases[i][0]!r} carries no value")
        return cls()
    r.expect("(", f"and the value of case {ty.cases[i][0]!r}")
    value = r.value(payload)
    r.expect(")", f"to close case {ty.cases[i][0]!r}")
    return cls(value)


def _enum(r: Reader, ty: EnumType) -> Any:
    i, _ = _case(r, list(ty.cases), type_text(ty))
    return list(r.space.enum(ty))[i]


def _flags(r: Reader, ty: FlagsType) -> Any:
    r.expect("{", "to open flags")
    cls, names = r.space.flags(ty), list(ty.flags)
    value = cls(0)

    def flag() -> None:
        nonlocal value
        name, _, at = r.label()
        if name not in names:
            raise r.fail(f"{type_text(ty)} has no flag {name!r}; it has {', '.join(names)}", at)
        value |= cls(1 << names.index(name))
    r.items("}", flag)
    return value


def _payload(r: Reader, ty: WitType | None, word: str) -> Any:
    if ty is None:
        if r.peek("("):
            raise r.fail(f"this {word} carries no value")
        return None
    r.expect("(", f"and the value of {word}")
    value = r.value(ty)
    r.expect(")", f"to close {word}(...)")
    return value


def _option(r: Reader, ty: OptionType) -> Any:
    nested = isinstance(ty.some, OptionType)
    word = r.keyword(("some", "none"))
    if word == "none":
        return None
    if word is None and nested:
        raise r.fail(f"a nested option is written some(...) or none, got {r.shown()}")
    value = _payload(r, ty.some, "some") if word else r.value(ty.some)
    return Some(value) if nested else value


def _result(r: Reader, ty: ResultType) -> Any:
    word = r.keyword(("ok", "err"))
    if word is None:
        if ty.ok is None:
            raise r.fail(f"expected ok or err, got {r.shown()}")
        return Ok(r.value(ty.ok))
    return (Ok if word == "ok" else Err)(_payload(r, ty.ok if word == "ok" else ty.err, word))


class WaveReader(Reader):
    READERS = {
        Prim: read_prim, ListType: _list, TupleType: _tuple, RecordType: _record,
        VariantType: _variant, EnumType: _enum, FlagsType: _flags, OptionType: _option,
        ResultType: _result}


def parse_value(text: str, ty: WitType, space: TypeSpace) -> Any:
    """The Python value of WAVE ``text`` as WIT type ``ty``; WaveError if it does not fit."""
    reader = WaveReader(text, space)
    value = reader.value(ty)
    reader.end()
    return value


__all__ = ["WaveError", "WaveReader", "parse_value", "to_wave"]
