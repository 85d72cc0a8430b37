"""Link errors name the import, what was expected, what was found, and the remedy.

Each case is a LinkError subclass (an ImportError) with structured attributes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import wasmport
from wasmtest import write


def _link(realm: wasmport.Realm, wat: str, imports: dict[str, Any] | None = None) -> Any:
    return wasmport.compile(wat, name="app", realm=realm).instantiate(imports)


def _error(realm: wasmport.Realm, wat: str, imports: dict[str, Any] | None = None
           ) -> wasmport.LinkError:
    with pytest.raises(wasmport.LinkError) as info:
        _link(realm, wat, imports)
    return info.value


def test_python_module_without_opt_in_is_refused(modpath: Path) -> None:
    write(modpath, "plainpy.py", "def dumps(x):\n    return x\n")
    with wasmport.Realm() as realm:
        err = _error(realm, '(module (import "plainpy" "dumps" (func (param i32) (result i32))))')
    assert isinstance(err, wasmport.ImportRefusedError)
    assert (err.module, err.field) == ("plainpy", "dumps")
    assert str(err) == ("<app>: import \"plainpy\".\"dumps\": Python module 'plainpy' is not "
                        "reachable from wasm: it does not opt in; define __wasm_exports__ = "
                        "['dumps', ...] in it to offer those names")


def test_opted_in_module_offers_only_what_it_lists(modpath: Path) -> None:
    write(modpath, "optedpy.py", "__wasm_exports__ = ['a']\ndef a(x):\n    return x\n"
                                 "def b(x):\n    return x\n")
    with wasmport.Realm() as realm:
        err = _error(realm, '(module (import "optedpy" "b" (func (param i32) (result i32))))')
        assert isinstance(err, wasmport.ImportRefusedError)
        assert str(err) == ("<app>: import \"optedpy\".\"b\": Python module 'optedpy' does not "
                            "offer 'b'; add it to its __wasm_exports__")
        _link(realm, '(module (import "optedpy" "a" (func (param i32) (result i32))))')


WRONG_KIND = [
    ('(memory 1)', lambda r: (lambda: 0), "memory 1", "a Python function",
     "give a wasmport.Memory"),
    ('(func)', lambda r: wasmport.Global(1, "i32", realm=r), "func () -> nil", "global i32",
     "give a Python callable or a wasm function"),
    ('(table 1 funcref)', lambda r: 5, "table 1 funcref", "a Python int",
     "give a wasmport.Table"),
    ('(global i32)', lambda r: wasmport.Memory(1, realm=r), "global i32", "memory 1",
     "give a number or a wasmport.Global of type i32"),
    ('(memory 1)', lambda r: wasmport.Table(1, realm=r), "memory 1", "table 1 funcref",
     "give a wasmport.Memory"),
]


@pytest.mark.parametrize(("desc", "make", "expected", "found", "remedy"), WRONG_KIND)
def test_import_map_entry_of_the_wrong_kind(desc: str, make: Any, expected: str, found: str,
                                            remedy: str) -> None:
    fields: dict[str, Any] = {}
    with wasmport.Realm(import_map={"env": fields}) as realm:
        fields["x"] = make(realm)  # wasm values belong to a realm: make them in this one
        err = _error(realm, f'(module (import "env" "x" {desc}))')
    assert _check_incompatible(err, expected, found, remedy)


def _check_incompatible(err: wasmport.LinkError, expected: str, found: str,
                        remedy: str) -> bool:
    assert isinstance(err, wasmport.IncompatibleImportError)
    assert (err.module, err.field, err.expected, err.found) == ("env", "x", expected, found)
    assert str(err) == f'<app>: import "env"."x": expected {expected}, found {found}; {remedy}'
    return True


@pytest.mark.parametrize(("limits", "ok"), [
    ((1, 4), False),     # below the minimum
    ((2, None), False),  # no maximum, the import needs one
    ((2, 5), False),     # maximum above the import's
    ((2, 4), True),
    ((3, 4), True),
    ((2, 3), True),
])
def test_memory_limits(realm: wasmport.Realm, limits: tuple[int, int | None], ok: bool) -> None:
    memory = wasmport.Memory(*limits, realm=realm)
    wat = '(module (import "env" "m" (memory 2 4)))'
    if ok:
        _link(realm, wat, {"env": {"m": memory}})
        return
    shown = f"memory {limits[0]}" + (f"..{limits[1]}" if limits[1] is not None else "")
    err = _error(realm, wat, {"env": {"m": memory}})
    assert isinstance(err, wasmport.IncompatibleImportError)
    assert str(err) == (f'<app>: import "env"."m": expected memory 2..4, found {shown}; '
                        "give a memory whose limits fit the import's")


def test_grown_memory_meets_a_larger_minimum(realm: wasmport.Realm) -> None:
    memory = wasmport.Memory(1, 4, realm=realm)
    wat = '(module (import "env" "m" (memory 2 4)))'
    assert isinstance(_error(realm, wat, {"env": {"m": memory}}),
                      wasmport.IncompatibleImportError)
    memory.grow(1)
    assert wasmport.instance_of(_link(realm, wat, {"env": {"m": memory}})) is not None


GLOBALS = [
    ("(mut i32)", lambda r: wasmport.Global(1, "i32", realm=r), "global mut i32",
     "global i32", "give a wasmport.Global of type global mut i32"),
    ("i32", lambda r: wasmport.Global(1, "i32", mutable=True, realm=r), "global i32",
     "global mut i32", "give a wasmport.Global of type global i32"),
    ("(mut i64)", lambda r: 5, "global mut i64", "a Python int",
     "a mutable global needs a wasmport.Global(value, 'i64', mutable=True)"),
    ("i64", lambda r: wasmport.Global(1.0, "f64", realm=r), "global i64", "global f64",
     "give a wasmport.Global of type global i64"),
    ("i32", lambda r: 2**32, "global i32", "4294967296",
     "give a number that fits i32: 4294967296 is out of range for i32 "
     "(-2147483648..4294967295)"),
    ("i32", lambda r: 1.5, "global i32", "1.5",
     "give a number that fits i32: expected an int for i32, got float"),
]


@pytest.mark.parametrize(("ty", "make", "expected", "found", "remedy"), GLOBALS)
def test_global_mutability_and_type(realm: wasmport.Realm, ty: str, make: Any, expected: str,
                                    found: str, remedy: str) -> None:
    err = _error(realm, f'(module (import "env" "x" (global {ty})))', {"env": {"x": make(realm)}})
    assert _check_incompatible(err, expected, found, remedy)


def test_unknown_field_and_unknown_module(realm: wasmport.Realm) -> None:
    realm.register("env", {})
    err = _error(realm, '(module (import "env" "nope" (func)))')
    assert isinstance(err, wasmport.UnknownImportError)
    assert str(err) == "<app>: import \"env\".\"nope\": host module 'env' has no 'nope'"
    err = _error(realm, '(module (import "no-such-module" "f" (func)))')
    assert isinstance(err, wasmport.UnknownImportError)
    assert (err.module, err.field) == ("no-such-module", "f")
    assert str(err).startswith('<app>: import "no-such-module"."f": no module '
                               "'no-such-module' provides it;")


def test_values_of_another_realm_are_incompatible(realm: wasmport.Realm) -> None:
    with wasmport.Realm() as other:
        memory = wasmport.Memory(1, realm=other)
        err = _error(realm, '(module (import "env" "m" (memory 1)))', {"env": {"m": memory}})
    assert isinstance(err, wasmport.IncompatibleImportError)
    assert "of another realm" in str(err) and "load both modules in one realm" in str(err)
