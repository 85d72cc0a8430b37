"""What the distributed tests run in worker processes (importable there by name)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import wasmport

KERNELS = Path(__file__).with_name("kernels.wat")


def kernels() -> Any:
    """The default realm's instance (looked up each time: a test may close the realm)."""
    return wasmport.load(KERNELS)

#: A module no process compiled before, with enough functions for the engine to compile
#: them on its thread pool (a compile in a forked child).
FRESH = "(module {})".format(" ".join(
    f'(func (export "f{i}") (param i32) (result i32) local.get 0 i32.const {i} i32.mul)'
    for i in range(64)))


def slow_text(count: int = 3000) -> str:
    """A module that takes most of a second to compile (each function a small loop)."""
    def body(i: int) -> str:
        return (f'(func (export "f{i}") (param $a i32) (result i32) (local $i i32)'
                f' (block $out (loop $top (br_if $out (i32.ge_u (local.get $i)'
                f' (i32.const {i % 50 + 3}))) (local.set $a (i32.add (i32.mul'
                f' (local.get $a) (i32.const {i | 1})) (local.get $i)))'
                f' (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $top)))'
                f' (local.get $a))')
    return f"(module {' '.join(body(i) for i in range(count))})"


def compiles_here(path: str) -> int:
    """How many times this process compiled the file (0: loaded from the code cache)."""
    from wasmport._compile import assets

    return assets.asset_for_file(path).compile_count()


def square_and_calls(x: int) -> tuple[int, int, int]:
    """(x squared, this process's count of square calls, this process's id)."""
    module = kernels()
    return module.square(x), module.calls, os.getpid()


def instantiate_and_call(module: wasmport.Module, x: int) -> int:
    """A pickled source-phase Module, instantiated here."""
    return int(module.instantiate().square(x))


def compile_and_call(text: str, x: int) -> int:
    return int(wasmport.compile(text).instantiate().f3(x))


def call(function: wasmport.Function, *args: int) -> int:
    return int(function(*args))


def spin(n: int) -> int:
    return int(kernels().spin(n))


def py_square(x: int) -> int:
    return x * x


def py_spin(n: int) -> int:
    v = 1
    for _ in range(n):
        v = (v * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
    return v - (1 << 64) if v >= 1 << 63 else v


class Counter(wasmport.HostModule, name="counter"):
    """A host module (classes pickle by reference, as their class)."""

    def __init__(self, start: int = 0) -> None:
        self.value = start

    @wasmport.export
    def bump(self) -> None:
        self.value += 1


FIXTURES = Path(__file__).parent.parent / "fixtures"


def run_hello(**streams: Any) -> Any:
    """wasmport.run of the WASI hello program: its RunResult, or the exception."""
    try:
        return wasmport.run(str(FIXTURES / "wasi" / "hello.wasm"), **streams)
    except wasmport.WasmportError as err:
        return err


def timed_loop(timeout: float) -> str:
    """An endless loop under a timeout: "timeout" when the timeout stopped it."""
    loop: Any = wasmport.load(FIXTURES / "limits" / "loop.wat",
                              limits=wasmport.Limits(timeout=timeout))
    try:
        loop.spin()
    except wasmport.ResourceLimitError as err:
        return str(err.limit)
    return "returned"


def load_and_call(path: str, x: int, export: str = "square") -> int:
    return int(getattr(wasmport.load(path), export)(x))


def compiled_here(path: str) -> bool:
    """Whether this process holds the file's compiled code (compiled, or from the cache)."""
    from wasmport._compile import assets

    return bool(assets.asset_for_file(path)._compiled)
