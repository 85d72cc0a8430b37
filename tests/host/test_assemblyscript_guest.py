"""A guest compiled from AssemblyScript (tests/fixtures/assemblyscript), whose abort()
passes AssemblyScript strings: read with a user-defined host type."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pytest

import wasmport
from wasmport.types import CallerMemory, HostType, Int32

GUEST = Path(__file__).resolve().parents[1] / "fixtures" / "assemblyscript" / "guest.wasm"


class ASStringType(HostType):
    """An AssemblyScript string: a pointer to UTF-16LE text, its byte length at ptr - 4."""

    name = "ASString"
    params = ("i32",)
    uses_memory = True

    def lift(self, memory: CallerMemory | None, *values: Any) -> str | None:
        assert memory is not None
        ptr = values[0] & 0xFFFFFFFF
        if ptr == 0:
            return None
        size = int.from_bytes(memory.read(ptr - 4, 4), "little")
        return memory.read(ptr, size).decode("utf-16-le")


ASString = Annotated[str, ASStringType()]


class GuestError(Exception):
    pass


class Env(wasmport.HostModule, name="env"):
    def __init__(self) -> None:
        self.logged: list[int] = []

    @wasmport.export
    def log_i32(self, value: Int32) -> None:
        self.logged.append(value)

    @wasmport.export
    def abort(self, message: ASString, file: ASString, line: Int32, column: Int32) -> None:
        raise GuestError(f"{file}:{line}:{column}: {message}")


@pytest.fixture
def guest():
    with wasmport.Realm() as realm:
        yield wasmport.load(str(GUEST) + "?source", realm=realm).instantiate({"env": Env})


def test_calls_and_an_import(guest):
    assert [guest.fib(n) for n in (0, 1, 10, 30)] == [0, 1, 55, 832040]
    assert Env.of(guest).logged == [0, 1, 55, 832040]
    assert guest.sumTo(100_000) == 5_000_050_000  # an i64 beyond 32 bits
    assert guest.hypot(3, 4) == 5.0


def test_abort_reaches_python_with_the_guests_message(guest):
    assert guest.checkPositive(5) == 5
    with pytest.raises(GuestError) as info:
        guest.checkPositive(-1)
    assert "x must be positive: wasmport ✓" in str(info.value)
    assert str(info.value).startswith("assembly/index.ts:")
    assert guest.checkPositive(1) == 1  # the instance keeps working
