"""Struct dataclasses: C layout (alignment, padding), Pointer[S] and Array[S]."""

from __future__ import annotations

import dataclasses
import doctest
import struct
from dataclasses import dataclass

import pytest

import wasmport
from wasmport import export, types
from wasmport.types import (
    Array,
    Bool,
    Float32,
    Float64,
    Int8,
    Int16,
    Int64,
    Pointer,
    String,
    Uint8,
    Uint16,
    Uint32,
    layout,
    sizeof,
)

from .guests import I32, PTR_LEN, forwarder, memory_of


@dataclass
class Entry:
    flags: Uint8
    size: Uint32
    version: Int64
    score: Float64
    tag: Uint8


@dataclass
class Small:
    a: Int8
    b: Int16
    c: Int8


@dataclass(frozen=True)
class Point:
    x: Float32
    y: Float32


@dataclass
class Nested:
    tag: Uint8
    where: Point
    ok: Bool
    count: Uint16


def offsets(cls: type) -> list[tuple[str, int]]:
    return [(f.name, f.offset) for f in layout(cls).fields]


def test_layout_follows_c_alignment_and_padding():
    assert offsets(Entry) == [("flags", 0), ("size", 4), ("version", 8), ("score", 16),
                              ("tag", 24)]
    assert (layout(Entry).size, layout(Entry).align) == (32, 8)
    assert offsets(Small) == [("a", 0), ("b", 2), ("c", 4)]
    assert (layout(Small).size, layout(Small).align) == (6, 2)
    assert (layout(Point).size, layout(Point).align) == (8, 4)
    assert offsets(Nested) == [("tag", 0), ("where", 4), ("ok", 12), ("count", 14)]
    assert (layout(Nested).size, layout(Nested).align) == (16, 4)
    assert layout(Entry).offset("score") == 16


def test_sizeof_scalars_and_structs():
    sizes = {types.Int8: 1, types.Uint8: 1, types.Int16: 2, types.Uint16: 2, types.Int32: 4,
             types.Uint32: 4, types.Int64: 8, types.Uint64: 8, types.Float32: 4,
             types.Float64: 8, types.Bool: 1, Entry: 32, Nested: 16}
    for annotation, size in sizes.items():
        assert sizeof(annotation) == size, annotation
    with pytest.raises(TypeError, match="String has none"):
        sizeof(String)


def test_types_docstring_example_runs():
    failures, tried = doctest.testmod(types, verbose=False)
    assert tried >= 3 and failures == 0


class Structs(wasmport.HostModule, name="s"):
    @export
    def bump(self, p: Pointer[Entry]) -> Uint32:
        entry = p.load()
        p.store(dataclasses.replace(entry, size=entry.size + 1, version=entry.version * 2,
                                    flags=entry.flags | 0x80))
        return entry.size

    @export
    def centroid(self, points: Array[Point], out: Pointer[Point]) -> Uint32:
        pts = points.load()
        out.store(Point(sum(p.x for p in pts) / len(pts), sum(p.y for p in pts) / len(pts)))
        points[0] = Point(-1.0, -2.0)
        return len(pts)

    @export
    def nested(self, p: Pointer[Nested]) -> Uint16:
        n = p.load()
        assert isinstance(n.where, Point) and n.ok is True
        p.store(Nested(n.tag + 1, Point(n.where.y, n.where.x), False, n.count * 2))
        return n.count


SIGS = {"bump": (I32, I32), "centroid": (PTR_LEN + I32, I32), "nested": (I32, I32)}


@pytest.fixture
def guest(realm):
    mod = forwarder(realm, SIGS, {"s": Structs}, module="s")
    return mod, memory_of(mod)


def test_pointer_to_struct_round_trip(guest):
    mod, memory = guest
    raw = struct.pack("<B3xIqdB7x", 1, 41, -3, 2.5, 9)
    assert len(raw) == 32
    memory.write(64, raw + b"\xee" * 8)
    assert mod.bump(64) == 41
    assert memory.read(64, 32) == struct.pack("<B3xIqdB7x", 0x81, 42, -6, 2.5, 9)
    assert memory.read(96, 8) == b"\xee" * 8  # nothing written past the struct


def test_pointer_to_struct_at_the_end_of_memory(guest):
    mod, memory = guest
    end = len(memory)
    memory.write(end - 32, struct.pack("<B3xIqdB7x", 0, 1, 1, 0.0, 0))
    assert mod.bump(end - 32) == 1
    with pytest.raises(wasmport.MemoryAccessError) as info:
        mod.bump(end - 31)
    assert (info.value.offset, info.value.length) == (end - 31, 32)


def test_array_of_structs(guest):
    mod, memory = guest
    memory.write(0, struct.pack("<6f", 0, 0, 2, 4, 4, 8))
    assert mod.centroid(0, 3, 100) == 3
    assert struct.unpack("<2f", memory.read(100, 8)) == (2.0, 4.0)
    assert struct.unpack("<2f", memory.read(0, 8)) == (-1.0, -2.0)
    with pytest.raises(wasmport.MemoryAccessError) as info:
        mod.centroid(len(memory) - 16, 3, 100)  # 3 * 8 bytes from 16 before the end
    assert info.value.length == 24


def test_nested_struct(guest):
    mod, memory = guest
    memory.write(200, struct.pack("<B3x2f?xH", 7, 1.5, -2.0, 1, 300))
    assert mod.nested(200) == 300
    assert memory.read(200, 16) == struct.pack("<B3x2f?xH", 8, -2.0, 1.5, 0, 600)


@dataclass
class WithText:
    name: String


@dataclass
class Empty:
    pass


@dataclass
class Hidden:
    a: Uint8
    b: Uint8 = dataclasses.field(init=False, default=0)


@dataclass
class Loop:
    next: Loop  # noqa: F821 - resolved from the module at check time


class NotADataclass:
    x: Uint32


@pytest.mark.parametrize(("cls", "message"), [
    (WithText, "struct WithText, field 'name': its type must have a fixed size in memory; "
               "String has none"),
    (Empty, "struct Empty has no fields"),
    (Hidden, "field 'b' has init=False"),
    (Loop, "struct Loop contains itself"),
])
def test_bad_structs_are_refused(cls, message):
    with pytest.raises(TypeError) as info:
        layout(cls)
    assert message in str(info.value)


def test_bad_struct_in_a_signature_names_the_method():
    with pytest.raises(wasmport.HostSignatureError) as info:
        class Bad(wasmport.HostModule, name="b"):
            @export
            def f(self, p: Pointer[WithText]) -> None: ...

    assert str(info.value).startswith("Bad.f(): parameter 0 'p': struct WithText, field 'name'")


def test_struct_by_value_is_refused():
    with pytest.raises(wasmport.HostSignatureError) as info:
        class ByValue(wasmport.HostModule, name="b"):
            @export
            def f(self, e: Entry) -> None: ...

    assert "Entry cannot be passed by value; take a Pointer[Entry]" in str(info.value)


def test_plain_class_is_not_a_struct():
    with pytest.raises(wasmport.HostSignatureError, match="NotADataclass is not a wasmport host"):
        class Plain(wasmport.HostModule, name="b"):
            @export
            def f(self, p: Pointer[NotADataclass]) -> None: ...


def test_storing_the_wrong_class_is_a_type_error(realm):
    class Wrong(wasmport.HostModule, name="w"):
        @export
        def f(self, p: Pointer[Point]) -> None:
            p.store((1.0, 2.0))  # type: ignore[arg-type]

    mod = forwarder(realm, {"f": (I32, ())}, {"w": Wrong}, module="w")
    with pytest.raises(TypeError, match="expected a Point, got tuple"):
        mod.f(0)
    assert memory_of(mod).read(0, 8) == bytes(8)
