"""``wasmport.check``: every import resolved as the realm would, nothing instantiated or run.

Each answer is compared with what a real link says (the same error, the same words), and
every "nothing ran" claim is proved by a marker that running would have left.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import wasmtime

import wasmport
from wasmport import export
from wasmport._realm import link_view
from wasmport._tools.check import CheckReport, narrowed
from wasmport.types import Int32
from wasmtest import write

APP = '(module (import "{m}" "{f}" {ty}))'


def _app(directory: Path, module: str, field: str, ty: str = "(func)",
         name: str = "app.wat") -> Path:
    return write(directory, name, APP.format(m=module, f=field, ty=ty))


def _real_error(path: Path, realm: wasmport.Realm) -> str:
    """What a real link of ``path`` in ``realm`` raises."""
    with pytest.raises(wasmport.LinkError) as info:
        realm.load(str(path))
    return str(info.value)


def _only(report: CheckReport) -> Any:
    (found,) = report.imports
    return found


# -- each kind of provider ------------------------------------------------------------------


def test_a_relative_file(tmp_path: Path, realm: wasmport.Realm) -> None:
    write(tmp_path, "lib.wat", '(module (func (export "f") (param i32) (result i32) '
                               "local.get 0))")
    app = _app(tmp_path, "./lib.wat", "f", "(func (param i32) (result i32))")
    found = _only(wasmport.check(app, realm=realm))
    assert (found.ok, found.by, found.detail, found.file) == (
        True, "file", "module './lib.wat'", str(tmp_path / "lib.wat"))


def test_a_wasm_module_on_the_path_and_an_opted_in_python_module(modpath: Path) -> None:
    write(modpath, "lib.wat", '(module (func (export "f")))')
    write(modpath, "hooks.py", "__wasm_exports__ = ['g']\ndef g():\n    pass\n")
    app = write(modpath, "app.wat", '(module (import "lib" "f" (func)) '
                                    '(import "hooks" "g" (func)))')
    wasm, python = wasmport.check(app).imports
    assert (wasm.ok, wasm.by, wasm.detail, wasm.file) == (
        True, "file", "module 'lib'", str(modpath / "lib.wat"))
    assert (python.ok, python.by, python.detail, python.file) == (
        True, "python module", "Python module 'hooks'", str(modpath / "hooks.py"))


class Log(wasmport.HostModule, name="log"):
    made = 0

    def __init__(self) -> None:
        Log.made += 1

    @export
    def line(self, code: Int32) -> None: ...


def test_host_modules_typed_and_plain_make_no_host_object(tmp_path: Path) -> None:
    app = write(tmp_path, "app.wat", '(module (import "log" "line" (func (param i32))) '
                                     '(import "env" "x" (global i32)))')
    with wasmport.Realm(host_modules={"log": Log, "env": {"x": 7}}) as realm:
        typed, plain = wasmport.check(app, realm=realm).imports
        assert (typed.ok, typed.by, typed.detail) == (True, "host module", "host module 'log'")
        assert (plain.ok, plain.by, plain.detail) == (True, "host module", "host module 'env'")
        assert Log.made == 0  # the factory is the host's code: checking runs none of it
        realm.load(str(app))
        assert Log.made == 1  # (and linking for real does make one)


def test_the_import_map_a_specifier_and_python_values(tmp_path: Path) -> None:
    write(tmp_path, "impl.wat", '(module (func (export "f")))')
    app = write(tmp_path, "app.wat", '(module (import "api" "f" (func)) '
                                     '(import "cfg" "cb" (func (param i32))))')
    with wasmport.Realm(import_map={"api": "./impl.wat", "cfg": {"cb": print}},
                        base_dir=str(tmp_path)) as realm:
        wasm, python = wasmport.check(app, realm=realm).imports
        assert (wasm.ok, wasm.by, wasm.detail, wasm.file) == (
            True, "import map", "import map entry 'api' (./impl.wat)", str(tmp_path / "impl.wat"))
        assert (python.ok, python.by, python.detail) == (True, "import map",
                                                         "import map entry 'cfg'")
        ctx, _, _ = link_view(realm)
        assert ctx.gate == [False]  # no host function was made (making one opens the gate)


def test_wasi_is_found_when_the_realm_has_it(tmp_path: Path) -> None:
    app = _app(tmp_path, "wasi_snapshot_preview1", "proc_exit", "(func (param i32))")
    with wasmport.Realm(wasi=wasmport.WasiConfig(), name="box") as realm:
        found = _only(wasmport.check(app, realm=realm))
    assert (found.ok, found.by, found.detail) == (True, "wasi", "WASI of realm 'box'")


def test_a_dependency_the_realm_has_linked_is_used_as_it_is(tmp_path: Path,
                                                            realm: wasmport.Realm) -> None:
    write(tmp_path, "mem.wat", '(module (memory (export "m") 1))')
    app = _app(tmp_path, "./mem.wat", "m", "(memory 3)")
    assert not wasmport.check(app, realm=realm).ok  # declared: 1 page
    mem = realm.load(str(tmp_path / "mem.wat"))
    wasmport.instance_of(mem).exports["m"].grow(2)
    assert wasmport.check(app, realm=realm).ok  # the live memory has 3 pages now
    assert realm.load(str(app)) is not None


# -- each kind of failure, in the words linking uses -----------------------------------------

FAILURES = [
    ("unknown module", "nosuch", "f", "(func)", None),
    ("unknown field", "./lib.wat", "nope", "(func)", None),
    ("function type", "./lib.wat", "f", "(func (param i64))", None),
    ("kind", "./lib.wat", "m", "(func)", None),
    ("memory limits", "./lib.wat", "m", "(memory 2)", None),
    ("global mutability", "./lib.wat", "g", "(global (mut i32))", None),
    ("python value", "cfg", "n", "(global i32)", None),
    ("not opted in", "plainpy", "f", "(func)", None),
    ("only listed names", "optedpy", "b", "(func)", None),
    ("allow_imports", "env", "f", "(func)", ["cfg"]),
    ("no wasi", "wasi_snapshot_preview1", "proc_exit", "(func (param i32))", None),
]


@pytest.mark.parametrize(("case", "module", "field", "ty", "allow"), FAILURES,
                         ids=[f[0] for f in FAILURES])
def test_each_failure_in_the_words_of_the_link_error(
        modpath: Path, case: str, module: str, field: str, ty: str,
        allow: list[str] | None) -> None:
    write(modpath, "lib.wat", '(module (func (export "f") (param i32)) (memory (export "m") 1) '
                              '(global (export "g") i32 (i32.const 1)))')
    write(modpath, "plainpy.py", "def f():\n    pass\n")
    write(modpath, "optedpy.py", "__wasm_exports__ = ['a']\ndef a():\n    pass\n")
    app = _app(modpath, module, field, ty)
    options: dict[str, Any] = {"import_map": {"cfg": {"n": 2**40}}, "allow_imports": allow}
    with wasmport.Realm(**options) as realm:
        (line,) = wasmport.check(app, realm=realm).problems
        assert line == _real_error(app, realm)


def test_a_python_module_that_does_not_opt_in_is_not_imported(modpath: Path) -> None:
    marker = modpath / "ran"
    write(modpath, "loud.py", f"open({str(marker)!r}, 'w').close()\ndef f():\n    pass\n")
    app = _app(modpath, "loud", "f")
    found = _only(wasmport.check(app))
    assert (found.by, found.ok) == ("python module", False)
    assert isinstance(found.error, wasmport.ImportRefusedError)
    assert "does not opt in" in found.line
    assert not marker.exists() and "loud" not in sys.modules


def test_every_failure_is_reported_not_only_the_first(tmp_path: Path,
                                                      realm: wasmport.Realm) -> None:
    app = write(tmp_path, "app.wat", '(module (import "a" "f" (func)) (import "b" "g" (func)) '
                                     '(import "a" "h" (func)))')
    report = wasmport.check(app, realm=realm)
    assert [line.split(": ")[1] for line in report.problems] == [
        'import "a"."f"', 'import "b"."g"', 'import "a"."h"']
    assert not report.ok


def test_a_host_module_that_needs_the_callers_memory(tmp_path: Path) -> None:
    class Echo(wasmport.HostModule, name="echo"):
        @export
        def say(self, text: wasmport.types.String) -> None: ...

    app = _app(tmp_path, "echo", "say", "(func (param i32 i32))")
    with wasmport.Realm(host_modules=[Echo]) as realm:
        (line,) = wasmport.check(app, realm=realm).problems
        assert line == _real_error(app, realm)
        assert "exports no memory named 'memory'" in line


# -- the realm's policy, narrowed -------------------------------------------------------------


def test_import_map_entries_go_over_the_realms_and_allow_lists_narrow(tmp_path: Path) -> None:
    with wasmport.Realm(import_map={"a": "./a.wat", "b": "./b.wat"},
                        allow_imports=["a", "b"]) as realm:
        _, policy, _ = link_view(realm)
        mine = narrowed(policy, {"b": "./c.wat"}, ["b", "z"])
        assert dict(mine.import_map) == {"a": "./a.wat", "b": "./c.wat"}
        assert mine.allow_imports == frozenset({"b"})
        assert narrowed(policy, None, None) is policy
        app = _app(tmp_path, "a", "f")
        (line,) = wasmport.check(app, realm=realm, allow_imports=["b"]).problems
        assert "does not allow imports from 'a'" in line


def test_a_module_object_and_bytes(tmp_path: Path, realm: wasmport.Realm) -> None:
    text = APP.format(m="nosuch", f="f", ty="(func)")
    module = wasmport.compile(text, name="plug", realm=realm)
    assert wasmport.check(module, realm=realm).problems[0].startswith('<plug>: import "nosuch"')
    wasm = bytes(wasmtime.wat2wasm(text))
    assert wasmport.check(wasm, realm=realm, name="raw").problems[0].startswith("<raw>: ")


def test_what_an_opted_in_module_raises_and_a_missing_import_map_file(modpath: Path) -> None:
    write(modpath, "raising.py", "__wasm_exports__ = ['f']\nraise ValueError('no config')\n")
    app = write(modpath, "app.wat", '(module (import "raising" "f" (func)) '
                                    '(import "gone" "f" (func)))')
    with wasmport.Realm(import_map={"gone": "./gone.wasm"}, base_dir=str(modpath)) as realm:
        raised, missing = wasmport.check(app, realm=realm).problems
        with pytest.raises(ValueError, match="no config"):  # what linking raises, too
            realm.load(str(app))
    assert raised == f'{app}: import "raising"."f": ValueError: no config'
    assert missing.startswith(f'{app}: import "gone"."f": import map entry \'gone\': '
                              f'./gone.wasm: no such file ({modpath / "gone.wasm"}); give ')
