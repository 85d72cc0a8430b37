"""WAVE text and Python values of WIT types: printing then reading gives the same value.

Values are drawn for every parameter type of the committed values fixture (every WIT
type, nested ones included), printed with ``to_wave`` and read back with
``parse_value``; the call through the component (an echo) must give that value too.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wasmport
from wasmport._component._types import (
    EnumType,
    FlagsType,
    ListType,
    OptionType,
    Prim,
    RecordType,
    ResultType,
    TupleType,
    VariantType,
    WitType,
)
from wasmport._component.wave import WaveError, parse_value, to_wave
from wasmport._realm.component import component_instance_or_none

VALUES = Path(__file__).parent.parent / "fixtures" / "components" / "values" / "values.wasm"
INTS = {"s8": 8, "s16": 16, "s32": 32, "s64": 64}


@pytest.fixture(scope="module")
def echo() -> Any:
    realm = wasmport.Realm()
    inst = component_instance_or_none(realm.load(str(VALUES)))
    assert inst is not None
    yield inst
    realm.close()


def values_of(ty: WitType, space: Any) -> st.SearchStrategy[Any]:  # noqa: C901 - one per kind
    if isinstance(ty, Prim):
        return _prim(ty.kind)
    if isinstance(ty, ListType):
        if ty.element == Prim("u8"):
            return st.binary(max_size=8)
        return st.lists(values_of(ty.element, space), max_size=3)
    if isinstance(ty, TupleType):
        return st.tuples(*(values_of(t, space) for t in ty.items))
    if isinstance(ty, RecordType):
        cls = space.record(ty)
        return st.builds(lambda *v: cls(*v), *(values_of(t, space) for _, t in ty.fields))
    if isinstance(ty, VariantType):
        cases = space.variant(ty).cases
        return st.one_of(*(st.just(cls()) if p is None else values_of(p, space).map(cls)
                           for cls, (_, p) in zip(cases, ty.cases, strict=True)))
    if isinstance(ty, EnumType):
        return st.sampled_from(list(space.enum(ty)))
    if isinstance(ty, FlagsType):
        cls = space.flags(ty)
        return st.integers(0, 2 ** len(ty.flags) - 1).map(cls)
    if isinstance(ty, OptionType):
        inner = values_of(ty.some, space)
        if isinstance(ty.some, OptionType):
            inner = inner.map(wasmport.Some)
        return st.none() | inner
    assert isinstance(ty, ResultType)
    ok = values_of(ty.ok, space) if ty.ok is not None else st.none()
    err = values_of(ty.err, space) if ty.err is not None else st.none()
    return ok.map(wasmport.Ok) | err.map(wasmport.Err)


def _prim(kind: str) -> st.SearchStrategy[Any]:
    if kind == "bool":
        return st.booleans()
    if kind in INTS:
        bits = INTS[kind]
        return st.integers(-2 ** (bits - 1), 2 ** (bits - 1) - 1)
    if kind.startswith("u"):
        return st.integers(0, 2 ** int(kind[1:]) - 1)
    if kind in ("f32", "f64"):
        return st.floats(width=32 if kind == "f32" else 64, allow_nan=False)
    text = st.characters(exclude_categories=("Cs",))
    return text if kind == "char" else st.text(text, max_size=12)


def _params(echo: Any) -> list[tuple[str, WitType]]:
    iface = echo.code.world.exports["test:values/echo@1.0.0"]
    return [(name, f.type.params[0][1]) for name, f in iface.functions.items()]


def test_every_type_of_the_fixture_is_drawn(echo: Any) -> None:
    kinds = {type(ty).__name__ for _, ty in _params(echo)}
    assert kinds == {"Prim", "ListType", "RecordType", "TupleType", "VariantType",
                     "EnumType", "FlagsType", "OptionType", "ResultType"}


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_printed_values_read_back_the_same(echo: Any, data: st.DataObject) -> None:
    space = echo.code.types
    for name, ty in _params(echo):
        value = data.draw(values_of(ty, space), label=name)
        text = to_wave(value, ty, space)
        assert parse_value(text, ty, space) == value, text
        if not isinstance(ty, ResultType):  # an echo: the component gives it back
            assert echo.exports["test:values/echo@1.0.0"][name](value) == value


def test_nan_and_infinities(echo: Any) -> None:
    space = echo.code.types
    assert math.isnan(parse_value("nan", Prim("f64"), space))
    for text in ("inf", "-inf", "-0", "1e-45", "0.1"):
        assert to_wave(parse_value(text, Prim("f32"), space), Prim("f32"), space) == text
    assert parse_value("5.174007e+07", Prim("f32"), space) == 51740072.0  # the nearest f32
    with pytest.raises(WaveError, match="out of range for f32"):
        parse_value("1e39", Prim("f32"), space)


@pytest.mark.parametrize("text", ['"""\n  two\n    lines\n  """', '"""\nx\\ty\n"""'])
def test_multiline_strings(echo: Any, text: str) -> None:
    got = parse_value(text, Prim("string"), echo.code.types)
    assert got == ("two\n  lines" if "two" in text else "x\ty")


@pytest.mark.parametrize("text", ['"""two"""', '"""\nno end', '"""\n  x\n  y """'])
def test_bad_multiline_strings(echo: Any, text: str) -> None:
    with pytest.raises(WaveError, match='"""'):
        parse_value(text, Prim("string"), echo.code.types)
