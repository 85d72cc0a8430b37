"""Compiling, serializing and loading components."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import wasmtime

from wasmport._component import (
    compile_component,
    deserialize_component,
    deserialize_component_file,
    instantiate,
    is_component,
)
from wasmport._errors import CompileError

from .conftest import FIXTURES, CalcHost


def test_is_component() -> None:
    assert is_component((FIXTURES / "calc" / "calc.wasm").read_bytes())
    assert not is_component(wasmtime.wat2wasm("(module)"))
    assert not is_component(b"")


@pytest.mark.parametrize("data", [b"", b"\x00asm\x0d\x00\x01\x00garbage", b"not wasm at all"])
def test_bad_bytes_are_a_compile_error(engine: Any, data: bytes) -> None:
    with pytest.raises(CompileError) as raised:
        compile_component(engine, data, "bad.wasm")
    assert str(raised.value).startswith("bad.wasm: not a valid component: ")
    assert raised.value.path == "bad.wasm" and raised.value.reason


def test_a_core_module_is_not_a_component(engine: Any) -> None:
    with pytest.raises(CompileError, match="not a valid component"):
        compile_component(engine, wasmtime.wat2wasm("(module)"), "core.wasm")


def test_serialize_and_load_back(engine: Any, code: Any, tmp_path: Path) -> None:
    blob = code("calc").serialize()
    path = tmp_path / "calc.cwasm"
    path.write_bytes(blob)
    for loaded in (deserialize_component(engine, blob, "calc.wasm"),
                   deserialize_component_file(engine, path, "calc.wasm")):
        assert loaded.wit == code("calc").wit
        inst = instantiate(wasmtime.Store(engine), loaded,
                           {"test:calc/host": CalcHost(), "tick": lambda: 1})
        assert inst.exports.add(20, 22) == 42


def test_loading_garbage_is_a_compile_error(engine: Any, tmp_path: Path) -> None:
    with pytest.raises(CompileError, match="cannot load the compiled component"):
        deserialize_component(engine, b"nope", "x.wasm")
    with pytest.raises(CompileError, match="compile it again"):
        deserialize_component_file(engine, tmp_path / "missing.cwasm", "x.wasm")


def test_a_serialized_core_module_is_refused(engine: Any) -> None:
    blob = wasmtime.Module(engine, "(module)").serialize()
    with pytest.raises(CompileError):
        deserialize_component(engine, blob, "core.cwasm")


def test_imports_and_exports(code: Any) -> None:
    calc = code("calc")
    assert list(calc.imports) == ["test:calc/host@0.1.0", "tick"]
    assert set(calc.exports) == {"add", "now", "test:calc/api@0.1.0"}
    assert calc.world is calc.world  # read once


def test_a_store_of_another_engine_is_refused(code: Any) -> None:
    with pytest.raises(ValueError, match="another engine"):
        instantiate(wasmtime.Store(wasmtime.Engine()), code("values"), {})
