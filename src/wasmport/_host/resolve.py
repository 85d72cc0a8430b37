"""Annotations -> host types.  Runs when a class is created, never per call.

``wasmport.types.Int32`` is ``Annotated[int, INT32]``: the static type checker sees
``int``; this module reads the host type from the metadata.  ``Array[T]`` and
``Pointer[T]`` are generic classes; a dataclass is a struct.
"""

from __future__ import annotations

import dataclasses
import threading
import typing
from typing import Any

from . import pointers, results, structs, views
from .kinds import HostType, shown

_PLAIN = {
    int: "Int32, Int64, Uint32 or Uint64", float: "Float64 or Float32", str: "String",
    bytes: "Bytes", bool: "Bool", bytearray: "Bytes or Buffer", list: "Array[T]",
}


class Wrapper:
    """Annotated metadata that wraps the type before it (``Result[T]``)."""

    def __init__(self, name: str, wrap: Any) -> None:
        self.name, self.wrap = name, wrap

    def __repr__(self) -> str:
        return f"<wasmport {self.name}>"


RESULT = Wrapper("Result", results.ResultType)


class Unsupported(TypeError):
    """An annotation that names no host type; the caller adds where it was."""


def describe(hint: Any) -> str:
    if isinstance(hint, type):
        return shown(hint)
    return repr(hint).replace("typing.", "")


def resolve(hint: Any) -> HostType:
    """The host type an annotation names; Unsupported if none."""
    if hint is None or hint is type(None):
        return results.NONE
    if isinstance(hint, HostType):
        return hint
    if typing.get_origin(hint) is typing.Annotated:
        return _annotated(hint)
    origin = typing.get_origin(hint)
    if origin in (views.Array, views.Pointer):
        (arg,) = typing.get_args(hint)
        element = resolve_memory(arg, f"the element type of {origin.__name__}")
        if origin is views.Array:
            return pointers.ArrayType(element)
        return pointers.PointerType(element)
    if hint in (views.Array, views.Pointer):
        raise Unsupported(f"{hint.__name__} needs an element type, such as "
                          f"{hint.__name__}[Int32]")
    if hint is views.Buffer:
        return pointers.BUFFER
    own = getattr(hint, "__wasm_type__", None)
    if isinstance(own, HostType):
        return own
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return struct_type(hint)
    if isinstance(hint, str):
        raise Unsupported(f"the annotation {hint!r} is a string that could not be resolved")
    plain = _PLAIN.get(hint)
    if plain is not None:
        raise Unsupported(f"{describe(hint)} does not say how wasm passes it; use "
                          f"wasmport.types.{plain}")
    raise Unsupported(f"{describe(hint)} is not a wasmport host type; use one from "
                      "wasmport.types, a struct dataclass behind a Pointer, or your own "
                      "HostType in Annotated[...]")


def _annotated(hint: Any) -> HostType:
    current: HostType | None = None
    for meta in hint.__metadata__:
        if isinstance(meta, HostType):
            current = meta
        elif isinstance(meta, Wrapper):
            inner = current if current is not None else resolve(hint.__origin__)
            current = _wrap(meta, inner)
    return current if current is not None else resolve(hint.__origin__)


def _wrap(wrapper: Wrapper, inner: HostType) -> HostType:
    if inner.results is None or inner.uses_memory:
        raise Unsupported(f"{wrapper.name}[{inner.name}]: {inner.name} cannot be a result")
    if isinstance(inner, (results.ResultType, results.ErrnoType)) or not inner.results:
        raise Unsupported(f"{wrapper.name}[{inner.name}] is not allowed; use Errno for a "
                          "code alone")
    created: HostType = wrapper.wrap(inner)
    return created


def resolve_memory(hint: Any, what: str) -> HostType:
    """A type with a fixed size in memory (array element, pointer target, struct field)."""
    found = resolve(hint)
    if found.size is None:
        raise Unsupported(f"{what} must have a fixed size in memory; {found.name} has none "
                          "(use a scalar such as Int32, or a struct dataclass)")
    return found


_structs: dict[type, structs.StructType] = {}
_in_progress: set[type] = set()
_lock = threading.RLock()


def struct_type(cls: type) -> structs.StructType:
    """The struct type of a dataclass, computed once."""
    with _lock:
        known = _structs.get(cls)
        if known is not None:
            return known
        if cls in _in_progress:
            raise Unsupported(f"struct {shown(cls)} contains itself")
        _in_progress.add(cls)
        try:
            made = _structs[cls] = structs.StructType(_layout(cls))
        finally:
            _in_progress.discard(cls)
        return made


def _layout(cls: type) -> structs.StructLayout:
    try:
        dc_fields = structs.check_dataclass(cls)
        hints = typing.get_type_hints(cls, include_extras=True)
    except (NameError, TypeError) as err:
        raise Unsupported(f"struct {shown(cls)}: {err}") from err
    fields = []
    for f in dc_fields:
        try:
            fields.append((f.name, resolve_memory(hints[f.name], "its type")))
        except Unsupported as err:
            raise Unsupported(f"struct {shown(cls)}, field {f.name!r}: {err}") from err
    return structs.compute_layout(cls, fields)
