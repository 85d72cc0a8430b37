"""The harness's values and skip reasons: bit-exact floats, v128 lanes, references by
identity, and gaps found where wasmport shows them."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import wasmtime

from . import gaps, harness, suite, typesec
from . import values as V  # noqa: N812
from .commands import ScriptRun

HOSTS = V.HostRefs()


def _match(vt: str, raw: object, actual: object, **extra: object) -> bool:
    return V.matches({"type": vt, "value": raw, **extra}, actual, HOSTS)


@pytest.mark.parametrize(("bits", "pattern", "ok"), [
    (0x7FC00000, "nan:canonical", True),
    (0xFFC00000, "nan:canonical", True),
    (0x7FE00000, "nan:canonical", False),
    (0x7FE00000, "nan:arithmetic", True),
    (0x7FA00000, "nan:arithmetic", False),  # signalling
    (0x7F800000, "nan:arithmetic", False),  # infinity
])
def test_f32_nan_patterns(bits: int, pattern: str, ok: bool) -> None:
    assert _match("f32", pattern, V.float_from_bits("f32", bits)) is ok


@pytest.mark.parametrize("bits", [0x7FA00000, 0xFFA00001, 0x7FC00001, 0x3F800000, 0x80000000,
                                  0x00000001, 0x7F800000])
def test_f32_travels_at_the_bit_level(bits: int) -> None:
    value = V.float_from_bits("f32", bits)
    assert V.float_bits("f32", value) == bits
    assert _match("f32", str(bits), value)


def test_a_signalling_f32_nan_is_a_signalling_f64_nan() -> None:
    assert V.float_bits("f64", V.float_from_bits("f32", 0x7FA00000)) == 0x7FF4000000000000
    assert not _match("f32", str(0x7FA00000), V.float_from_bits("f32", 0x7FE00000))


def test_float_and_integer_bits() -> None:
    assert _match("f32", str(0x80000000), -0.0)
    assert not _match("f32", "0", -0.0)
    assert _match("f64", str(0x7FF8000000000000), math.nan)
    assert _match("i32", str(2**32 - 1), -1)
    assert not _match("i32", "1", True)


def test_v128_lanes() -> None:
    value = V.v128_from_lanes("i32", ["1", "2", "3", "4294967295"])
    assert value == 1 | 2 << 32 | 3 << 64 | 0xFFFFFFFF << 96
    assert _match("v128", ["1", "2", "3", "-1"], value, lane_type="i32")
    assert not _match("v128", ["1", "2", "3", "4"], value, lane_type="i32")
    nan_lanes = V.v128_from_lanes("f32", [str(0x7FC00000), str(0x7FE00000), "0", "0"])
    assert _match("v128", ["nan:canonical", "nan:arithmetic", "0", "0"], nan_lanes,
                  lane_type="f32")
    assert not _match("v128", ["nan:canonical", "nan:canonical", "0", "0"], nan_lanes,
                      lane_type="f32")
    assert not _match("v128", ["0"] * 2, 1 << 128, lane_type="i64")


def test_externrefs_come_back_by_identity() -> None:
    hosts = V.HostRefs()
    sent = V.to_python({"type": "externref", "value": "3"}, hosts)
    assert V.matches({"type": "externref", "value": "3"}, sent, hosts)
    assert not V.matches({"type": "externref", "value": "3"}, V.HostRef(3), hosts)
    assert not V.matches({"type": "externref", "value": "null"}, sent, hosts)
    assert V.matches({"type": "externref", "value": "null"}, None, hosts)


def test_values_without_a_python_form_are_gaps() -> None:
    with pytest.raises(gaps.Gap) as err:
        V.to_python({"type": "anyref", "value": "2"}, HOSTS)
    assert err.value.category == gaps.GCREF
    with pytest.raises(gaps.Gap) as err:
        _match("externref", None, None)  # ref.extern with no number, given as None
    assert err.value.category == gaps.EXTERNREF


@pytest.mark.parametrize(("text", "kinds", "expected"), [
    ("func (v128) -> v128", [], {gaps.V128}),
    ("func (funcref, externref) -> nil", [], set()),
    ("func ((ref func)) -> nil", [], {gaps.FUNCREF}),
    ("func () -> nofuncref", [], {gaps.FUNCREF}),
    ("func ((ref null $1)) -> (ref $0)", ["struct", "func"], {gaps.FUNCREF, gaps.GCREF}),
    ("func ((ref extern), i31ref) -> exnref", [], {gaps.EXTERNREF, gaps.GCREF, gaps.EXNREF}),
    ("global noneref", [], {gaps.GCREF}),
    ("func () -> contref", [], {gaps.UNCLASSIFIED}),
])
def test_type_texts_fall_into_categories(text: str, kinds: list[str],
                                         expected: set[str]) -> None:
    assert gaps.categories_of_type(text, kinds) == expected


def test_first_category_follows_the_order() -> None:
    assert gaps.first({gaps.EXNREF, gaps.V128}) == gaps.V128


def test_type_section_kinds() -> None:
    wasm = wasmtime.wat2wasm("""(module
      (type (func (param i32 (ref null 2)) (result v128)))
      (rec (type (sub (struct (field (mut i8)) (field (ref 0))))) (type (array i16)))
      (type (sub final 1 (struct (field (mut i8)) (field (ref 0)) (field f64)))))""")
    assert typesec.composite_kinds(bytes(wasm)) == ["func", "struct", "array", "struct"]


OPAQUE = """
(module
  (func (export "id") (param v128) (result v128) (local.get 0))
  (func (export "ok") (result i32) (i32.const 1))
  (func (export "neg") (param f32) (result f32) (f32.neg (local.get 0))))
(assert_return (invoke "id" (v128.const i32x4 1 2 3 4)) (v128.const i32x4 1 2 3 4))
(assert_return (invoke "ok") (i32.const 1))
(assert_return (invoke "neg" (f32.const nan:0x200000)) (f32.const -nan:0x300000))
"""


def test_gaps_are_found_where_wasmport_shows_them(tmp_path: Path) -> None:
    wast = tmp_path / "opaque.wast"
    wast.write_text(OPAQUE)
    result = harness.run_script(suite.convert(wast, cache=tmp_path / "cache"))
    got = [(o.status, o.category) for o in result.outcomes]
    # a wrong NaN payload is a failure, not the f32 gap, quieted or not
    assert got == [("passed", ""), ("skipped", gaps.V128), ("passed", ""), ("failed", "")]


def _f32(bits: int) -> dict[str, str]:
    return {"type": "f32", "value": str(bits)}


def test_the_f32_gap_is_the_quiet_bit_and_nothing_else() -> None:
    snan, quieted = 0x7FA00000, 0x7FE00000
    got = (V.float_from_bits("f32", quieted),)
    assert V.f32_quieted([_f32(snan)], [], got, HOSTS)
    assert not V.f32_quieted([_f32(0x7FA00001)], [], got, HOSTS)
    assert not V.f32_quieted([_f32(0x7FC00000)], [], got, HOSTS)  # quiet: not the gap
    i32 = [{"type": "i32", "value": str(snan)}]
    assert V.f32_quieted(i32, [_f32(snan)], (quieted,), HOSTS)  # i32.reinterpret_f32
    assert not V.f32_quieted(i32, [], (quieted,), HOSTS)


def test_a_proposal_needing_features_is_skipped_until_realms_take_them(tmp_path: Path) -> None:
    result = _run_text(tmp_path, "(module (memory 1 1 shared))", "threads")
    if gaps.realm_takes_features():
        assert result.outcomes[0].status == "passed"
    else:
        assert [(o.status, o.category) for o in result.outcomes] == [("skipped", gaps.FEATURES)]
        assert "Realm(features={'threads'})" in result.outcomes[0].detail


def test_pre_3_0_invalid_texts_are_skipped_in_the_threads_scripts_only(tmp_path: Path) -> None:
    text = '(assert_invalid (module (memory 0) (memory 0)) "multiple memories")'
    gate = gaps.Proposal(pre_3_0=True)
    wast = tmp_path / "m.wast"
    wast.write_text(text)
    script = suite.convert(wast, cache=tmp_path / "cache")
    run = ScriptRun(script, gate)
    try:
        outcome = run.run(json.loads(script.read_text())["commands"][0])
    finally:
        run.close()
    assert (outcome.status, outcome.category) == ("skipped", gaps.OBSOLETE)
    assert _run_text(tmp_path, text, "wide-arithmetic").outcomes[0].status == "failed"


def test_a_module_wasmtime_refuses_with_every_flag_is_wasmtime_lacks(tmp_path: Path) -> None:
    # Valid under the custom-descriptors proposal, which wasmtime 50 does not implement.
    text = """(module (rec (type $a (descriptor $b) (struct)) (type $b (describes $a) (struct))))
              (assert_return (invoke "missing"))"""
    result = _run_text(tmp_path, text, "custom-descriptors")
    assert [(o.status, o.category) for o in result.outcomes] == [
        ("skipped", gaps.WASMTIME), ("skipped", gaps.WASMTIME)]
    assert "custom descriptors" in result.outcomes[0].detail


def _run_text(tmp_path: Path, text: str, proposal: str) -> harness.FileResult:
    wast = tmp_path / "p.wast"
    wast.write_text(text)
    return harness.run_script(suite.convert(wast, cache=tmp_path / "cache"), proposal=proposal)
