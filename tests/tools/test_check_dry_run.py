"""``wasmport.check``'s dry run: wasm dependencies compiled and checked, never instantiated
(no start function, no ``_initialize``), cycles and failing dependencies reported as the
realm reports them."""

from __future__ import annotations

from pathlib import Path

import pytest

import wasmport
from wasmtest import write

APP = '(module (import "{m}" "{f}" {ty}))'

TRAPS = """(module
  (import "hooks" "mark" (func $mark (param i32)))
  {imports}
  (func $start (call $mark (i32.const 1)) unreachable)
  (start $start)
  (func (export "_initialize") (call $mark (i32.const 2)) unreachable))"""


def test_no_start_function_and_no_initialize_runs(modpath: Path) -> None:
    marks = modpath / "marks"
    write(modpath, "hooks.py", "__wasm_exports__ = ['mark']\n"
                               "import pathlib\n"
                               f"def mark(n):\n    p = pathlib.Path({str(marks)!r})\n"
                               "    p.write_text(p.read_text() + str(n) if p.exists() "
                               "else str(n))\n")
    write(modpath, "dep.wat", TRAPS.format(imports="").replace(
        "(start", '(func (export "f")) (start'))
    app = write(modpath, "app.wat", TRAPS.format(imports='(import "dep" "f" (func))'))
    report = wasmport.check(app)
    assert report.ok, report.problems
    assert [m.name for m in report.modules] == ["app", "dep"]
    assert not marks.exists()  # neither module's start nor _initialize called hooks.mark
    with pytest.raises(wasmport.Trap):  # the proof can fail: linking for real runs them
        wasmport.load(str(app))
    assert marks.read_text() == "1"  # dep's start ran first, and trapped


def test_cycles_are_reported_as_the_realm_reports_them(tmp_path: Path,
                                                       realm: wasmport.Realm) -> None:
    a = write(tmp_path, "a.wat", '(module (import "./b.wat" "g" (func)) (func (export "f")))')
    write(tmp_path, "b.wat", '(module (import "./a.wat" "f" (func)) (func (export "g")))')
    with pytest.raises(wasmport.ImportCycleError) as real:
        realm.load(str(a))
    report = wasmport.check(a, realm=realm)
    (line,) = report.problems
    assert line == f'{tmp_path / "b.wat"}: import "./a.wat"."f": {real.value}'
    own, = report.imports
    assert own.inherited and isinstance(own.error, wasmport.ImportCycleError)


def test_a_self_import(tmp_path: Path, realm: wasmport.Realm) -> None:
    a = write(tmp_path, "a.wat", '(module (import "./a.wat" "f" (func)) (func (export "f")))')
    (line,) = wasmport.check(a, realm=realm).problems
    assert line.endswith("a.wat: imports itself: "
                         f"{tmp_path / 'a.wat'} -> {tmp_path / 'a.wat'}; wasm modules cannot "
                         "import each other in a cycle")


def test_a_dependency_that_does_not_link_is_reported_once_at_its_own_import(
        tmp_path: Path, realm: wasmport.Realm) -> None:
    write(tmp_path, "dep.wat", '(module (import "gone" "x" (func)) (func (export "f")))')
    app = write(tmp_path, "app.wat", '(module (import "./dep.wat" "f" (func)) '
                                     '(import "./dep.wat" "f" (func (param i32))))')
    report = wasmport.check(app, realm=realm)
    assert [line.split(": import ")[1][:14] for line in report.problems] == [
        '"./dep.wat"."f', '"gone"."x": no']
    inherited, retyped = report.imports
    assert inherited.inherited and inherited.error is report.modules[1].imports[0].error
    assert not retyped.inherited  # its own mismatch comes first


def test_a_dependency_that_does_not_compile(tmp_path: Path, realm: wasmport.Realm) -> None:
    (tmp_path / "bad.wasm").write_bytes(b"\0asm\x01\0\0\0\x01")
    app = write(tmp_path, "app.wat", APP.format(m="./bad.wasm", f="f", ty="(func)"))
    (line,) = wasmport.check(app, realm=realm).problems
    assert line.startswith(f'{app}: import "./bad.wasm"."f": {tmp_path / "bad.wasm"}: '
                           "invalid module")


def test_a_component_is_checked_and_a_missing_file_raises(tmp_path: Path,
                                                         realm: wasmport.Realm) -> None:
    (tmp_path / "c.wasm").write_bytes(b"\0asm\x0d\x00\x01\x00")
    report = wasmport.check(tmp_path / "c.wasm", realm=realm)
    assert report.ok and report.error is None and report.imports == ()
    with pytest.raises(ModuleNotFoundError):
        wasmport.check(tmp_path / "missing.wasm", realm=realm)


def test_types_only_the_engine_can_check_are_said_so(tmp_path: Path,
                                                    realm: wasmport.Realm) -> None:
    write(tmp_path, "typed.wat", '(module (type $t (func)) (func $f) (elem declare func $f) '
                                 '(global (export "g") (ref $t) (ref.func $f)))')
    app = write(tmp_path, "app.wat", '(module (type $t (func)) '
                                     '(global (import "./typed.wat" "g") (ref null $t)))')
    (found,) = wasmport.check(app, realm=realm).imports
    assert found.ok and found.note is not None and "engine checks" in found.note
