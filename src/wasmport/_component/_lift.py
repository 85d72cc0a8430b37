"""Lifting: ``wasmtime_component_val_t`` values the engine made, into Python values.

``lifter(ty, space)`` builds, once per type, ``lift(buf, off, cx) -> value`` reading
one 32-byte value at ``buf[off:]``; arrays it points at are read in place through
``MEM`` (all memory as one memoryview), so only the Python values are made.  The
engine has already validated what it lifted (UTF-8, chars, discriminants), so
nothing here can meet a malformed value.  Resource
handles are cloned: the caller frees the engine's values with ``val_delete``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from ._abi import MEM
from ._pytypes import TypeSpace
from ._recordfast import fast_record_lifter, simple
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

Lift = Callable[[Any, int, Any], Any]

_FORMATS = {"s8": "b", "u8": "B", "s16": "h", "u16": "H", "s32": "i", "u32": "I",
            "s64": "q", "u64": "Q", "f32": "f", "f64": "d", "bool": "?", "char": "I"}
UNPACKERS = {name: struct.Struct(f"<8x{code}").unpack_from for name, code in _FORMATS.items()}
_PAIR = struct.Struct("<8xQQ").unpack_from      # size, pointer
_PTR = struct.Struct("<8xQ").unpack_from
_VARIANT = struct.Struct("<8xQQQ").unpack_from  # name size, name pointer, payload
_RESULT = struct.Struct("<8x?7xQ").unpack_from  # is_ok, payload
_NAMES = struct.Struct("<QQ").unpack_from


def _prim(kind: str) -> Lift:
    if kind == "string":
        return lift_string
    unpack = UNPACKERS[kind]
    if kind == "char":
        return lambda buf, off, cx: chr(unpack(buf, off)[0])
    return lambda buf, off, cx: unpack(buf, off)[0]


def lift_string(buf: Any, off: int, cx: Any) -> str:
    size, ptr = _PAIR(buf, off)
    return MEM[ptr:ptr + size].tobytes().decode() if size else ""


def _list(ty: ListType, space: TypeSpace) -> Lift:
    if ty.element == Prim("u8"):
        def lift_bytes(buf: Any, off: int, cx: Any) -> bytes:
            count, ptr = _PAIR(buf, off)
            return MEM[ptr + 8:ptr + 32 * count:32].tobytes() if count else b""
        return lift_bytes
    element = lifter(ty.element, space)

    def lift_list(buf: Any, off: int, cx: Any) -> list[Any]:
        count, ptr = _PAIR(buf, off)
        return [element(MEM, ptr + 32 * i, cx) for i in range(count)]
    return lift_list


def _tuple(ty: TupleType, space: TypeSpace) -> Lift:
    items = [lifter(t, space) for t in ty.items]

    def lift_tuple(buf: Any, off: int, cx: Any) -> tuple[Any, ...]:
        count, ptr = _PAIR(buf, off)
        return tuple([lift(MEM, ptr + 32 * i, cx) for i, lift in enumerate(items)])
    return lift_tuple


def _record(ty: RecordType, space: TypeSpace) -> Lift:
    cls = space.record(ty)
    if simple(ty):
        return fast_record_lifter(ty, cls)
    fields = [lifter(t, space) for _name, t in ty.fields]

    def lift_record(buf: Any, off: int, cx: Any) -> Any:
        count, ptr = _PAIR(buf, off)
        return cls(*[lift(MEM, ptr + 48 * i + 16, cx) for i, lift in enumerate(fields)])
    return lift_record


def _payload(lift: Lift, ptr: int, cx: Any) -> Any:
    return lift(MEM, ptr, cx)


def _variant(ty: VariantType, space: TypeSpace) -> Lift:
    info = space.variant(ty)
    cases = {case.encode(): (cls, lifter(payload, space) if payload is not None else None)
             for cls, (case, payload) in zip(info.cases, ty.cases, strict=True)}

    def lift_variant(buf: Any, off: int, cx: Any) -> Any:
        size, name, payload = _VARIANT(buf, off)
        cls, lift = cases[MEM[name:name + size].tobytes()]
        return cls(_payload(lift, payload, cx)) if lift is not None else cls()
    return lift_variant


def _enum(ty: EnumType, space: TypeSpace) -> Lift:
    cls = space.enum(ty)
    members = {case.encode(): member for case, member in zip(ty.cases, list(cls), strict=True)}

    def lift_enum(buf: Any, off: int, cx: Any) -> Any:
        size, ptr = _PAIR(buf, off)
        return members[MEM[ptr:ptr + size].tobytes()]
    return lift_enum


def _flags(ty: FlagsType, space: TypeSpace) -> Lift:
    cls = space.flags(ty)
    members = {flag.encode(): member for flag, member in zip(ty.flags, list(cls), strict=True)}

    def lift_flags(buf: Any, off: int, cx: Any) -> Any:
        count, ptr = _PAIR(buf, off)
        value = cls(0)
        for i in range(count):
            size, name = _NAMES(MEM, ptr + 16 * i)
            value |= members[MEM[name:name + size].tobytes()]
        return value
    return lift_flags


def _option(ty: OptionType, space: TypeSpace) -> Lift:
    inner = lifter(ty.some, space)
    nested = isinstance(ty.some, OptionType)

    def lift_option(buf: Any, off: int, cx: Any) -> Any:
        (ptr,) = _PTR(buf, off)
        if not ptr:
            return None
        value = _payload(inner, ptr, cx)
        return Some(value) if nested else value
    return lift_option


def result_parts(ty: ResultType, space: TypeSpace) -> Callable[[Any, int, Any], tuple[bool, Any]]:
    """``(is_ok, payload)`` of a result value; a missing payload is None."""
    ok = lifter(ty.ok, space) if ty.ok is not None else None
    err = lifter(ty.err, space) if ty.err is not None else None

    def parts(buf: Any, off: int, cx: Any) -> tuple[bool, Any]:
        is_ok, ptr = _RESULT(buf, off)
        lift = ok if is_ok else err
        return is_ok, (_payload(lift, ptr, cx) if lift is not None and ptr else None)
    return parts


def _result(ty: ResultType, space: TypeSpace) -> Lift:
    parts = result_parts(ty, space)

    def lift_result(buf: Any, off: int, cx: Any) -> Any:
        is_ok, value = parts(buf, off, cx)
        return Ok(value) if is_ok else Err(value)
    return lift_result


def _handle(ty: HandleType, space: TypeSpace) -> Lift:
    resource, own = ty.resource, ty.own

    def lift_handle(buf: Any, off: int, cx: Any) -> Any:
        (ptr,) = _PTR(buf, off)
        return cx.resources.lift(resource, own, ptr, cx)
    return lift_handle


_BUILDERS: dict[type, Callable[[Any, TypeSpace], Lift]] = {
    ListType: _list, TupleType: _tuple, RecordType: _record, VariantType: _variant,
    EnumType: _enum, FlagsType: _flags, OptionType: _option, ResultType: _result,
    HandleType: _handle,
}


def lifter(ty: WitType, space: TypeSpace) -> Lift:
    """The lifter of a WIT type (built once, reused for every call)."""
    if isinstance(ty, Prim):
        return _prim(ty.kind)
    builder = _BUILDERS.get(type(ty))
    if builder is None:
        what = getattr(ty, "what", type(ty).__name__)

        def unsupported(buf: Any, off: int, cx: Any) -> Any:
            raise TypeError(f"values of WIT type {what} are not supported yet")
        return unsupported
    return builder(ty, space)
