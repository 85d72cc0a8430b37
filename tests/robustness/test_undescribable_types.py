"""Modules whose imports or exports use types wasm.h's type queries cannot describe.

wasmtime's ``wasm_valtype_kind`` aborts the process (a Rust panic) for v128 and for
every reference type but funcref and externref.  wasmport never asks it: descriptors
show the types as the binary spells them (_compile/sigscan.py), values read them
through ``wasmtime_valtype_new`` (_engine/typenames.py), and every such export is the
ordinary Python object of its kind.  The cases run in a subprocess, so a regression
fails the test instead of killing the test run.
"""

from __future__ import annotations

import json
import subprocess
import sys

OPAQUE = {  # module -> the descriptor text its import or export must get
    "v128 param": ('(module (func (export "f") (param v128)))', "func (v128) -> nil"),
    "typed ref result": ('(module (type $t (func)) (func (export "f") (result (ref null $t))'
                         ' (ref.null $t)))', "func () -> (ref null $0)"),
    "non-null funcref global": ('(module (func $f) (elem declare func $f)'
                                ' (global (export "g") (ref func) (ref.func $f)))',
                                "global (ref func)"),
    "typed table": ('(module (type $t (func)) (table (export "t") 1 (ref null $t)))',
                    "table (ref null $0)"),
    "anyref import": ('(module (import "m" "g" (global anyref)))', "global anyref"),
    "exnref func import": ('(module (import "m" "f" (func (param exnref))))',
                           "func (exnref) -> nil"),
    "v128 tag": ('(module (tag (export "e") (param v128)))', "tag (v128) -> nil"),
    "re-exported import": ('(module (import "m" "f" (func $f (param v128)))'
                           ' (export "g" (func $f)))', "func (v128) -> nil"),
    "v128 global after a GC global": (
        '(module (type $s (struct (field i32))) (global $a (ref null $s) (struct.new_default $s))'
        ' (global (export "v") v128 (v128.const i64x2 1 2)))', "global v128"),
}

SHOWN = {  # module -> the class of each export's Python value (modules without imports)
    "v128 param": ["Function"], "typed ref result": ["Function"],
    "non-null funcref global": ["Function"], "typed table": ["Table"], "v128 tag": ["Tag"],
    "v128 global after a GC global": ["int"],
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
        types = [d.type for d in m.imports + m.exports]
        shown = []
        if not m.imports:  # instantiate, and look at every export from Python
            inst = m.instantiate()
            for e in m.exports:
                value = getattr(inst, e.name)
                shown.append(type(value).__name__ + ": " + repr(value)[:60])
        out[key] = ["ok", types, shown]
    except wasmport.CompileError as err:
        out[key] = ["CompileError", str(err), err.reason]
print(json.dumps(out))
"""


def _run(cases: dict[str, str]) -> dict[str, list[str]]:
    proc = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(cases)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def test_undescribable_types_are_shown_never_asked_for() -> None:
    got = _run({key: text for key, (text, _) in OPAQUE.items()})
    for key, (_, expected) in OPAQUE.items():
        status, types, shown = got[key]
        assert status == "ok", (key, types)
        assert expected in types, (key, types)
        assert not any("ValType(" in t for t in types), (key, types)
        assert [s.partition(":")[0] for s in shown] == SHOWN.get(key, []), (key, shown)


def test_the_types_read_from_the_binary() -> None:
    got = _run({"typed": OPAQUE["typed ref result"][0], "v128": OPAQUE["v128 param"][0],
                "import": OPAQUE["anyref import"][0], "table": OPAQUE["typed table"][0]})
    assert got["typed"][1] == ["func () -> (ref null $0)"]
    assert got["v128"][1] == ["func (v128) -> nil"]
    assert got["import"][1] == ["global anyref"]
    assert got["table"][1] == ["table (ref null $0)"]
    assert got["typed"][2] == ["Function: <wasm function f() -> (ref null (func () -> nil))>"]


def test_describable_modules_still_compile() -> None:
    got = _run(ACCEPTED)
    for key in ACCEPTED:
        assert got[key][0] == "ok", (key, got[key])
    assert got["nullable func and extern refs"][1] == [
        "global funcref", "global externref", "table 2 funcref", "func (externref) -> funcref"]

