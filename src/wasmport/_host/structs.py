"""Structs: dataclasses of fixed-size fields laid out as C lays them out on wasm32.

Each field sits at the next multiple of its alignment; the struct's alignment is its
largest field's, and its size is rounded up to that.  For example::

    @dataclass
    class Entry:          offset  size
        flags: Uint8    #   0      1    then 3 bytes of padding
        size: Uint32    #   4      4
        version: Int64  #   8      8
                        # size 16, align 8
"""

from __future__ import annotations

import dataclasses
import struct
from dataclasses import dataclass
from typing import Any

from .kinds import HostType, shown


@dataclass(frozen=True)
class StructField:
    """One field of a struct layout: its name, type, byte offset and size."""

    name: str
    type: HostType
    offset: int
    size: int


@dataclass(frozen=True)
class StructLayout:
    """The C layout of a struct dataclass (see :func:`wasmport.types.layout`)."""

    cls: type
    size: int
    align: int
    fields: tuple[StructField, ...]

    def offset(self, name: str) -> int:
        """The byte offset of field ``name``."""
        for f in self.fields:
            if f.name == name:
                return f.offset
        raise KeyError(f"{shown(self.cls)} has no field {name!r}")


def compute_layout(cls: type, fields: list[tuple[str, HostType]]) -> StructLayout:
    offset, align, placed = 0, 1, []
    for name, ftype in fields:
        if ftype.size is None:
            raise TypeError(f"field {name!r}: {ftype.name} has no fixed size in memory")
        offset = -(-offset // ftype.align) * ftype.align
        placed.append(StructField(name, ftype, offset, ftype.size))
        offset += ftype.size
        align = max(align, ftype.align)
    size = -(-offset // align) * align
    return StructLayout(cls, size, align, tuple(placed))


class StructType(HostType):
    """A struct dataclass in memory: the element type of Pointer[S] and Array[S]."""

    def __init__(self, layout: StructLayout) -> None:
        self.layout = layout
        self.cls = layout.cls
        self.name = shown(layout.cls)
        self.size = layout.size
        self.align = layout.align
        self._names = tuple(f.name for f in layout.fields)
        self._packed = _packed_format(layout)

    def load(self, view: memoryview, offset: int) -> Any:
        if self._packed is not None:
            values = self._packed.unpack_from(view, offset)
        else:
            values = tuple(f.type.load(view, offset + f.offset) for f in self.layout.fields)
        return self.cls(**dict(zip(self._names, values, strict=True)))

    def store(self, view: memoryview, offset: int, value: Any) -> None:
        if not isinstance(value, self.cls):
            raise TypeError(f"expected a {self.name}, got {type(value).__name__}")
        for f in self.layout.fields:
            f.type.store(view, offset + f.offset, getattr(value, f.name))


def _packed_format(layout: StructLayout) -> struct.Struct | None:
    """One struct.Struct for the whole layout when every field is a plain scalar."""
    parts, cursor = ["<"], 0
    for f in layout.fields:
        if f.type.fmt is None:
            return None
        parts.append("x" * (f.offset - cursor) + f.type.fmt)
        cursor = f.offset + f.size
    parts.append("x" * (layout.size - cursor))
    return struct.Struct("".join(parts))


def check_dataclass(cls: type) -> list[dataclasses.Field[Any]]:
    """The dataclass fields of ``cls``, all of them constructor arguments."""
    fields = list(dataclasses.fields(cls))
    if not fields:
        raise TypeError(f"struct {shown(cls)} has no fields")
    for f in fields:
        if not f.init:
            raise TypeError(f"field {f.name!r} has init=False; every struct field must be "
                            "a constructor argument")
    return fields
