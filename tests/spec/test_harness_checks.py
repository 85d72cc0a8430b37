"""The harness itself: it must notice wrong results, wrong errors and wrong traps."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from . import harness
from . import values as V  # noqa: N812

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
"""


def test_wrong_expectations_fail(tmp_path: Path) -> None:
    wast = tmp_path / "wrong.wast"
    wast.write_text(WRONG)
    result = harness.run_script(harness.convert(wast, cache=tmp_path / "cache"))
    statuses = [(o.kind, o.status) for o in result.outcomes]
    assert statuses == [
        ("module", "passed"),
        ("assert_return", "failed"),   # 1 is not 2
        ("assert_return", "failed"),   # an arithmetic NaN is not the canonical one
        ("assert_trap", "failed"),     # unreachable is not a memory fault
        ("assert_trap", "failed"),     # no trap at all
        ("assert_unlinkable", "failed"),  # it links (spectest has print_i32)
        ("assert_return", "passed"),   # i64 -1 as an int
        ("assert_return", "passed"),
    ]


PRINTS = """
(module
  (import "spectest" "print_i32" (func $pi (param i32)))
  (import "spectest" "print_f64_f64" (func $pff (param f64 f64)))
  (import "spectest" "global_i32" (global $g i32))
  (import "spectest" "memory" (memory 1 2))
  (func (export "go") (call $pi (global.get $g)) (call $pff (f64.const 1.5) (f64.const -2))))
(invoke "go")
(assert_unlinkable (module (import "spectest" "print_i32" (func (param i64))))
  "incompatible import type")
"""


def test_spectest_prints_are_typed_host_functions(tmp_path: Path) -> None:
    wast = tmp_path / "prints.wast"
    wast.write_text(PRINTS)
    run = harness.ScriptRun(harness.convert(wast, cache=tmp_path / "cache"))
    try:
        outcomes = [run.run(cmd) for cmd in json.loads(
            (run.dir / "prints.json").read_text())["commands"]]
    finally:
        run.close()
    assert [o.status for o in outcomes] == ["passed"] * 3, outcomes
    assert run.spectest.printed == [("print_i32", (666,)), ("print_f64_f64", (1.5, -2.0))]


def test_conversion_is_cached_by_content(tmp_path: Path) -> None:
    wast = tmp_path / "a.wast"
    wast.write_text("(module)")
    first = harness.convert(wast, cache=tmp_path / "c")
    assert harness.convert(wast, cache=tmp_path / "c") == first
    wast.write_text("(module (func))")
    assert harness.convert(wast, cache=tmp_path / "c") != first


@pytest.mark.parametrize(("bits", "pattern", "ok"), [
    (0x7FC00000, "nan:canonical", True),
    (0xFFC00000, "nan:canonical", True),
    (0x7FE00000, "nan:canonical", False),
    (0x7FE00000, "nan:arithmetic", True),
    (0x7F800000, "nan:arithmetic", False),  # infinity
])
def test_f32_nan_patterns(bits: int, pattern: str, ok: bool) -> None:
    assert V.matches({"type": "f32", "value": pattern}, V.float_from_bits("f32", bits)) is ok


def test_float_and_integer_bits() -> None:
    assert V.matches({"type": "f32", "value": str(0x80000000)}, -0.0)
    assert not V.matches({"type": "f32", "value": "0"}, -0.0)
    assert V.matches({"type": "f64", "value": str(0x7FF8000000000000)}, math.nan)
    assert V.matches({"type": "i32", "value": str(2**32 - 1)}, -1)
    assert not V.matches({"type": "i32", "value": "1"}, True)
    assert V.matches({"type": "externref", "value": "3"}, V.HostRef(3))
    assert not V.matches({"type": "externref", "value": "null"}, V.HostRef(0))
