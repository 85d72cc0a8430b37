"""Every WIT type, there and back through a real component (values.wasm echoes)."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import pytest

from wasmport._component import Err, Ok, Some


@pytest.fixture
def echo(new: Any) -> Any:
    return new("values").exports.echo


SCALARS = [
    ("bool", True), ("bool", False), ("s8", -128), ("s8", 127), ("u8", 255), ("s16", -32768),
    ("u16", 65535), ("s32", -(2**31)), ("u32", 2**32 - 1), ("s64", -(2**63)),
    ("u64", 2**64 - 1), ("f32", 1.5), ("f32", float("inf")), ("f64", math.pi),
    ("f64", -0.0), ("char", "é"), ("char", "\U0001F600"), ("string", "héllo wörld"),
    ("string", ""), ("string", "x" * 5000), ("bytes", b"\x00\x01\xff"), ("bytes", b""),
    ("strings", ["a", "bc", ""]), ("strings", []), ("option", None), ("option", 5),
    ("nested", None), ("nested", Some(None)), ("nested", Some(3)),
    ("tuple", (7, "seven", 7.5)),
]


@pytest.mark.parametrize(("kind", "value"), SCALARS)
def test_round_trip(echo: Any, kind: str, value: Any) -> None:
    got = getattr(echo, f"echo_{kind}")(value)
    assert got == value and type(got) is type(value)


def test_f32_nan_survives(echo: Any) -> None:
    assert math.isnan(echo.echo_f32(float("nan")))


def test_records_variants_enums_flags(echo: Any) -> None:
    person = echo.Person("ann", 33, ["x", "y"], echo.Point(5, 6))
    assert echo.echo_person(person) == person
    assert echo.echo_person(echo.Person("bo", 1, [], None)).home is None
    assert echo.echo_points([echo.Point(1, 2), echo.Point(-3, 4)])[1] == echo.Point(-3, 4)
    for shape in (echo.Shape_Circle(2.5), echo.Shape_Rect(echo.Point(1, 9)), echo.Shape_None_()):
        assert echo.echo_shape(shape) == shape
    assert echo.echo_color(echo.Color.DARK_BLUE) is echo.Color.DARK_BLUE
    both = echo.Perms.READ | echo.Perms.EXEC
    assert echo.echo_perms(both) == both and echo.echo_perms(echo.Perms(0)) == echo.Perms(0)


def test_result_as_function_result_returns_or_raises(echo: Any) -> None:
    assert echo.echo_result(Ok(3)) == 3
    with pytest.raises(Err) as raised:
        echo.echo_result(Err("bad"))
    assert raised.value.value == "bad"
    assert echo.echo_unit(Ok(None)) is None
    with pytest.raises(Err) as unit:
        echo.echo_unit(Err(None))
    assert unit.value.value is None


def test_nested_results_are_values(echo: Any) -> None:
    values = [Ok(1), Err(echo.Color.RED)]
    assert echo.echo_results(values) == values


def test_any_bytes_like_for_list_u8(echo: Any) -> None:
    assert echo.echo_bytes(bytearray(b"ab")) == b"ab"
    assert echo.echo_bytes(memoryview(b"xyz")[1:]) == b"yz"
    assert echo.echo_bytes([1, 2, 255]) == b"\x01\x02\xff"


def test_any_sequence_for_lists_and_records_from_any_object(echo: Any) -> None:
    assert echo.echo_strings(("a", "b")) == ["a", "b"]
    duck = SimpleNamespace(name="cy", age=4, tags=("t",), home=SimpleNamespace(x=1, y=2))
    assert echo.echo_person(duck) == echo.Person("cy", 4, ["t"], echo.Point(1, 2))
    assert echo.echo_tuple([1, "a", 2]) == (1, "a", 2.0)


def test_generated_types_look_like_componentize_py(echo: Any) -> None:
    assert echo.Point.__name__ == "Point" and list(echo.Point.__dataclass_fields__) == ["x", "y"]
    assert [m.name for m in echo.Color] == ["RED", "GREEN", "DARK_BLUE"]
    assert echo.Shape_None_.__name__ == "Shape_None_"
    assert set(echo.Shape.__args__) == {echo.Shape_Circle, echo.Shape_Rect, echo.Shape_None_}
    assert echo["point"] is echo.Point and echo["shape"] is echo.Shape


def test_functions_and_types_carry_their_python_types(echo: Any) -> None:
    assert echo.echo_person.__doc__ == "WIT: echo-person: func(v: person) -> person"
    assert echo.echo_nested.__annotations__ == {"v": "Some[int | None] | None",
                                                "return": "Some[int | None] | None"}
    assert echo.echo_result.__annotations__["return"] == "int"  # the error is raised
    assert echo.echo_results.__annotations__["v"] == "list[Ok[int] | Err[Color]]"
    assert echo.Person.__annotations__ == {"name": "str", "age": "int", "tags": "list[str]",
                                           "home": "Point | None"}
