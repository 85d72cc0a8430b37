"""Inputs a careless or hostile caller gives: each is a named error from the one tree.

The number rule (docs/design.md, "Numbers from Python"): offsets, lengths, counts and
indices are ints or objects with ``__index__``, never bools or floats.  scripts/test runs
this file on every layer (WASMPORT_NO_NATIVE / WASMPORT_NO_FAST).
"""

from fractions import Fraction

import pytest

import wasmport

WAT = """(module (memory (export "m") 1) (table (export "t") 1 funcref)
           (global (export "g") (mut i32) (i32.const 0)))"""


class Index:
    def __init__(self, n: int) -> None:
        self.n = n

    def __index__(self) -> int:
        return self.n


@pytest.fixture
def limited():
    with wasmport.Realm(limits=wasmport.Limits(max_memory=3 * 65536,
                                               max_table_elements=5)) as realm:
        yield realm.instantiate(wasmport.compile(WAT))


@pytest.mark.parametrize("text", ["(module \ud800)", "(module (func (export \"\udfff\")))"])
def test_a_lone_surrogate_is_a_compile_error(text) -> None:
    with pytest.raises(wasmport.CompileError, match="not valid Unicode"):
        wasmport.compile(text)


@pytest.mark.parametrize("bad", [True, False, 1.0, 1.5, Fraction(1), "1", None])
def test_memory_offsets_lengths_and_counts_refuse_non_integers(limited, bad) -> None:
    memory = limited.m
    for access in (lambda: memory.read(bad, 1), lambda: memory.read(0, bad),
                   lambda: memory.write(bad, b"x"), lambda: memory.grow(bad)):
        with pytest.raises(TypeError):
            access()


def test_memory_takes_index_objects(limited) -> None:
    memory = limited.m
    memory.write(Index(3), b"ab")
    assert memory.read(Index(3), Index(2)) == b"ab"
    assert memory.grow(Index(1)) == 1 and memory.pages == 2


@pytest.mark.parametrize("bad", [True, 1.0, Fraction(1), None])
def test_table_indices_and_counts_refuse_non_integers(limited, bad) -> None:
    table = limited.t
    for access in (lambda: table[bad], lambda: table.grow(bad)):
        with pytest.raises(TypeError):
            access()


def test_python_side_growth_past_a_limit_is_a_resource_limit_error(limited) -> None:
    with pytest.raises(wasmport.ResourceLimitError) as info:
        limited.m.grow(5)
    assert info.value.limit == "max_memory" and limited.m.pages == 1
    with pytest.raises(wasmport.ResourceLimitError) as info:
        limited.t.grow(10)
    assert info.value.limit == "max_table_elements" and len(limited.t) == 1
    assert limited.m.grow(2) == 1 and limited.t.grow(4) == 1  # up to the limits is fine


def test_growth_past_a_memory_maximum_stays_a_value_error() -> None:
    with wasmport.Realm() as realm:
        inst = realm.instantiate(wasmport.compile('(module (memory (export "m") 1 2))'))
        with pytest.raises(ValueError, match="cannot grow") as info:
            inst.m.grow(2)
    assert not isinstance(info.value, wasmport.ResourceLimitError)
