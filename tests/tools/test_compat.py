"""``wasmport compat`` / ``wasmport.compat``: each rule on a pair of tiny modules, each type
rule checked against the engine's own import matching, and the CLI's output and exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import wasmtime

import wasmport
from wasmport._cli.main import main
from wasmport._compile.interface import CoreInterface, Export, Limits, MemoryType
from wasmport._tools.compat import RULES, Verdict, compare

DOCS = Path(__file__).resolve().parents[2] / "docs" / "compat.md"
_INIT = {"i32": "(i32.const 0)", "i64": "(i64.const 0)", "f64": "(f64.const 0)",
         "funcref": "(ref.null func)", "(ref func)": "(ref.func $f)"}

# kind, OLD's type, NEW's type, the rule as an export, the rule as an import.
TYPE_CASES = [
    ("func", "(param i32)", "(param i64)", "func-type", "func-type"),
    ("func", "(result i32)", "(result i32 i32)", "func-type", "func-type"),
    ("global", "i32", "(mut i32)", "global-mutability", "global-mutability"),
    ("global", "(mut i32)", "i32", "global-mutability", "global-mutability"),
    ("global", "(mut i32)", "(mut i64)", "global-type", "global-type"),
    ("global", "i32", "f64", "global-type", "global-type"),
    ("global", "funcref", "(ref func)", "global-type-compatible", "global-type"),
    ("global", "(ref func)", "funcref", "global-type", "global-type-compatible"),
    ("memory", "1 4", "2 3", "export-limits-narrowed", "import-limits-narrowed"),
    ("memory", "2 3", "1 4", "export-limits-widened", "import-limits-widened"),
    ("memory", "1", "1 2", "export-limits-narrowed", "import-limits-narrowed"),
    ("memory", "1 2", "1", "export-limits-widened", "import-limits-widened"),
    ("memory", "1", "i64 1", "index-type", "index-type"),
    ("memory", "1 2", "1 2 shared", "memory-shared", "memory-shared"),
    ("table", "1 funcref", "1 externref", "table-element", "table-element"),
    ("table", "1 funcref", "2 funcref", "export-limits-narrowed", "import-limits-narrowed"),
    ("table", "1 2 funcref", "1 3 funcref", "export-limits-widened", "import-limits-widened"),
    ("table", "1 funcref", "i64 1 funcref", "index-type", "index-type"),
    ("tag", "(param i32)", "(param i64)", "tag-type", "tag-type"),
]


def export_wat(kind: str, ty: str) -> str:
    helper = '(func $f) (elem declare func $f)'
    if kind == "func":
        return f'(module (func (export "x") {ty} unreachable))'
    if kind == "global":
        init = _INIT[ty.removeprefix("(mut ").removesuffix(")") if ty.startswith("(mut") else ty]
        return f'(module {helper} (global (export "x") {ty} {init}))'
    return f'(module ({kind} (export "x") {ty}))'


def import_wat(kind: str, ty: str) -> str:
    return f'(module (import "m" "x" ({kind} {ty})))'


def verdict(old: str, new: str) -> Verdict:
    return wasmport.compat(wasmtime.wat2wasm(old), wasmtime.wat2wasm(new))


def links(importer: str, exporter: str) -> bool:
    """Whether the engine links ``importer``'s import "m"."x" to ``exporter``'s "x"."""
    config = wasmtime.Config()
    config.shared_memory = True  # for the shared-memory case
    engine = wasmtime.Engine(config)
    store = wasmtime.Store(engine)
    provided = wasmtime.Instance(store, wasmtime.Module(engine, exporter), [])
    linker = wasmtime.Linker(engine)
    linker.define_instance(store, "m", provided)
    try:
        linker.instantiate(store, wasmtime.Module(engine, importer))
    except wasmtime.WasmtimeError:
        return False
    return True


@pytest.mark.parametrize("kind, old, new, as_export, as_import", TYPE_CASES)
def test_type_rules_agree_with_the_engines_import_matching(
        kind: str, old: str, new: str, as_export: str, as_import: str) -> None:
    exported = verdict(export_wat(kind, old), export_wat(kind, new))
    assert [c.rule for c in exported.changes] == [as_export]
    # Everything that imported OLD's export with OLD's type: does it link to NEW's?
    assert links(import_wat(kind, old), export_wat(kind, new)) == exported.drop_in
    imported = verdict(import_wat(kind, old), import_wat(kind, new))
    assert [c.rule for c in imported.changes] == [as_import]
    # Whatever satisfied OLD's import exactly: does it satisfy NEW's?
    assert links(import_wat(kind, new), export_wat(kind, old)) == imported.drop_in


def test_a_kind_change() -> None:
    v = verdict('(module (func (export "x")))', '(module (memory (export "x") 1))')
    assert (v.level, [c.rule for c in v.changes]) == ("major", ["kind-changed"])


@pytest.mark.parametrize("old, new, rules, level", [
    ('(module (func (export "a")))', '(module (func (export "a")) (func (export "b")))',
     ["export-added"], "minor"),
    ('(module (func (export "a")) (func (export "b")))', '(module (func (export "a")))',
     ["export-removed"], "major"),
    ('(module)', '(module (import "env" "f" (func)))', ["import-added"], "major"),
    ('(module (import "env" "f" (func)))', '(module)', ["import-removed"], "minor"),
    ('(module (func $s))', '(module (func $s) (start $s))', ["start-added"], "patch"),
    ('(module (func $s) (start $s))', '(module (func $s))', ["start-removed"], "patch"),
    ('(module (func (export "f") (param $a i32)))', '(module (func (export "f") (param $b i32)))',
     ["param-names"], "patch"),
    ('(module (import "e" "f" (func)) (import "e" "f" (func)))',
     '(module (import "e" "f" (func)) (import "e" "f" (func (param i32))))',
     ["func-type"], "major"),
    ('(module (func (export "f") (param i32) (result i32) local.get 0))',
     '(module (func (export "f") (param i32) (result i32) i32.const 7))', [], "patch"),
])
def test_interface_rules(old: str, new: str, rules: list[str], level: str) -> None:
    v = verdict(old, new)
    assert ([c.rule for c in v.changes], v.level) == (rules, level)


def test_page_sizes() -> None:
    # The engine here does not enable custom page sizes: compare the interfaces directly.
    def iface(page: int) -> CoreInterface:
        return CoreInterface(0, (), (Export("m", MemoryType(Limits(1), page_size_log2=page)),))

    assert [c.rule for c in compare(iface(16), iface(0)).changes] == ["memory-page-size"]


def test_every_rule_is_tested_and_documented() -> None:
    tested = {r for case in TYPE_CASES for r in case[3:]} | {
        "kind-changed", "export-added", "export-removed", "import-added", "import-removed",
        "start-added", "start-removed", "param-names", "memory-page-size"}
    assert tested == set(RULES)
    core = DOCS.read_text().split("## The rules for components", 1)[0]
    rows = re.findall(r"^\| `([a-z-]+)` \| (patch|minor|major) \|", core, re.M)
    assert dict(rows) == {rule: level for rule, (level, _) in RULES.items()}


def test_modules_and_paths(tmp_path: Path) -> None:
    (tmp_path / "a.wat").write_text('(module (func (export "a")))')
    module = wasmport.load(str(tmp_path / "a.wat"), phase="source")
    assert str(wasmport.compat(module, tmp_path / "a.wat")) == "patch"
    with pytest.raises(TypeError, match="compiled from bytes; give the tools those bytes"):
        wasmport.compat(wasmport.compile("(module)"), module)


def test_cli_output_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = tmp_path / "old.wat", tmp_path / "new.wat"
    old.write_text('(module (func (export "a")) (func (export "b")))')
    new.write_text('(module (func (export "a")) (func (export "c")))')
    assert main(["compat", str(old), str(new)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "major"
    assert lines[1:] == [
        '  major: export "b": removed: importers of it no longer link; Python code gets '
        'AttributeError [export-removed]',
        '  minor: export "c": added: nothing that used the old module can notice a new '
        'export [export-added]']
    assert main(["compat", str(new), str(new)]) == 0
    assert capsys.readouterr().out == "patch\n"
    assert main(["compat", "--json", str(old), str(new)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert (data["schema"], data["verdict"], data["old"]) == (1, "major", str(old))
    assert data["changes"][0] == {
        "level": "major", "rule": "export-removed", "where": 'export "b"', "what": "removed",
        "reason": RULES["export-removed"][1], "new": None,
        "old": {"kind": "func", "text": "func () -> nil", "params": [], "results": []}}


def test_cli_unreadable_input_exits_2(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.wasm").write_bytes(b"junk")
    (tmp_path / "ok.wat").write_text("(module)")
    assert main(["compat", str(tmp_path / "bad.wasm"), str(tmp_path / "ok.wat")]) == 2
    assert "bad.wasm: not a WebAssembly binary" in capsys.readouterr().err
    assert main(["compat", str(tmp_path / "none.wasm"), str(tmp_path / "ok.wat")]) == 2
    with pytest.raises(SystemExit) as exit_:
        main(["compat", str(tmp_path / "ok.wat")])
    assert exit_.value.code == 2
