"""``wasmport inspect``: the text report, the JSON schema, the cache column, colour rules."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import wasmtime

import wasmport
from wasmport._cli.main import main
from wasmport._cli.targets import bold, colour
from wasmport._engine import interrupt

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHAPES = FIXTURES / "tools" / "shapes.wat"


def inspect_json(path: Path, capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    assert main(["inspect", "--json", str(path)]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_the_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    r = inspect_json(FIXTURES / "host" / "kv_guest.wasm", capsys)
    assert set(r) == {"schema", "file", "kind", "size", "sha256", "supported", "module_name",
                      "start", "custom_sections", "producers", "cache", "realm", "imports",
                      "exports"}
    assert (r["schema"], r["kind"], r["supported"], r["start"]) == (1, "core", True, False)
    assert r["size"] == (FIXTURES / "host" / "kv_guest.wasm").stat().st_size
    assert [c["name"] for c in r["custom_sections"]] == ["name", "producers"]
    assert r["producers"]["processed-by"][0]["name"] == "Debian clang"
    assert r["realm"] == "default"
    where = r["file"]
    assert r["imports"][0] == {
        "module": "kv", "name": "put",
        "type": {"kind": "func", "text": "func (i32, i32, i32, i32) -> i32",
                 "params": ["i32"] * 4, "results": ["i32"]},
        "resolution": {
            "by": None, "detail": None, "file": None, "ok": False, "inherited": False,
            "note": None, "error_type": "UnknownImportError",
            "error": f'{where}: import "kv"."put": no module \'kv\' provides it; give it in '
                     "the realm's import_map, register a host module named 'kv', or add a "
                     "module kv.wasm or an opted-in Python module to the path"}}
    assert r["exports"][0] == {
        "name": "memory", "python": "Memory",
        "type": {"kind": "memory", "text": "memory 2", "min": 2, "max": None, "index": "i32",
                 "shared": False, "page_size": 65536}}


def test_exports_as_python_sees_them(capsys: pytest.CaptureFixture[str]) -> None:
    exports = {e["name"]: e for e in inspect_json(SHAPES, capsys)["exports"]}
    assert exports["add"]["param_names"] == ["left", "right"]
    assert exports["splat"]["python"] == "Function"
    assert exports["ratio"]["python"] == "value (read live)"
    assert exports["a-b"]["python"] == "Function, through getattr()"
    assert exports["callbacks"]["type"] == {"kind": "table", "text": "table 2 funcref",
                                            "element": "funcref", "min": 2, "max": None,
                                            "index": "i32"}


def test_the_cache_column_follows_the_cache(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    module = tmp_path / "fresh.wat"
    module.write_text('(module (func (export "f") (result i32) (i32.const 41)))')
    before = inspect_json(module, capsys)["cache"]
    assert before["enabled"] and not any(e["cached"] for e in before["engines"])
    keys = ["fuel=0,epoch=1,nomove", "fuel=1,epoch=1,nomove"] if interrupt.AVAILABLE else [
        "fuel=0,epoch=0,nomove", "fuel=0,epoch=1,nomove", "fuel=1,epoch=0,nomove",
        "fuel=1,epoch=1,nomove"]  # every engine checks epochs where Ctrl-C can use them
    assert [e["engine"] for e in before["engines"]] == keys
    assert not any(e["cached"] for e in inspect_json(module, capsys)["cache"]["engines"])
    wasmport.load(str(module), phase="source")  # compiles, for the default engine
    after = inspect_json(module, capsys)["cache"]["engines"]
    assert [e["cached"] for e in after] == [True] + [False] * (len(keys) - 1)
    assert main(["inspect", str(module)]) == 0
    assert f"compiled code: in the cache for {keys[0]}" in capsys.readouterr().out


def test_the_text_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(SHAPES)]) == 0
    out = capsys.readouterr().out.splitlines()
    size = len(wasmtime.wat2wasm(SHAPES.read_text()))  # the binary's, not the text's
    assert out[0] == f"{SHAPES}: core module, {size} bytes"
    assert "custom sections: name (41 bytes)" in out and "start function: no" in out
    assert "imports (0)" in out and "exports (16)" in out
    assert any(line.split() == ["add", "func", "(i32,", "i32)", "->", "i32", "(left,",
                                "right)", "->", "Function"] for line in out)
    assert '  "a-b"        func () -> i32                 -> Function, through getattr()' in out
    assert "\033[" not in "\n".join(out)  # not a terminal: no colour


def test_a_component(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    component = tmp_path / "c.wasm"
    component.write_bytes(b"\0asm\x0d\x00\x01\x00")
    r = inspect_json(component, capsys)
    assert (r["kind"], r["supported"], r["size"]) == ("component", True, 8)
    assert (r["imports"], r["exports"], r["custom_sections"]) == ([], [], [])
    (tmp_path / "bad.wasm").write_bytes(b"\0asm\x0d\x00\x01\x00\x07\x01")  # cut short
    assert main(["inspect", str(tmp_path / "bad.wasm")]) == 1
    assert "bad.wasm" in capsys.readouterr().err


def test_unreadable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x.wasm").write_bytes(b"nope")
    assert main(["inspect", str(tmp_path / "x.wasm")]) == 1
    assert "not a WebAssembly binary" in capsys.readouterr().err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert colour(_Terminal()) and not colour(io.StringIO())
    assert bold("x", _Terminal()) == "\033[1mx\033[0m" and bold("x", io.StringIO()) == "x"
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour(_Terminal())
