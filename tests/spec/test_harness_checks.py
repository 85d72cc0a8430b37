"""The harness itself: it must notice wrong results, wrong errors and wrong traps, and
skip only for the reason a command really has."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import wasmtime

from . import harness, suite, traps
from .commands import ScriptRun


def _run(tmp_path: Path, text: str | bytes, proposal: str | None = None) -> harness.FileResult:
    wast = tmp_path / "script.wast"
    wast.write_bytes(text.encode() if isinstance(text, str) else text)
    return harness.run_script(suite.convert(wast, cache=tmp_path / "cache"), proposal=proposal)


def _statuses(result: harness.FileResult) -> list[tuple[str, str]]:
    return [(o.kind, o.status) for o in result.outcomes]


WRONG = """
(module
  (func (export "one") (result i32) (i32.const 1))
  (func (export "nan") (result f32) (f32.const nan:0x600000))
  (func (export "trap") (unreachable))
  (global (export "g") i64 (i64.const -1)))
(assert_return (invoke "one") (i32.const 2))
(assert_return (invoke "nan") (f32.const nan:canonical))
(assert_trap (invoke "trap") "out of bounds memory access")
(assert_trap (invoke "one") "unreachable")
(assert_unlinkable (module (import "spectest" "print_i32" (func (param i32)))) "unknown import")
(assert_return (get "g") (i64.const -1))
(assert_return (invoke "nan") (f32.const nan:arithmetic))
(assert_exception (invoke "trap"))
"""


def test_wrong_expectations_fail(tmp_path: Path) -> None:
    assert _statuses(_run(tmp_path, WRONG)) == [
        ("module", "passed"),
        ("assert_return", "failed"),   # 1 is not 2
        ("assert_return", "failed"),   # an arithmetic NaN is not the canonical one
        ("assert_trap", "failed"),     # unreachable is not a memory fault
        ("assert_trap", "failed"),     # no trap at all
        ("assert_unlinkable", "failed"),  # it links (spectest has print_i32)
        ("assert_return", "passed"),   # i64 -1 as an int
        ("assert_return", "passed"),
        ("assert_exception", "failed"),  # a trap is not an uncaught exception
    ]


TRAPS = """
(module
  (type $a (array i8))
  (table 1 funcref)
  (tag $e)
  (func (export "null-array") (result i32) (array.len (ref.null $a)))
  (func (export "uninit") (call_indirect (i32.const 0)))
  (func (export "throw") (throw $e)))
(assert_trap (invoke "null-array") "null array reference")
(assert_trap (invoke "uninit") "uninitialized element 2")
(assert_exception (invoke "throw"))
(assert_trap (invoke "null-array") "null function reference")
(assert_trap (invoke "uninit") "undefined element")
(assert_trap (invoke "throw") "unreachable")
"""


def test_traps_are_compared_by_kind(tmp_path: Path) -> None:
    assert [o.status for o in _run(tmp_path, TRAPS).outcomes] == [
        "passed", "passed", "passed", "passed",
        "passed",  # "null function reference" is still a null reference
        "failed",  # a call to a null entry is not an out-of-bounds table access
        "failed",  # an uncaught exception is not a trap
    ]


def test_the_trap_table_names_real_trap_codes() -> None:
    codes = {code for _, code, _ in traps.TABLE.values() if code}
    assert codes <= set(wasmtime.TrapCode.__members__)
    assert traps.spec_kind("uninitialized element 7") == "null-table-entry"
    with pytest.raises(traps.UnknownTrapText):
        traps.spec_kind("out of bounds")


PRINTS = """
(module
  (import "spectest" "print_i32" (func $pi (param i32)))
  (import "spectest" "print_f64_f64" (func $pff (param f64 f64)))
  (import "spectest" "global_i32" (global $g i32))
  (import "spectest" "memory" (memory 1 2))
  (import "spectest" "table64" (table i64 10 funcref))
  (func (export "go") (call $pi (global.get $g)) (call $pff (f64.const 1.5) (f64.const -2))))
(invoke "go")
(assert_unlinkable (module (import "spectest" "print_i32" (func (param i64))))
  "incompatible import type")
(assert_unlinkable (module (import "spectest" "table64" (table 10 funcref)))
  "incompatible import type")
"""


def test_spectest_prints_are_typed_host_functions(tmp_path: Path) -> None:
    wast = tmp_path / "prints.wast"
    wast.write_text(PRINTS)
    script = suite.convert(wast, cache=tmp_path / "cache")
    run = ScriptRun(script)
    try:
        outcomes = [run.run(cmd) for cmd in json.loads(script.read_text())["commands"]]
    finally:
        run.close()
    assert [o.status for o in outcomes] == ["passed"] * 4, outcomes
    assert run.spectest.printed == [("print_i32", (666,)), ("print_f64_f64", (1.5, -2.0))]


def test_text_modules_are_read_as_bytes(tmp_path: Path) -> None:
    script = (b'(module quote "(func (export \\"f\\") (result i32) (i32.const 7))")\n'
              b'(assert_return (invoke "f") (i32.const 7))\n'
              b'(assert_malformed (module quote "(func) ;; \\ff\\fe") "malformed UTF-8")\n')
    assert _statuses(_run(tmp_path, script)) == [
        ("module", "passed"), ("assert_return", "passed"), ("assert_malformed", "passed")]


def test_conversion_is_cached_by_content(tmp_path: Path) -> None:
    wast = tmp_path / "a.wast"
    wast.write_text("(module)")
    first = suite.convert(wast, cache=tmp_path / "c")
    assert suite.convert(wast, cache=tmp_path / "c") == first
    wast.write_text("(module (func))")
    assert suite.convert(wast, cache=tmp_path / "c") != first


def test_scripts_are_named_by_their_place() -> None:
    if not suite.SPEC_TESTSUITE.is_dir():
        pytest.skip(f"no spec testsuite at {suite.SPEC_TESTSUITE}")
    atomic = suite.script_of(suite.SPEC_TESTSUITE / "proposals/threads/atomic.wast")
    assert (atomic.name, atomic.proposal) == ("proposals/threads/atomic", "threads")
    assert suite.script_of(suite.SPEC_TESTSUITE / "i32.wast").name == "i32"
