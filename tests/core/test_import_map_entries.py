"""The string form of an import-map (or explicit) entry: a path or a module name, found
the way step 5 finds import names (a wasm module, or a Python module that opts in), and
a LinkError naming the entry when it names nothing -- never a bare ModuleNotFoundError."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import wasmport

CALLS_ENV = """(module (import "env" "h" (func $h (param i32) (result i32)))
  (func (export "f") (param i32) (result i32) (call $h (local.get 0))))"""


def _instantiate(realm: wasmport.Realm, imports: dict[str, object] | None = None) -> object:
    return wasmport.compile(CALLS_ENV, realm=realm).instantiate(imports or {})


@pytest.mark.parametrize("target", ["missing", "a.b.missing", "./nofile.wasm", "gone.wat",
                                    "not a name"])
def test_an_entry_naming_nothing_is_an_unknown_import_naming_the_entry(target: str) -> None:
    with wasmport.Realm(import_map={"env": target}) as realm:
        with pytest.raises(wasmport.UnknownImportError) as raised:
            _instantiate(realm)
    err = raised.value
    assert not isinstance(err, ModuleNotFoundError)
    assert "import map entry 'env': " in str(err) and target in str(err), str(err)
    assert (err.module, err.field) == ("env", "h")
    assert isinstance(err.__cause__, ModuleNotFoundError)  # why, chained


def test_an_explicit_entry_naming_nothing_says_so(realm: wasmport.Realm) -> None:
    with pytest.raises(wasmport.UnknownImportError, match=r"imports\['env'\]: .*'nowhere'"):
        _instantiate(realm, {"env": "nowhere"})


def test_a_missing_relative_import_is_an_unknown_import(realm: wasmport.Realm) -> None:
    module = wasmport.compile('(module (import "./dep.wasm" "f" (func)))', realm=realm)
    with pytest.raises(wasmport.UnknownImportError, match="no such file"):
        module.instantiate()


def test_an_entry_names_an_opted_in_python_module(tmp_path: Path,
                                                  isolated_imports: None) -> None:
    (tmp_path / "doubler.py").write_text("__wasm_exports__ = ['h']\ndef h(x): return 2 * x\n")
    sys.path.insert(0, str(tmp_path))
    with wasmport.Realm(import_map={"env": "doubler"}) as realm:
        assert _instantiate(realm).f(21) == 42  # type: ignore[attr-defined]
    with wasmport.Realm() as realm:
        assert _instantiate(realm, {"env": "doubler"}).f(5) == 10  # type: ignore[attr-defined]


def test_an_entry_naming_a_python_module_that_does_not_opt_in_never_runs_it(
        tmp_path: Path, isolated_imports: None) -> None:
    (tmp_path / "closedmod.py").write_text("import sys\nsys.closedmod_ran = True\n"
                                           "def h(x): return x\n")
    sys.path.insert(0, str(tmp_path))
    with wasmport.Realm(import_map={"env": "closedmod"}) as realm:
        with pytest.raises(wasmport.ImportRefusedError, match="does not opt in"):
            _instantiate(realm)
    assert "closedmod" not in sys.modules and not hasattr(sys, "closedmod_ran")


def test_an_entry_names_a_wasm_module_by_name_and_its_fields_name_the_entry(
        modpath: Path) -> None:
    (modpath / "impl.wat").write_text(
        '(module (func (export "h") (param i32) (result i32) (i32.add (local.get 0) '
        '(i32.const 1))))')
    with wasmport.Realm(import_map={"env": "impl"}) as realm:
        assert _instantiate(realm).f(1) == 2  # type: ignore[attr-defined]
        other = wasmport.compile('(module (import "env" "nope" (func)))', realm=realm)
        with pytest.raises(wasmport.UnknownImportError,
                           match=r"import map entry 'env' \(module 'impl'\) has no 'nope'"):
            other.instantiate()
