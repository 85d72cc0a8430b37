"""A guest compiled from Rust (tests/fixtures/rust/textstats.rs) with a typed host module."""

from __future__ import annotations

from pathlib import Path

import pytest

import wasmport
from wasmport.types import String

GUEST = Path(__file__).resolve().parents[1] / "fixtures" / "rust" / "textstats.wasm"


class Host(wasmport.HostModule, name="host"):
    def __init__(self) -> None:
        self.lines: list[str] = []

    @wasmport.export
    def log(self, message: String) -> None:
        self.lines.append(message)


class Text:
    """Rust-side strings: alloc, copy in, call, dealloc."""

    def __init__(self, realm: wasmport.Realm) -> None:
        self.mod = wasmport.load(str(GUEST) + "?source", realm=realm).instantiate(
            {"host": Host})
        self.host = Host.of(self.mod)

    def call(self, name: str, data: bytes) -> object:
        ptr = self.mod.alloc(len(data))
        try:
            self.mod.memory.write(ptr, data)
            result = getattr(self.mod, name)(ptr, len(data))
            self.last = self.mod.memory.read(ptr, len(data))
            return result
        finally:
            self.mod.dealloc(ptr, len(data))


@pytest.fixture
def text():
    with wasmport.Realm() as realm:
        yield Text(realm)


def fnv1a(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) % 2**64
    return h - 2**64 if h >= 2**63 else h  # wasm i64 results come back signed


def test_strings_cross_both_ways(text):
    assert text.call("count_words", "héllo wörld, three words".encode()) == 4
    assert text.host.lines == ["4 words, 24 chars"]  # formatted by Rust, lifted as String


def test_invalid_utf8_is_the_guests_own_answer(text):
    assert text.call("count_words", b"\xff\xfe") == -1
    assert text.host.lines == []


@pytest.mark.parametrize("data", [b"", b"a", b"wasmport" * 1000, bytes(range(256))])
def test_i64_results_match_python(text, data):
    assert text.call("fnv1a", data) == fnv1a(data)


def test_in_place_writes_are_seen_by_python(text):
    assert text.call("shout", b"quiet, please") is None
    assert text.last == b"QUIET, PLEASE"


def test_a_rust_panic_is_a_trap_and_the_instance_survives(text):
    assert text.mod.checked_div(7, 2) == 3
    with pytest.raises(wasmport.Trap) as info:
        text.mod.checked_div(1, 0)
    assert info.value.code is not None and info.value.code.name == "UNREACHABLE"
    assert text.mod.checked_div(9, 3) == 3


def test_each_instance_has_its_own_host_object():
    with wasmport.Realm() as realm:
        a, b = Text(realm), Text(realm)
        a.call("count_words", b"one two")
        assert (a.host.lines, b.host.lines) == (["2 words, 7 chars"], [])
