"""``wasmport inspect`` on components: the committed fixtures, a component built now from
WIT, and the componentize-py guest; sections cross-checked with ``wasm-tools metadata
show``, resolutions with ``wasmport check``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

import wasmport
from wasmport._cli.main import main
from wasmport._tools.inspect import report

from ..components.conftest import FIXTURES, CalcHost, wasm_tools

CALC = FIXTURES / "calc" / "calc.wasm"
GUEST = Path(__file__).parents[2] / ".external" / "components" / "pyguest.wasm"
needs_guest = pytest.mark.skipif(
    not GUEST.exists(),
    reason=f"{GUEST} is not built: run scripts/build-componentize-py (componentize-py 0.25.1)")
CORE_KEYS = {"schema", "file", "kind", "size", "sha256", "supported", "module_name", "start",
             "custom_sections", "producers", "cache", "realm", "imports", "exports"}


def _metadata(path: Path) -> dict[str, Any]:
    done = subprocess.run([wasm_tools(), "metadata", "show", "--json", str(path)],
                          capture_output=True, text=True, check=True)
    root: dict[str, Any] = json.loads(done.stdout)["component"]
    return root


def _tools(producers: list[list[Any]] | None) -> dict[str, list[dict[str, str]]]:
    """wasm-tools' producers (``[[field, {tool: version}]]``) in inspect's form."""
    return {field: [{"name": t, "version": v} for t, v in tools.items()]
            for field, tools in producers or []}


def _child(entry: dict[str, Any]) -> tuple[str, str | None, dict[str, Any]]:
    (kind, body), = entry.items()
    meta = body.get("metadata", body)
    return kind, meta["name"], _tools(meta["producers"])


def test_calc_report_agrees_with_wasm_tools() -> None:
    r = report(CALC)
    assert CORE_KEYS | {"wit", "types", "embedded"} == set(r)
    assert (r["kind"], r["supported"], r["size"]) == ("component", True, CALC.stat().st_size)
    meta = _metadata(CALC)
    assert r["producers"] == _tools(meta["metadata"]["producers"])
    assert [(e["kind"], e["name"], e["producers"]) for e in r["embedded"]] == \
        [_child(c) for c in meta["children"]]
    assert [c["name"] for c in r["custom_sections"]] == ["component-name", "producers"]


def test_calc_world_imports_exports() -> None:
    r = report(CALC)
    source = wasmport.load(str(CALC), phase="source")
    assert r["wit"] == source.wit
    assert [i["name"] for i in r["imports"]] == ["test:calc/host@0.1.0", "tick"]
    host, tick = r["imports"]
    assert tick["type"] == {"kind": "func", "text": "tick: func() -> u32"}
    assert "add: func(a: u32, b: u32) -> u32" in host["type"]["functions"]
    assert {"name": "point", "text": "record { x: s32, y: s32 }"} in host["type"]["types"]
    exports = {e["name"]: e["python"] for e in r["exports"]}
    assert exports == {"add": "Function add", "now": "Function now",
                       "test:calc/api@0.1.0": "namespace api"}


def test_resolution_is_checks_answer() -> None:
    r = report(CALC)
    problems = wasmport.check(CALC).problems
    assert r["realm"] == "default"
    assert [i["resolution"]["error"] for i in r["imports"]] == list(problems)
    assert {i["resolution"]["error_type"] for i in r["imports"]} == {"UnknownImportError"}


def test_resolution_in_a_realm() -> None:
    realm = wasmport.Realm(name="host")
    try:
        realm.register("test:calc/host", CalcHost())
        realm.register("tick", lambda: 1)
        found = {i["name"]: i["resolution"] for i in report(CALC, realm=realm)["imports"]}
    finally:
        realm.close()
    assert {n: (f["by"], f["ok"]) for n, f in found.items()} == {
        "test:calc/host@0.1.0": ("registered", True), "tick": ("registered", True)}


def test_no_resolve_and_bytes() -> None:
    r = report(CALC.read_bytes(), resolve=False)
    assert (r["file"], r["realm"]) == (None, None)
    assert [i["resolution"] for i in r["imports"]] == [None, None]
    assert r["exports"] == report(CALC, resolve=False)["exports"]


def _dummy(tmp_path: Path, wit: str) -> Path:
    (tmp_path / "w.wit").write_text(wit)
    tools = wasm_tools()
    subprocess.run([tools, "component", "embed", "--dummy", str(tmp_path / "w.wit"),
                    "-o", str(tmp_path / "e.wasm")], check=True)
    subprocess.run([tools, "component", "new", str(tmp_path / "e.wasm"), "-o",
                    str(tmp_path / "d.wasm")], check=True)
    return tmp_path / "d.wasm"


def test_cache_is_read_before_compiling(tmp_path: Path) -> None:
    # A world of this test's own, so that no other test compiled the same bytes (the
    # session's code cache is private: tests/conftest.py).
    path = _dummy(tmp_path, "package t:c;\nworld w { export only-in-the-cache-test: func(); }\n")
    first, second = report(path, resolve=False), report(path, resolve=False)
    plain = [e["engine"] for e in first["cache"]["engines"] if e["engine"].startswith("fuel=0")]
    assert [e["cached"] for e in first["cache"]["engines"]
            if e["engine"] in plain] == [False]
    assert [e["cached"] for e in second["cache"]["engines"] if e["engine"] in plain] == [True]


def test_world_types_and_unreachable_names(tmp_path: Path) -> None:
    path = _dummy(tmp_path, "package t:c;\nworld w {\n  record p { x: u32 }\n"
                  "  export g: func(v: p);\n  export a: interface { f: func(); }\n"
                  "  export b: interface { f: func(); }\n}\n")
    r = report(path)
    assert r["types"] == [{"name": "p", "text": "record { x: u32 }"}]
    assert (r["imports"], r["realm"]) == ([], None)
    assert {e["name"]: e["python"] for e in r["exports"]} == {
        "g": "Function g", "a": "namespace a", "b": "namespace b"}


def test_cli_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(CALC)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{CALC}: component, {CALC.stat().st_size} bytes\n")
    assert "processed-by: wit-component 0.262.0" in out
    assert "  tick                  tick: func() -> u32      <- FAILS: import 'tick' (a " \
           "function) is not provided" in out
    assert "  test:calc/api@0.1.0  interface (9 functions)           -> namespace api" in out
    assert "\nworld\n  package root:component;\n" in out
    assert main(["inspect", str(CALC), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == report(CALC)


@needs_guest
def test_componentize_py_guest(capsys: pytest.CaptureFixture[str]) -> None:
    realm = wasmport.Realm(name="box", wasi=wasmport.WasiConfig())
    try:
        r = report(GUEST, realm=realm)
    finally:
        realm.close()
    meta = _metadata(GUEST)
    assert r["producers"] == _tools(meta["metadata"]["producers"])
    assert "component-init-transform" in {t["name"] for t in r["producers"]["processed-by"]}
    assert len(r["embedded"]) == len(meta["children"])
    assert "libpython3.14.so" in {e["name"] for e in r["embedded"]}
    by = {i["name"]: i["resolution"]["by"] for i in r["imports"]}
    assert {b for n, b in by.items() if n.startswith("wasi:")} == {"wasi"}
    assert by["test:pyguest/host@0.1.0"] is None
    assert [(e["name"], e["python"]) for e in r["exports"]] == [
        ("test:pyguest/api@0.1.0", "namespace api")]
