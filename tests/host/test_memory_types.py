"""Bytes, String, Buffer, Array and Pointer: bounds-checked at 0, at the end of memory,
one past it, and when ptr + len overflows 32 bits; invalid UTF-8 is an error."""

from __future__ import annotations

import pytest

import wasmport
from wasmport import export
from wasmport.types import Array, Buffer, Bytes, Int32, Int64, Pointer, String, Uint8, Uint32

from .guests import I32, I64, PAGE, PTR_LEN, forwarder, memory_of

END = PAGE  # one page of memory


class Mem(wasmport.HostModule, name="m"):
    def __init__(self) -> None:
        self.seen: list[object] = []
        self.guest: object = None

    @export("bytes")
    def take_bytes(self, data: Bytes) -> Uint32:
        self.seen.append(data)
        return len(data)

    @export
    def text(self, s: String) -> Uint32:
        self.seen.append(s)
        return len(s)

    @export
    def fill(self, out: Buffer, byte: Uint8) -> Uint32:
        return out.write(bytes([byte]) * len(out))

    @export
    def sum(self, values: Array[Int32]) -> Int64:
        self.seen.append(values.load())
        return sum(values)

    @export
    def swap(self, p: Pointer[Int64], value: Int64) -> Int64:
        old = p.load()
        p.store(value)
        return old

    @export
    def two(self, first: Buffer, second: Bytes) -> None:
        self.seen.append(second)
        first.write(b"X" * len(first))

    @export
    def grow_then_store(self, p: Pointer[Int32], pages: Int32) -> Int32:
        before = self.guest.grow(pages)  # type: ignore[attr-defined]
        p.store(before)
        return len(self.guest.memory)  # type: ignore[attr-defined]


SIGS = {
    "bytes": (PTR_LEN, I32), "text": (PTR_LEN, I32), "fill": (PTR_LEN + I32, I32),
    "sum": (PTR_LEN, I64), "swap": (I32 + I64, I64), "two": (PTR_LEN + PTR_LEN, ()),
    "grow_then_store": (I32 + I32, I32),
}
GROW = '(func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))'


@pytest.fixture
def guest(realm: wasmport.Realm):
    mod = forwarder(realm, SIGS, {"m": Mem}, module="m", extra=GROW)
    host = Mem.of(mod)
    host.guest = mod
    return mod, host, memory_of(mod)


@pytest.mark.parametrize(("ptr", "length"), [
    (0, 0), (END, 0), (END - 6, 6), (0, END), (123, 0),
])
def test_bytes_inside_memory(guest, ptr, length):
    mod, host, memory = guest
    if length:
        memory.write(ptr, bytes(range(256)) * (length // 256) + bytes(range(length % 256)))
    assert mod.bytes(ptr, length) == length
    assert host.seen == [memory.read(ptr, length)]
    assert type(host.seen[0]) is bytes


@pytest.mark.parametrize(("ptr", "length", "offset", "size"), [
    (END - 5, 6, END - 5, 6),           # one past the end
    (END + 1, 0, END + 1, 0),           # an empty access past the end
    (END, 1, END, 1),
    (0, END + 1, 0, END + 1),
    (0xFFFF_FFF0, 0x20, 0xFFFF_FFF0, 0x20),  # ptr + len overflows 32 bits
    (-16, 32, 0xFFFF_FFF0, 32),         # the same, as a signed i32
    (0, -1, 0, 0xFFFF_FFFF),            # a negative length is a huge unsigned one
    (-1, 1, 0xFFFF_FFFF, 1),
])
@pytest.mark.parametrize("fn", ["bytes", "text", "fill", "sum"])
def test_out_of_bounds_traps_with_memory_access_error(guest, fn, ptr, length, offset, size):
    mod, host, memory = guest
    args = (ptr, length, 7) if fn == "fill" else (ptr, length)
    before = memory.read(0, END)
    with pytest.raises(wasmport.MemoryAccessError) as info:
        getattr(mod, fn)(*args)
    err = info.value
    scale = 4 if fn == "sum" else 1  # Array[Int32]: count elements of 4 bytes
    assert (err.offset, err.length, err.size) == (offset, size * scale if fn == "sum" else size,
                                                  END)
    assert f"Mem.{fn if fn != 'bytes' else 'take_bytes'}() parameter 0" in str(err)
    assert "in memory 'memory'" in str(err)
    assert f"for a memory of {END} bytes" in str(err)
    assert host.seen == []
    assert memory.read(0, END) == before  # nothing written
    assert mod.bytes(0, 4) == 4  # the instance keeps working


def test_array_count_times_size_overflow(guest):
    mod, host, _ = guest
    with pytest.raises(wasmport.MemoryAccessError) as info:
        mod.sum(0, 0x4000_0000)  # 2**30 Int32s: 2**32 bytes
    assert (info.value.offset, info.value.length) == (0, 2**32)


def test_nothing_is_written_when_a_later_parameter_is_out_of_bounds(guest):
    mod, host, memory = guest
    memory.write(100, b"abcd")
    with pytest.raises(wasmport.MemoryAccessError):
        mod.two(100, 4, END - 1, 2)
    assert memory.read(100, 4) == b"abcd"
    assert host.seen == []
    mod.two(100, 4, END - 2, 2)
    assert memory.read(100, 4) == b"XXXX"


@pytest.mark.parametrize("text", ["", "hello", "h\u00e9llo", "\u20ac", "\U0001f600 x", "a\x00b"])
def test_string_decodes_utf8(guest, text):
    mod, host, memory = guest
    data = text.encode()
    memory.write(END - len(data), data)  # right at the end of memory
    assert mod.text(END - len(data), len(data)) == len(text)
    assert host.seen == [text]


@pytest.mark.parametrize("data", [
    b"\xff", b"ok \xfe", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xc0\x80", b"\xf4\x90\x80\x80",
])
def test_invalid_utf8_is_an_error_never_replaced(guest, data):
    mod, host, memory = guest
    memory.write(10, data)
    with pytest.raises(UnicodeDecodeError) as info:
        mod.text(10, len(data))
    assert "Mem.text() parameter 0 's'" in str(info.value)
    assert "invalid UTF-8 is never replaced" in str(info.value)
    assert host.seen == []


def test_buffer_out_parameter(guest):
    mod, _, memory = guest
    assert mod.fill(END - 3, 3, 0x41) == 3
    assert memory.read(END - 3, 3) == b"AAA"
    assert mod.fill(END, 0, 0x41) == 0


def test_buffer_write_checks_its_capacity(realm):
    class Writer(wasmport.HostModule, name="w"):
        @export
        def put(self, out: Buffer, n: Uint32) -> Uint32:
            assert len(out) == 4
            assert out.read() == b"\0\0\0\0"
            out.write(b"ab", 2)
            assert bytes(out) == b"\0\0ab"
            return out.write(b"z" * n)

    mod = forwarder(realm, {"put": (PTR_LEN + I32, I32)}, {"w": Writer}, module="w")
    assert mod.put(8, 4, 4) == 4
    with pytest.raises(ValueError, match="a Buffer of 4 bytes cannot hold 5 bytes at offset 0"):
        mod.put(16, 4, 5)
    assert memory_of(mod).read(16, 4) == b"\0\0ab"  # only the write that fitted


def test_array_view(realm):
    class Arrays(wasmport.HostModule, name="a"):
        @export
        def poke(self, values: Array[Int64]) -> Int64:
            assert len(values) == 3
            assert values[0] == -1 and values[-1] == 2**62
            assert values[0:2] == [-1, 7] and list(values) == [-1, 7, 2**62]
            with pytest.raises(IndexError):
                values[3]
            with pytest.raises(IndexError):
                values[-4]
            values[1] = 8
            with pytest.raises(ValueError, match="cannot store 4 values in an Array of 3"):
                values.store([1, 2, 3, 4])
            with pytest.raises(OverflowError):
                values.store([1, 2**63])  # checked before anything is written
            values.store([5])
            return sum(values)

    mod = forwarder(realm, {"poke": (PTR_LEN, I64)}, {"a": Arrays}, module="a")
    memory = memory_of(mod)
    memory.write(END - 24, (-1).to_bytes(8, "little", signed=True) + (7).to_bytes(8, "little")
                 + (2**62).to_bytes(8, "little"))
    assert mod.poke(END - 24, 3) == 5 + 8 + 2**62
    assert memory.read(END - 24, 16) == (5).to_bytes(8, "little") + (8).to_bytes(8, "little")


def test_empty_array_at_the_end(guest):
    mod, host, _ = guest
    assert mod.sum(END, 0) == 0
    assert host.seen == [[]]


def test_pointer_load_and_store_at_the_end(guest):
    mod, _, memory = guest
    memory.write(END - 8, (-5).to_bytes(8, "little", signed=True))
    assert mod.swap(END - 8, 2**63 - 1) == -5
    assert memory.read(END - 8, 8) == (2**63 - 1).to_bytes(8, "little")


@pytest.mark.parametrize(("ptr", "offset"), [(END - 7, END - 7), (END, END), (-4, 2**32 - 4)])
def test_pointer_out_of_bounds(guest, ptr, offset):
    mod, _, memory = guest
    with pytest.raises(wasmport.MemoryAccessError) as info:
        mod.swap(ptr, 1)
    assert (info.value.offset, info.value.length, info.value.size) == (offset, 8, END)


def test_pointer_store_of_a_bad_value_writes_nothing(realm):
    class Bad(wasmport.HostModule, name="b"):
        @export
        def put(self, p: Pointer[Uint8]) -> None:
            p.store(256)

    mod = forwarder(realm, {"put": (I32, ())}, {"b": Bad}, module="b")
    with pytest.raises(OverflowError, match="256 is out of range for Uint8"):
        mod.put(0)
    assert memory_of(mod).read(0, 1) == b"\0"


def test_memory_grown_by_a_reentrant_call(guest):
    mod, _, memory = guest
    assert mod.grow_then_store(END - 4, 3) == 4 * PAGE
    assert memory.read(END - 4, 4) == (1).to_bytes(4, "little")  # grow returned 1 page
    assert mod.bytes(4 * PAGE - 2, 2) == 2  # the host sees the grown memory
    with pytest.raises(wasmport.MemoryAccessError) as info:
        mod.bytes(4 * PAGE - 1, 2)
    assert info.value.size == 4 * PAGE


def test_memory_under_another_export_name(realm):
    class Named(wasmport.HostModule, name="n", memory="mem"):
        @export
        def size(self, data: Bytes) -> Uint32:
            return len(data)

    mod = forwarder(realm, {"size": (PTR_LEN, I32)}, {"n": Named}, module="n", memory="mem")
    assert mod.size(0, 10) == 10
    with pytest.raises(wasmport.MemoryAccessError, match="in memory 'mem'"):
        mod.size(PAGE, 1)


def test_missing_memory_export_is_a_link_error(realm):
    class Needs(wasmport.HostModule, name="n"):
        @export
        def size(self, data: Bytes) -> Uint32:
            return len(data)

    with pytest.raises(wasmport.LinkError) as info:
        forwarder(realm, {"size": (PTR_LEN, I32)}, {"n": Needs}, module="n", memory="mem")
    text = str(info.value)
    assert 'import "n"."size": Needs.size(data: Bytes) -> Uint32 uses the caller\'s memory' in text
    assert "exports no memory named 'memory'" in text
    assert "memory=" in text


def test_memory64_is_refused_at_link_time(realm):
    class Needs(wasmport.HostModule, name="n"):
        @export
        def size(self, data: Bytes) -> Uint32:
            return len(data)

    wat = """(module (import "n" "size" (func (param i32 i32) (result i32)))
               (memory (export "memory") i64 1))"""
    with pytest.raises(wasmport.LinkError, match="a 64-bit memory; host modules take 32-bit"):
        wasmport.compile(wat, realm=realm).instantiate({"n": Needs})


def test_start_function_reads_memory_before_binding(realm):
    class Log(wasmport.HostModule, name="log"):
        lines: list[str] = []

        @export
        def line(self, text: String) -> None:
            Log.lines.append(text)

    wat = """(module
      (import "log" "line" (func $line (param i32 i32)))
      (memory (export "memory") 1)
      (data (i32.const 8) "started")
      (func $start (call $line (i32.const 8) (i32.const 7)))
      (start $start)
      (func (export "again") (call $line (i32.const 8) (i32.const 4))))"""
    mod = wasmport.compile(wat, realm=realm).instantiate({"log": Log})
    mod.again()
    assert Log.lines == ["started", "star"]


def test_every_memory_function_of_a_host_module_uses_the_importers_memory(realm):
    """Two pointer-taking functions share the importer's memory; a re-exported one called
    from another instance still reads the importer's memory, not its caller's."""

    class Reader(wasmport.HostModule, name="rd"):
        @wasmport.export
        def first(self, data: Bytes) -> Uint32:
            return data[0]

        @wasmport.export
        def second(self, data: Bytes) -> Uint32:
            return data[0] + 100

    importer = wasmport.compile(
        '(module (import "rd" "first" (func $f (param i32 i32) (result i32)))'
        ' (import "rd" "second" (func $s (param i32 i32) (result i32)))'
        ' (memory (export "memory") 1) (data (i32.const 0) "\\07")'
        ' (export "first" (func $f)) (export "second" (func $s)))',
        name="importer", realm=realm).instantiate({"rd": Reader})
    caller = wasmport.compile(
        '(module (import "imp" "first" (func $f (param i32 i32) (result i32)))'
        ' (import "imp" "second" (func $s (param i32 i32) (result i32)))'
        ' (memory (export "memory") 1) (data (i32.const 0) "\\09")'
        ' (func (export "both") (result i32 i32) (call $f (i32.const 0) (i32.const 1))'
        ' (call $s (i32.const 0) (i32.const 1))))',
        name="caller", realm=realm).instantiate({"imp": importer})
    assert caller.both() == (7, 107)  # the importer's byte 7, not the caller's 9
