"""GC values across the boundary (issue 15): i31s as values, structs and arrays as handles
that round-trip, compare as wasm's ref.eq does and show their type; fields read and
written where the C API allows."""

from __future__ import annotations

import gc

import pytest

import wasmport

GC = """(module
  (type $point (struct (field $x (mut i32)) (field $y f64)))
  (type $bytes (array (mut i8)))
  (type $fixed (array i32))
  (global $kept (mut anyref) (ref.null any))
  (func (export "point") (param i32 f64) (result (ref $point))
    (struct.new $point (local.get 0) (local.get 1)))
  (func (export "x") (param (ref $point)) (result i32) (struct.get $point $x (local.get 0)))
  (func (export "bytes") (param i32) (result (ref $bytes))
    (array.new $bytes (i32.const 7) (local.get 0)))
  (func (export "fixed") (result (ref $fixed))
    (array.new_fixed $fixed 2 (i32.const 1) (i32.const 2)))
  (func (export "byte") (param (ref $bytes) i32) (result i32)
    (array.get_s $bytes (local.get 0) (local.get 1)))
  (func (export "eq") (param eqref eqref) (result i32) (ref.eq (local.get 0) (local.get 1)))
  (func (export "any") (param anyref) (result anyref) (local.get 0))
  (func (export "eqid") (param eqref) (result eqref) (local.get 0))
  (func (export "i31") (param i31ref) (result i32) (i31.get_s (local.get 0)))
  (func (export "make_i31") (param i32) (result i31ref) (ref.i31 (local.get 0)))
  (func (export "structs") (param structref) (result structref) (local.get 0))
  (func (export "keep") (param anyref) (global.set $kept (local.get 0)))
  (func (export "kept") (result anyref) (global.get $kept)))"""


@pytest.fixture
def mod(realm):
    return wasmport.compile(GC, name="gc", realm=realm).instantiate()


def test_i31_is_a_value_with_signed_and_unsigned_views():
    assert wasmport.I31(-1).value == -1 and wasmport.I31(-1).unsigned == 2**31 - 1
    assert wasmport.I31(2**31 - 1).signed == -1
    assert wasmport.I31(5) == wasmport.I31(5) and hash(wasmport.I31(5)) == hash(wasmport.I31(5))
    assert repr(wasmport.I31(-3)) == "I31(-3)"
    with pytest.raises(OverflowError):
        wasmport.I31(2**31)
    with pytest.raises(TypeError):
        wasmport.I31(1.0)


def test_i31s_cross_both_ways(mod):
    assert mod.i31(wasmport.I31(-7)) == -7
    assert mod.make_i31(-7) == wasmport.I31(-7)
    assert mod.any(wasmport.I31(3)) == wasmport.I31(3)
    assert mod.eq(wasmport.I31(3), wasmport.I31(3)) == 1
    with pytest.raises(TypeError, match="i31ref takes I31"):
        mod.i31(3)  # an int is not an i31: say I31(3)


def test_structs_round_trip_and_compare_by_reference(mod):
    p = mod.point(3, 2.5)
    q = mod.point(3, 2.5)
    assert isinstance(p, wasmport.Struct) and repr(p) == "<wasm struct (struct (mut i32) f64)>"
    assert mod.x(p) == 3
    assert mod.eq(p, p) == 1 and mod.eq(p, q) == 0
    assert p == mod.any(p) == mod.eqid(p) == mod.structs(p) and p != q
    assert len({p, mod.any(p), q}) == 2


def test_struct_fields(mod):
    p = mod.point(3, 2.5)
    assert len(p) == 2 and (p[0], p[1]) == (3, 2.5) and p.fields == ("(mut i32)", "f64")
    p[0] = 9
    assert mod.x(p) == 9 and p[0] == 9
    with pytest.raises(AttributeError, match="immutable"):
        p[1] = 1.0
    with pytest.raises(IndexError):
        p[2]
    with pytest.raises(TypeError):
        p[0] = "nine"


def test_array_elements(mod):
    arr = mod.bytes(3)
    assert isinstance(arr, wasmport.Array) and arr.type == "(array (mut i8))"
    assert len(arr) == 3 and list(arr) == [7, 7, 7]
    arr[1] = -2
    assert mod.byte(arr, 1) == -2 and arr[1] == 254  # packed: read as get_u does
    with pytest.raises(OverflowError, match="out of range for i8"):
        arr[1] = 256
    with pytest.raises(IndexError):
        arr[3]
    fixed = mod.fixed()
    assert list(fixed) == [1, 2]
    with pytest.raises(AttributeError, match="immutable"):
        fixed[0] = 5


def test_python_objects_are_anyrefs_too_by_identity(mod):
    thing = object()
    assert mod.any(thing) is thing
    mod.keep(thing)
    assert mod.kept() is thing
    with pytest.raises(TypeError, match="eqref takes"):
        mod.eqid(thing)  # a host value made internal is not an eqref


def test_a_handle_keeps_its_object_alive(mod, realm):
    p = mod.point(4, 1.0)
    for _ in range(3):
        realm.gc()
        gc.collect()
    assert p[0] == 4 and mod.x(p) == 4


def test_handles_cannot_cross_realms(mod):
    p = mod.point(1, 1.0)
    with wasmport.Realm() as other:
        foreign = wasmport.compile(GC, realm=other).instantiate()
        with pytest.raises(ValueError, match="cannot cross realms"):
            foreign.x(p)


def test_a_handle_of_a_closed_realm_says_so():
    with wasmport.Realm() as other:
        p = wasmport.compile(GC, realm=other).instantiate().point(1, 1.0)
    assert repr(p) == "<wasm struct of closed realm 'realm'>" and p == p
    with pytest.raises(wasmport.RealmClosedError):
        p[0]


def test_gc_handles_cannot_be_made_from_python():
    with pytest.raises(TypeError, match="come from wasm"):
        wasmport.Struct()


def test_host_functions_take_and_give_gc_values(realm):
    def flip(p):
        p[0] = -p[0]
        return p

    text = """(module (type $point (struct (field (mut i32))))
      (import "env" "flip" (func $flip (param (ref $point)) (result structref)))
      (func (export "go") (param i32) (result i32)
        (struct.get $point 0 (ref.cast (ref $point)
          (call $flip (struct.new $point (local.get 0)))))))"""
    mod = wasmport.compile(text, realm=realm).instantiate({"env": {"flip": flip}})
    assert mod.go(5) == -5
