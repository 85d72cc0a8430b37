"""Lowering: Python values into ``wasmtime_component_val_t``, checked against the WIT type.

``lowerer(ty, space)`` builds, once per type, a function ``lower(value, mv, off, cx)``
that checks ``value`` and writes one 32-byte value at ``mv[off:]``.  Nested arrays
(list elements, record entries, payloads) are carved out of the call context's
arena (``cx.alloc``), alive until the call is over: the engine only reads call
arguments (it copies them into its own values first), so nothing here is handed
over to Rust.

Checks, before anything reaches the engine: scalars, strings and bytes as in
``_scalar``; ``list<T>`` and tuples take any sequence but a str, records their
dataclass or any object with the fields as attributes, variants their case classes,
enums and flags their members, nested options ``Some``, nested results Ok/Err.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from typing import Any

from ._abi import (
    ENUM,
    FLAGS,
    LIST,
    OPTION,
    RECORD,
    RESOURCE,
    RESULT,
    TUPLE,
    VARIANT,
    data_address,
)
from ._checked import Bad, show
from ._names import snake
from ._pytypes import TypeSpace
from ._recordfast import fast_record_lowerer, simple
from ._scalar import HEAD, Lower, lower_bytes, prim, sequence
from ._types import (
    EnumType,
    FlagsType,
    HandleType,
    ListType,
    OptionType,
    Prim,
    RecordType,
    ResultType,
    TupleType,
    VariantType,
    WitType,
)
from .values import Err, Ok, Some

_HEAD = HEAD
_PTR = struct.Struct("<B7xQ").pack_into        # kind, pointer (option, resource)
_VARIANT = struct.Struct("<B7xQQQ").pack_into  # kind, name size, name pointer, payload
_RESULT = struct.Struct("<B7x?7xQ").pack_into  # kind, is_ok, payload
_NAME = struct.Struct("<QQ").pack_into


def _list(ty: ListType, space: TypeSpace) -> Lower:
    if ty.element == Prim("u8"):
        return lower_bytes
    element = lowerer(ty.element, space)

    def lower_list(v: Any, mv: Any, off: int, cx: Any) -> None:
        items = sequence(v, "list")
        elems, at, address = cx.alloc(32 * len(items))
        for i, item in enumerate(items):
            try:
                element(item, elems, at + 32 * i, cx)
            except Bad as bad:
                bad.at(f"[{i}]")
                raise
        _HEAD(mv, off, LIST, len(items), address)
    return lower_list


def _tuple(ty: TupleType, space: TypeSpace) -> Lower:
    items = [lowerer(t, space) for t in ty.items]
    count = len(items)

    def lower_tuple(v: Any, mv: Any, off: int, cx: Any) -> None:
        values = sequence(v, f"tuple of {count}")
        if len(values) != count:
            raise Bad(f"expected a tuple of {count} items, got {len(values)}")
        elems, at, address = cx.alloc(32 * count)
        for i, (item, lower) in enumerate(zip(values, items, strict=True)):
            try:
                lower(item, elems, at + 32 * i, cx)
            except Bad as bad:
                bad.at(f"[{i}]")
                raise
        _HEAD(mv, off, TUPLE, count, address)
    return lower_tuple


class _Names:
    """WIT names as static UTF-8 buffers the values point at (they live with the type)."""

    def __init__(self, names: Sequence[str]) -> None:
        self.data = [name.encode() for name in names]
        self.table = bytearray(16 * len(self.data) or 16)
        for i, data in enumerate(self.data):
            _NAME(self.table, 16 * i, len(data), data_address(data))


def _record(ty: RecordType, space: TypeSpace) -> Lower:
    fields = [(snake(name), lowerer(t, space)) for name, t in ty.fields]
    names = _Names([name for name, _ in ty.fields])
    size = 48 * len(fields)
    template = bytearray(size)
    for i in range(len(fields)):
        template[48 * i:48 * i + 16] = names.table[16 * i:16 * i + 16]
    steps = [(attr, lower, 48 * i + 16) for i, (attr, lower) in enumerate(fields)]

    def lower_record(v: Any, mv: Any, off: int, cx: Any) -> None:
        entries, at, address = cx.alloc(size)
        entries[at:at + size] = template
        for attr, lower, field_off in steps:
            try:
                item = getattr(v, attr)
            except AttributeError:
                raise Bad(f"expected a {ty.name or 'record'} (an object with the field "
                          f"{attr!r}), got {show(v)}") from None
            try:
                lower(item, entries, at + field_off, cx)
            except Bad as bad:
                bad.at(f".{attr}")
                raise
        _HEAD(mv, off, RECORD, len(fields), address)
    lower_record.__wit_names__ = names  # type: ignore[attr-defined]
    if simple(ty):
        return fast_record_lowerer(ty, lower_record)
    return lower_record


def _payload(lower: Lower, v: Any, cx: Any, step: str) -> int:
    mv, at, address = cx.alloc(32)
    address = int(address)
    try:
        lower(v, mv, at, cx)
    except Bad as bad:
        bad.at(step)
        raise
    return address


def _variant(ty: VariantType, space: TypeSpace) -> Lower:
    info = space.variant(ty)
    names = _Names([case for case, _ in ty.cases])
    cases: dict[type, tuple[int, int, Lower | None]] = {}
    for i, (cls, (_case, payload)) in enumerate(zip(info.cases, ty.cases, strict=True)):
        data = names.data[i]
        cases[cls] = (len(data), data_address(data),
                      lowerer(payload, space) if payload is not None else None)
    expected = " | ".join(cls.__name__ for cls in info.cases)

    def lower_variant(v: Any, mv: Any, off: int, cx: Any) -> None:
        case = cases.get(type(v))
        if case is None:
            raise Bad(f"expected one of {expected}, got {show(v)}")
        size, name, lower = case
        payload = _payload(lower, v.value, cx, ".value") if lower is not None else 0
        _VARIANT(mv, off, VARIANT, size, name, payload)
    lower_variant.__wit_names__ = names  # type: ignore[attr-defined]
    return lower_variant


def _enum(ty: EnumType, space: TypeSpace) -> Lower:
    cls = space.enum(ty)
    names = _Names(ty.cases)
    members = {member: (len(data), data_address(data))
               for member, data in zip(cls, names.data, strict=True)}

    def lower_enum(v: Any, mv: Any, off: int, cx: Any) -> None:
        found = members.get(v) if isinstance(v, cls) else None
        if found is None:
            raise Bad(f"expected a {cls.__name__} member, got {show(v)}")
        _HEAD(mv, off, ENUM, *found)
    lower_enum.__wit_names__ = names  # type: ignore[attr-defined]
    return lower_enum


def _flags(ty: FlagsType, space: TypeSpace) -> Lower:
    cls = space.flags(ty)
    names = _Names(ty.flags)

    def lower_flags(v: Any, mv: Any, off: int, cx: Any) -> None:
        if not isinstance(v, cls):
            raise Bad(f"expected {cls.__name__} flags, got {show(v)}")
        bits = [i for i in range(len(ty.flags)) if v.value >> i & 1]
        table, at, address = cx.alloc(16 * len(bits))
        for slot, i in enumerate(bits):
            table[at + 16 * slot:at + 16 * slot + 16] = names.table[16 * i:16 * i + 16]
        _HEAD(mv, off, FLAGS, len(bits), address)
    lower_flags.__wit_names__ = names  # type: ignore[attr-defined]
    return lower_flags


def _option(ty: OptionType, space: TypeSpace) -> Lower:
    inner = lowerer(ty.some, space)
    nested = isinstance(ty.some, OptionType)

    def lower_option(v: Any, mv: Any, off: int, cx: Any) -> None:
        if v is None:
            _PTR(mv, off, OPTION, 0)
            return
        if isinstance(v, Some):
            v = v.value
        elif nested:
            raise Bad(f"expected None or Some(...) (a nested option), got {show(v)}")
        _PTR(mv, off, OPTION, _payload(inner, v, cx, ".value" if nested else ""))
    return lower_option


def _result(ty: ResultType, space: TypeSpace) -> Lower:
    ok = lowerer(ty.ok, space) if ty.ok is not None else None
    err = lowerer(ty.err, space) if ty.err is not None else None

    def lower_result(v: Any, mv: Any, off: int, cx: Any) -> None:
        if isinstance(v, Ok):
            lower, is_ok = ok, True
        elif isinstance(v, Err):
            lower, is_ok = err, False
        else:
            raise Bad(f"expected Ok(...) or Err(...), got {show(v)}")
        if lower is None and v.value is not None:
            raise Bad(f"this {'Ok' if is_ok else 'Err'} carries no value, got {show(v.value)}")
        payload = _payload(lower, v.value, cx, ".value") if lower is not None else 0
        _RESULT(mv, off, RESULT, is_ok, payload)
    return lower_result


def _handle(ty: HandleType, space: TypeSpace) -> Lower:
    resource, own = ty.resource, ty.own

    def lower_handle(v: Any, mv: Any, off: int, cx: Any) -> None:
        _PTR(mv, off, RESOURCE, cx.resources.lower(resource, own, v, cx))
    return lower_handle


_BUILDERS: dict[type, Callable[[Any, TypeSpace], Lower]] = {
    ListType: _list, TupleType: _tuple, RecordType: _record, VariantType: _variant,
    EnumType: _enum, FlagsType: _flags, OptionType: _option, ResultType: _result,
    HandleType: _handle,
}


def lowerer(ty: WitType, space: TypeSpace) -> Lower:
    """The checking lowerer of a WIT type (built once, reused for every call)."""
    if isinstance(ty, Prim):
        return prim(ty.kind)
    builder = _BUILDERS.get(type(ty))
    if builder is None:
        what = getattr(ty, "what", type(ty).__name__)

        def unsupported(v: Any, mv: Any, off: int, cx: Any) -> None:
            raise Bad(f"values of WIT type {what} are not supported yet")
        return unsupported
    return builder(ty, space)
