"""v128 on both layers: every boundary of the 128 bits, errors word for word, host functions,
and the wiring (a wasmport Function of v128 is called by the C extension)."""

from __future__ import annotations

import random

import pytest

import wasmport
from wasmport._engine import calls
from wasmport._engine import fast as _fast
from wasmport._engine.fast import _native

from .conftest import around_digits, outcome

ALL = 2**128 - 1
VECTORS = """(module
  (import "env" "h" (func $h (param v128 i32) (result v128)))
  (func (export "id") (param v128) (result v128) (local.get 0))
  (func (export "split") (param v128) (result i64 i64)
    (i64x2.extract_lane 0 (local.get 0)) (i64x2.extract_lane 1 (local.get 0)))
  (func (export "join") (param i64 i64) (result v128)
    (i64x2.replace_lane 1 (i64x2.splat (local.get 0)) (local.get 1)))
  (func (export "call_h") (param v128 i32) (result v128)
    (call $h (local.get 0) (local.get 1))))"""
SIGNATURES = {"id": (("v128",), ("v128",)), "split": (("v128",), ("i64", "i64")),
              "join": (("i64", "i64"), ("v128",)), "call_h": (("v128", "i32"), ("v128",))}

# Each side of every place the C conversion changes its way: 64 bits signed and
# unsigned, the top bit of 128, both ends of the accepted range and one past each.
EDGES = [0, 1, -1, 2**31, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64 - 1, 2**64,
         -(2**64), -(2**64) - 1, 2**127 - 1, 2**127, ALL, -(2**127), -(2**127) + 1,
         0x0123_4567_89AB_CDEF_FEDC_BA98_7654_3210]
BAD = [2**128, 2**200, -(2**127) - 1, -(2**300), True, False, 1.0, "1", None, b"x" * 15,
       b"x" * 17, object(), 1j]


class Wide(int):
    pass


class Indexable:
    def __index__(self) -> int:
        return 2**100 + 3


@pytest.fixture
def pair(store, instantiate, relay):
    """pair(host) -> {name: (ctypes caller, native caller)}, each layer with its own host."""

    def build(host=lambda v, n: v):
        out: dict[str, list] = {name: [] for name in SIGNATURES}
        for maker in (_fast, _native):
            h = maker.make_host_func(store, ("v128", "i32"), ("v128",), host, relay.on_error,
                                     name="h")
            ex = instantiate(VECTORS, [h])
            for name, (params, results) in SIGNATURES.items():
                out[name].append(maker.make_caller(store, ex[name], params, results, name=name,
                                                   raise_trap=relay.raise_trap))
        return {name: tuple(callers) for name, callers in out.items()}

    return build


@pytest.mark.parametrize("value", EDGES)
def test_edges_cross_the_same_on_both_layers(pair, value) -> None:
    callers = pair()
    unsigned = value & ALL
    for ident in callers["id"]:
        assert ident(value) == unsigned and type(ident(value)) is int
    for split in callers["split"]:  # each half where the engine sees it
        low, high = split(value)
        assert (low & (2**64 - 1)) | (high & (2**64 - 1)) << 64 == unsigned


def test_every_digit_boundary_and_random_values_agree_with_the_ctypes_layer(pair) -> None:
    (ctypes_id, native_id), (ctypes_split, native_split) = pair()["id"], pair()["split"]
    values = around_digits()
    assert [outcome(native_id, v) for v in values] == [outcome(ctypes_id, v) for v in values]
    assert [outcome(native_split, v) for v in values] == [outcome(ctypes_split, v)
                                                          for v in values]
    assert sum(outcome(native_id, v)[0] == "ok" for v in values) > len(values) // 2


def test_results_of_random_lanes_agree_with_the_ctypes_layer(pair) -> None:
    ctypes_join, native_join = pair()["join"]
    rng = random.Random(128)
    lanes = [(rng.randrange(-(2**63), 2**63), rng.randrange(-(2**63), 2**63)) for _ in range(300)]
    lanes += [(0, 0), (-1, 0), (0, -1), (2**63 - 1, 0), (0, 1), (1, 0)]
    assert [native_join(a, b) for a, b in lanes] == [ctypes_join(a, b) for a, b in lanes]


def test_results_are_unsigned_from_every_lane(pair) -> None:
    for join in pair()["join"]:
        assert join(-1, -1) == ALL and join(0, -(2**63)) == 1 << 127
        assert join(5, 0) == 5 and join(0, 1) == 1 << 64


@pytest.mark.parametrize("value", BAD, ids=repr)
def test_bad_values_fail_identically(pair, value) -> None:
    ctypes_id, native_id = pair()["id"]
    expected = outcome(ctypes_id, value)
    assert expected[0] in (TypeError, ValueError, OverflowError)
    assert outcome(native_id, value) == expected
    assert native_id(5) == 5  # nothing left behind


def test_bytes_subclasses_and_index_objects(pair) -> None:
    for ident in pair()["id"]:
        assert ident(bytes(range(16))) == int.from_bytes(bytes(range(16)), "little")
        assert ident(memoryview(bytearray(b"\xff" * 16))) == ALL
        assert ident(Wide(-2)) == ALL - 1 and ident(Indexable()) == 2**100 + 3


def test_host_functions_take_and_give_v128(pair) -> None:
    seen: list[tuple[int, int]] = []

    def host(vector: int, n: int) -> object:
        seen.append((vector, n))
        return [vector + n, -1, b"\x01" * 16, Indexable(), 2**128][n]

    results = [tuple(call(ALL - 4, n) for call in pair(host)["call_h"]) for n in range(4)]
    assert results == [(ALL - 4,) * 2, (ALL,) * 2, (int.from_bytes(b"\x01" * 16, "little"),) * 2,
                       (2**100 + 3,) * 2]
    assert seen == [(ALL - 4, n) for n in range(4) for _ in range(2)]  # unsigned, both layers
    ctypes_call, native_call = pair(host)["call_h"]
    expected = outcome(ctypes_call, 0, 4)
    assert expected[0] is OverflowError and "v128" in expected[1]
    assert outcome(native_call, 0, 4) == expected


@pytest.mark.skipif(not calls.NATIVE, reason="the C extension is not in use (WASMPORT_NO_NATIVE"
                    "=1, WASMPORT_NO_FAST=1 or not built): the wiring is the ctypes layer's")
def test_a_wasmport_function_of_v128_is_called_by_the_extension() -> None:
    realm = wasmport.Realm()
    try:
        mod = wasmport.compile(
            '(module (func (export "id") (param v128) (result v128) (local.get 0)))',
            realm=realm).instantiate()
        assert mod.id(-1) == ALL
        assert calls.is_native_caller(mod.id.func)
    finally:
        realm.close()
