"""Python -> wasm through make_caller: values, boundaries, types, arity, multi-value."""

from __future__ import annotations

import math
import struct

import pytest
import wasmtime

from wasmport._engine import fast as _fast
from wasmport._engine.floats import f32_value

I32_MIN, I32_MAX = -(2**31), 2**32 - 1
I64_MIN, I64_MAX = -(2**63), 2**64 - 1


@pytest.fixture
def numeric(store, instantiate):
    ex = instantiate("numeric")

    def caller(name: str, params: tuple[str, ...], results: tuple[str, ...]):
        return _fast.make_caller(store, ex[name], params, results, name=name)

    return caller


def f32(x: float) -> float:
    return struct.unpack("<f", struct.pack("<f", x))[0]


@pytest.mark.parametrize("kind, a, b, expected", [
    ("i32", 2, 3, 5),
    ("i32", I32_MAX, 1, 0),
    ("i32", 2**31 - 1, 1, -(2**31)),
    ("i64", 2**40, 2**40, 2**41),
    ("i64", 2**63 - 1, 1, -(2**63)),
    ("f32", 0.1, 0.2, f32(f32(0.1) + f32(0.2))),
    ("f64", 0.1, 0.2, 0.1 + 0.2),
])
def test_add_each_type(numeric, kind, a, b, expected) -> None:
    add = numeric(f"add_{kind}", (kind, kind), (kind,))
    assert add(a, b) == expected
    assert type(add(a, b)) is type(expected)


@pytest.mark.parametrize("value, expected", [
    (0, 0), (1, 1), (-1, -1), (I32_MIN, I32_MIN), (2**31 - 1, 2**31 - 1),
    (2**31, I32_MIN), (I32_MAX, -1),
])
def test_i32_boundaries_come_back_signed(numeric, value, expected) -> None:
    assert numeric("id_i32", ("i32",), ("i32",))(value) == expected


@pytest.mark.parametrize("value, expected", [
    (0, 0), (-1, -1), (I64_MIN, I64_MIN), (2**63 - 1, 2**63 - 1), (2**63, I64_MIN), (I64_MAX, -1),
])
def test_i64_boundaries_come_back_signed(numeric, value, expected) -> None:
    assert numeric("id_i64", ("i64",), ("i64",))(value) == expected


def test_i32_bit_pattern_of_unsigned_input(numeric) -> None:
    bits = numeric("bits_i32", ("i32",), ("i64",))
    assert bits(I32_MAX) == 0xFFFFFFFF
    assert bits(-1) == 0xFFFFFFFF
    assert bits(2**31) == 0x80000000


@pytest.mark.parametrize("kind, value", [
    ("i32", I32_MIN - 1), ("i32", I32_MAX + 1), ("i32", 2**100), ("i32", -(2**100)),
    ("i64", I64_MIN - 1), ("i64", I64_MAX + 1),
])
def test_one_past_each_end_is_overflow(numeric, kind, value) -> None:
    ident = numeric(f"id_{kind}", (kind,), (kind,))
    message = rf"id_{kind}\(\) argument 1: -?\d+ is out of range for {kind}"
    with pytest.raises(OverflowError, match=message):
        ident(value)


@pytest.mark.parametrize("kind", ["i32", "i64"])
@pytest.mark.parametrize("value", [1.0, "1", None, b"\x01", 1j, [1]])
def test_non_integers_for_int_params_are_type_errors(numeric, kind, value) -> None:
    with pytest.raises(TypeError, match=r"argument 1: expected an int for i\d\d"):
        numeric(f"id_{kind}", (kind,), (kind,))(value)


@pytest.mark.parametrize("kind", ["f32", "f64"])
@pytest.mark.parametrize("value", ["1.0", None, b"1", [1.0], object()])
def test_non_numbers_for_float_params_are_type_errors(numeric, kind, value) -> None:
    with pytest.raises(TypeError, match=r"argument 1: expected a float for f\d\d"):
        numeric(f"id_{kind}", (kind,), (kind,))(value)


def test_int_subclasses_and_index_objects_are_ints_and_bool_is_not(numeric) -> None:
    class Small(int):
        pass

    class Indexable:
        def __index__(self) -> int:
            return 41

    ident = numeric("id_i32", ("i32",), ("i32",))
    with pytest.raises(TypeError, match="got bool"):  # the number rule: _engine/numbers.py
        ident(True)
    assert ident(Small(-5)) == -5
    assert ident(Indexable()) == 41


def test_a_lying_int_subclass_is_still_range_checked(numeric) -> None:
    class Liar(int):
        def __le__(self, other: object) -> bool:
            return True

        def __ge__(self, other: object) -> bool:
            return True

    with pytest.raises(OverflowError):
        numeric("id_i32", ("i32",), ("i32",))(Liar(2**40))


def test_floats_accept_ints_exactly_and_reject_huge_ints(numeric) -> None:
    ident = numeric("id_f64", ("f64",), ("f64",))
    assert ident(3) == 3.0 and type(ident(3)) is float
    assert ident(2**53) == float(2**53)
    with pytest.raises(TypeError, match="got bool"):
        ident(True)
    with pytest.raises(OverflowError, match="too large"):
        ident(10**400)


def test_f64_special_values(numeric) -> None:
    ident = numeric("id_f64", ("f64",), ("f64",))
    assert ident(math.inf) == math.inf
    assert ident(-0.0) == 0.0 and math.copysign(1, ident(-0.0)) == -1
    assert math.isnan(ident(math.nan))
    assert ident(5e-324) == 5e-324


def test_f32_results_are_the_f32_value(numeric) -> None:
    ident = numeric("id_f32", ("f32",), ("f32",))
    assert ident(0.1) == f32(0.1) != 0.1
    assert ident(3.4028234663852886e38) == 3.4028234663852886e38
    assert ident(1e39) == math.inf  # rounds like f32.demote_f64
    assert ident(1e-50) == 0.0


def test_multi_value_returns_a_tuple(numeric) -> None:
    swap3 = numeric("swap3", ("i32", "i64", "f64"), ("f64", "i64", "i32"))
    assert swap3(-1, 2**64 - 1, 1.5) == (1.5, -1, -1)
    assert numeric("divmod_u", ("i32", "i32"), ("i32", "i32"))(17, 5) == (3, 2)
    assert numeric("consts", (), ("i32", "i64", "f32", "f64"))() == (-7, I64_MIN, f32(0.1), 2.5)


def test_no_results_is_none(numeric) -> None:
    assert numeric("nop", (), ())() is None


def test_eight_mixed_params(numeric) -> None:
    mixed = numeric("mixed8", ("i32", "i64", "f32", "f64") * 2, ("f64",))
    assert mixed(1, 2, 0.5, 0.25, -1, -2, 1.5, 0.75) == 3.0


def test_wrong_arity_and_keywords_are_type_errors(numeric) -> None:
    add = numeric("add_i32", ("i32", "i32"), ("i32",))
    with pytest.raises(TypeError, match="add_i32"):
        add(1)
    with pytest.raises(TypeError, match="add_i32"):
        add(1, 2, 3)
    with pytest.raises(TypeError):
        add(a0=1, a1=2)
    with pytest.raises(TypeError):
        numeric("nop", (), ())(1)


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

    # The nested call runs while the outer call is still converting; the outer
    # arguments must not have been written to the shared buffer yet.
    assert add(3, Reenter()) == 8


def test_signature_is_checked_against_the_function(numeric) -> None:
    message = r"asked for func \(i64, i64\) -> i64.*\(i32, i32\) -> i32"
    with pytest.raises(ValueError, match=message):
        numeric("add_i32", ("i64", "i64"), ("i64",))
    with pytest.raises(ValueError):
        numeric("add_i32", ("i32",), ("i32",))


@pytest.mark.parametrize("kind", ["externref", "funcref", "anyref", "I32"])
def test_unsupported_types_are_value_errors(numeric, kind) -> None:
    with pytest.raises(ValueError, match="not supported by the fast path"):
        numeric("add_i32", (kind, "i32"), ("i32",))


def test_func_from_another_store_is_refused(store, instantiate) -> None:
    func = instantiate("numeric")["id_i32"]
    other = wasmtime.Store(store.engine)
    with pytest.raises(ValueError, match="another store"):
        _fast.make_caller(other, func, ("i32",), ("i32",))


def test_closed_store_raises_instead_of_calling(store, numeric) -> None:
    ident = numeric("id_i32", ("i32",), ("i32",))
    assert ident(1) == 1
    store.close()
    with pytest.raises(ValueError, match="store is closed"):
        ident(1)


def test_release_gil_variant_computes_the_same(store, instantiate) -> None:
    add = _fast.make_caller(store, instantiate("numeric")["add_i64"], ("i64", "i64"), ("i64",),
                            release_gil=True)
    assert add(2**62, 2**62) == -(2**63)


def test_wrapper_names_itself(numeric) -> None:
    add = numeric("add_i32", ("i32", "i32"), ("i32",))
    assert add.__name__ == "add_i32"
    assert "(i32, i32) -> i32" in add.__doc__


VECTORS = """(module
  (func (export "id_v128") (param v128) (result v128) (local.get 0))
  (func (export "id_f32") (param f32) (result f32) (local.get 0))
  (func (export "split") (param v128) (result i64 i64)
    (i64x2.extract_lane 0 (local.get 0)) (i64x2.extract_lane 1 (local.get 0))))"""


@pytest.fixture
def vectors(store):
    module = wasmtime.Module(store.engine, VECTORS)
    exports = wasmtime.Instance(store, module, []).exports(store)

    def caller(name: str, params: tuple[str, ...], results: tuple[str, ...]):
        return _fast.make_caller(store, exports[name], params, results, name=name)

    return caller


def test_v128_slots_carry_both_halves(vectors) -> None:
    ident = vectors("id_v128", ("v128",), ("v128",))
    value = (2**64 - 1) << 64 | 12345
    assert ident(value) == value and ident(-1) == 2**128 - 1
    assert vectors("split", ("v128",), ("i64", "i64"))(5 | 7 << 64) == (5, 7)
    with pytest.raises(OverflowError):
        ident(2**128)


@pytest.mark.parametrize("bits", [0x7FA00000, 0xFFA00001, 0x7FC00000, 0x7F800000, 0x3F800000])
def test_f32_slots_keep_nan_bits(vectors, bits) -> None:
    ident = vectors("id_f32", ("f32",), ("f32",))
    wide = struct.unpack("<Q", struct.pack("<d", f32_value(bits)))[0]
    assert struct.unpack("<Q", struct.pack("<d", ident(f32_value(bits))))[0] == wide
