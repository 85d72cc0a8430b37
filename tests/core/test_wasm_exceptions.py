"""Wasm exceptions across the boundary (issue 15, bug D): an uncaught one is a
WasmException with its tag and payload; a host function throws one into wasm."""

from __future__ import annotations

import pytest

import wasmport

THROWS = """(module
  (tag $e (export "e") (param i32 f64))
  (tag $empty (export "empty"))
  (import "env" "host" (func $host (param i32)))
  (func (export "throw") (param i32) (throw $e (local.get 0) (f64.const 1.5)))
  (func (export "throw_empty") (throw $empty))
  (func (export "catch_host") (param i32) (result i32)
    (block $caught (result i32 f64)
      (try_table (catch $e $caught) (call $host (local.get 0)))
      (return (i32.const -1)))
    (drop))
  (func (export "exn") (param i32) (result exnref)
    (block $caught (result exnref)
      (try_table (catch_all_ref $caught) (throw $e (local.get 0) (f64.const 2.0)))
      (unreachable)))
  (func (export "rethrow") (param exnref) (throw_ref (local.get 0))))"""


@pytest.fixture
def mod(realm):
    state = {}

    def host(n):
        if n >= 0:
            raise wasmport.WasmException(state["tag"], n * 10, 0.5)
        raise ValueError("a Python error")

    made = wasmport.compile(THROWS, name="throws", realm=realm).instantiate(
        {"env": {"host": host}})
    state["tag"] = wasmport.instance_of(made).exports["e"]
    return made


def test_an_uncaught_wasm_exception_is_a_wasm_exception(mod):
    with pytest.raises(wasmport.WasmException) as info:
        mod.throw(42)
    err = info.value
    assert isinstance(err, wasmport.Trap) and err.code is None
    assert err.payload == (42, 1.5)
    assert err.tag == wasmport.instance_of(mod).exports["e"]
    assert err.tag.type == "tag (i32, f64)"
    assert isinstance(err.exnref, wasmport.ExnRef) and err.exnref.payload == (42, 1.5)
    assert "uncaught wasm exception (tag (i32, f64)): payload (42, 1.5)" in str(err)
    with pytest.raises(wasmport.WasmException) as empty:
        mod.throw_empty()
    assert empty.value.payload == () and empty.value.tag != err.tag


def test_a_host_function_throws_into_wasm(mod):
    assert mod.catch_host(4) == 40
    with pytest.raises(ValueError, match="a Python error"):
        mod.catch_host(-1)  # other exceptions reach the Python caller unchanged


def test_exnrefs_cross_and_rethrow(mod):
    exn = mod.exn(7)
    assert isinstance(exn, wasmport.ExnRef) and exn.payload == (7, 2.0)
    with pytest.raises(wasmport.WasmException) as info:
        mod.rethrow(exn)
    assert info.value.payload == (7, 2.0)
    with pytest.raises(wasmport.Trap, match="null reference"):
        mod.rethrow(None)  # (param exnref) is nullable; throw_ref of a null traps


def test_a_start_function_exception_fails_instantiation(realm):
    text = '(module (tag $t (param i32)) (func $s (throw $t (i32.const 3))) (start $s))'
    with pytest.raises(wasmport.WasmException) as info:
        wasmport.compile(text, realm=realm).instantiate()
    assert info.value.payload == (3,)


def test_tags_made_in_python(realm):
    tag = wasmport.Tag(["i64"], realm=realm)
    assert tag.type == "tag (i64)" and tag == tag
    text = """(module (import "env" "t" (tag $t (param i64)))
      (func (export "f") (throw $t (i64.const -1))))"""
    mod = wasmport.compile(text, realm=realm).instantiate({"env": {"t": tag}})
    with pytest.raises(wasmport.WasmException) as info:
        mod.f()
    assert info.value.tag == tag and info.value.payload == (-1,)
    with pytest.raises(TypeError):
        wasmport.Tag("i32", realm=realm)
