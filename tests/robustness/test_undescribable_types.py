"""Modules whose imports or exports use types the engine's C API cannot describe.

wasmtime's C API aborts the process (a Rust panic) when asked for the type of a
v128, typed-reference or GC-typed import or export, and wasmport describes every
import and export.  These modules must give a CompileError, never a dead process.
The cases run in a subprocess, so a regression fails the test instead of killing
the test run.
"""

from __future__ import annotations

import json
import subprocess
import sys

REFUSED = {
    "v128 param": ('(module (func (export "f") (param v128)))', 'export "f" (func) has type v128'),
    "typed ref result": ('(module (type $t (func)) (func (export "f") (result (ref null $t))'
                         ' (ref.null $t)))', "(ref null $0)"),
    "non-null funcref global": ('(module (func $f) (elem declare func $f)'
                                ' (global (export "g") (ref func) (ref.func $f)))', "(ref func)"),
    "typed table": ('(module (type $t (func)) (table (export "t") 1 (ref null $t)))',
                    'export "t" (table)'),
    "anyref import": ('(module (import "m" "g" (global anyref)))', 'import "m"."g"'),
    "exnref func import": ('(module (import "m" "f" (func (param exnref))))', "exnref"),
    "v128 tag": ('(module (tag (export "e") (param v128)))', 'export "e" (tag)'),
    "re-exported import": ('(module (import "m" "f" (func $f (param v128)))'
                           ' (export "g" (func $f)))', 'import "m"."f"'),
    "v128 global after a GC global": (
        '(module (type $s (struct (field i32))) (global $a (ref null $s) (struct.new_default $s))'
        ' (global (export "v") v128 (v128.const i64x2 1 2)))', 'export "v" (global)'),
}

ACCEPTED = {
    "internal v128": ('(module (global $v v128 (v128.const i32x4 1 2 3 4))'
                      ' (func (export "f") (result i32) (i32x4.extract_lane 2 (global.get $v))))'),
    "nullable func and extern refs": (
        '(module (global (export "a") (ref null func) (ref.null func))'
        ' (global (export "b") (ref null extern) (ref.null extern))'
        ' (table (export "t") 2 funcref) (func (export "f") (param externref) (result funcref)'
        ' (ref.null func)))'),
    "internal GC types": ('(module (type $s (struct (field (mut i32))))'
                          ' (func (export "f") (result i32) (struct.get $s 0 (struct.new $s'
                          ' (i32.const 7)))))'),
    "extended constants": ('(module (global $a i32 (i32.add (i32.const 1) (i32.const 2)))'
                           ' (global (export "b") i32 (global.get $a)))'),
    "table with an initializer": ('(module (table (export "t") 1 funcref (ref.null func)))'),
}

_CHILD = """
import json, sys, wasmport
out = {}
for key, text in json.loads(sys.argv[1]).items():
    try:
        m = wasmport.compile(text, name=key)
        out[key] = ["ok", [e.type for e in m.exports]]
    except wasmport.CompileError as err:
        out[key] = ["CompileError", str(err), err.reason]
print(json.dumps(out))
"""


def _run(cases: dict[str, str]) -> dict[str, list[str]]:
    proc = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(cases)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def test_undescribable_imports_and_exports_are_compile_errors() -> None:
    got = _run({key: text for key, (text, _) in REFUSED.items()})
    for key, (_, fragment) in REFUSED.items():
        status, message, *reason = got[key]
        assert status == "CompileError", (key, message)
        assert reason == ["unsupported type"], key
        assert fragment in message and "cannot pass across a module boundary" in message, key


def test_describable_modules_still_compile() -> None:
    got = _run(ACCEPTED)
    for key in ACCEPTED:
        assert got[key][0] == "ok", (key, got[key])
    assert got["nullable func and extern refs"][1] == [
        "global funcref", "global externref", "table 2 funcref", "func (externref) -> funcref"]

