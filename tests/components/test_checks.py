"""Every value is checked against its WIT type before the call, with the path to the fault."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from wasmport._component import Err, Ok, Some


@pytest.fixture
def echo(new: Any) -> Any:
    return new("values").exports.echo


@pytest.mark.parametrize(("kind", "value", "error", "words"), [
    ("u8", 256, OverflowError, "256 is out of range for u8 (0..255)"),
    ("u32", -1, OverflowError, "out of range for u32"),
    ("s8", -129, OverflowError, "out of range for s8"),
    ("u64", 2**64, OverflowError, "out of range for u64"),
    ("s64", 2**63, OverflowError, "out of range for s64"),
    ("u32", True, TypeError, "True is not an int"),
    ("u32", 1.0, TypeError, "expected an int (u32), got float"),
    ("u32", "1", TypeError, "got str"),
    ("f64", "1.0", TypeError, "expected a float"),
    ("f64", False, TypeError, "expected a float"),
    ("f32", 1e39, OverflowError, "out of range for f32"),
    ("bool", 1, TypeError, "expected a bool"),
    ("char", "ab", TypeError, "one character"),
    ("char", "\ud800", TypeError, "lone surrogate"),
    ("string", "a\udc80b", TypeError, "lone surrogate '\\udc80' at index 1"),
    ("string", b"bytes", TypeError, "expected a str"),
    ("bytes", "text", TypeError, "bytes-like"),
    ("bytes", [1, 256], OverflowError, "out of range for u8"),
    ("strings", "abc", TypeError, "expected a sequence"),
    ("strings", ["a", 2], TypeError, "parameter v[1]: expected a str"),
    ("tuple", (1, "a"), TypeError, "tuple of 3 items, got 2"),
    ("nested", 3, TypeError, "nested option"),
    ("results", [Ok(1), 2], TypeError, "parameter v[1]: expected Ok(...) or Err(...)"),
    ("unit", Ok(5), TypeError, "carries no value"),
])
def test_bad_values_are_named(echo: Any, kind: str, value: Any, error: type, words: str) -> None:
    with pytest.raises(error) as raised:
        getattr(echo, f"echo_{kind}")(value)
    assert words in str(raised.value)
    assert str(raised.value).startswith(f"values.wasm: echo.echo_{kind}(): parameter v")


def test_the_field_path_is_named(echo: Any) -> None:
    person = echo.Person("ann", 3, ["x"], SimpleNamespace(x=1, y="no"))
    with pytest.raises(TypeError, match=r"parameter v\.home\.y: expected an int \(s32\)"):
        echo.echo_person(person)
    with pytest.raises(TypeError, match=r"v\.tags\[1\]: expected a str"):
        echo.echo_person(echo.Person("ann", 3, ["x", 5], None))
    with pytest.raises(TypeError, match=r"an object with the field 'age'"):
        echo.echo_person(SimpleNamespace(name="x"))
    with pytest.raises(TypeError, match=r"v\.value\.x"):
        echo.echo_shape(echo.Shape_Rect(SimpleNamespace(x=None, y=1)))
    with pytest.raises(TypeError, match=r"v\[0\]\.value: expected an int"):
        echo.echo_results([Ok("one")])


def test_variants_enums_flags_want_their_own_classes(echo: Any) -> None:
    with pytest.raises(TypeError, match="expected one of Shape_Circle | Shape_Rect"):
        echo.echo_shape(2.5)
    with pytest.raises(TypeError, match="expected a Color member"):
        echo.echo_color(2)
    with pytest.raises(TypeError, match="expected Perms flags"):
        echo.echo_perms(1)


def test_rejected_values_do_not_poison(new: Any) -> None:
    inst = new("values")
    for bad in (-1, "x", None, 2**40):
        with pytest.raises((TypeError, OverflowError)):
            inst.exports.echo.echo_u32(bad)
    assert not inst.poisoned
    assert inst.exports.echo.echo_u32(7) == 7
    with pytest.raises(TypeError):
        inst.exports.echo.echo_person(inst.exports.echo.Person("a", 1, ["ok", 3], None))
    assert inst.exports.echo.echo_string("still fine") == "still fine"


def test_arity_and_keywords(echo: Any) -> None:
    assert echo.echo_u8(v=3) == 3
    assert echo.echo_nested(v=Some(1)) == Some(1)
    with pytest.raises(TypeError, match=r"echo_u8\(\).*'v'"):
        echo.echo_u8()
    with pytest.raises(TypeError):
        echo.echo_person(1, 2)
    with pytest.raises(Err):
        echo.echo_result(v=Err("e"))
