"""A guest compiled from C (tests/fixtures/host/kv_guest.c) uses a typed host module:
strings, bytes, a buffer out-parameter, an array, a struct and errno results."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

import wasmport
from wasmport import export
from wasmport.types import (
    Array,
    Buffer,
    Bytes,
    Errno,
    ErrnoError,
    Float64,
    Int32,
    Int64,
    Pointer,
    String,
    Uint8,
    Uint32,
    layout,
)

GUEST = Path(__file__).resolve().parents[1] / "fixtures" / "host" / "kv_guest.wasm"
ENOENT, ERANGE = 44, 68


@dataclass
class Entry:  # entry_t in kv_guest.c
    flags: Uint8
    size: Uint32
    version: Int64
    score: Float64
    tag: Uint8


class KV(wasmport.HostModule, name="kv"):
    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.versions: dict[str, int] = {}
        self.log: list[str] = []

    @export
    def put(self, key: String, value: Bytes) -> Errno:
        self.data[key] = value
        self.versions[key] = self.versions.get(key, 0) + 1
        return None

    @export
    def get(self, key: String, out: Buffer, length: Pointer[Uint32]) -> Errno:
        value = self.data.get(key)
        if value is None:
            raise ErrnoError(ENOENT)
        if len(value) > len(out):
            return ERANGE
        length.store(out.write(value))
        return None

    @export
    def stat(self, key: String, out: Pointer[Entry]) -> Errno:
        if key not in self.data:
            return ENOENT
        out.store(Entry(flags=0x5, size=len(self.data[key]), version=-self.versions[key] * 2**40,
                        score=len(key) / 4, tag=0xAB))
        return None

    @export("log")
    def write_log(self, message: String) -> None:
        self.log.append(message)

    @export
    def sum(self, values: Array[Int32]) -> Int64:
        return sum(values.load())


@pytest.fixture
def kv(realm):
    realm.register(KV)
    mod = realm.load(str(GUEST))
    memory = wasmport.instance_of(mod).exports["memory"]

    def put_input(data: bytes) -> None:
        memory.write(mod.input(), data)

    return mod, KV.of(mod), memory, put_input


def test_the_c_guest_imports_exactly_the_lowered_types(realm):
    module = wasmport.compile(GUEST.read_bytes(), name="kv_guest", realm=realm)
    imports = {i.name: i.type for i in module.imports}
    functions = KV.__wasm_host__.functions
    assert imports == {name: functions[name].plan.wasm_type for name in imports}
    assert imports["get"] == "func (i32, i32, i32, i32, i32) -> i32"


def test_strings_bytes_and_errno(kv):
    mod, host, memory, put_input = kv
    put_input(b"colour" + b"blue\x00\xff")
    assert mod.put(6, 6) == 0
    assert host.data == {"colour": b"blue\x00\xff"}


def test_value_through_an_out_pointer_and_errno(kv):
    mod, host, memory, put_input = kv
    host.data["k"] = b"value!"
    put_input(b"k")
    assert mod.get(1, 64) == 6
    assert memory.read(mod.output(), 6) == b"value!"
    assert mod.get(1, 5) == -ERANGE  # the buffer is too small: nothing written
    put_input(b"x")
    assert mod.get(1, 64) == -ENOENT


def test_struct_out_parameter_matches_c_layout(kv):
    mod, host, memory, put_input = kv
    lay = layout(Entry)
    assert (mod.sizeof_entry(), mod.alignof_entry()) == (lay.size, lay.align) == (32, 8)
    assert [mod.offsetof_size(), mod.offsetof_version(), mod.offsetof_score(),
            mod.offsetof_tag()] == [lay.offset(n) for n in ("size", "version", "score", "tag")]
    host.data["name"] = b"abc"
    host.versions["name"] = 3
    put_input(b"name")
    assert mod.stat(4) == 0
    assert (mod.last_flags(), mod.last_size(), mod.last_version(), mod.last_score(),
            mod.last_tag()) == (5, 3, -3 * 2**40, 1.0, 0xAB)
    put_input(b"none")
    assert mod.stat(4) == -ENOENT


def test_array_of_ints(kv):
    mod, _, memory, put_input = kv
    values = [1, -2, 2**31 - 1, -(2**31)]
    put_input(b"".join(v.to_bytes(4, "little", signed=True) for v in values))
    assert mod.sum(4) == sum(values)
    assert mod.sum(0) == 0


def test_utf8_from_c(kv):
    mod, host, _, _ = kv
    mod.hello()
    assert host.log == ["h\u00e9llo from C"]
    with pytest.raises(UnicodeDecodeError) as info:
        mod.bad_utf8()
    assert "KV.write_log() parameter 0 'message'" in str(info.value)
    assert host.log == ["h\u00e9llo from C"]


def test_overflowing_pointer_from_c_traps(kv):
    mod, host, memory, _ = kv
    with pytest.raises(wasmport.MemoryAccessError) as info:
        mod.overflow()
    assert (info.value.offset, info.value.length, info.value.size) == (
        0xFFFF_FFF0, 0x20, len(memory))
    assert host.data == {}


def test_each_c_instance_has_its_own_store(realm):
    module = realm.load(f"{GUEST}?source")
    a, b = module.instantiate({"kv": KV}), module.instantiate({"kv": KV})
    for mod, data in ((a, b"k1v"), (b, b"k2vv")):
        wasmport.instance_of(mod).exports["memory"].write(mod.input(), data)
        assert mod.put(2, len(data) - 2) == 0
    assert KV.of(a).data == {"k1": b"v"} and KV.of(b).data == {"k2": b"vv"}
