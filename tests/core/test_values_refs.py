"""externref and funcref across the boundary (issue 15): Python objects by identity, kept
alive while wasm holds them and released when the engine drops them; functions as
wasmport.Function or None, on both call paths."""

from __future__ import annotations

import gc
import weakref

import pytest

import wasmport
from wasmport.types import Externref, Funcref, Int32

REFS = """(module
  (type $ii (func (param i32) (result i32)))
  (table $t (export "t") 2 externref)
  (table $f (export "ft") 2 funcref)
  (global $e (export "e") (mut externref) (ref.null extern))
  (global (export "gn") funcref (ref.null func))
  (global (export "gf") funcref (ref.func $inc))
  (global (export "gt") (ref $ii) (ref.func $inc))
  (elem declare func $inc)
  (func $inc (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "id") (param externref) (result externref) (local.get 0))
  (func (export "nonnull") (param (ref extern)) (result (ref extern)) (local.get 0))
  (func (export "keep") (param externref) (table.set $t (i32.const 0) (local.get 0)))
  (func (export "kept") (result externref) (table.get $t (i32.const 0)))
  (func (export "is_null") (param externref) (result i32) (ref.is_null (local.get 0)))
  (func (export "wrap") (param i32) (result externref)
    (extern.convert_any (ref.i31 (local.get 0))))
  (func (export "unwrap") (param externref) (result i32)
    (i31.get_s (ref.cast i31ref (any.convert_extern (local.get 0)))))
  (func (export "fid") (param funcref) (result funcref) (local.get 0))
  (func (export "typed") (param (ref null $ii)) (result (ref null $ii)) (local.get 0))
  (func (export "call_typed") (param (ref $ii) i32) (result i32)
    (call_ref $ii (local.get 1) (local.get 0)))
  (func (export "call_table") (param i32 i32) (result i32)
    (call_indirect $f (type $ii) (local.get 1) (local.get 0)))
  (func (export "func_of") (result funcref) (ref.func $inc))
  (func (export "two") (param externref (ref extern)) (result i32) (i32.const 2)))"""


@pytest.fixture
def mod(realm):
    return wasmport.compile(REFS, name="refs", realm=realm).instantiate()


class Thing:
    pass


def test_python_objects_come_back_as_themselves(mod):
    thing, number, text = Thing(), 12345678901234567890, "text"
    for value in (thing, number, text, [1, 2], mod):
        assert mod.id(value) is value
    assert mod.id(None) is None and mod.is_null(None) == 1 and mod.is_null(thing) == 0


def test_a_non_nullable_externref_refuses_none(mod):
    thing = Thing()
    assert mod.nonnull(thing) is thing
    with pytest.raises(TypeError, match="not nullable"):
        mod.nonnull(None)


def test_an_externref_holding_a_wasm_value_round_trips(mod):
    wrapped = mod.wrap(-5)  # extern.convert_any (ref.i31 -5): not a Python object
    assert wrapped == wasmport.I31(-5)
    assert mod.unwrap(wrapped) == -5
    assert mod.unwrap(wasmport.I31(7)) == 7


def test_tables_and_globals_hold_python_objects(mod):
    thing = Thing()
    table = wasmport.instance_of(mod).exports["t"]
    table[1] = thing
    assert table[1] is thing and table[0] is None
    mod.keep(thing)
    assert mod.kept() is thing and table[0] is thing
    glob = wasmport.instance_of(mod).exports["e"]
    glob.value = thing
    assert mod.e is thing


def test_wasm_keeps_an_object_alive_and_the_engine_releases_it(mod, realm):
    thing = Thing()
    alive = weakref.ref(thing)
    mod.keep(thing)
    del thing
    gc.collect()
    realm.gc()
    assert alive() is not None and mod.kept() is alive()
    mod.keep(None)
    realm.gc()
    gc.collect()
    assert alive() is None


def test_no_object_leaks_over_100_000_round_trips(mod, realm):
    refs = []
    for _ in range(100_000):
        thing = Thing()
        refs.append(weakref.ref(thing))
        assert mod.id(thing) is thing
    del thing
    realm.gc()
    gc.collect()
    assert sum(r() is not None for r in refs) == 0


def test_a_refused_argument_releases_the_ones_before_it(mod, realm):
    thing = Thing()
    alive = weakref.ref(thing)
    with pytest.raises(TypeError, match="not nullable"):
        mod.two(thing, None)
    del thing
    realm.gc()
    gc.collect()
    assert alive() is None


def test_reference_globals_read_as_python_values(mod):
    # Bug A: these read as wasmtime-py's Val and Func objects.
    assert mod.gn is None
    assert isinstance(mod.gf, wasmport.Function) and mod.gf(1) == 2
    assert isinstance(mod.gt, wasmport.Function) and mod.gt.type == "func (i32) -> i32"


def test_a_function_goes_into_funcref_globals(mod, realm):
    # Bug B: a raw ctypes TypeError ("expected wasmtime_func instance, got Func").
    glob = wasmport.Global(mod.inc, "funcref", mutable=True, realm=realm)
    assert glob.value(4) == 5
    glob.value = None
    assert glob.value is None
    glob.value = mod.inc
    assert glob.value(9) == 10
    with pytest.raises(TypeError, match="wasmport.Function"):
        glob.value = lambda x: x  # a callable is a funcref only as wasmport.Function


def test_funcrefs_are_functions_or_none(mod):
    assert mod.fid(None) is None
    back = mod.fid(mod.inc)
    assert isinstance(back, wasmport.Function) and back(41) == 42
    assert mod.func_of()(1) == 2
    assert mod.typed(mod.inc)(0) == 1 and mod.typed(None) is None
    assert mod.call_typed(mod.inc, 5) == 6


def test_a_function_of_the_wrong_type_is_refused_by_the_engine(mod, realm):
    other = wasmport.compile('(module (func (export "f") (param i64)))',
                             realm=realm).instantiate()
    with pytest.raises(TypeError, match="wasmport.Function"):
        mod.fid(print)
    with pytest.raises(TypeError, match="type does not match"):
        mod.typed(other.f)  # (ref null $ii): only the engine knows the subtypes


def test_python_functions_as_funcrefs(mod, realm):
    triple = wasmport.Function(realm, "func (i32) -> i32", lambda x: x * 3, name="triple")
    assert triple(2) == 6 and repr(triple) == "<wasm function triple(i32) -> i32>"
    table = wasmport.instance_of(mod).exports["ft"]
    table[1] = triple
    assert mod.call_table(1, 5) == 15
    assert table[1](7) == 21
    with pytest.raises(TypeError):
        wasmport.Function(realm, "func (i32) -> i32", 5)
    with pytest.raises(ValueError, match="unknown value type"):
        wasmport.Function(realm, "func (i33) -> i32", abs)


def test_a_python_function_raises_through_wasm_and_to_its_caller(mod, realm):
    def fails(x):
        raise KeyError(x)

    fn = wasmport.Function(realm, (("i32",), ("i32",)), fails)
    with pytest.raises(KeyError):
        fn(1)
    wasmport.instance_of(mod).exports["ft"][0] = fn
    with pytest.raises(KeyError):
        mod.call_table(0, 3)
    bad = wasmport.Function(realm, "func () -> externref", lambda: 5)
    assert bad() == 5  # any object is an externref
    wrong = wasmport.Function(realm, "func () -> i32", lambda: "five")
    with pytest.raises(TypeError, match="five|str"):
        wrong()


def test_values_of_another_realm_are_refused(mod):
    with wasmport.Realm() as other:
        foreign = wasmport.compile('(module (func (export "f")))', realm=other).instantiate()
        with pytest.raises(ValueError, match="cannot cross realms"):
            mod.fid(foreign.f)


def test_host_functions_take_and_give_references(realm):
    seen = []

    def host(obj, fn):
        seen.append(obj)
        return obj, fn

    text = """(module (type $ii (func (param i32) (result i32)))
      (import "env" "h" (func $h (param externref funcref) (result externref funcref)))
      (func $dbl (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
      (elem declare func $dbl)
      (func (export "go") (param externref i32) (result externref i32) (local funcref)
        (call $h (local.get 0) (ref.func $dbl)) (local.set 2)
        (call_ref $ii (local.get 1) (ref.cast (ref $ii) (local.get 2)))))"""
    mod = wasmport.compile(text, realm=realm).instantiate({"env": {"h": host}})
    thing = Thing()
    assert mod.go(thing, 21) == (thing, 42)
    assert seen == [thing]


class Registry(wasmport.HostModule, name="registry"):
    def __init__(self) -> None:
        self.items: list[object] = []

    @wasmport.export
    def add(self, item: Externref) -> Int32:
        self.items.append(item)
        return len(self.items) - 1

    @wasmport.export
    def get(self, index: Int32) -> Externref:
        return self.items[index]

    @wasmport.export
    def apply(self, fn: Funcref, x: Int32) -> Int32:
        return int(fn(x))


def test_typed_host_modules_take_externref_and_funcref(realm):
    realm.register(Registry)
    text = """(module (type $ii (func (param i32) (result i32)))
      (import "registry" "add" (func $add (param externref) (result i32)))
      (import "registry" "get" (func $get (param i32) (result externref)))
      (import "registry" "apply" (func $apply (param funcref i32) (result i32)))
      (func $neg (param i32) (result i32) (i32.sub (i32.const 0) (local.get 0)))
      (elem declare func $neg)
      (func (export "roundtrip") (param externref) (result externref)
        (call $get (call $add (local.get 0))))
      (func (export "neg") (param i32) (result i32) (call $apply (ref.func $neg) (local.get 0))))"""
    mod = wasmport.compile(text, realm=realm).instantiate()
    thing = Thing()
    assert mod.roundtrip(thing) is thing
    assert mod.neg(5) == -5
