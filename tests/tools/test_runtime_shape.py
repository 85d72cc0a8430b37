"""What the stubs rely on at run time: parameter names in signatures, functions that do not
bind as methods, and an ``__all__`` a stub can repeat."""

from __future__ import annotations

import inspect
import warnings

import wasmport

NAMED = """(module
  (func (export "add") (param $left i32) (param $right i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "anon") (param i64 i64))
  (func (export "class"))
  (func (export "_start"))
  (table (export "t") 1 funcref) (elem (i32.const 0) 0))"""


def instance() -> object:
    return wasmport.compile(NAMED, name="named").instantiate()


def test_signatures_carry_the_name_sections_names() -> None:
    mod = instance()
    assert str(inspect.signature(mod.add)) == "(left, right, /)"  # type: ignore[attr-defined]
    assert str(inspect.signature(mod.anon)) == "(p0, p1, /)"  # type: ignore[attr-defined]
    assert mod.add.param_names == ("left", "right")  # type: ignore[attr-defined]
    from_table = mod.t[0]  # type: ignore[attr-defined]
    assert from_table(1, 2) == 3 and str(inspect.signature(from_table)) == "(p0, p1, /)"


def test_a_function_on_a_class_does_not_bind() -> None:
    mod = instance()

    class Holder:
        add = mod.add  # type: ignore[attr-defined]

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 3.13's partial would warn here
        assert Holder().add(2, 3) == 5
        assert Holder.add is mod.add  # type: ignore[attr-defined]


def test_all_leaves_out_keywords_and_private_names() -> None:
    assert instance().__all__ == ["add", "anon", "t"]  # type: ignore[attr-defined]
