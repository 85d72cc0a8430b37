"""Exceptions crossing wasm: a host method's exception reaches the Python caller of the
wasm export as the same object; wasm sees a trap; the realm keeps working."""

from __future__ import annotations

import pytest

import wasmport
from wasmport import export
from wasmport.types import Int32, String

from .guests import I32, PTR_LEN, forwarder, memory_of


class Custom(Exception):
    def __init__(self, detail: str, code: int) -> None:
        super().__init__(detail)
        self.code = code


class Thrower(wasmport.HostModule, name="t"):
    def __init__(self) -> None:
        self.raised: BaseException | None = None
        self.guest: object = None

    @export
    def fail(self, n: Int32) -> Int32:
        exc: BaseException
        if n == 0:
            exc = KeyError("missing")
        elif n == 1:
            exc = Custom("custom", 7)
        else:
            try:
                {}["inner"]
            except KeyError as inner:
                exc = RuntimeError("wrapped")
                exc.__cause__ = inner
        self.raised = exc
        raise exc

    @export
    def again(self, n: Int32) -> Int32:
        # host -> wasm -> host: the inner exception crosses two wasm frames
        return self.guest.fail(n)  # type: ignore[attr-defined, no-any-return]

    @export
    def text(self, s: String) -> Int32:
        return len(s)


SIGS = {"fail": (I32, I32), "again": (I32, I32), "text": (PTR_LEN, I32)}


@pytest.fixture
def guest(realm):
    mod = forwarder(realm, SIGS, {"t": Thrower}, module="t")
    host = Thrower.of(mod)
    host.guest = mod
    return mod, host


@pytest.mark.parametrize("n", [0, 1, 2])
def test_same_exception_object_reaches_the_caller(guest, n):
    mod, host = guest
    with pytest.raises(BaseException) as info:
        mod.fail(n)
    assert info.value is host.raised
    assert not isinstance(info.value, wasmport.Trap)


def test_attributes_and_chain_are_intact(guest):
    mod, host = guest
    with pytest.raises(Custom) as info:
        mod.fail(1)
    assert info.value.code == 7
    with pytest.raises(RuntimeError) as chained:
        mod.fail(2)
    assert isinstance(chained.value.__cause__, KeyError)


def test_through_nested_wasm_calls(guest):
    mod, host = guest
    with pytest.raises(KeyError) as info:
        mod.again(0)
    assert info.value is host.raised


def test_nothing_is_printed_and_the_realm_keeps_working(guest, capsys, realm):
    mod, _ = guest
    with pytest.raises(KeyError):
        mod.fail(0)
    memory_of(mod).write(0, b"ok")
    assert mod.text(0, 2) == 2
    other = forwarder(realm, SIGS, {"t": Thrower}, module="t")
    memory_of(other).write(0, b"fine")
    assert other.text(0, 4) == 4
    captured = capsys.readouterr()
    assert captured.out == captured.err == ""


def test_a_lift_error_is_raised_at_the_caller_and_the_next_call_is_clean(guest):
    mod, _ = guest
    memory_of(mod).write(0, b"\xff")
    with pytest.raises(UnicodeDecodeError):
        mod.text(0, 1)
    with pytest.raises(wasmport.MemoryAccessError):
        mod.text(2**16, 1)
    memory_of(mod).write(0, b"ab")
    assert mod.text(0, 2) == 2


def test_a_wasm_caller_sees_a_trap(realm):
    # the guest catches nothing: a host exception unwinds the wasm frames as a trap
    wat = """(module
      (import "t" "fail" (func $fail (param i32) (result i32)))
      (global $after (export "after") (mut i32) (i32.const 0))
      (func (export "run") (result i32)
        (drop (call $fail (i32.const 0)))
        (global.set $after (i32.const 1))
        (i32.const 5)))"""
    mod = wasmport.compile(wat, realm=realm).instantiate({"t": Thrower})
    with pytest.raises(KeyError):
        mod.run()
    assert mod.after == 0  # the rest of the wasm function never ran
