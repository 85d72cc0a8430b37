"""Native memory windows against wasmport.Memory (ctypes): the same bytes, the same errors."""

from __future__ import annotations

import array

import pytest
import wasmtime

import wasmport
from wasmport._engine.fast import _native
from wasmport._errors import MemoryAccessError
from wasmport._exports.base import raw_of

from .conftest import outcome

PAGE = 65536


@pytest.fixture
def pair():
    """(wasmport.Memory, a native Window on the same memory, the realm)."""
    realm = wasmport.Realm(name="windows")
    memory = wasmport.compile('(module (memory (export "memory") 1 3) (data (i32.const 0)'
                              ' "0123456789"))', realm=realm).instantiate().memory
    window = _native.new_window(lambda o, n, s: MemoryAccessError(o, n, s,
                                                                  where="memory 'memory'"))
    _native.bind_window(window, realm.store, raw_of(memory), lambda: realm.store)
    yield memory, window, realm
    realm.close()


READS = [(0, 0), (0, 10), (PAGE - 6, 6), (PAGE - 6, 7), (PAGE, 0), (PAGE + 1, 0), (-1, 1),
         (0, -1), (True, 1), (1, False), (1.0, 1), ("0", 1), (0, None), (2**64, 1), (0, 2**63),
         (2**63 - 1, 2**63 - 1), (-(2**70), 1)]


@pytest.mark.parametrize("offset, length", READS)
def test_reads_match(pair, offset, length) -> None:
    memory, window, _ = pair
    expected = outcome(memory.read, offset, length)
    assert outcome(window.read, offset, length) == expected


WRITES = [(0, b"abc"), (PAGE - 3, b"abc"), (PAGE - 2, b"abc"), (-1, b"a"), (0, "text"),
          (0, 123), (0, None), (0, memoryview(b"abcdef")[::2]), (8, array.array("i", [1, -2])),
          (0, bytearray(b"xy")), (True, b"t"), (2.0, b"f"), (PAGE, b""), (PAGE + 1, b""),
          (5, memoryview(bytearray(b"zz")).cast("B", (1, 2)))]


@pytest.mark.parametrize("offset, data", WRITES)
def test_writes_match(pair, offset, data) -> None:
    memory, window, _ = pair
    before = bytes(memory.view())
    expected = outcome(memory.write, offset, data)
    written = bytes(memory.view())
    memory.view()[:] = before
    assert outcome(window.write, offset, data) == expected
    assert bytes(memory.view()) == written


def test_a_write_from_a_view_of_the_same_memory_overlaps_correctly(pair) -> None:
    memory, window, _ = pair
    window.write(2, memory.view()[0:8])
    assert memory.read(0, 10) == b"0101234567"


def test_size_follows_growth(pair) -> None:
    memory, window, _ = pair
    assert window.size() == len(memory) == PAGE
    memory.grow(2)
    assert window.size() == 3 * PAGE
    window.write(3 * PAGE - 1, b"!")
    assert window.read(3 * PAGE - 1, 1) == memory.read(3 * PAGE - 1, 1) == b"!"


def test_a_closed_realm_raises_as_memory_does(pair) -> None:
    memory, window, realm = pair
    realm.close()
    expected = outcome(memory.read, 0, 1)
    assert expected[0] is wasmport.RealmClosedError
    assert outcome(window.read, 0, 1) == expected
    assert outcome(window.write, 0, b"x") == outcome(memory.write, 0, b"x")
    assert outcome(window.size) == outcome(len, memory)


def test_a_closed_store_without_a_closed_hook_is_a_value_error() -> None:
    store = wasmtime.Store()
    memory = wasmtime.Memory(store, wasmtime.MemoryType(wasmtime.Limits(1, None)))
    window = _native.new_window(lambda o, n, s: IndexError(o))
    _native.bind_window(window, store, memory, None)
    assert window.read(0, 2) == b"\0\0"
    store.close()
    with pytest.raises(ValueError, match="memory: the store is closed"):
        window.read(0, 2)


def test_an_unbound_window_reads_as_an_empty_memory() -> None:
    window = _native.new_window(lambda o, n, s: IndexError(o, n, s))
    assert (window.bound, window.size(), window.read(0, 0)) == (False, 0, b"")
    with pytest.raises(IndexError) as info:
        window.read(0, 1)
    assert info.value.args == (0, 1, 0)


def test_bind_checks_the_store_and_fail_must_make_an_exception() -> None:
    store, other = wasmtime.Store(), wasmtime.Store()
    memory = wasmtime.Memory(store, wasmtime.MemoryType(wasmtime.Limits(1, None)))
    window = _native.new_window(lambda o, n, s: "not an exception")
    with pytest.raises(ValueError, match="another store"):
        _native.bind_window(window, other, memory, None)
    _native.bind_window(window, store, memory, None)
    with pytest.raises(TypeError, match="must return an exception"):
        window.read(PAGE, 1)
    window.unbind()
    assert not window.bound and window.size() == 0
