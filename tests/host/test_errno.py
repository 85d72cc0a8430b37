"""Errno-style results: ``Errno`` (one i32) and ``Result[T]`` (T's results, then an i32)."""

from __future__ import annotations

import pytest

import wasmport
from wasmport import export
from wasmport.types import Errno, ErrnoError, Float64, Int32, Int64, Result, String, Uint32

from .guests import I32, I64, PTR_LEN, forwarder, memory_of

ENOENT, EINVAL = 44, 28  # WASI's numbers, for example


class Files(wasmport.HostModule, name="f"):
    def __init__(self) -> None:
        self.sizes = {"a.txt": 3, "big": 2**32 - 1}

    @export
    def touch(self, name: String) -> Errno:
        if not name:
            return EINVAL  # returning a code works too
        self.sizes.setdefault(name, 0)
        return None

    @export
    def remove(self, name: String) -> Errno:
        if name not in self.sizes:
            raise ErrnoError(ENOENT, f"no file {name!r}")
        del self.sizes[name]

    @export
    def size(self, name: String) -> Result[Uint32]:
        if name not in self.sizes:
            raise ErrnoError(ENOENT)
        return self.sizes[name]

    @export
    def ratio(self, a: Int64, b: Int64) -> Result[Float64]:
        if b == 0:
            raise ErrnoError(EINVAL)
        return a / b

    @export
    def code(self, value: Int32) -> Errno:
        return value

    @export
    def plain(self) -> Int32:
        raise ErrnoError(ENOENT, "not an errno method")


SIGS = {
    "touch": (PTR_LEN, I32), "remove": (PTR_LEN, I32), "size": (PTR_LEN, ("i32", "i32")),
    "ratio": (I64 + I64, ("f64", "i32")), "code": (I32, I32), "plain": ((), I32),
}


@pytest.fixture
def files(realm):
    mod = forwarder(realm, SIGS, {"f": Files}, module="f")
    memory = memory_of(mod)

    def name(text: str) -> tuple[int, int]:
        data = text.encode()
        memory.write(1000, data)
        return 1000, len(data)

    return mod, Files.of(mod), name


def test_errno_zero_on_success_code_on_failure(files):
    mod, host, name = files
    assert mod.touch(*name("new")) == 0
    assert "new" in host.sizes
    assert mod.touch(*name("")) == EINVAL
    assert mod.remove(*name("new")) == 0
    assert mod.remove(*name("new")) == ENOENT
    assert "new" not in host.sizes


def test_result_value_then_errno(files):
    mod, _, name = files
    assert mod.size(*name("a.txt")) == (3, 0)
    assert mod.size(*name("missing")) == (0, ENOENT)
    assert mod.size(*name("big")) == (-1, 0)  # Uint32 max, read back signed by wasm
    assert mod.ratio(1, 4) == (0.25, 0)
    assert mod.ratio(1, 0) == (0.0, EINVAL)


@pytest.mark.parametrize("code", [1, -1, 2**31 - 1, -(2**31)])
def test_errno_codes_span_i32(files, code):
    mod, _, _ = files
    assert mod.code(code) == code


def test_errno_out_of_range_is_an_overflow(realm):
    class Wide(wasmport.HostModule, name="w"):
        @export
        def f(self) -> Errno:
            return 2**31

    mod = forwarder(realm, {"f": ((), I32)}, {"w": Wide}, module="w", pages=None)
    with pytest.raises(OverflowError, match="out of range for Errno"):
        mod.f()


def test_errno_error_elsewhere_reaches_the_python_caller(files):
    mod, _, _ = files
    with pytest.raises(ErrnoError) as info:
        mod.plain()
    assert info.value.code == ENOENT
    assert str(info.value) == "errno 44: not an errno method"


@pytest.mark.parametrize("bad", [0, 2**31, "2", 1.0, True])
def test_errno_error_takes_a_nonzero_i32(bad):
    with pytest.raises(ValueError, match="nonzero i32"):
        ErrnoError(bad)


def test_result_of_a_memory_type_is_refused():
    with pytest.raises(wasmport.HostSignatureError, match=r"Result\[String\]: String cannot "):
        class Bad(wasmport.HostModule, name="b"):
            @export
            def f(self) -> Result[String]: ...


def test_lowered_types():
    functions = Files.__wasm_host__.functions
    assert functions["touch"].plan.wasm_type == "func (i32, i32) -> i32"
    assert functions["size"].plan.wasm_type == "func (i32, i32) -> (i32, i32)"
    assert functions["ratio"].plan.wasm_type == "func (i64, i64) -> (f64, i32)"
    assert functions["size"].plan.text == "Files.size(name: String) -> Result[Uint32]"
