"""``wasmport compat`` on components: each rule on a pair of worlds built now from WIT,
and the verdict cross-checked against ``wasm-tools component semver-check``.

wasm-tools asks whether a component of the ``--prev`` world can be used where one of
the ``--new`` world is expected; our question (can NEW replace OLD?) is that one with
the worlds swapped: ``--prev new --new old``.  It judges one WIT package's worlds and
strips every version, so the version rules are ours alone (tested apart).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

import wasmport
from wasmport._cli.main import main
from wasmport._tools.compcompat import RULES, track

from ..components.conftest import wasm_tools

DOCS = Path(__file__).resolve().parents[2] / "docs" / "compat.md"
GUEST = Path(__file__).parents[2] / ".external" / "components" / "pyguest.wasm"
X = "export x: func();"  # a world needs an export for imports alone to mean anything

# name, OLD world body, NEW world body, the verdict, the rules found (in any order).
CASES = [
    ("same", "export f: func(a: u32) -> string;", "export f: func(a: u32) -> string;",
     "patch", set()),
    ("export-added", "export f: func();", "export f: func(); export g: func();",
     "minor", {"export-added"}),
    ("interface-added", "export f: func();",
     "export f: func(); export a: interface { g: func(); }", "minor", {"export-added"}),
    ("export-removed", "export f: func(); export g: func();", "export f: func();",
     "major", {"export-removed"}),
    ("import-added", f"import f: func(); {X}", f"import f: func(); import g: func(); {X}",
     "major", {"import-added"}),
    ("import-removed", f"import f: func(); import g: func(); {X}", f"import f: func(); {X}",
     "minor", {"import-removed"}),
    ("kind-changed", "export f: func();", "export f: interface { g: func(); }", "major",
     {"kind-changed"}),
    ("function-added", "export a: interface { f: func(); }",
     "export a: interface { f: func(); g: func(); }", "minor", {"function-added"}),
    ("function-removed", "export a: interface { f: func(); g: func(); }",
     "export a: interface { f: func(); }", "major", {"function-removed"}),
    ("import-function-added", f"import a: interface {{ f: func(); }} {X}",
     f"import a: interface {{ f: func(); g: func(); }} {X}", "major",
     {"import-function-added"}),
    ("import-function-removed", f"import a: interface {{ f: func(); g: func(); }} {X}",
     f"import a: interface {{ f: func(); }} {X}", "minor", {"import-function-removed"}),
    ("func-param", "export f: func(a: u32);", "export f: func(a: u64);", "major",
     {"func-type"}),
    ("func-result", "export f: func();", "export f: func() -> u32;", "major", {"func-type"}),
    ("func-import", f"import f: func(a: string); {X}", f"import f: func(a: list<u8>); {X}",
     "major", {"func-type"}),
    ("param-renamed", "export f: func(a: u32);", "export f: func(b: u32);", "major",
     {"param-renamed"}),
    ("type-added", "export a: interface { f: func(); }",
     "export a: interface { record p { x: u32 } f: func(); }", "minor", {"type-added"}),
    ("alias-added", "export a: interface { f: func(v: list<u8>); }",
     "export a: interface { type b = list<u8>; f: func(v: b); }", "minor", {"type-added"}),
    ("type-removed", "export a: interface { record p { x: u32 } f: func(); }",
     "export a: interface { f: func(); }", "major", {"type-removed"}),
    ("import-type-removed",
     f"import a: interface {{ record p {{ x: u32 }} f: func(v: p); g: func(); }} {X}",
     f"import a: interface {{ g: func(); }} {X}", "minor",
     {"import-type-removed", "import-function-removed"}),
    ("resource-added", "export a: interface { f: func(); }",
     "export a: interface { resource r; f: func(); }", "minor", {"type-added"}),
    ("import-resource-added", f"import a: interface {{ f: func(); }} {X}",
     f"import a: interface {{ resource r; f: func(); }} {X}", "major",
     {"import-resource-added"}),
    ("method-added", "export a: interface { resource r; }",
     "export a: interface { resource r { m: func(); } }", "minor", {"function-added"}),
    ("import-method-added", f"import a: interface {{ resource r; }} {X}",
     f"import a: interface {{ resource r {{ m: func(); }} }} {X}", "major",
     {"import-function-added"}),
    ("record-field-added", "export a: interface { record p { x: u32 } f: func(v: p); }",
     "export a: interface { record p { x: u32, y: u32 } f: func(v: p); }", "major",
     {"record-fields"}),
    ("record-field-renamed", "export a: interface { record p { x: u32 } f: func(v: p); }",
     "export a: interface { record p { y: u32 } f: func(v: p); }", "major",
     {"record-fields"}),
    ("record-in-import", f"import a: interface {{ record p {{ x: u32 }} f: func(v: p); }} {X}",
     f"import a: interface {{ record p {{ x: u64 }} f: func(v: p); }} {X}", "major",
     {"record-fields"}),
    ("variant-case-added", "export a: interface { variant v { a(u32), b } f: func() -> v; }",
     "export a: interface { variant v { a(u32), b, c } f: func() -> v; }", "major",
     {"variant-cases"}),
    ("variant-payload", "export a: interface { variant v { a(u32), b } f: func() -> v; }",
     "export a: interface { variant v { a(u64), b } f: func() -> v; }", "major",
     {"variant-cases"}),
    ("enum-case-added", "export a: interface { enum e { a, b } f: func() -> e; }",
     "export a: interface { enum e { a, b, c } f: func() -> e; }", "major", {"enum-cases"}),
    ("enum-reordered", "export a: interface { enum e { a, b } f: func() -> e; }",
     "export a: interface { enum e { b, a } f: func() -> e; }", "major", {"enum-cases"}),
    ("flags-added", "export a: interface { flags e { a, b } f: func() -> e; }",
     "export a: interface { flags e { a, b, c } f: func() -> e; }", "major",
     {"flags-changed"}),
    ("alias-changed", "export a: interface { type t = u32; f: func(v: t); }",
     "export a: interface { type t = u64; f: func(v: t); }", "major",
     {"type-changed", "func-type"}),  # an alias is its structure: f's type changed too
    ("record-renamed", "export a: interface { record p { x: u32 } f: func(v: p); }",
     "export a: interface { record q { x: u32 } f: func(v: q); }", "major",
     {"type-removed", "type-added", "func-type"}),
    ("borrow-to-own", "export a: interface { resource r; f: func(v: borrow<r>); }",
     "export a: interface { resource r; f: func(v: r); }", "major", {"func-type"}),
    ("world-type-added", "export f: func();",
     "record p { x: u32 } export f: func(); export g: func(v: p);", "major",
     {"world-type-added", "export-added"}),
    ("world-type-removed", "record p { x: u32 } export f: func(); export g: func(v: p);",
     "export f: func(); export g: func();", "major",
     {"world-type-removed", "func-type"}),
]


def _build(tmp_path: Path, old: str, new: str) -> tuple[Path, Path, Path]:
    wit = tmp_path / "p.wit"
    wit.write_text(f"package t:p;\nworld old {{ {old} }}\nworld new {{ {new} }}\n")
    tools, out = wasm_tools(), []
    for world in ("old", "new"):
        embedded, component = tmp_path / f"{world}.embed.wasm", tmp_path / f"{world}.wasm"
        subprocess.run([tools, "component", "embed", "--dummy", str(wit), "-w", world,
                        "-o", str(embedded)], check=True)
        subprocess.run([tools, "component", "new", str(embedded), "-o", str(component)],
                       check=True)
        out.append(component)
    return wit, out[0], out[1]


def _semver_check(wit: Path) -> bool:
    """wasm-tools' answer to "can NEW replace OLD?" (see the module docstring)."""
    done = subprocess.run([wasm_tools(), "component", "semver-check", "--prev", "new",
                           "--new", "old", str(wit)], capture_output=True, text=True)
    assert done.returncode == 0 or "not semver-compatible" in done.stderr, done.stderr
    return done.returncode == 0


@pytest.mark.parametrize(("old", "new", "level", "rules"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_agrees_with_wasm_tools(tmp_path: Path, old: str, new: str, level: str,
                                     rules: set[str]) -> None:
    wit, old_wasm, new_wasm = _build(tmp_path, old, new)
    verdict = wasmport.compat(old_wasm, new_wasm)
    assert (verdict.level, {c.rule for c in verdict.changes}) == (level, rules), \
        [str(c) for c in verdict.changes]
    assert verdict.kind == "component"
    assert verdict.drop_in == _semver_check(wit)


def test_unused_world_type_is_not_seen(tmp_path: Path) -> None:
    # The one known disagreement: a world-level type no function uses is a type import
    # to the component model, but wasmtime's type API lists no type imports and the
    # binary reader names only the types functions use, so wasmport does not see it.
    wit, old, new = _build(tmp_path, "export f: func();",
                           "record p { x: u32 } export f: func();")
    assert (str(wasmport.compat(old, new)), _semver_check(wit)) == ("patch", False)


def test_readable_lines(tmp_path: Path) -> None:
    _, old, new = _build(tmp_path, "export a: interface { record p { x: u32 } f: func(v: p); }",
                         "export a: interface { record p { x: u32, y: s8 } f: func(v: p); }")
    (change,) = wasmport.compat(old, new).changes
    assert str(change) == ('major: export "a" type "p": field y: s8 added: '
                           f'{RULES["record-fields"][1]} [record-fields]')
    assert change.to_json()["old"] == {"kind": "type", "text": "record { x: u32 }"}


def _package(tmp_path: Path, name: str, version: str, body: str) -> Path:
    (tmp_path / f"{name}.wit").write_text(
        f"package t:v@{version};\ninterface api {{ {body} }}\nworld w {{ export api; }}\n")
    tools = wasm_tools()
    subprocess.run([tools, "component", "embed", "--dummy", str(tmp_path / f"{name}.wit"),
                    "-w", "w", "-o", str(tmp_path / f"{name}.e.wasm")], check=True)
    subprocess.run([tools, "component", "new", str(tmp_path / f"{name}.e.wasm"), "-o",
                    str(tmp_path / f"{name}.wasm")], check=True)
    return tmp_path / f"{name}.wasm"


@pytest.mark.parametrize(("old", "new", "rule"), [
    ("1.0.0", "1.2.0", "version-compatible"), ("0.2.0", "0.2.5", "version-compatible"),
    ("1.2.0", "1.0.0", "version-compatible"), ("1.4.0", "2.0.0", "version-incompatible"),
    ("0.1.0", "0.2.0", "version-incompatible"), ("0.0.1", "0.0.2", "version-incompatible"),
    ("1.0.0", "1.1.0-rc1", "version-incompatible")])
def test_interface_versions(tmp_path: Path, old: str, new: str, rule: str) -> None:
    # wasm-tools strips versions before it compares: these rules are wasmport's only.
    a = _package(tmp_path, "a", old, "f: func();")
    b = _package(tmp_path, "b", new, "f: func(); g: func();")
    verdict = wasmport.compat(a, b)
    assert {(c.rule, c.where) for c in verdict.changes} == {
        (rule, f'export "t:v/api@{new}"'), ("function-added", f'export "t:v/api@{new}" func "g"')}
    assert verdict.level == RULES[rule][0]


def test_semver_tracks() -> None:
    assert track("1.2.3") == track("1.0.0") == (1,)
    assert track("0.2.3") == (0, 2) != track("0.3.0")
    assert track("0.0.3") != track("0.0.4")
    assert track("1.0.0-rc1") == ("1.0.0-rc1",) and track(None) is None


def test_core_module_and_component(tmp_path: Path) -> None:
    _, _, component = _build(tmp_path, "export f: func();", "export f: func();")
    (tmp_path / "m.wat").write_text('(module (func (export "f")))')
    verdict = wasmport.compat(tmp_path / "m.wat", component)
    assert (verdict.level, verdict.kind) == ("major", "mixed")
    assert [c.rule for c in verdict.changes] == ["binary-kind"]
    assert "a core module is now a component" in str(verdict.changes[0])


def test_source_phase_components(tmp_path: Path) -> None:
    _, old, new = _build(tmp_path, "export f: func();", "export f: func(); export g: func();")
    source = wasmport.load(str(old), phase="source")
    assert isinstance(source, wasmport.Component)
    assert str(wasmport.compat(source, new)) == "minor"
    assert str(wasmport.compat(new, source)) == "major"


def test_every_rule_is_tested_and_documented() -> None:
    tested = {r for case in CASES for r in case[4]} | {
        "version-compatible", "version-incompatible", "binary-kind"}
    assert tested == set(RULES)
    section = DOCS.read_text().split("## The rules for components", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z-]+)` \| (patch|minor|major) \|", section, re.M)
    assert dict(rows) == {rule: level for rule, (level, _) in RULES.items()}


def test_cli_output_json_and_exit_codes(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    _, old, new = _build(tmp_path, "export f: func(); export g: func(a: u32);",
                         "export f: func(); export h: func();")
    assert main(["compat", str(old), str(new)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "major",
        f'  major: export "g": removed: {RULES["export-removed"][1]} [export-removed]',
        f'  minor: export "h": added: {RULES["export-added"][1]} [export-added]']
    assert main(["compat", str(old), str(old)]) == 0
    assert capsys.readouterr().out == "patch\n"
    assert main(["compat", "--json", str(old), str(new)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert (data["schema"], data["verdict"], data["kind"], data["new"]) == (
        1, "major", "component", str(new))
    assert data["changes"][0] == {
        "level": "major", "rule": "export-removed", "where": 'export "g"', "what": "removed",
        "reason": RULES["export-removed"][1], "new": None,
        "old": {"kind": "func", "text": "g: func(a: u32)"}}
    (tmp_path / "cut.wasm").write_bytes(old.read_bytes()[:40])
    assert main(["compat", str(tmp_path / "cut.wasm"), str(new)]) == 2
    assert "cut.wasm" in capsys.readouterr().err


@pytest.mark.skipif(not GUEST.exists(), reason=f"{GUEST} is not built: run "
                    "scripts/build-componentize-py (componentize-py 0.25.1)")
def test_componentize_py_guest() -> None:
    calc = Path(__file__).parents[1] / "fixtures" / "components" / "calc" / "calc.wasm"
    assert str(wasmport.compat(GUEST, GUEST)) == "patch"
    verdict = wasmport.compat(calc, GUEST)
    rules = {(c.rule, c.where) for c in verdict.changes}
    assert ("export-added", 'export "test:pyguest/api@0.1.0"') in rules
    assert ("export-removed", 'export "test:calc/api@0.1.0"') in rules
    assert ("import-added", 'import "wasi:cli/stdout@0.2.9"') in rules
    assert verdict.level == "major"
