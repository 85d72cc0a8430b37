"""Trap messages read where -> fact, with the engine's trap text once.

Found by the spec suite: a memory fault's cause chain numbers its lines
("0: memory fault at ...", "1: wasm trap: out of bounds memory access"), and the
number leaked into the message as "wasm trap: 1: wasm trap: out of bounds ...".
"""

from __future__ import annotations

import pytest
import wasmtime

import wasmport

OOB_LOAD = """(module (memory 1)
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))"""


def test_memory_fault_message_has_the_trap_text_once(realm: wasmport.Realm) -> None:
    mod = wasmport.compile(OOB_LOAD, name="oob", realm=realm).instantiate()
    with pytest.raises(wasmport.Trap) as info:
        mod.load(1_000_000)
    assert str(info.value) == "<oob>: load(): wasm trap: out of bounds memory access"
    assert info.value.code == wasmtime.TrapCode.MEMORY_OUT_OF_BOUNDS


def test_unreachable_message(realm: wasmport.Realm) -> None:
    mod = wasmport.compile('(module (func (export "f") unreachable))', name="u",
                           realm=realm).instantiate()
    with pytest.raises(wasmport.Trap) as info:
        mod.f()
    assert str(info.value) == "<u>: f(): wasm trap: wasm `unreachable` instruction executed"

