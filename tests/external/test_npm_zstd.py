"""A real binary nobody here built: zstd compiled with emscripten, from the npm package
@bokuweb/zstd-wasm 0.0.27 (fetched and checked by scripts/fetch-external, which
scripts/test runs).  Its imports and exports are minified; the names come from the
package's own JS glue (dist/common/zstd.js):

    import "a"."a" proc_exit(i32)          export "f" memory       "s" malloc   "t" free
    import "a"."b" keepalive_clear()       export "g" __wasm_call_ctors
    import "a"."c" abort()                 export "h" ZSTD_isError "i" ZSTD_compressBound
    import "a"."d" setitimer(i32, f64)     export "m" ZSTD_compress(dst, cap, src, n, level)
    import "a"."e" resize_heap(i32) -> i32 export "r" ZSTD_decompress(dst, cap, src, n)
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import wasmport
from wasmport.types import Float64, Int32, Uint32

BINARY = Path(__file__).resolve().parents[2] / ".external" / "zstd-bokuweb-0.0.27.wasm"
pytestmark = pytest.mark.skipif(not BINARY.exists(), reason=(
    f"{BINARY} is missing: scripts/fetch-external fetches it with npm (scripts/test runs it)"))
PAGE = 65536


class Aborted(Exception):
    pass


class Emscripten(wasmport.HostModule, name="a"):
    """The five functions emscripten's JS glue gives this build, as a typed host module."""

    def __init__(self) -> None:
        self.memory: wasmport.Memory | None = None
        self.grown = 0

    @wasmport.export("a")
    def proc_exit(self, code: Int32) -> None:
        raise Aborted(f"exit({code})")

    @wasmport.export("b")
    def keepalive_clear(self) -> None:
        pass

    @wasmport.export("c")
    def abort(self) -> None:
        raise Aborted("abort()")

    @wasmport.export("d")
    def setitimer(self, which: Int32, ms: Float64) -> Int32:
        return 0

    @wasmport.export("e")
    def resize_heap(self, requested: Uint32) -> Int32:
        assert self.memory is not None
        missing = requested - len(self.memory)
        if missing > 0:
            self.memory.grow(-(-missing // PAGE))
            self.grown += 1
        return 1


class Zstd:
    """What the package's JS does, in Python: malloc, copy in, call, copy out, free."""

    def __init__(self, realm: wasmport.Realm) -> None:
        self.mod = wasmport.load(str(BINARY) + "?source", realm=realm).instantiate(
            {"a": Emscripten})
        self.host = Emscripten.of(self.mod)
        self.host.memory = self.mod.f
        self.mod.g()  # __wasm_call_ctors

    def _call(self, fn: str, data: bytes, capacity: int, *extra: int) -> bytes:
        m = self.mod
        src, dst = m.s(len(data)), m.s(capacity)
        try:
            m.f.write(src, data)
            size = getattr(m, fn)(dst, capacity, src, len(data), *extra)
            if m.h(size):
                raise ValueError(f"zstd error {size}")
            return m.f.read(dst, size)
        finally:
            m.t(src)
            m.t(dst)

    def compress(self, data: bytes, level: int = 3) -> bytes:
        return self._call("m", data, self.mod.i(len(data)), level)

    def decompress(self, data: bytes, size: int) -> bytes:
        return self._call("r", data, size)


@pytest.fixture
def zstd() -> Zstd:
    with wasmport.Realm() as realm:
        yield Zstd(realm)


def test_round_trip(zstd: Zstd) -> None:
    data = b"wasmport " * 5000 + os.urandom(2000)
    packed = zstd.compress(data)
    assert packed[:4] == b"\x28\xb5\x2f\xfd"  # a zstd frame
    assert len(packed) < len(data) // 5
    assert zstd.decompress(packed, len(data)) == data


def test_a_large_input_grows_memory_through_the_python_host(zstd: Zstd) -> None:
    before = len(zstd.mod.f)
    data = bytes(range(256)) * (64 * 1024)  # 16 MiB: more than the initial heap
    assert zstd.decompress(zstd.compress(data, 1), len(data)) == data
    assert zstd.host.grown >= 1 and len(zstd.mod.f) > before


def test_instances_are_independent_and_interoperate() -> None:
    with wasmport.Realm() as realm:
        a, b = Zstd(realm), Zstd(realm)
        assert a.host is not b.host
        data = b"interoperate " * 1000
        assert b.decompress(a.compress(data), len(data)) == data


def test_corrupt_input_is_a_zstd_error_not_a_crash(zstd: Zstd) -> None:
    packed = bytearray(zstd.compress(b"hello " * 100))
    packed[6] ^= 0xFF
    packed[-3:] = b"\0\0\0"
    with pytest.raises(ValueError, match="zstd error"):
        zstd.decompress(bytes(packed), 600)
    assert zstd.decompress(zstd.compress(b"still fine"), 10) == b"still fine"


def test_descriptors_of_a_minified_module() -> None:
    with wasmport.Realm() as realm:
        module = wasmport.load(str(BINARY) + "?source", realm=realm)
    assert [(i.module, i.name, i.type) for i in module.imports] == [
        ("a", "a", "func (i32) -> nil"), ("a", "b", "func () -> nil"),
        ("a", "c", "func () -> nil"), ("a", "d", "func (i32, f64) -> i32"),
        ("a", "e", "func (i32) -> i32")]
    assert ("m", "func", "func (i32, i32, i32, i32, i32) -> i32") in [
        (e.name, e.kind, e.type) for e in module.exports]
