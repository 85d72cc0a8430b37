"""Python -> wasm on both layers: values, boundaries, errors word for word, many slots."""

from __future__ import annotations

import math
import struct
import threading

import pytest
import wasmtime

from wasmport._engine import fast as _fast
from wasmport._engine.fast import _native

from .conftest import outcome

I32_MIN, I32_MAX = -(2**31), 2**32 - 1
I64_MIN, I64_MAX = -(2**63), 2**64 - 1


@pytest.fixture
def numeric(store, instantiate, layer):
    ex = instantiate("numeric")

    def caller(name: str, params: tuple[str, ...], results: tuple[str, ...]):
        return layer.make_caller(store, ex[name], params, results, name=name)

    return caller


@pytest.fixture
def both(store, instantiate):
    """both(name, params, results) -> (ctypes caller, native caller) of one export."""
    ex = instantiate("numeric")

    def make(name: str, params: tuple[str, ...], results: tuple[str, ...]):
        return tuple(m.make_caller(store, ex[name], params, results, name=name)
                     for m in (_fast, _native))

    return make


def f32(x: float) -> float:
    return struct.unpack("<f", struct.pack("<f", x))[0]


@pytest.mark.parametrize("kind, a, b, expected", [
    ("i32", 2, 3, 5), ("i32", I32_MAX, 1, 0), ("i32", 2**31 - 1, 1, -(2**31)),
    ("i64", 2**40, 2**40, 2**41), ("i64", 2**63 - 1, 1, -(2**63)),
    ("f32", 0.1, 0.2, f32(f32(0.1) + f32(0.2))), ("f64", 0.1, 0.2, 0.1 + 0.2),
])
def test_add_each_type(numeric, kind, a, b, expected) -> None:
    add = numeric(f"add_{kind}", (kind, kind), (kind,))
    assert add(a, b) == expected
    assert type(add(a, b)) is type(expected)


@pytest.mark.parametrize("kind, value, expected", [
    ("i32", 2**31, I32_MIN), ("i32", I32_MAX, -1), ("i32", I32_MIN, I32_MIN),
    ("i64", 2**63, I64_MIN), ("i64", I64_MAX, -1), ("i64", I64_MIN, I64_MIN),
])
def test_boundaries_come_back_signed(numeric, kind, value, expected) -> None:
    assert numeric(f"id_{kind}", (kind,), (kind,))(value) == expected


def test_i32_bit_pattern_of_unsigned_input(numeric) -> None:
    bits = numeric("bits_i32", ("i32",), ("i64",))
    assert (bits(I32_MAX), bits(-1), bits(2**31)) == (0xFFFFFFFF, 0xFFFFFFFF, 0x80000000)


def test_f32_rounds_like_demote_and_specials_pass(numeric) -> None:
    ident32, ident64 = numeric("id_f32", ("f32",), ("f32",)), numeric("id_f64", ("f64",), ("f64",))
    assert ident32(0.1) == f32(0.1) and ident32(1e39) == math.inf and ident32(1e-50) == 0.0
    assert math.copysign(1, ident64(-0.0)) == -1 and math.isnan(ident64(math.nan))
    assert ident64(3) == 3.0 and type(ident64(3)) is float
    with pytest.raises(TypeError, match="got bool"):  # the number rule: _engine/numbers.py
        ident64(True)


def test_int_subclasses_and_index_objects_but_not_bool(numeric) -> None:
    class Small(int):
        pass

    class Indexable:
        def __index__(self) -> int:
            return 41

    class Liar(int):
        def __le__(self, other: object) -> bool:
            return True

    ident = numeric("id_i32", ("i32",), ("i32",))
    assert (ident(Small(-5)), ident(Indexable())) == (-5, 41)
    with pytest.raises(TypeError, match="got bool"):
        ident(True)
    with pytest.raises(OverflowError):
        ident(Liar(2**40))


def test_multi_value_none_and_eight_params(numeric) -> None:
    assert numeric("swap3", ("i32", "i64", "f64"), ("f64", "i64", "i32"))(-1, I64_MAX, 1.5) == (
        1.5, -1, -1)
    assert numeric("consts", (), ("i32", "i64", "f32", "f64"))() == (-7, I64_MIN, f32(0.1), 2.5)
    assert numeric("nop", (), ())() is None
    mixed = numeric("mixed8", ("i32", "i64", "f32", "f64") * 2, ("f64",))
    assert mixed(1, 2, 0.5, 0.25, -1, -2, 1.5, 0.75) == 3.0


def _wide(count: int) -> str:
    params = " ".join(["i64"] * count)
    body = " ".join(f"(local.get {i}) (i64.mul (i64.const {i + 1})) i64.add"
                    for i in range(count))
    results = " ".join(["i64"] * count)
    gets = " ".join(f"(local.get {count - 1 - i})" for i in range(count))
    return (f'(module (func (export "sum") (param {params}) (result i64) (i64.const 0) {body})'
            f' (func (export "rev") (param {params}) (result {results}) {gets}))')


@pytest.mark.parametrize("count", [16, 17, 40])
def test_more_slots_than_fit_on_the_stack(store, instantiate, layer, count) -> None:
    ex = instantiate(_wide(count))
    kinds = ("i64",) * count
    total = layer.make_caller(store, ex["sum"], kinds, ("i64",), name="sum")
    rev = layer.make_caller(store, ex["rev"], kinds, kinds, name="rev")
    values = list(range(-count, 0))
    assert total(*values) == sum(v * (i + 1) for i, v in enumerate(values))
    assert rev(*values) == tuple(reversed(values))


BAD_CALLS = [
    ("id_i32", (I32_MIN - 1,)), ("id_i32", (I32_MAX + 1,)), ("id_i32", (2**100,)),
    ("id_i64", (I64_MIN - 1,)), ("id_i64", (I64_MAX + 1,)),
    ("id_i32", (1.0,)), ("id_i32", ("1",)), ("id_i32", (None,)), ("id_i64", (1j,)),
    ("id_f64", ("1.0",)), ("id_f64", (None,)), ("id_f32", (object(),)), ("id_f64", (10**400,)),
    ("add_i32", (1,)), ("add_i32", ()), ("add_i32", (1, 2, 3)), ("nop", (1,)),
    ("mixed8", (1, 2)), ("mixed8", (1,)), ("id_i32", ()), ("add_i32", (7, 2**32)),
]
SIGNATURES = {"id_i32": (("i32",), ("i32",)), "id_i64": (("i64",), ("i64",)),
              "id_f32": (("f32",), ("f32",)), "id_f64": (("f64",), ("f64",)),
              "add_i32": (("i32", "i32"), ("i32",)), "nop": ((), ()),
              "mixed8": (("i32", "i64", "f32", "f64") * 2, ("f64",))}


@pytest.mark.parametrize("name, args", BAD_CALLS)
def test_bad_arguments_fail_identically(both, name, args) -> None:
    ctypes_call, native_call = both(name, *SIGNATURES[name])
    expected = outcome(ctypes_call, *args)
    assert expected[0] in (TypeError, OverflowError)
    assert outcome(native_call, *args) == expected


@pytest.mark.parametrize("kwargs", [{"a0": 1, "a1": 2}, {"a1": 2}, {"x": 1}, {"a0": 1, "x": 2}])
def test_keyword_arguments_fail_identically(both, kwargs) -> None:
    ctypes_call, native_call = both("add_i32", ("i32", "i32"), ("i32",))
    expected = outcome(ctypes_call, **kwargs)
    assert expected[0] is TypeError
    assert outcome(native_call, **kwargs) == expected
    assert outcome(native_call, 1, **kwargs) == outcome(ctypes_call, 1, **kwargs)


def test_a_bad_later_argument_leaves_no_partial_state(numeric) -> None:
    add = numeric("add_i32", ("i32", "i32"), ("i32",))
    with pytest.raises(OverflowError, match="argument 2"):
        add(7, 2**32)
    assert add(1, 2) == 3


def test_user_conversion_reentering_the_same_caller(numeric) -> None:
    add = numeric("add_i32", ("i32", "i32"), ("i32",))

    class Reenter:
        def __index__(self) -> int:
            assert add(10, 20) == 30
            return 5

    assert add(3, Reenter()) == 8


def test_signature_type_and_store_checks(store, instantiate, layer) -> None:
    ex = instantiate("numeric")
    with pytest.raises(ValueError, match=r"asked for func \(i64, i64\) -> i64"):
        layer.make_caller(store, ex["add_i32"], ("i64", "i64"), ("i64",), name="add_i32")
    with pytest.raises(ValueError, match="not supported by the fast path"):
        layer.make_caller(store, ex["add_i32"], ("i128", "i32"), ("i32",))
    with pytest.raises(ValueError, match="another store"):
        layer.make_caller(wasmtime.Store(store.engine), ex["id_i32"], ("i32",), ("i32",))
    with pytest.raises(TypeError, match="expected a wasmtime.Func"):
        layer.make_caller(store, print, ("i32",), ("i32",))


def test_wrapper_names_itself(numeric) -> None:
    add = numeric("add_i32", ("i32", "i32"), ("i32",))
    assert add.__name__ == add.__qualname__ == "add_i32"
    assert add.__doc__ == "add_i32(i32, i32) -> i32 (raw call)"


def test_release_gil_variant_computes_the_same(store, instantiate, layer) -> None:
    add = layer.make_caller(store, instantiate("numeric")["add_i64"], ("i64", "i64"), ("i64",),
                            release_gil=True)
    assert add(2**62, 2**62) == -(2**63)


def test_a_results_tuple_someone_holds_is_never_reused(numeric) -> None:
    # The native caller reuses its last results tuple only while nobody else has it.
    swap = numeric("swap3", ("i32", "i64", "f64"), ("f64", "i64", "i32"))
    held = [swap(i, i * 2**40, i / 2) for i in range(5)]
    assert held == [(i / 2, i * 2**40, i) for i in range(5)]
    assert len({id(t) for t in held}) == 5
    first = swap(1, 2, 3.0)
    again = swap(4, 5, 6.0)
    assert first == (3.0, 2, 1) and again == (6.0, 5, 4) and first is not again
    unpacked = [a + b + c for a, b, c in (swap(i, i, float(i)) for i in range(3))]
    assert unpacked == [0.0, 3.0, 6.0]


def test_several_results_from_threads_that_drop_the_gil(store, instantiate, layer) -> None:
    # Each thread's results are its own, whichever tuple the caller reuses meanwhile.
    swap = layer.make_caller(store, instantiate("numeric")["swap3"], ("i32", "i64", "f64"),
                             ("f64", "i64", "i32"), release_gil=True, gate=[True],
                             lock=threading.RLock())
    wrong: list[object] = []

    def run(k: int) -> None:
        kept = []
        for i in range(2000):
            got = swap(k, i, float(k * i))
            if got != (float(k * i), i, k):
                wrong.append(got)
            if i % 7 == 0:
                kept.append(got)
        wrong.extend(t for j, t in zip(range(0, 2000, 7), kept, strict=True)
                     if t != (float(k * j), j, k))

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []
