"""The harness's values and skip reasons: bit-exact floats, v128 lanes, references by
identity and handles, and the two reasons left to skip a command."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import wasmport

from . import gaps, harness, suite
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


def test_anyref_numbers_are_host_objects_and_handles_are_checked_by_class() -> None:
    hosts = V.HostRefs()
    sent = V.to_python({"type": "anyref", "value": "2"}, hosts)  # ref.host 2
    assert sent is hosts[2] and V.matches({"type": "anyref", "value": "2"}, sent, hosts)
    assert V.matches({"type": "i31ref"}, wasmport.I31(1), hosts)
    assert not V.matches({"type": "structref"}, wasmport.I31(1), hosts)
    assert V.matches({"type": "eqref"}, wasmport.I31(1), hosts)
    assert V.matches({"type": "externref"}, wasmport.I31(1), hosts)  # ref.extern, any value
    assert not V.matches({"type": "externref"}, None, hosts)


def test_values_the_harness_does_not_know_are_errors() -> None:
    with pytest.raises(V.UnknownValue):
        V.to_python({"type": "contref", "value": "1"}, HOSTS)
    with pytest.raises(V.UnknownValue):
        _match("contref", None, object())


VALUES = """
(module
  (func (export "id") (param v128) (result v128) (local.get 0))
  (func (export "neg") (param f32) (result f32) (f32.neg (local.get 0))))
(assert_return (invoke "id" (v128.const i32x4 1 2 3 4)) (v128.const i32x4 1 2 3 4))
(assert_return (invoke "id" (v128.const i32x4 1 2 3 4)) (v128.const i32x4 1 2 3 5))
(assert_return (invoke "neg" (f32.const nan:0x200000)) (f32.const -nan:0x200000))
(assert_return (invoke "neg" (f32.const nan:0x200000)) (f32.const -nan:0x600000))
"""


def test_v128_and_signalling_nans_pass_and_a_wrong_one_fails(tmp_path: Path) -> None:
    wast = tmp_path / "values.wast"
    wast.write_text(VALUES)
    result = harness.run_script(suite.convert(wast, cache=tmp_path / "cache"))
    got = [o.status for o in result.outcomes]
    # the signalling NaN comes back with its payload; the quieted one is a failure
    assert got == ["passed", "passed", "failed", "passed", "failed"]


def test_a_proposal_runs_with_its_features(tmp_path: Path) -> None:
    assert _run_text(tmp_path, "(module (memory 1 1 shared))", "threads").outcomes[0].status == (
        "passed")
    assert _run_text(tmp_path, "(module (memory 1 1 shared))", None).outcomes[0].status == (
        "failed")


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


def _run_text(tmp_path: Path, text: str, proposal: str | None) -> harness.FileResult:
    wast = tmp_path / "p.wast"
    wast.write_text(text)
    return harness.run_script(suite.convert(wast, cache=tmp_path / "cache"), proposal=proposal)
