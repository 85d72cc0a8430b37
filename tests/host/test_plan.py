"""Signature plans: made once, when the class is created; plain data; no reflection per call."""

from __future__ import annotations

import dataclasses
import inspect
import typing

import pytest

import wasmport
from wasmport import export
from wasmport.types import Bytes, Errno, Int64, Pointer, String, Uint32

from .guests import I32, I64, PTR_LEN, forwarder, memory_of


class Store(wasmport.HostModule, name="kv"):
    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    @export
    def put(self, key: String, value: Bytes) -> Errno:
        self.data[key] = value

    @export
    def size(self, key: String, out: Pointer[Uint32]) -> Errno:
        out.store(len(self.data[key]))

    @export
    def add(self, a: Int64, b: Int64) -> Int64:
        return a + b


SIGS = {"put": (PTR_LEN + PTR_LEN, I32), "size": (PTR_LEN + I32, I32), "add": (I64 + I64, I64)}


def test_the_plan_is_data():
    plan = Store.__wasm_host__.functions["put"].plan
    assert dataclasses.is_dataclass(plan)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.export = "other"  # type: ignore[misc]
    assert plan.wasm_params == ("i32", "i32", "i32", "i32")
    assert plan.wasm_results == ("i32",)
    assert [(p.name, p.type.name, p.start, p.stop) for p in plan.params] == [
        ("key", "String", 0, 2), ("value", "Bytes", 2, 4)]
    assert plan.uses_memory and plan.errno
    add = Store.__wasm_host__.functions["add"].plan
    assert not add.uses_memory and not add.errno
    assert all(p.type.identity for p in add.params)


def test_calls_never_read_annotations(realm, monkeypatch):
    a = forwarder(realm, SIGS, {"kv": Store}, module="kv")
    b = forwarder(realm, SIGS, {"kv": Store}, module="kv")

    def no_reflection(*args, **kwargs):
        raise AssertionError("annotations read during a call")

    monkeypatch.setattr(typing, "get_type_hints", no_reflection)
    monkeypatch.setattr(inspect, "signature", no_reflection)
    for mod in (a, b):
        memory_of(mod).write(0, b"keyvalue")
        assert mod.put(0, 3, 3, 5) == 0
        assert mod.size(0, 3, 100) == 0
        assert memory_of(mod).read(100, 4) == (5).to_bytes(4, "little")
        assert mod.add(2**62, 2**62 - 1) == 2**63 - 1
    assert Store.of(a).data == Store.of(b).data == {"key": b"value"}
    assert Store.of(a) is not Store.of(b)
