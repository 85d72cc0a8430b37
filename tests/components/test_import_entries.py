"""A component's import-map entry given as a string: a component's path, or a Python
module that opts in, by name; naming nothing is a LinkError naming the import."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import wasmport

from .conftest import FIXTURES

CALC = str(FIXTURES / "calc" / "calc.wasm")


def test_an_entry_names_an_opted_in_python_module(tmp_path: Path,
                                                  isolated_imports: None) -> None:
    (tmp_path / "calcimpl.py").write_text(
        "__wasm_exports__ = ['log', 'add', 'offset']\n"
        "def log(msg): pass\ndef add(a, b): return a + b + 100\ndef offset(p): return p\n")
    sys.path.insert(0, str(tmp_path))
    with wasmport.Realm(import_map={"test:calc/host": "calcimpl"}) as realm:
        assert realm.load(CALC, imports={"tick": lambda: 1}).api.call_add(1, 2) == 103


@pytest.mark.parametrize("target", ["missing_impl", "./missing.wasm"])
def test_an_entry_naming_nothing_is_an_unknown_import(target: str) -> None:
    with wasmport.Realm(import_map={"test:calc/host": target}) as realm:
        with pytest.raises(wasmport.UnknownImportError) as raised:
            realm.load(CALC, imports={"tick": lambda: 1})
    assert not isinstance(raised.value, ModuleNotFoundError)
    assert "test:calc/host" in str(raised.value) and repr(target) in str(raised.value)


def test_an_entry_naming_a_closed_python_module_is_refused(tmp_path: Path,
                                                           isolated_imports: None) -> None:
    (tmp_path / "closedimpl.py").write_text("def add(a, b): return 0\n")
    sys.path.insert(0, str(tmp_path))
    with wasmport.Realm(import_map={"test:calc/host": "closedimpl"}) as realm:
        with pytest.raises(wasmport.ImportRefusedError, match="does not opt in"):
            realm.load(CALC, imports={"tick": lambda: 1})
    assert "closedimpl" not in sys.modules
